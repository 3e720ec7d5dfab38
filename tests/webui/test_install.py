"""install.py, run as a host runs it: a subprocess with the webui folder on PYTHONPATH, whose
`launch` module (the test host's, tests/webui/host/launch.py) records each run_pip call."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
HOST_DIR = Path(__file__).resolve().parent / "host"


def run_install(tmp_path: Path, requirements: str, commandline_args: str = "", with_launch: bool = True):
    ext = tmp_path / "extensions" / "sd-webui-infinite-image-browsing"
    ext.mkdir(parents=True)
    shutil.copy(REPO / "install.py", ext / "install.py")
    (ext / "requirements.txt").write_text(requirements)
    log = tmp_path / "pip-calls.jsonl"
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "COMMANDLINE_ARGS")}
    env.update({"IIB_HARNESS_PIP_LOG": str(log), "COMMANDLINE_ARGS": commandline_args})
    if with_launch:
        env["PYTHONPATH"] = str(HOST_DIR)  # the webui root: where launch.py and modules/ live
    proc = subprocess.run([sys.executable, str(ext / "install.py")], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=120)
    calls = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    return proc, calls


REQUIREMENTS = """\
# Runtime dependencies (a comment)
fastapi>=0.94
numpy>=99.0
Pillow>=99
pydantic>=99
sqlalchemy>=2.0
pytest>=1.0  # installed: nothing to do
iib-test-missing-package>=1.2,<3
iib-test-other-missing[extra]>=0.1
Some_Old.Package==0.0.1 ; python_version < "3.0"
-r other.txt
--prefer-binary
"""


def test_installs_only_what_is_missing_each_as_one_quoted_spec(tmp_path):
    proc, calls = run_install(tmp_path, REQUIREMENTS)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""  # no noise when nothing fails
    assert [c["command"] for c in calls] == [
        'install "iib-test-missing-package>=1.2,<3"',
        'install "iib-test-other-missing[extra]>=0.1"',
    ]
    # The host's command line: the spec is quoted, so the shell never sees a bare > or <.
    assert calls[0]["line"].endswith(' -m pip install "iib-test-missing-package>=1.2,<3" --prefer-binary')
    assert calls[0]["desc"] == "iib-test-missing-package for Infinite image browsing"


def test_never_touches_the_host_pinned_packages_even_when_older(tmp_path):
    # numpy/Pillow/pydantic/fastapi are installed at versions below these specs: a host pins them.
    proc, calls = run_install(tmp_path, "numpy>=99\nPillow>=99\npydantic>=99\nfastapi>=99\nuvicorn>=99\n")
    assert proc.returncode == 0 and calls == []


def test_upgrades_an_installed_package_that_is_too_old(tmp_path):
    proc, calls = run_install(tmp_path, "pytest>=999\n")
    assert [c["command"] for c in calls] == ['install "pytest>=999"']


def test_skip_install_is_tolerated(tmp_path):
    proc, calls = run_install(tmp_path, "iib-test-missing-package>=1.0\n", commandline_args="--skip-install --listen")
    assert proc.returncode == 0 and calls == [] and proc.stdout == ""


def test_a_failed_install_prints_one_clear_line(tmp_path):
    # No IIB_HARNESS_PIP_LOG file can be written in a missing folder -> the host's run_pip raises.
    ext_log = tmp_path / "no-such-dir" / "log.jsonl"
    ext = tmp_path / "extensions" / "iib"
    ext.mkdir(parents=True)
    shutil.copy(REPO / "install.py", ext / "install.py")
    (ext / "requirements.txt").write_text("iib-test-missing-package>=1.0\n")
    fake = tmp_path / "fakehost"
    fake.mkdir()
    (fake / "launch.py").write_text(
        "def run_pip(command, desc=None, live=False):\n"
        "    raise RuntimeError(f\"Couldn't install {desc}.\\nCommand: pip {command}\\nError code: 1\")\n")
    env = {k: v for k, v in os.environ.items() if k != "COMMANDLINE_ARGS"}
    env["PYTHONPATH"] = str(fake)
    proc = subprocess.run([sys.executable, str(ext / "install.py")], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0 and not ext_log.exists()
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("[Infinite image browsing] could not install iib-test-missing-package>=1.0")
    assert "Couldn't install iib-test-missing-package for Infinite image browsing." in lines[0]


def test_unsafe_characters_never_reach_the_shell(tmp_path):
    proc, calls = run_install(tmp_path, 'iib-missing-a>=1;touch x\niib-missing-b>=$(id)\n')
    assert calls == []
    assert not (tmp_path / "x").exists()
    lines = proc.stdout.strip().splitlines()
    assert len(lines) == 2
    assert "not a valid environment marker" in lines[0] and "unexpected characters" in lines[1]


@pytest.mark.parametrize("name", ["requirements.txt"])
def test_the_real_requirements_file_parses(name):
    sys.path.insert(0, str(REPO))
    try:
        import install
    finally:
        sys.path.remove(str(REPO))
    parsed = install.parse_requirements(str(REPO / name))
    names = {install.normalize_name(n) for n, _ in parsed}
    assert {"fastapi", "sqlalchemy", "orjson"} <= names
    for _, spec in parsed:
        assert install.SAFE_SPEC.match(spec.replace(" ", "")), spec
