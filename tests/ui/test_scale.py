"""The grid at scale: a 10,000-file folder scrolls to its end with a small DOM, and walk
mode streams a nested tree to its last file."""
from __future__ import annotations

from pathlib import Path
from typing import List

import pytest
from playwright.sync_api import expect

from ui.pages import linked_files, open_folder, serve, tiny_png

BIG = 10_000
MAX_DOM_ITEMS = 500


def walk_order(folder: Path) -> List[str]:
    """Depth first, names ascending: the order the UI's walk mode uses with "Name, A → Z"."""
    entries = sorted(folder.iterdir(), key=lambda p: p.name)
    files = [str(p) for p in entries if p.is_file()]
    for sub in (p for p in entries if p.is_dir()):
        files += walk_order(sub)
    return files


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("scale")
    source = tiny_png(root / "source.png")
    linked_files(root / "big", [f"img_{i:05d}.png" for i in range(BIG)], source)
    tree = root / "tree"
    for a in range(4):
        for b in range(3):
            for c in range(3):
                folder = tree / f"a{a}" / f"b{b}" / f"c{c}"
                linked_files(folder, [f"a{a}b{b}c{c}_{i:03d}.png" for i in range(25)], source)
            linked_files(tree / f"a{a}" / f"b{b}", [f"a{a}b{b}_{i:03d}.png" for i in range(5)], source)
    linked_files(tree, [f"top_{i:03d}.png" for i in range(7)], source)
    (root / "source.png").unlink()
    return root


@pytest.fixture(scope="module")
def served(library, tmp_path_factory):
    # No index needed to browse: folders are listed from disk.
    with serve(tmp_path_factory.mktemp("server"), [library], index=False) as s:
        yield s


def dom_items(page) -> int:
    return page.locator(".cell").count()


def test_ten_thousand_files_scroll_to_the_end_with_a_small_dom(page, served, library):
    pane = open_folder(page, served, library / "big")
    expect(pane).to_have_attribute("data-count", str(BIG))
    page.locator(".grid-scroll").evaluate("el => el.scrollTop = 0")
    rows = int(page.locator(".grid-scroll").get_attribute("data-rows"))
    assert rows > 100
    # Scroll the way a user does, a few screens at a time, checking the DOM stays small.
    seen = 0
    for _ in range(200):
        at_end = page.locator(".grid-scroll").evaluate(
            "el => { el.scrollTop += el.clientHeight * 25; return el.scrollTop + el.clientHeight >= el.scrollHeight - 2; }")
        page.wait_for_timeout(16)
        seen = max(seen, dom_items(page))
        assert seen < MAX_DOM_ITEMS
        if at_end:
            break
    else:
        pytest.fail("never reached the end of the grid")
    last = page.locator(f".cell[data-index='{BIG - 1}']")
    expect(last).to_be_visible()
    expect(last).to_have_attribute("data-name", "img_00000.png")  # date ties sort by name, newest first
    assert dom_items(page) < MAX_DOM_ITEMS
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('.cell .thumb-img')];"
        " return imgs.length && imgs.every(i => i.complete && i.naturalWidth > 0); }")
    # Keyboard: Home and End jump through the whole folder.
    page.locator(".grid-scroll").focus()
    page.keyboard.press("Home")
    expect(page.locator(".cell.focused")).to_have_attribute("data-index", "0")
    page.keyboard.press("End")
    expect(page.locator(".cell.focused")).to_have_attribute("data-index", str(BIG - 1))
    assert dom_items(page) < MAX_DOM_ITEMS


def test_walk_mode_reaches_the_last_file_of_a_nested_tree(page, served, library):
    expected = walk_order(library / "tree")
    pane = open_folder(page, served, library / "tree", mode="walk")
    expect(pane).to_have_class(__import__("re").compile(r"\bwalk\b"))
    page.locator("select[aria-label=Sort]").select_option("name:asc")
    grid = page.locator(".grid-scroll")
    expect(page.locator(".cell").first).to_have_attribute("data-name", Path(expected[0]).name)
    for _ in range(200):
        grid.evaluate("el => el.scrollTop = el.scrollHeight")
        page.wait_for_timeout(30)
        if pane.get_attribute("data-done") == "true" and pane.get_attribute("data-loading") == "false":
            break
    else:
        pytest.fail("walk mode never finished")
    expect(pane).to_have_attribute("data-count", str(len(expected)))
    grid.evaluate("el => el.scrollTop = el.scrollHeight")
    last = page.locator(f".cell[data-index='{len(expected) - 1}']")
    expect(last).to_be_visible()
    expect(last).to_have_attribute("data-name", Path(expected[-1]).name)
    assert dom_items(page) < MAX_DOM_ITEMS
    # The preview steps across folder boundaries: the last file of a folder, then the next folder's first.
    boundary = next(i for i in range(1, len(expected)) if Path(expected[i]).parent != Path(expected[i - 1]).parent)
    grid.evaluate("el => el.scrollTop = 0")
    page.locator(".grid-scroll").focus()
    page.keyboard.press("Home")
    for _ in range(boundary - 1):
        page.keyboard.press("ArrowRight")
    expect(page.locator(".cell.focused")).to_have_attribute("data-name", Path(expected[boundary - 1]).name)
    page.keyboard.press("Enter")
    expect(page.locator(".preview-title")).to_have_text(Path(expected[boundary - 1]).name)
    page.keyboard.press("ArrowRight")
    expect(page.locator(".preview-title")).to_have_text(Path(expected[boundary]).name)


def test_walk_mode_loads_more_as_the_preview_nears_the_end(page, served, library):
    expected = walk_order(library / "tree")
    pane = open_folder(page, served, library / "tree", mode="walk")
    page.locator("select[aria-label=Sort]").select_option("name:asc")
    expect(page.locator(".cell").first).to_have_attribute("data-name", Path(expected[0]).name)
    loaded = int(pane.get_attribute("data-count"))
    assert loaded < len(expected)  # the walk loads folder by folder
    expect(pane).to_have_attribute("data-loading", "false")
    page.locator(".grid-scroll").focus()
    page.keyboard.press("End")
    last_loaded = int(page.locator(".cell.focused").get_attribute("data-index"))
    page.keyboard.press("Enter")
    expect(page.locator(".preview-title")).to_have_text(Path(expected[last_loaded]).name)
    page.keyboard.press("ArrowRight")
    expect(page.locator(".preview-title")).to_have_text(Path(expected[last_loaded + 1]).name, timeout=15000)
