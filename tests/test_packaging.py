"""The installable package: where its data goes, what the wheel holds, and one source per version list."""
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from iib_core.config import DATA_DIR, PROJECT_DIR, default_data_dir, is_source_checkout, user_data_dir

ROOT = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- #
# the data folder
# --------------------------------------------------------------------------- #
def test_user_data_dir_follows_each_platform_convention(tmp_path):
    home = tmp_path / "home"
    assert user_data_dir("iib", environ={}, platform="linux", home=home) == home / ".local" / "share" / "iib"
    assert user_data_dir("iib", environ={"XDG_DATA_HOME": "/srv/xdg"}, platform="linux",
                         home=home) == Path("/srv/xdg/iib")
    # The XDG spec: a relative XDG_DATA_HOME is invalid and ignored.
    assert user_data_dir("iib", environ={"XDG_DATA_HOME": "rel/xdg"}, platform="linux",
                         home=home) == home / ".local" / "share" / "iib"
    assert user_data_dir("iib", environ={}, platform="darwin",
                         home=home) == home / "Library" / "Application Support" / "iib"
    assert user_data_dir("iib", environ={"LOCALAPPDATA": "C:/Users/u/AppData/Local"}, platform="win32",
                         home=home) == Path("C:/Users/u/AppData/Local") / "iib"
    assert user_data_dir("iib", environ={}, platform="win32", home=home) == home / "AppData" / "Local" / "iib"


def test_a_checkout_keeps_its_files_and_an_install_uses_the_user_folder(tmp_path):
    checkout = tmp_path / "clone"
    (checkout / "iib_core").mkdir(parents=True)
    (checkout / "app.py").write_text("")
    site = tmp_path / "venv" / "lib" / "python3.11" / "site-packages"
    (site / "iib_core").mkdir(parents=True)
    (site / "app.py").write_text("")  # some other distribution's top-level app.py changes nothing
    env = {"XDG_DATA_HOME": str(tmp_path / "xdg")}
    assert is_source_checkout(checkout) and not is_source_checkout(site)
    assert default_data_dir(checkout, environ=env, platform="linux") == checkout
    assert default_data_dir(site, environ=env, platform="linux") == tmp_path / "xdg" / "iib"
    # A folder holding iib_core without our app.py (pip install --target) is an install too.
    target = tmp_path / "target"
    (target / "iib_core").mkdir(parents=True)
    assert default_data_dir(target, environ=env, platform="linux") == tmp_path / "xdg" / "iib"


def test_this_checkout_keeps_today_s_locations():
    from iib_core.config import Settings

    assert DATA_DIR == PROJECT_DIR == ROOT
    defaults = Settings()
    assert defaults.db_path == ROOT / "iib.db" and defaults.cache_dir == ROOT / "cache"


# --------------------------------------------------------------------------- #
# one source of truth for versions
# --------------------------------------------------------------------------- #
def _requirements(name):
    """The requirement lines of a requirements file: comments and `-r` includes left out."""
    out = []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith(("#", "-")):
            out.append(_normal(line))
    return out


def _normal(spec):
    return re.sub(r"\s+", "", spec).lower().replace("'", '"')


@pytest.fixture(scope="module")
def pyproject():
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from Python 3.11")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_runtime_dependencies_are_requirements_txt(pyproject):
    # install.py installs requirements.txt into an SD WebUI host; the package reads the same file.
    assert "dependencies" in pyproject["project"]["dynamic"]
    assert "dependencies" not in pyproject["project"]
    assert pyproject["tool"]["setuptools"]["dynamic"]["dependencies"] == {"file": ["requirements.txt"]}


def test_extras_mirror_their_requirements_files(pyproject):
    extras = {k: [_normal(s) for s in v] for k, v in pyproject["project"]["optional-dependencies"].items()}
    assert set(extras) == {"dev", "postgres", "local-ai"}
    assert extras["local-ai"] == _requirements("requirements-local-ai.txt")
    assert sorted(extras["dev"]) == sorted(_requirements("requirements-dev.txt"))
    psycopg = [s for s in _requirements("requirements-dev.txt") if s.startswith("psycopg")]
    assert extras["postgres"] == psycopg


def test_console_command_is_the_cli_main(pyproject):
    assert pyproject["project"]["scripts"] == {"iib": "iib_core.cli:main"}
    from iib_core import cli

    assert callable(cli.main)


# --------------------------------------------------------------------------- #
# the wheel, installed into a fresh venv (no dependencies: --help and the paths need none)
# --------------------------------------------------------------------------- #
@pytest.mark.timeout(240)
def test_wheel_installs_a_working_iib_command_that_keeps_data_out_of_site_packages(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "requirements.txt"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "iib_core", src / "iib_core",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(src)],
                           capture_output=True, text=True, timeout=200)
    if build.returncode != 0 and "setuptools" in build.stderr and "No matching distribution" in build.stderr:
        pytest.skip("no setuptools>=77 reachable to build the wheel (offline without a wheel cache)")
    assert build.returncode == 0, build.stderr
    (wheel,) = wheels.glob("infinite_image_browsing-*.whl")

    import zipfile

    names = zipfile.ZipFile(wheel).namelist()
    assert "iib_core/web/index.html" in names
    assert any(n.startswith("iib_core/web/vendor/") for n in names)
    assert any(n.startswith("iib_core/web/i18n/") for n in names)
    assert any(n.startswith("iib_core/web/css/") for n in names)
    assert not [n for n in names if n.startswith(("tests/", "app.py", "install.py", "scripts/"))]

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    install = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                              "--target", site, str(wheel)], capture_output=True, text=True, timeout=120)
    assert install.returncode == 0, install.stderr
    # --target does not write console scripts: run the entry point the way the generated script does.
    home = tmp_path / "home"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(home), "XDG_DATA_HOME": "", "LOCALAPPDATA": ""}
    workdir = tmp_path / "anywhere"
    workdir.mkdir()
    helped = subprocess.run([str(py), "-c", "import sys; from iib_core.cli import main; sys.argv[0] = 'iib'; "
                             "sys.exit(main())", "--help"], cwd=str(workdir), env=env,
                            capture_output=True, text=True, timeout=60)
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage: iib") and "--extra_paths" in helped.stdout
    where = subprocess.run([str(py), "-c", "from iib_core.config import DATA_DIR, Settings; s = Settings(); "
                            "print(DATA_DIR); print(s.db_path); print(s.cache_dir)"], cwd=str(workdir), env=env,
                           capture_output=True, text=True, timeout=60)
    assert where.returncode == 0, where.stderr
    data_dir, db_path, cache_dir = where.stdout.split("\n")[:3]
    expected = home / ".local" / "share" / "iib" if sys.platform.startswith("linux") else None
    if expected is not None:
        assert Path(data_dir) == expected
    assert Path(db_path) == Path(data_dir) / "iib.db" and Path(cache_dir) == Path(data_dir) / "cache"
    assert not Path(db_path).is_relative_to(site)
    # `python -m iib_core` is the same command line.
    module = subprocess.run([str(py), "-m", "iib_core", "--help"], cwd=str(workdir), env=env,
                            capture_output=True, text=True, timeout=60)
    assert module.returncode == 0 and "--update_image_index" in module.stdout, module.stderr
