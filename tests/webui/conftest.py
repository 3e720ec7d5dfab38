"""Tests of IIB as an SD WebUI extension.

Two kinds:
* tests that need no host (install.py, host options, send-to loading, the on_image_saved
  worker, the standalone watcher) run in the main environment;
* harness tests (`test_harness_*.py`) start our minimal host (tests/webui/host, see
  docs/contributing.md, CI) with real gradio in a subprocess and drive it in Chromium. They
  run in the harness venvs built from requirements-webui-a1111.txt and
  requirements-webui-forge.txt. Without gradio they skip, unless IIB_TEST_WEBUI_ENV is
  set (CI sets it in those venvs): then a missing gradio is a failure.

The opt-in real-host run (IIB_TEST_WEBUI_DIR) is in test_real_host.py.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

from webui.env import strict

REPO = Path(__file__).resolve().parents[2]
HOST_DIR = Path(__file__).resolve().parent / "host"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 120


# -- Chromium (pytest-playwright's fixtures, pointed at Debian's browser) -----------------
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if strict() or os.environ.get("IIB_TEST_WEBUI_ENV"):
            pytest.fail(message + "; CI / IIB_TEST_WEBUI_ENV is set, so this is a failure", pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 800}, "locale": "en-US"}


@pytest.fixture
def page(page):
    """The plugin's page with a default timeout and a record of uncaught errors."""
    page.set_default_timeout(15000)
    # expect() has its own default (5 s): a gradio host loaded through a proxy on a busy 2-core
    # machine needs longer for its first paint. Waits end as soon as the state holds.
    from playwright.sync_api import expect

    expect.set_options(timeout=15000)
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    yield page
    assert not page.errors, f"uncaught errors in the page: {page.errors}"


# -- a webui folder with the synthetic corpus in its output folders -------------------------
@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The synthetic corpus (tests/support/synthetic.py): outputs/txt2img-images/... is the webui layout."""
    from support.corpus import make_corpus

    root = tmp_path_factory.mktemp("corpus")
    make_corpus(root, 24)
    return root


def make_webui_root(base: Path, corpus: Path) -> Path:
    """A webui working folder: outputs/ from the corpus, a plain PNG, an empty config.json."""
    from PIL import Image

    root = base / "webui"
    shutil.copytree(corpus / "outputs", root / "outputs")
    shutil.copy(corpus / "corpus.json", root / "corpus.json")
    Image.new("RGB", (40, 56), (200, 30, 30)).save(root / "outputs" / "txt2img-images" / "2026-01-01" / "zz-plain.png")
    outside = base / "private"
    outside.mkdir()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(outside / "secret.png")
    (root / "config.json").write_text("{}")
    return root


def free_port() -> int:
    with contextlib.closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Host:
    root: Path
    port: int
    proc: subprocess.Popen
    log: Path
    flags: List[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self, **kw):
        import httpx

        return httpx.Client(base_url=self.url, timeout=60, **kw)

    def state(self) -> dict:
        with self.client() as c:
            return c.get("/harness/state").json()

    def generate(self, **body) -> dict:
        with self.client() as c:
            r = c.post("/harness/generate", json=body)
            assert r.status_code == 200, r.text
            return r.json()

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, starts: int, timeout: float = START_TIMEOUT) -> None:
        deadline = time.time() + timeout
        marker = f"HARNESS READY {starts}"
        while time.time() < deadline:
            if marker in self.output():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"the test host did not get to {marker!r} (exit {self.proc.poll()}):\n{self.output()}")

    def reload(self) -> None:
        """The host's "Reload UI": callbacks run again with a new app."""
        starts = self.state()["starts"]
        with self.client() as c:
            c.post("/harness/reload")
        self.wait_ready(starts + 1)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                with self.client(timeout=5) as c:
                    c.post("/harness/stop")
                self.proc.wait(15)
            except Exception:
                pass
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


def start_host(base: Path, corpus: Path, flags: Optional[List[str]] = None, env: Optional[dict] = None,
               db_url: Optional[str] = None) -> Host:
    root = make_webui_root(base, corpus)
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("IIB_") and k != "PYTHONPATH"}
    environ.update({
        "IIB_CACHE_DIR": str(base / "iib-cache"),
        "GRADIO_ANALYTICS_ENABLED": "False",
        "GRADIO_TEMP_DIR": str(base / "gradio-tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
    })
    environ["IIB_DB_URL" if db_url else "IIB_DB_PATH"] = db_url or str(base / "iib.db")
    environ.update(env or {})
    flags = list(flags or [])
    log = base / "host.log"
    cmd = [sys.executable, str(HOST_DIR / "webui.py"), "--extension", str(REPO), "--port", str(port),
           "--data-dir", str(root), *flags]
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=str(root), env=environ, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    host = Host(root, port, proc, log, flags)
    try:
        host.wait_ready(1)
    except BaseException:
        host.stop()
        raise
    return host


@pytest.fixture
def make_host(tmp_path, corpus_dir) -> Iterator:
    """make_host(flags=[...], env={...}, db_url=None) -> a started Host; stopped after the test."""
    hosts: List[Host] = []

    def start(flags=None, env=None, db_url=None) -> Host:
        base = tmp_path / f"host{len(hosts)}"
        base.mkdir()
        host = start_host(base, corpus_dir, flags, env, db_url)
        hosts.append(host)
        return host

    yield start
    for host in hosts:
        host.stop()


@pytest.fixture(scope="module")
def module_host(tmp_path_factory, corpus_dir) -> Iterator[Host]:
    """One default host (A1111 flags, local) shared by a module's browser tests."""
    host = start_host(tmp_path_factory.mktemp("host"), corpus_dir)
    yield host
    host.stop()
