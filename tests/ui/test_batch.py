"""The batch download drawer in real Chromium: files collected from grids by the
context menu and by drag and drop (onto the open drawer and onto its handle), count and
total size, remove, keyboard (b toggles, Escape closes), the zip download (deflated and
stored, checked entry by entry), and the list kept across reloads minus deleted files."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from support.waiting import wait_until
from ui.pages import cell, menu_item, open_folder, serve


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("batch") / "lib"


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    a1111_png(root / "seed" / "seed.png", "seed image")
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


def make_files(folder: Path, names):
    for i, name in enumerate(names):
        a1111_png(folder / f"{name}.png", f"prompt of {name} " + "word " * i, seed=i + 1, size=(16 + 8 * i, 24))


def human(n: int) -> str:
    """The UI's humanSize (media.js)."""
    units = ["B", "KB", "MB", "GB", "TB"]
    u, v = 0, float(n)
    while v >= 1024 and u < len(units) - 1:
        v /= 1024
        u += 1
    return f"{n} B" if u == 0 else f"{v:.{2 if v < 10 else 1}f} {units[u]}"


def drawer(page):
    return page.locator(".batch-drawer")


def drawer_paths(page):
    return page.eval_on_selector_all(".batch-drawer .batch-row", "els => els.map(e => e.dataset.path)")


def read_zip(download):
    with zipfile.ZipFile(download.value.path()) as z:
        return {i.filename: (i.compress_type, z.read(i.filename)) for i in z.infolist()}


def test_collect_by_menu_and_drag_then_download_deflated_and_stored(page, served, root):
    folder = root / "set"
    make_files(folder, [f"b{i}" for i in range(5)])
    open_folder(page, served, folder)
    expect(page.locator(".cell")).to_have_count(5)
    expect(page.locator(".batch-handle")).to_have_count(0)  # nothing collected yet
    # Two by the context menu.
    cell(page, "b1.png").click(modifiers=["Control"])
    cell(page, "b2.png").click(modifiers=["Control"])
    cell(page, "b2.png").click(button="right")
    menu_item(page, "batch").click()
    expect(page.locator(".toast", has_text="2 added to the batch download")).to_be_visible()
    expect(page.locator(".batch-handle .batch-count")).to_have_text("2")
    # The shortcut opens the drawer.
    page.locator(".column.focused .grid-scroll").focus()
    page.keyboard.press("b")
    expect(drawer(page)).to_have_attribute("data-count", "2")
    assert sorted(drawer_paths(page)) == [str(folder / "b1.png"), str(folder / "b2.png")]
    # One dragged from the grid onto the open drawer.
    cell(page, "b3.png").drag_to(drawer(page).locator(".batch-list"))
    expect(drawer(page)).to_have_attribute("data-count", "3")
    assert drawer_paths(page)[-1] == str(folder / "b3.png")
    # Remove one; count and total size follow.
    drawer(page).locator(f".batch-row[data-path='{folder / 'b1.png'}'] .batch-remove").click()
    expect(drawer(page)).to_have_attribute("data-count", "2")
    chosen = [folder / "b2.png", folder / "b3.png"]
    total = sum(p.stat().st_size for p in chosen)
    expect(drawer(page).locator(".batch-summary")).to_have_text(f"2 files · {human(total)}")
    # Escape closes; the handle opens it again.
    page.keyboard.press("Escape")
    expect(drawer(page)).to_have_count(0)
    page.locator(".batch-handle .batch-button").click()
    expect(drawer(page)).to_be_visible()

    with page.expect_download() as dl:
        drawer(page).locator(".batch-zip").click()
    assert dl.value.suggested_filename.startswith("iib_batch_download_") and dl.value.suggested_filename.endswith(".zip")
    # The browser fetched the packed archive itself (streamed to disk), not a blob built in the page.
    assert "/zip_download?ticket=" in dl.value.url
    entries = read_zip(dl)
    assert sorted(entries) == ["b2.png", "b3.png"]
    assert {c for c, _ in entries.values()} == {zipfile.ZIP_DEFLATED}
    for p in chosen:
        assert entries[p.name][1] == p.read_bytes()
    expect(page.locator(".toast", has_text="Download started: 2 files in one zip")).to_be_visible()

    with page.expect_download() as dl:
        drawer(page).locator(".batch-store").click()
    entries = read_zip(dl)
    assert sorted(entries) == ["b2.png", "b3.png"]
    assert {c for c, _ in entries.values()} == {zipfile.ZIP_STORED}
    for p in chosen:
        assert entries[p.name][1] == p.read_bytes()


def test_drop_onto_the_closed_drawers_handle_from_two_panes(page, served, root):
    left, right = root / "left", root / "right"
    make_files(left, ["l0", "l1", "l2"])
    make_files(right, ["r0"])
    open_folder(page, served, root)
    # The right folder in a second pane: one file from there by the menu.
    cell(page, "right").click(button="right")
    menu_item(page, "openSplit").click()
    expect(page.locator(".column")).to_have_count(2)
    second = page.locator(".column").nth(1)
    second.locator(".cell[data-name='r0.png']").click(button="right")
    menu_item(page, "batch").click()
    expect(page.locator(".batch-handle .batch-count")).to_have_text("1")
    # In the first pane: open "left", select two files and drag them onto the closed drawer's handle.
    first = page.locator(".column").first
    first.locator(".cell[data-name='left']").click()
    first.locator(".cell[data-name='l0.png']").click(modifiers=["Control"])
    first.locator(".cell[data-name='l2.png']").click(modifiers=["Control"])
    expect(first.locator(".cell.selected")).to_have_count(2)
    src = first.locator(".cell[data-name='l2.png']").bounding_box()
    x, y = src["x"] + src["width"] / 2, src["y"] + src["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 30, y + 10, steps=5)
    handle = page.locator(".batch-handle.dragging")
    expect(handle).to_be_visible()
    box = handle.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=8)
    page.mouse.up()
    expect(page.locator(".batch-handle .batch-count")).to_have_text("3")
    expect(page.locator(".toast", has_text="2 added to the batch download (3 in all)")).to_be_visible()
    page.locator(".batch-handle .batch-button").click()
    paths = drawer_paths(page)
    assert paths[0] == str(right / "r0.png") and sorted(paths[1:]) == [str(left / "l0.png"), str(left / "l2.png")]
    # Escape closes the drawer and gives the focus back.
    drawer(page).focus()
    page.keyboard.press("Escape")
    expect(drawer(page)).to_have_count(0)


def reload_after_the_batch_check(page, name: str) -> None:
    """Reload, and return once the new page's start-up check of the kept list (the
    /check_path_exists request naming `name`) has been answered."""
    seen = {"navigated": False, "checked": False}

    def on_navigated(frame):
        if frame == page.main_frame:
            seen["navigated"] = True

    def on_response(response):
        if seen["navigated"] and "/check_path_exists" in response.url and name in (response.request.post_data or ""):
            seen["checked"] = True

    page.on("framenavigated", on_navigated)
    page.on("response", on_response)
    try:
        page.reload()
        # page.wait_for_timeout lets Playwright deliver the events while we poll the flag.
        wait_until(lambda: seen["checked"] or page.wait_for_timeout(50), timeout=20,
                   message="the reloaded page's check of the batch list")
    finally:
        page.remove_listener("framenavigated", on_navigated)
        page.remove_listener("response", on_response)


def test_the_list_survives_a_reload_and_drops_deleted_files(page, served, root):
    folder = root / "keep"
    make_files(folder, ["k0", "k1", "k2"])
    open_folder(page, served, folder)
    for name in ("k0", "k1", "k2"):
        cell(page, f"{name}.png").click(modifiers=["Control"])
    cell(page, "k2.png").click(button="right")
    menu_item(page, "batch").click()
    expect(page.locator(".batch-handle .batch-count")).to_have_text("3")
    # The app checks the kept list once at start: let that check finish before a file goes,
    # or it is this page that notices (and the next one has nothing left to report). The folder
    # view also posts /batch_get_files_info, and the page before the reload checks the list when
    # the drawer opens, so only the new page's /check_path_exists of these files counts.
    reload_after_the_batch_check(page, "k1.png")
    expect(page.locator(".batch-handle .batch-count")).to_have_text("3")
    (folder / "k1.png").unlink()
    # The notice shows for 6 s from the app's start; the page's load event can come later than
    # that on a busy machine (it waits for the thumbnails), so watch from the navigation on.
    page.reload(wait_until="commit")
    expect(page.locator(".toast", has_text="1 files in the batch no longer exist")).to_be_visible(timeout=15_000)
    expect(page.locator(".batch-handle .batch-count")).to_have_text("2")
    page.locator(".batch-handle .batch-button").click()
    assert sorted(drawer_paths(page)) == [str(folder / "k0.png"), str(folder / "k2.png")]
    # Clear asks first, then empties the list (and the handle goes away once closed).
    drawer(page).locator(".batch-clear").click()
    page.locator(".dialog").get_by_role("button", name="Clear").click()
    expect(drawer(page)).to_have_attribute("data-count", "0")
    expect(drawer(page).locator(".batch-empty")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".batch-handle")).to_have_count(0)
    page.reload()
    page.locator(".column.focused .folder-pane").wait_for()
    expect(page.locator(".batch-handle")).to_have_count(0)
