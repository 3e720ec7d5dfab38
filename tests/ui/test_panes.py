"""Video playback, auto refresh, the context menu and its webui send-to entries, saved
workspaces, the cell width setting and a read-only server."""
from __future__ import annotations

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from ui.pages import cell, menu_item, open_folder, serve, tiny_png


def webm(path: Path, frames: int = 30) -> Path:
    import av
    import numpy as np

    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libvpx", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(frames):
            arr = np.zeros((48, 64, 3), np.uint8)
            arr[:, :, 0] = i * 8
            arr[:, :, 1] = 100
            for packet in stream.encode(av.VideoFrame.from_ndarray(arr, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("panes") / "media"
    webm(root / "clip" / "clip.webm")
    a1111_png(root / "clip" / "still.png", "a still image")
    for i in range(60):
        tiny_png(root / "many" / f"p{i:02d}.png", color=(i * 4, 100, 150))
    past = time.time() - 3600
    for i in range(60):
        os.utime(root / "many" / f"p{i:02d}.png", (past + i, past + i))
    os.utime(root / "many", (past, past))
    return root


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("server"), [root], launch_mode="sd") as s:
        yield s


def test_video_plays_from_the_server_with_seeking(page, served, root):
    open_folder(page, served, root / "clip")
    expect(cell(page, "clip.webm")).to_have_attribute("data-kind", "video")
    cell(page, "clip.webm").click()
    video = page.locator(".preview video")
    expect(video).to_have_attribute("src", f"{served.base}/stream_video?path={str(root / 'clip' / 'clip.webm').replace('/', '%2F')}")
    page.wait_for_function("() => document.querySelector('.preview video').readyState >= 1")
    duration = video.evaluate("v => v.duration")
    assert 2.5 < duration < 3.5
    video.evaluate("v => { v.pause(); v.currentTime = 2; }")
    page.wait_for_function("() => { const v = document.querySelector('.preview video'); return !v.seeking && v.currentTime >= 1.9; }")
    assert video.evaluate("v => v.error") is None
    # The frame on screen becomes the cover.
    path = str(root / "clip" / "clip.webm")
    with served.client() as c:
        before = c.get(served.base + "/video_cover", params={"path": path, "mt": "x"}).content
    page.get_by_role("button", name="Use this frame as the cover").click()
    expect(page.locator(".toast.success", has_text="Cover saved")).to_be_visible()
    with served.client() as c:
        after = c.get(served.base + "/video_cover", params={"path": path, "mt": "x"})
    assert after.headers["content-type"] == "image/webp" and after.content != before


def test_auto_refresh_shows_new_files_and_keeps_the_scroll_position(page, served, root):
    page.add_init_script("localStorage.setItem('iib.settings', JSON.stringify({autoRefreshSeconds: 1, cellWidth: 120}))")
    pane = open_folder(page, served, root / "many")
    expect(pane).to_have_attribute("data-count", "60")
    grid = page.locator(".grid-scroll")
    grid.evaluate("el => el.scrollTop = 300")
    page.wait_for_timeout(100)
    before = grid.evaluate("el => el.scrollTop")
    assert before > 0
    tiny_png(root / "many" / "zz_new.png", color=(250, 10, 10))
    expect(pane).to_have_attribute("data-count", "61", timeout=6000)
    assert abs(grid.evaluate("el => el.scrollTop") - before) < 2
    grid.evaluate("el => el.scrollTop = 0")
    expect(page.locator(".cell").first).to_have_attribute("data-name", "zz_new.png")  # the newest first


def test_context_menu_actions_and_webui_send_to(page, served, root):
    open_folder(page, served, root / "clip")
    page.evaluate("window.__sent = []; window.addEventListener('iib:send-to', e => window.__sent.push(e.detail))")
    cell(page, "still.png").click(button="right")
    menu = page.locator(".context-menu")
    for item in ("open", "openTab", "openSplit", "copyPath", "download", "batch", "favourite", "rating", "mark",
                 "sendTo", "moveTo", "copyTo", "rename", "newFolder", "delete"):
        expect(menu_item(page, item)).to_have_count(1)
    menu_item(page, "sendTo").hover()
    menu_item(page, "send-txt2img").click()
    expect(menu).to_have_count(0)
    sent = page.evaluate("window.__sent")
    assert sent[0]["target"] == "txt2img" and sent[0]["path"] == str(root / "clip" / "still.png")
    # The preview offers the same actions, and the send-to buttons.
    cell(page, "still.png").click()
    expect(page.locator(".gi-send button")).to_have_count(6)
    page.locator(".preview-top").get_by_role("button", name="More actions").click()
    expect(menu_item(page, "moveTo")).to_have_count(1)
    expect(menu_item(page, "delete")).to_have_count(1)
    page.keyboard.press("Escape")
    expect(page.locator(".context-menu")).to_have_count(0)
    # "Open in split view" from the menu.
    page.keyboard.press("Escape")
    cell(page, "still.png").click(button="right")
    menu_item(page, "openSplit").click()
    expect(page.locator(".column")).to_have_count(2)


def test_cell_width_setting_changes_the_grid(page, served, root):
    open_folder(page, served, root / "many")
    grid = page.locator(".grid-scroll")
    wide = int(grid.get_attribute("data-cols"))
    page.locator(".cell-slider").fill("96")
    expect(grid).not_to_have_attribute("data-cols", str(wide))
    assert int(grid.get_attribute("data-cols")) > wide
    expect(page.locator(".cell .thumb-img").first).to_have_attribute("src", re.compile(r"size=128x128"))


def test_saved_workspace_restores_the_panes(page, served, root):
    open_folder(page, served, root / "many")
    page.get_by_role("button", name="Split view: open a column").click()
    page.locator(".column.focused .root-open").first.click()
    expect(page.locator(".folder-pane")).to_have_count(2)
    page.get_by_role("button", name="New tab").last.click()
    page.locator(".column.focused").get_by_role("button", name="Save the workspace").click()
    page.locator(".dialog input").fill("two folders")
    page.locator(".dialog").get_by_role("button", name="Save").click()
    expect(page.locator(".snapshot", has_text="two folders")).to_be_visible()
    page.evaluate("localStorage.removeItem('iib.workspace')")
    page.goto(served.app_url)
    expect(page.locator(".column")).to_have_count(1)
    page.locator(".snapshot", has_text="two folders").locator(".recent").click()
    expect(page.locator(".column")).to_have_count(2)
    paths = page.eval_on_selector_all(".folder-pane", "els => els.map(e => e.dataset.path)")
    assert str(root / "many") in paths


def test_a_read_only_server_disables_changes(page, root, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("ro"), [root], env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"}) as ro:
        open_folder(page, ro, root / "clip")
        cell(page, "still.png").click(button="right")
        assert menu_item(page, "delete").get_attribute("aria-disabled") == "true"
        assert menu_item(page, "moveTo").get_attribute("aria-disabled") == "true"
        expect(menu_item(page, "sendTo")).to_have_count(0)  # standalone: no webui to send to
        page.keyboard.press("Escape")
        page.get_by_role("button", name="New tab").click()
        expect(page.locator(".column.focused .notice")).to_contain_text("read-only")
        expect(page.locator(".column.focused .add-folder .btn.primary")).to_have_count(0)


def test_send_to_talks_to_the_webui_page_around_the_iframe(page, served, root):
    """The webui glue's protocol (javascript/iib.js): iib/host, iib/send-to, iib/send-to-result."""
    page.goto(served.url + served.base + "/fe-static/i18n/en.json")  # a same-origin host page
    page.evaluate("""(src) => {
        window.requests = [];
        const frame = document.createElement('iframe');
        frame.id = 'iib-iframe';
        frame.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;border:0';
        frame.addEventListener('load', () => frame.contentWindow.postMessage(
            {type: 'iib/host', host: 'a1111', targets: ['txt2img', 'img2img', 'inpaint', 'extras']}, location.origin));
        window.addEventListener('message', (e) => {
            if (e.data && e.data.type === 'iib/send-to') {
                window.requests.push(e.data);
                const ok = e.data.target === 'txt2img';
                e.source.postMessage({type: 'iib/send-to-result', id: e.data.id, target: e.data.target,
                                      path: e.data.path, ok, error: ok ? undefined : 'no such tab'}, location.origin);
            }
        });
        frame.src = src;
        document.body.appendChild(frame);
    }""", served.open_url(root / "clip"))
    frame = page.frame_locator("#iib-iframe")
    frame.locator(".cell[data-name='still.png']").click(button="right")
    frame.locator(".menu-item[data-id=sendTo]").hover()
    items = frame.locator(".menu-item[data-id^=send-]")
    expect(items).to_have_count(4)  # what the host said it has: no ControlNet, no openOutpaint here
    frame.locator(".menu-item[data-id=send-txt2img]").click()
    expect(frame.locator(".toast.success")).to_contain_text("Sent to txt2img")
    frame.locator(".cell[data-name='still.png']").click()
    frame.locator(".gi-send button", has_text="img2img").click()
    expect(frame.locator(".toast.error")).to_contain_text("no such tab")
    requests = page.evaluate("window.requests")
    assert [(r["target"], r["path"]) for r in requests] == [("txt2img", str(root / "clip" / "still.png")),
                                                            ("img2img", str(root / "clip" / "still.png"))]
    assert all(r["type"] == "iib/send-to" and r["id"] for r in requests)
