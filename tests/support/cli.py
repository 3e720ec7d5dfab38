"""Running `app.py` as a user would: a subprocess with a clean environment in a temp folder."""
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Dict, Optional, Sequence

import httpx

from support.waiting import free_port, wait_until

PROJECT = Path(__file__).resolve().parents[2]


def run_app(*args, env_extra=None, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "IIB_DB_PATH": str(tmp_path / "iib.db"),
           "IIB_CACHE_DIR": str(tmp_path / "cache")}
    env.update(env_extra or {})
    return subprocess.run([sys.executable, str(PROJECT / "app.py"), *args], cwd=str(tmp_path), env=env,
                          capture_output=True, text=True, timeout=300)


class AppProcess:
    """`app.py ARGS --port P` serving in a subprocess; usable as a context manager. `base` is the
    API's URL; the constructor returns once `/hello` answers (failing with the server's stderr
    if it exits first)."""

    def __init__(self, *args: str, cwd: Path, env: Dict[str, str], prefix: Sequence[str] = (),
                 stdout=subprocess.DEVNULL, timeout: float = 60.0, port: Optional[int] = None) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.base = self.url + "/infinite_image_browsing"
        self.proc = subprocess.Popen([*prefix, sys.executable, str(PROJECT / "app.py"), "--port", str(self.port),
                                      *args], cwd=str(cwd), env=env, stdout=stdout, stderr=subprocess.PIPE)
        try:
            wait_until(self._answers, timeout=timeout, message="the server's /hello", check=self._alive)
        except BaseException:
            self.stop()
            raise

    def _alive(self) -> None:
        if self.proc.poll() is not None:
            raise AssertionError("the server exited: " + self.proc.stderr.read().decode(errors="replace"))

    def _answers(self) -> bool:
        try:
            return httpx.get(self.base + "/hello", timeout=1).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=20)

    def stop(self) -> str:
        """Terminate (kill after 20 s) and return what the server wrote to stderr."""
        if self.proc.poll() is None:
            self.proc.terminate()
        try:
            _, err = self.proc.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill()
            _, err = self.proc.communicate(timeout=20)
        return (err or b"").decode(errors="replace")

    def __enter__(self) -> "AppProcess":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()
