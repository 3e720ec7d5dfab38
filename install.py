"""Installs what Infinite Image Browsing needs into an SD WebUI's Python environment.

The host runs this file as a subprocess (with the webui folder on PYTHONPATH) at every
launch and after "Install from URL". It installs the entries of requirements.txt that
are missing or too old, one `launch.run_pip` call per package. It never touches the
packages the host pins (gradio, fastapi, pydantic, Pillow, numpy, torch, starlette,
uvicorn, httpx): when one of them is importable at any version, it is left alone.
It prints nothing unless something fails, then one line per failure.
"""
import os
import re
import shlex
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REQUIREMENTS = os.path.join(HERE, "requirements.txt")
PREFIX = "[Infinite image browsing]"

# The host's own packages: present at any version means keep it.
HOST_PINNED = {
    "gradio": "gradio", "fastapi": "fastapi", "pydantic": "pydantic", "pillow": "PIL", "numpy": "numpy",
    "torch": "torch", "starlette": "starlette", "uvicorn": "uvicorn", "httpx": "httpx",
}
# A spec goes to a shell in double quotes: allow nothing a shell would expand there.
SAFE_SPEC = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]*(\[[A-Za-z0-9._,\-]+\])?\s*([<>=!~]=?\s*[A-Za-z0-9.*+!_\-]+"
                       r"\s*(,\s*[<>=!~]=?\s*[A-Za-z0-9.*+!_\-]+\s*)*)?$")


def normalize_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_requirements(path):
    """[(name, spec)] from a requirements file: comments, options and unmet markers skipped."""
    out = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except OSError as exc:
        print(f"{PREFIX} cannot read {path}: {exc}")
        return out
    for line in lines:
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        spec, _, marker = line.partition(";")
        spec, marker = spec.strip(), marker.strip()
        if marker:
            holds = marker_holds(marker)
            if holds is None:
                print(f"{PREFIX} skipped {line!r} in requirements.txt: not a valid environment marker")
            if not holds:
                continue
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._\-]*)", spec)
        if match:
            out.append((match.group(1), spec))
    return out


def marker_holds(marker):
    try:
        from packaging.markers import Marker
    except ImportError:
        try:
            from pip._vendor.packaging.markers import Marker
        except ImportError:
            return True
    try:
        return Marker(marker).evaluate()
    except Exception:
        return None


def installed_version(name):
    """The installed version of distribution `name`, or None."""
    try:
        from importlib import metadata
    except ImportError:  # Python < 3.8: let pip decide
        return None
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
    except Exception:
        return None
    wanted = normalize_name(name)
    try:
        for dist in metadata.distributions():
            if normalize_name(dist.metadata.get("Name") or "") == wanted:
                return dist.version
    except Exception:
        return None
    return None


def importable(module):
    import importlib.util

    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False


def satisfied(name, spec, version):
    """Does installed `version` meet `spec`? Unknown means yes (never reinstall on a guess)."""
    if version is None:
        return False
    constraint = spec[len(name):].strip()
    constraint = re.sub(r"^\[[^\]]*\]", "", constraint).strip()
    if not constraint:
        return True
    try:
        from packaging.specifiers import SpecifierSet
        from packaging.version import Version
    except ImportError:
        try:
            from pip._vendor.packaging.specifiers import SpecifierSet
            from pip._vendor.packaging.version import Version
        except ImportError:
            return True
    try:
        return Version(version) in SpecifierSet(constraint)
    except Exception:
        return True


def to_install(requirements):
    """The specs that must be installed, in file order."""
    out = []
    for name, spec in requirements:
        key = normalize_name(name)
        if key in HOST_PINNED:
            if installed_version(name) is not None or importable(HOST_PINNED[key]):
                continue
        elif satisfied(name, spec, installed_version(name)):
            continue
        out.append((name, spec))
    return out


def skip_install(launch):
    args = getattr(launch, "args", None)
    if getattr(args, "skip_install", False):
        return True
    argv = list(sys.argv[1:])
    try:
        argv += shlex.split(os.environ.get("COMMANDLINE_ARGS", ""))
    except ValueError:
        pass
    return "--skip-install" in argv


def main():
    try:
        import launch
    except ImportError:
        print(f"{PREFIX} run by the webui (it provides `launch`); to install by hand: "
              f"pip install -r \"{REQUIREMENTS}\"")
        return 1
    if skip_install(launch):
        return 0
    failed = 0
    for name, spec in to_install(parse_requirements(REQUIREMENTS)):
        spec = re.sub(r"\s+", "", spec)
        if not SAFE_SPEC.match(spec):
            print(f"{PREFIX} not installing {spec!r}: unexpected characters in requirements.txt")
            failed += 1
            continue
        try:
            launch.run_pip(f'install "{spec}"', f"{name} for Infinite image browsing")
        except Exception as exc:  # the host raises with pip's output; keep it to one line
            first = str(exc).strip().splitlines()
            reason = first[0] if first else exc.__class__.__name__
            print(f"{PREFIX} could not install {spec} ({reason}); IIB may not start until it is installed: "
                  f"pip install \"{spec}\"")
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":
    main()  # never fail the host's launch: the webui goes on without IIB's extras
