"""Page helpers for the harness tests: the host page, the IIB tab and its iframe."""
from __future__ import annotations

import json
import re
import urllib.parse
from pathlib import Path
from typing import List, Optional

from playwright.sync_api import expect

TAB_TITLE = "Infinite image browsing"


def corpus_files(root: Path, kind: str = "a1111", folder: str = "outputs/txt2img-images") -> List[dict]:
    """Single-line-prompt files of the synthetic corpus, newest first: the order the folder grid
    shows them, so the first few are rendered (the grid is virtualised) whatever the folder size."""
    manifest = json.loads((root / "corpus.json").read_text())
    files = [f for f in manifest["files"] if f["kind"] == kind and f["path"].startswith(folder + "/")
             and "\n" not in f["positive"]]
    return sorted(files, key=lambda f: -f["mtime"])


def open_host(page, url: str) -> None:
    page.goto(url)
    # Gradio builds its page in the browser: on a loaded 2-core machine that takes > 5 s.
    expect(page.locator("#txt2img_prompt textarea")).to_be_visible(timeout=60_000)
    page.wait_for_function("() => window.__iibWebuiGlue === true && typeof window.iib_take_request === 'function'")
    page.evaluate("() => { window.__iibResults = []; window.addEventListener('iib:send-to-result',"
                  " (e) => window.__iibResults.push(e.detail)); }")


def tab_button(page, title: str = TAB_TITLE):
    return page.locator("#tabs button", has_text=title).first


def open_iib_tab(page):
    """Click the IIB tab; returns the iframe's Frame once the UI has loaded in it."""
    tab_button(page).click()
    frame_el = page.locator("#iib-iframe")
    expect(frame_el).to_be_visible()
    page.wait_for_function("() => { const f = gradioApp().querySelector('#iib-iframe');"
                           " return f && f.src.includes('infinite_image_browsing'); }")
    frame = frame_el.element_handle().content_frame()
    frame.wait_for_load_state()
    expect(frame.locator("#app")).to_be_visible()
    return frame


def iframe_path(page) -> str:
    src = page.eval_on_selector("#iib-iframe", "f => f.src")
    return urllib.parse.urlsplit(src).path


def post_send(frame, target: str, path: str, **extra) -> None:
    """What the IIB UI does: postMessage to the webui page around the iframe."""
    message = {"type": "iib/send-to", "target": target, "path": path, **extra}
    frame.evaluate("(m) => window.parent.postMessage(m, '*')", message)


def wait_result(page, count: int = 1) -> dict:
    page.wait_for_function(f"() => window.__iibResults.length >= {count}")
    return page.evaluate(f"() => window.__iibResults[{count - 1}]")


def open_folder_in_frame(frame, base_url: str, folder: Path) -> None:
    """Navigate the iframe with the UI's deep link (`?action=open&path=...`) and wait for the grid."""
    frame.goto(f"{base_url}?action=open&path={urllib.parse.quote(str(folder))}&mode=scanned")
    pane = frame.locator(".column.focused .folder-pane")
    expect(pane).to_have_attribute("data-path", str(folder))
    frame.wait_for_function("() => { const p = document.querySelector('.column.focused .folder-pane');"
                            " return p && p.dataset.loading === 'false'; }")


def cell(frame, name: str):
    return frame.locator(f'.column.focused .cell[data-name="{name}"]')


def prompt_value(page, tab: str = "txt2img") -> str:
    return page.locator(f"#{tab}_prompt textarea").input_value()


def number_value(page, elem_id: str) -> Optional[float]:
    value = page.locator(f"#{elem_id} input").first.input_value()
    return float(value) if re.match(r"^-?[0-9.]+$", value or "") else None
