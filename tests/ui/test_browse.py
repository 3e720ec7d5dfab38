"""Browsing the synthetic corpus: start page, thumbnails, preview with the right prompt per
file, keyboard navigation, tree and breadcrumb, sort, split view and its restoration."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from support.corpus import make_corpus
from ui.pages import cell, cell_names, open_folder, serve

DAY = "outputs/txt2img-images/2026-01-01"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("library") / "corpus"
    manifest = make_corpus(root, 60)
    return root, {f["path"]: f for f in manifest["files"]}


@pytest.fixture(scope="module")
def served(corpus, tmp_path_factory):
    root, _ = corpus
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


def test_start_page_lists_the_root_and_opens_it_with_thumbnails(page, served, corpus):
    root, _ = corpus
    page.goto(served.app_url)
    row = page.locator(".root-row", has_text=str(root))
    expect(row).to_be_visible()
    row.locator(".root-open").click()
    expect(page.locator(".column.focused .folder-pane")).to_have_attribute("data-path", str(root))
    for name in ("outputs", str(DAY).split("/")[1], "2026-01-01"):
        cell(page, name).click()
    expect(page.locator(".folder-pane")).to_have_attribute("data-path", str(root / DAY))
    imgs = page.locator(".cell .thumb-img")
    expect(imgs.first).to_be_visible()
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('.cell .thumb-img')];"
        " return imgs.length > 4 && imgs.every(i => i.complete && i.naturalWidth > 0); }")
    src = imgs.first.get_attribute("src")
    assert "/image-thumbnail?" in src and "size=256x256" in src  # the cell's size, not the full image


def test_preview_steps_with_arrow_keys_and_shows_each_files_prompt(page, served, corpus):
    root, files = corpus
    open_folder(page, served, root / DAY)
    names = cell_names(page)  # the rendered ones: the grid is virtualised
    total = int(page.locator(".folder-pane").get_attribute("data-count"))
    assert len(names) >= 4 and total == len([f for f in files if f.startswith(DAY + "/")])
    cell(page, names[0]).click()
    preview = page.locator(".preview")
    expect(preview).to_be_visible()
    for i, name in enumerate(names[:4]):
        expect(page.locator(".preview-title")).to_have_text(name)
        expect(page.locator(".preview-pos")).to_have_text(f"{i + 1} / {total}")
        expected = files[f"{DAY}/{name}"]["positive"]
        prompt = page.locator(".gi-prompt")
        expect(prompt).to_have_text(expected.strip())
        page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".preview-title")).to_have_text(names[3])
    # The parameters table shows the file's parameters.
    params = files[f"{DAY}/{names[3]}"]["params"]
    expect(page.locator(".gi-prompt")).to_have_text(files[f"{DAY}/{names[3]}"]["positive"].strip())
    page.locator(".gi-params").wait_for()
    shown = page.eval_on_selector_all(".gi-params tr", "rows => rows.map(r => [r.cells[0].textContent, r.cells[1].textContent])")
    assert dict(shown) == params
    page.keyboard.press("Escape")
    expect(preview).to_have_count(0)
    # The grid's focus follows the last previewed file.
    expect(cell(page, names[3])).to_have_class(__import__("re").compile(r"\bfocused\b"))


def test_preview_zoom_fit_and_actual_size(page, served, corpus):
    root, _ = corpus
    open_folder(page, served, root / DAY)
    page.locator(".cell").first.click()
    stage = page.locator(".preview-stage")
    page.wait_for_function("() => document.querySelector('.preview-img.loaded')")
    fit = float(stage.get_attribute("data-scale"))
    page.get_by_role("button", name="Actual size").click()
    expect(stage).to_have_attribute("data-scale", "1.0000")
    page.get_by_role("button", name="Fit to screen").click()
    expect(stage).to_have_attribute("data-scale", f"{fit:.4f}")
    box = stage.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 3, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"() => parseFloat(document.querySelector('.preview-stage').dataset.scale) > {fit * 1.5}")
    expect(stage).to_have_attribute("data-mode", "custom")


def test_keyboard_moves_focus_opens_and_goes_up(page, served, corpus):
    root, _ = corpus
    open_folder(page, served, root / "outputs")
    grid = page.locator(".grid-scroll")
    grid.focus()
    names = cell_names(page)
    page.keyboard.press("ArrowRight")  # focus the first item
    page.keyboard.press("ArrowRight")
    expect(page.locator(".cell.focused")).to_have_attribute("data-name", names[1])
    page.keyboard.press("Home")
    expect(page.locator(".cell.focused")).to_have_attribute("data-name", names[0])
    page.keyboard.press("Enter")  # a folder: opens it
    expect(page.locator(".folder-pane")).to_have_attribute("data-path", str(root / "outputs" / names[0]))
    page.locator(".grid-scroll").focus()
    page.keyboard.press("Backspace")
    expect(page.locator(".folder-pane")).to_have_attribute("data-path", str(root / "outputs"))


def test_tree_breadcrumb_and_typed_path(page, served, corpus):
    root, _ = corpus
    open_folder(page, served, root / DAY)
    tree = page.locator(".tree")
    expect(tree.locator(".tree-row.current")).to_contain_text("2026-01-01")
    tree.locator(".tree-row", has_text="misc").first.click()
    expect(page.locator(".folder-pane")).to_have_attribute("data-path", str(root / "misc"))
    page.locator(".crumb", has_text="corpus").click()
    expect(page.locator(".folder-pane")).to_have_attribute("data-path", str(root))
    page.locator(".crumb-edit").click()
    page.locator(".path-input").fill(str(root / "ComfyUI"))
    page.keyboard.press("Enter")
    expect(page.locator(".folder-pane")).to_have_attribute("data-path", str(root / "ComfyUI"))


def test_sort_by_name_and_filter(page, served, corpus):
    root, files = corpus
    open_folder(page, served, root / DAY)
    everything = sorted(p.rsplit("/", 1)[1] for p in files if p.startswith(DAY + "/"))
    sort = page.locator("select[aria-label=Sort]")
    sort.select_option("name:asc")
    expect(page.locator(".cell").first).to_have_attribute("data-name", everything[0])
    names = cell_names(page)
    assert names == everything[:len(names)]
    sort.select_option("name:desc")
    expect(page.locator(".cell").first).to_have_attribute("data-name", everything[-1])
    names = cell_names(page)
    assert names == everything[::-1][:len(names)]
    sort.select_option("size:desc")
    sizes = {name: (root / DAY / name).stat().st_size for name in everything}
    expect(page.locator(".cell").first).to_have_attribute("data-name", max(everything, key=lambda n: (sizes[n], n)))
    page.locator("select[aria-label=Show]").select_option("video")
    expect(page.locator(".cell")).to_have_count(0)
    expect(page.locator(".grid-empty")).to_be_visible()


def test_split_view_is_resizable_and_restored_after_reload(page, served, corpus):
    root, _ = corpus
    open_folder(page, served, root / "misc")
    page.get_by_role("button", name="Split view: open a column").click()
    expect(page.locator(".column")).to_have_count(2)
    page.locator(".column.focused .root-open").first.click()
    expect(page.locator(".column.focused .folder-pane")).to_have_attribute("data-path", str(root))
    first = page.locator(".column").first.bounding_box()["width"]
    divider = page.locator(".col-divider").bounding_box()
    page.mouse.move(divider["x"] + 2, divider["y"] + 200)
    page.mouse.down()
    page.mouse.move(divider["x"] + 200, divider["y"] + 200, steps=4)
    page.mouse.up()
    page.wait_for_function("(w) => document.querySelector('.column').getBoundingClientRect().width > w", arg=first + 150)
    page.reload()
    expect(page.locator(".column")).to_have_count(2)
    paths = page.eval_on_selector_all(".folder-pane", "els => els.map(e => e.dataset.path)")
    assert sorted(paths) == sorted([str(root / "misc"), str(root)])
    stored = json.loads(page.evaluate("localStorage.getItem('iib.workspace')"))
    assert stored["columns"][0]["size"] > stored["columns"][1]["size"]


def test_theme_follows_the_system_and_the_setting(page, served, corpus):
    page.goto(served.app_url)
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    page.emulate_media(color_scheme="light")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    page.get_by_role("button", name="Settings").click()
    page.locator("select[name=theme]").select_option("dark")
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    bg = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert bg == "rgb(21, 22, 26)"


def test_phone_viewport_single_pane_and_swipe(page, served, corpus):
    root, _ = corpus
    page.set_viewport_size({"width": 390, "height": 844})
    open_folder(page, served, root / DAY)
    page.get_by_role("button", name="Split view: open a column").click()
    expect(page.locator(".column")).to_have_count(2)
    page.wait_for_function("() => [...document.querySelectorAll('.column')].filter(e => e.offsetWidth > 0).length === 1")
    switch = page.locator(".column.focused .col-switch")
    expect(switch).to_have_text("2/2")
    switch.click()  # back to the folder column, then to the new one again
    expect(page.locator(".column.focused .folder-pane")).to_be_visible()
    page.locator(".column.focused .col-switch").click()
    expect(page.locator(".column.focused .start-page")).to_be_visible()
    page.locator(".column.focused .tab-close").click()
    expect(page.locator(".column")).to_have_count(1)
    expect(page.locator(".tree")).to_be_hidden()
    expect(page.locator(".grid-scroll")).to_have_attribute("data-cols", "2")
    expect(page.locator(".cell").nth(3)).to_be_visible()
    names = cell_names(page)
    cell(page, names[0]).click()
    page.wait_for_function("() => document.querySelector('.preview-img.loaded')")
    stage = page.locator(".preview-stage").bounding_box()
    y = stage["y"] + 200
    page.mouse.move(stage["x"] + 300, y)
    page.mouse.down()
    page.mouse.move(stage["x"] + 100, y, steps=5)
    page.mouse.up()
    expect(page.locator(".preview-title")).to_have_text(names[1])
    panel = page.locator(".geninfo").bounding_box()
    assert panel["width"] >= 385  # the info panel is a bottom sheet on a phone


def test_info_panel_drags_resizes_collapses_and_keeps_its_layout(page, served, corpus):
    root, _ = corpus
    open_folder(page, served, root / DAY)
    page.locator(".cell").first.click()
    panel = page.locator(".geninfo")
    expect(page.locator(".gi-prompt")).to_be_visible()
    box = panel.bounding_box()
    head = page.locator(".gi-head .gi-title").bounding_box()
    page.mouse.move(head["x"] + 20, head["y"] + 5)
    page.mouse.down()
    page.mouse.move(head["x"] - 280, head["y"] + 65, steps=5)
    page.mouse.up()
    moved = panel.bounding_box()
    assert abs(moved["x"] - (box["x"] - 300)) < 3 and abs(moved["y"] - (box["y"] + 60)) < 3
    grip = page.locator(".gi-resize").bounding_box()
    page.mouse.move(grip["x"] + 8, grip["y"] + 8)
    page.mouse.down()
    page.mouse.move(grip["x"] + 68, grip["y"] - 92, steps=5)
    page.mouse.up()
    sized = panel.bounding_box()
    assert abs(sized["width"] - (box["width"] + 60)) < 3 and abs(sized["height"] - (box["height"] - 100)) < 3
    panel.get_by_role("button", name="Collapse").click()
    expect(page.locator(".gi-body")).to_have_count(0)
    assert panel.bounding_box()["height"] < 120
    page.keyboard.press("i")  # the shortcut toggles it back
    expect(page.locator(".gi-body")).to_be_visible()
    layout = page.evaluate("JSON.parse(localStorage.getItem('iib.settings')).infoPanel")
    assert abs(layout["x"] - (moved["x"])) < 3 and abs(layout["width"] - sized["width"]) < 3 and layout["collapsed"] is False
    page.keyboard.press("Escape")
    page.locator(".cell").nth(1).click()
    again = panel.bounding_box()
    assert abs(again["x"] - moved["x"]) < 3 and abs(again["width"] - sized["width"]) < 3
