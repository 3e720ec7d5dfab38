"""The extension in the test host (real gradio, real Chromium): the tab, send-to, settings,
new images indexed on save. One host for the module; each test gets a fresh page."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from webui.env import require_harness_env

GRADIO = require_harness_env()

from playwright.sync_api import expect  # noqa: E402

from webui.pages import (cell, corpus_files, iframe_path, open_folder_in_frame, open_host,  # noqa: E402
                         open_iib_tab, post_send, prompt_value, tab_button, wait_result)

DAY = "outputs/txt2img-images/2026-01-01"


def wait_size(page, width, height) -> None:
    """The host's image binding sends the image's size with it: proof the image itself arrived."""
    page.wait_for_function(
        "([w, h]) => { const v = (id) => gradioApp().querySelector('#' + id + ' input').value;"
        " return v('img2img_width') === w && v('img2img_height') === h; }", arg=[str(width), str(height)])


def test_the_host_loaded_the_extension_as_documented(module_host):
    state = module_host.state()
    script = str(Path(__file__).resolve().parents[2] / "scripts" / "iib.py")
    for name in ("callbacks_ui_tabs", "callbacks_app_started", "callbacks_ui_settings", "callbacks_image_saved",
                 "callbacks_before_reload", "callbacks_script_unloaded"):
        assert state["callbacks"][name] == [script], name
    assert ["Infinite image browsing", "infinite-image-browsing"] in state["tabs"]
    # One paste binding target per host tab, registered inside on_ui_tabs and wired by the host.
    assert state["paste_targets"] == ["extras", "img2img", "inpaint", "txt2img"]
    # on_ui_settings: a 2-tuple section, keyword OptionInfo, defaults readable through opts.data.
    assert state["settings_sections"]["infinite_image_browsing/Infinite image browsing"] == [
        "iib_extra_paths", "iib_index_on_save"]
    assert state["options"] == {"iib_extra_paths": "", "iib_index_on_save": True}
    with module_host.client() as c:
        setting = c.get("/infinite_image_browsing/global_setting").json()
    assert setting["launch_mode"] == "sd" and setting["enable_access_control"] is False
    assert setting["sd_cwd"] == str(module_host.root)
    assert setting["global_setting"]["outdir_txt2img_samples"] == "outputs/txt2img-images"


def test_the_tab_holds_the_ui_in_an_iframe_showing_the_corpus_grid(page, module_host):
    open_host(page, module_host.url)
    expect(tab_button(page)).to_have_text("Infinite image browsing")
    expect(page.locator("#tab_infinite-image-browsing")).to_be_hidden()
    # The UI is not loaded before the tab is shown.
    assert page.eval_on_selector("#iib-iframe", "f => f.getAttribute('src')") == "about:blank"
    frame = open_iib_tab(page)
    assert iframe_path(page) == "/infinite_image_browsing"
    # The iframe fills the tab: full width, and down to the bottom of the window.
    tab_box = page.locator("#tab_infinite-image-browsing").bounding_box()
    box = page.locator("#iib-iframe").bounding_box()
    assert box["width"] >= tab_box["width"] - 40 and box["height"] >= 480
    assert box["y"] + box["height"] >= 800 - 60
    # The start page lists the webui output folder; opening it shows the corpus's day folders and images.
    root = module_host.root / "outputs" / "txt2img-images"
    row = frame.locator(".root-row", has_text=str(root))
    expect(row).to_be_visible()
    row.locator(".root-open").click()
    cell(frame, "2026-01-01").click()
    expect(frame.locator(".column.focused .folder-pane")).to_have_attribute("data-path", str(module_host.root / DAY))
    frame.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('.cell .thumb-img')];"
        " return imgs.length >= 4 && imgs.every(i => i.complete && i.naturalWidth > 0); }")
    names = frame.eval_on_selector_all(".column.focused .cell", "els => els.map(e => e.dataset.name)")
    expected = {Path(f["path"]).name for f in corpus_files(module_host.root, "a1111", "outputs/txt2img-images")}
    assert expected & set(names)


def test_send_to_txt2img_from_the_context_menu_pastes_the_prompt_and_switches_tab(page, module_host):
    sample = corpus_files(module_host.root)[0]
    path = module_host.root / sample["path"]
    open_host(page, module_host.url)
    frame = open_iib_tab(page)
    open_folder_in_frame(frame, module_host.url + "/infinite_image_browsing", path.parent)
    cell(frame, path.name).click(button="right")
    frame.locator('.context-menu .menu-item[data-id="sendTo"]').hover()
    frame.locator('.context-menu .menu-item[data-id="send-txt2img"]').click()
    expect(page.locator("#txt2img_prompt textarea")).to_have_value(sample["positive"])
    expect(page.locator("#txt2img_neg_prompt textarea")).to_have_value(sample["negative"])
    expect(page.locator("#tab_txt2img")).to_be_visible()
    expect(page.locator("#tab_infinite-image-browsing")).to_be_hidden()
    result = wait_result(page)
    assert result["ok"] is True and result["target"] == "txt2img" and result["path"] == str(path)


def test_send_to_img2img_puts_the_image_into_the_img2img_input(page, module_host):
    sample = corpus_files(module_host.root)[1]
    path = module_host.root / sample["path"]
    open_host(page, module_host.url)
    frame = open_iib_tab(page)
    expect(page.locator("#img2img_image img")).to_have_count(0)
    post_send(frame, "img2img", str(path), id="one")
    expect(page.locator("#tab_img2img")).to_be_visible()
    expect(page.locator("#img2img_image img").first).to_be_visible()
    # The image itself arrived (its own size; the width/height fields get the infotext's Size).
    page.wait_for_function(
        "([w, h]) => { const i = gradioApp().querySelector('#img2img_image img');"
        " return i && i.complete && i.naturalWidth === w && i.naturalHeight === h; }",
        arg=[int(sample["width"]), int(sample["height"])])
    expect(page.locator("#img2img_prompt textarea")).to_have_value(sample["positive"])
    assert wait_result(page) == {"type": "iib/send-to-result", "id": "one", "target": "img2img",
                                 "path": str(path), "ok": True}


def test_send_to_inpaint_and_extras_use_the_hosts_switch_functions(page, module_host):
    sample = corpus_files(module_host.root)[2]
    path = str(module_host.root / sample["path"])
    open_host(page, module_host.url)
    frame = open_iib_tab(page)
    post_send(frame, "inpaint", path)
    expect(page.locator("#img2maskimg img").first).to_be_visible()
    expect(page.locator("#img2img_inpaint_tab")).to_be_visible()
    wait_result(page, 1)
    tab_button(page).click()
    post_send(frame, "extras", path)
    expect(page.locator("#extras_image img").first).to_be_visible()
    expect(page.locator("#tab_extras")).to_be_visible()
    assert wait_result(page, 2)["ok"] is True


def test_an_image_without_metadata_does_not_paste_a_stale_prompt(page, module_host):
    # A generation writes params.txt; the host pastes it for an empty infotext.
    module_host.generate(prompt="stale prompt from the last generation", name="last-generation")
    assert "stale prompt" in (module_host.root / "params.txt").read_text()
    plain = module_host.root / DAY / "zz-plain.png"
    open_host(page, module_host.url)
    page.locator("#txt2img_prompt textarea").fill("my own words")
    tab_button(page, "img2img").click()
    page.locator("#img2img_prompt textarea").fill("my img2img words")
    frame = open_iib_tab(page)
    post_send(frame, "txt2img", str(plain))
    expect(page.locator("#tab_txt2img")).to_be_visible()
    assert wait_result(page, 1)["ok"] is True
    time.sleep(0.5)  # give a (wrong) paste the time to land
    assert prompt_value(page) == "my own words"
    tab_button(page).click()
    post_send(frame, "img2img", str(plain))
    expect(page.locator("#img2img_image img").first).to_be_visible()
    wait_size(page, 40, 56)
    time.sleep(0.5)
    assert prompt_value(page, "img2img") == "my img2img words"
    status = page.locator("#iib_hidden_status textarea").input_value()
    assert '"has_info": false' in status


def test_send_to_controlnet_sets_the_units_file_input(page, module_host):
    sample = corpus_files(module_host.root)[3]
    path = str(module_host.root / sample["path"])
    open_host(page, module_host.url)
    frame = open_iib_tab(page)
    post_send(frame, "controlnet", path, unit=1)
    result = wait_result(page)
    assert result["ok"] is True, result.get("error")
    expect(page.locator("#tab_txt2img")).to_be_visible()
    expect(page.locator("#txt2img_controlnet_ControlNet-1_input_image img").first).to_be_visible()
    expect(page.locator("#txt2img_controlnet_ControlNet-0_input_image img")).to_have_count(0)


def test_unknown_targets_and_missing_files_are_reported_back_to_the_iframe(page, module_host):
    open_host(page, module_host.url)
    frame = open_iib_tab(page)
    frame.evaluate("() => { window.__answers = []; window.addEventListener('message', (e) => {"
                   " if (e.data && e.data.type === 'iib/send-to-result') window.__answers.push(e.data); }); }")
    post_send(frame, "outpaint", str(module_host.root / DAY / "zz-plain.png"), id=1)
    post_send(frame, "txt2img", str(module_host.root / DAY / "missing.png"), id=2)
    frame.wait_for_function("() => window.__answers.length >= 2")
    answers = {a["id"]: a for a in frame.evaluate("() => window.__answers")}
    assert answers[1]["ok"] is False and "openOutpaint is not installed" in answers[1]["error"]
    assert answers[2]["ok"] is False and "no such file" in answers[2]["error"]
    expect(page.locator("#tab_infinite-image-browsing")).to_be_visible()  # nothing switched


def test_the_host_tells_the_iframe_what_it_can_receive(page, module_host):
    open_host(page, module_host.url)
    page.evaluate("() => { const f = gradioApp().querySelector('#iib-iframe'); f.addEventListener('load', () => {"
                  " f.contentWindow.addEventListener('message', (e) => { if (e.data && e.data.type === 'iib/host')"
                  " window.__hostInfo = e.data; }); }, { capture: true }); }")
    frame = open_iib_tab(page)
    frame.evaluate("() => new Promise((r) => setTimeout(r, 300))")
    targets = page.evaluate("() => window.__hostInfo ? window.__hostInfo.targets : null")
    if targets is None:  # the load listener may attach after the message: ask through a new load
        page.evaluate("() => { const f = gradioApp().querySelector('#iib-iframe'); f.contentWindow.location.reload(); }")
        page.wait_for_timeout(1500)
        targets = page.evaluate("() => window.__hostInfo ? window.__hostInfo.targets : null")
    assert targets is not None
    assert {"txt2img", "img2img", "inpaint", "extras", "controlnet", "controlnet-img2img"} <= set(targets)


@pytest.mark.parametrize("n", [1, 3])
def test_on_image_saved_makes_new_images_searchable_within_two_seconds(module_host, n):
    token = f"harnessprobe{n}x{int(time.time() * 1000)}"
    saved = [module_host.generate(prompt=f"a lighthouse {token} number {i}", name=f"{token}-{i}") for i in range(n)]
    started = time.monotonic()
    # The callback runs in the generation thread: it only queues the file.
    assert all(s["callback_seconds"] < 0.2 for s in saved)
    with module_host.client() as c:
        found = []
        while time.monotonic() - started < 2.0:
            found = c.post("/infinite_image_browsing/db/search_by_substr", json={"surstr": token}).json()["files"]
            if len(found) == n:
                break
            time.sleep(0.1)
    elapsed = time.monotonic() - started
    assert len(found) == n, f"{len(found)} of {n} new images searchable after {elapsed:.2f} s"
    assert sorted(f["fullpath"] for f in found) == sorted(s["abspath"] for s in saved)
    assert elapsed < 2.0
    threads = module_host.state()["threads"]
    assert threads.count("iib-saved-images") == 1
