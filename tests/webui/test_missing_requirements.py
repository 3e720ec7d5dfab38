"""scripts/iib.py in a host whose Python lacks some of requirements.txt (the host was started
with --skip-prepare-environment, so install.py never ran): one line names the missing
packages and the pip command, nothing is registered, and the host goes on."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from iib_core.webui.deps import REQUIRED

REPO = Path(__file__).resolve().parents[2]
HOST_DIR = Path(__file__).resolve().parent / "host"

# Load the script as a host does (exec from its path, extension folder on sys.path), with the
# named modules made unimportable (a None entry in sys.modules makes `import x` fail), then
# report what was registered.
LOADER = """
import json, runpy, sys
for name in sys.argv[2:]:
    sys.modules[name] = None
runpy.run_path(sys.argv[1], run_name="iib_script")
from modules import script_callbacks
print("REGISTERED " + json.dumps({k: len(v) for k, v in script_callbacks.callback_map.items()}))
"""


def load_script(*hidden):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = os.pathsep.join([str(HOST_DIR), str(REPO)])
    return subprocess.run([sys.executable, "-c", LOADER, str(REPO / "scripts" / "iib.py"), *hidden],
                          cwd=str(REPO), env=env, capture_output=True, text=True, timeout=120)


def registered(proc):
    line = [x for x in proc.stdout.splitlines() if x.startswith("REGISTERED ")]
    assert len(line) == 1, proc.stdout + proc.stderr
    return json.loads(line[0][len("REGISTERED "):])


def test_missing_packages_are_one_line_and_the_host_goes_on():
    proc = load_script("sqlalchemy", "orjson")
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr and "No module named" not in proc.stdout + proc.stderr
    lines = [x for x in proc.stdout.splitlines() if x.startswith("[Infinite image browsing]")]
    assert len(lines) == 1, proc.stdout
    assert "sqlalchemy" in lines[0] and "orjson" in lines[0] and "fastapi" not in lines[0]
    assert re.search(r'-m pip install -r ".*requirements\.txt"', lines[0]), lines[0]
    assert sum(registered(proc).values()) == 0


def test_with_everything_installed_the_callbacks_are_registered():
    proc = load_script()
    assert proc.returncode == 0, proc.stderr
    assert "[Infinite image browsing]" not in proc.stdout
    counts = registered(proc)
    assert counts["callbacks_ui_tabs"] == 1 and counts["callbacks_app_started"] == 1


def test_the_checked_packages_are_requirements_txt():
    names = []
    for line in (REPO / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line and ";" not in line:
            names.append(re.match(r"[A-Za-z0-9._-]+", line).group(0).lower())
    assert [dist for dist, _ in REQUIRED] == names
