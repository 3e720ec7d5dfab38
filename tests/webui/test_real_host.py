"""Opt-in: the same checks against a real webui checkout (docs/contributing.md).

Set IIB_TEST_WEBUI_DIR to a prepared A1111/Forge checkout whose extensions/ folder holds
this repository (a clone or a symlink), with its venv ready (IIB_TEST_WEBUI_PYTHON, default
<dir>/venv/bin/python). The host is started with --skip-prepare-environment
--skip-torch-cuda-test --skip-version-check --ui-debug-mode --no-download-sd-model.
"""
from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

WEBUI_DIR = os.environ.get("IIB_TEST_WEBUI_DIR")
if not WEBUI_DIR:
    pytest.skip("IIB_TEST_WEBUI_DIR is not set: no real webui to test against (the harness tests cover CI)",
                allow_module_level=True)

from playwright.sync_api import expect  # noqa: E402

from support.files import a1111_png  # noqa: E402
from webui.conftest import free_port  # noqa: E402
from webui.pages import open_host, open_iib_tab, post_send  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def _installed_here(webui: Path) -> bool:
    for ext in (webui / "extensions").glob("*"):
        script = ext / "scripts" / "iib.py"
        if script.exists() and script.resolve() == (REPO / "scripts" / "iib.py").resolve():
            return True
    return False


@pytest.fixture(scope="module")
def real_host(tmp_path_factory):
    webui = Path(WEBUI_DIR).resolve()
    if not _installed_here(webui):
        pytest.skip(f"{webui}/extensions/ does not hold this repository (ln -s {REPO} {webui}/extensions/iib)")
    python = os.environ.get("IIB_TEST_WEBUI_PYTHON") or str(webui / "venv" / "bin" / "python")
    port = free_port()
    log = tmp_path_factory.mktemp("realhost") / "webui.log"
    env = dict(os.environ, IIB_CACHE_DIR=str(log.parent / "cache"), IIB_DB_PATH=str(log.parent / "iib.db"))
    with open(log, "wb") as out:
        proc = subprocess.Popen([python, "launch.py", "--skip-prepare-environment", "--skip-torch-cuda-test",
                                 "--skip-version-check", "--ui-debug-mode", "--no-download-sd-model",
                                 "--port", str(port)], cwd=str(webui), env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    import httpx

    deadline = time.time() + 600
    try:
        while time.time() < deadline:
            if proc.poll() is not None:
                pytest.fail(f"the webui exited ({proc.returncode}):\n{log.read_text(errors='replace')[-4000:]}")
            try:
                if httpx.get(url + "/infinite_image_browsing/hello", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(1)
        else:
            pytest.fail("the webui did not answer in 10 minutes")
        yield url, webui
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_real_host_tab_and_send_to_txt2img(page, real_host):
    url, webui = real_host
    image = a1111_png(webui / "outputs" / "txt2img-images" / "iib-test" / "iib-real-host.png",
                      "iib real host probe, a red fox")
    try:
        open_host(page, url)
        frame = open_iib_tab(page)
        expect(frame.locator("#app")).to_be_visible()
        post_send(frame, "txt2img", str(image))
        expect(page.locator("#txt2img_prompt textarea")).to_have_value("iib real host probe, a red fox")
        expect(page.locator("#tab_txt2img")).to_be_visible()
    finally:
        image.unlink()
