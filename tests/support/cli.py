"""Running `app.py` as a user would: a subprocess with a clean environment in a temp folder."""
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]


def run_app(*args, env_extra=None, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "IIB_DB_PATH": str(tmp_path / "iib.db"),
           "IIB_CACHE_DIR": str(tmp_path / "cache")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, str(PROJECT / "app.py"), *args], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=300)
