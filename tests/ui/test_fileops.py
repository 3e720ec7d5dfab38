"""Selection and file operations through the UI, checked on disk: move and copy with
sidecars, delete to the trash and undo, rename, new folder, drag and drop, the trash view,
readable error toasts."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from ui.pages import cell, menu_item, open_folder, serve


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("ops") / "work"


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    root.mkdir(parents=True)
    a1111_png(root / "seed" / "seed.png", "seed image")  # the index is not empty
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


def make_files(folder: Path, names, sidecars=True):
    for i, name in enumerate(names):
        a1111_png(folder / f"{name}.png", f"prompt of {name}", seed=i + 1)
        if sidecars:
            (folder / f"{name}.txt").write_text(f"sidecar of {name}")


def sort_by_name(page):
    page.locator("select[aria-label=Sort]").select_option("name:asc")


def test_ctrl_and_shift_select_then_move_with_sidecars(page, served, root):
    src, dest = root / "move_src", root / "move_dest"
    make_files(src, [f"m{i}" for i in range(6)])
    dest.mkdir()
    open_folder(page, served, src)
    sort_by_name(page)
    expect(page.locator(".cell").first).to_have_attribute("data-name", "m0.png")
    cell(page, "m1.png").click(modifiers=["Control"])
    cell(page, "m3.png").click(modifiers=["Shift"])
    cell(page, "m5.png").click(modifiers=["Control"])
    selected = page.locator(".cell.selected")
    expect(selected).to_have_count(4)
    assert [selected.nth(i).get_attribute("data-name") for i in range(4)] == ["m1.png", "m2.png", "m3.png", "m5.png"]
    expect(page.locator(".sel-count")).to_have_text("4 selected")
    cell(page, "m2.png").click(button="right")
    menu_item(page, "moveTo").click()
    dialog = page.locator(".dialog")
    dialog.locator("input[name=dest]").fill(str(dest))
    dialog.get_by_role("button", name="Move", exact=True).click()
    expect(page.locator(".toast.success")).to_contain_text("4 moved")
    for name in ("m1", "m2", "m3", "m5"):
        assert (dest / f"{name}.png").is_file() and (dest / f"{name}.txt").read_text() == f"sidecar of {name}"
        assert not (src / f"{name}.png").exists() and not (src / f"{name}.txt").exists()
    assert sorted(p.name for p in src.iterdir()) == ["m0.png", "m0.txt", "m4.png", "m4.txt"]
    expect(page.locator(".cell")).to_have_count(2)
    # The target is offered again next time.
    cell(page, "m0.png").click(button="right")
    menu_item(page, "copyTo").click()
    expect(page.locator(".picker-group", has_text="Recent targets")).to_contain_text("move_dest")
    page.locator(".dialog").get_by_role("button", name="Copy", exact=True).click()
    expect(page.locator(".toast.success").last).to_contain_text("copied")
    assert (dest / "m0.png").is_file() and (src / "m0.png").is_file() and (dest / "m0.txt").is_file()


def test_delete_goes_to_the_trash_and_undo_restores(page, served, root):
    folder = root / "delete_me"
    make_files(folder, ["d0", "d1", "d2"])
    open_folder(page, served, folder)
    cell(page, "d1.png").click(button="right")
    menu_item(page, "delete").click()
    confirm = page.locator(".dialog[role=alertdialog]")
    expect(confirm).to_contain_text("d1.png")
    confirm.get_by_role("button", name="Delete").click()
    toast = page.locator(".toast", has_text="moved to the trash")
    expect(toast).to_be_visible()
    expect(cell(page, "d1.png")).to_have_count(0)
    assert not (folder / "d1.png").exists() and not (folder / "d1.txt").exists()
    toast.get_by_role("button", name="Undo").click()
    expect(page.locator(".toast", has_text="1 restored")).to_be_visible()
    assert (folder / "d1.png").is_file() and (folder / "d1.txt").read_text() == "sidecar of d1"
    expect(cell(page, "d1.png")).to_have_count(1)


def test_delete_key_and_the_trash_view(page, served, root):
    folder = root / "trash_view"
    make_files(folder, ["t0", "t1"], sidecars=False)
    open_folder(page, served, folder)
    cell(page, "t0.png").click(modifiers=["Control"])
    page.keyboard.press("Delete")
    page.locator(".dialog").get_by_role("button", name="Delete").click()
    expect(cell(page, "t0.png")).to_have_count(0)
    assert not (folder / "t0.png").exists()
    page.get_by_role("button", name="New tab").click()
    page.locator(".column.focused .start-tools").get_by_role("button", name="Trash").click()
    row = page.locator(".trash-table tr", has_text="t0.png")
    expect(row).to_be_visible()
    expect(row).to_contain_text(str(folder))
    row.get_by_role("button", name="Restore").click()
    expect(page.locator(".toast", has_text="restored")).to_be_visible()
    assert (folder / "t0.png").is_file()
    expect(page.locator(".trash-table tr", has_text="t0.png")).to_have_count(0)


def test_new_folder_rename_and_a_readable_error(page, served, root):
    folder = root / "names"
    make_files(folder, ["a", "b"], sidecars=False)
    open_folder(page, served, folder)
    page.get_by_role("button", name="New folder").click()
    page.locator(".dialog input").fill("fresh")
    page.locator(".dialog").get_by_role("button", name="Create").click()
    expect(cell(page, "fresh")).to_be_visible()
    assert (folder / "fresh").is_dir()
    cell(page, "a.png").click(button="right")
    menu_item(page, "rename").click()
    field = page.locator(".dialog input")
    expect(field).to_have_value("a.png")
    field.fill("renamed.png")
    page.locator(".dialog").get_by_role("button", name="Rename").click()
    expect(cell(page, "renamed.png")).to_be_visible()
    assert (folder / "renamed.png").is_file() and not (folder / "a.png").exists()
    # A name that is taken: the server's message, as a toast.
    cell(page, "b.png").click(button="right")
    menu_item(page, "rename").click()
    expect(page.locator(".dialog input")).to_have_value("b.png")
    page.locator(".dialog input").fill("renamed.png")
    page.locator(".dialog").get_by_role("button", name="Rename").click()
    expect(page.locator(".toast.error")).to_contain_text(re.compile("exists", re.I))
    assert (folder / "b.png").is_file()


def test_drag_a_file_onto_a_folder_card(page, served, root):
    folder = root / "drag"
    make_files(folder, ["x"], sidecars=True)
    (folder / "inbox").mkdir()
    open_folder(page, served, folder)
    cell(page, "x.png").drag_to(cell(page, "inbox"))
    dialog = page.locator(".dialog")
    expect(dialog).to_contain_text("inbox")
    dialog.get_by_role("button", name="Move", exact=True).click()
    expect(cell(page, "x.png")).to_have_count(0)
    assert (folder / "inbox" / "x.png").is_file() and (folder / "inbox" / "x.txt").is_file()


def test_marquee_and_keep_selection(page, served, root):
    folder = root / "marquee"
    make_files(folder, [f"q{i}" for i in range(6)], sidecars=False)
    open_folder(page, served, folder)
    sort_by_name(page)
    expect(page.locator(".cell").first).to_have_attribute("data-name", "q0.png")
    grid = page.locator(".grid-scroll").bounding_box()
    first = cell(page, "q0.png").bounding_box()
    third = cell(page, "q2.png").bounding_box()
    # From the empty gutter above the first row, over the first three cells.
    page.mouse.move(first["x"] + 10, grid["y"] + 3)
    page.mouse.down()
    page.mouse.move(third["x"] + 20, first["y"] + 40, steps=6)
    page.mouse.up()
    expect(page.locator(".cell.selected")).to_have_count(3)
    page.locator(".keep-sel input").check()
    cell(page, "q4.png").click()  # keep-selection: a click adds instead of opening
    expect(page.locator(".preview")).to_have_count(0)
    expect(page.locator(".cell.selected")).to_have_count(4)
    page.get_by_role("button", name="Clear selection").click()
    expect(page.locator(".cell.selected")).to_have_count(0)


def test_drag_files_onto_another_pane_copies_them(page, served, root):
    left, right = root / "pane_left", root / "pane_right"
    make_files(left, ["p0", "p1"], sidecars=True)
    right.mkdir()
    (right / "keep.txt").write_text("not media")
    open_folder(page, served, left)
    page.get_by_role("button", name="Split view: open a column").click()
    page.locator(".column.focused .start-page input[aria-label='Open a path']").fill(str(right))
    page.locator(".column.focused .start-page").get_by_role("button", name="Open", exact=True).click()
    expect(page.locator(".column.focused .folder-pane")).to_have_attribute("data-path", str(right))
    target = page.locator(f".folder-pane[data-path='{right}'] .grid-scroll")
    source = page.locator(".column", has=page.locator(f".folder-pane[data-path='{left}']"))
    source.locator(".cell[data-name='p0.png']").click(modifiers=["Control"])
    source.locator(".cell[data-name='p1.png']").click(modifiers=["Control"])
    source.locator(".cell[data-name='p1.png']").drag_to(target)
    dialog = page.locator(".dialog")
    expect(dialog).to_contain_text("pane_right")
    dialog.get_by_role("button", name="Copy", exact=True).click()
    expect(target.locator(".cell")).to_have_count(2)
    for name in ("p0", "p1"):
        assert (right / f"{name}.png").is_file() and (right / f"{name}.txt").is_file()
        assert (left / f"{name}.png").is_file()


def test_download_copy_path_and_the_batch_list(page, served, root):
    import zipfile

    folder = root / "downloads"
    make_files(folder, ["k0", "k1", "k2"], sidecars=False)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    open_folder(page, served, folder)
    cell(page, "k0.png").click(button="right")
    with page.expect_download() as dl:
        menu_item(page, "download").click()
    assert dl.value.suggested_filename == "k0.png"
    assert Path(dl.value.path()).read_bytes() == (folder / "k0.png").read_bytes()
    cell(page, "k1.png").click(button="right")
    menu_item(page, "copyPath").click()
    expect(page.locator(".toast", has_text="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == str(folder / "k1.png")
    # Two files into the batch list (k1 is selected by its context menu), then one zip from the
    # drawer the start page's batch button opens.
    cell(page, "k2.png").click(modifiers=["Control"])
    expect(page.locator(".cell.selected")).to_have_count(2)
    # Two selected files: "Download" packs them (stored) and the browser fetches the archive.
    cell(page, "k2.png").click(button="right")
    with page.expect_download() as dl:
        menu_item(page, "download").click()
    assert "/zip_download?ticket=" in dl.value.url
    with zipfile.ZipFile(dl.value.path()) as z:
        assert sorted(z.namelist()) == ["k1.png", "k2.png"]
        assert {i.compress_type for i in z.infolist()} == {zipfile.ZIP_STORED}
        assert z.read("k1.png") == (folder / "k1.png").read_bytes()
    cell(page, "k2.png").click(button="right")
    menu_item(page, "batch").click()
    expect(page.locator(".toast", has_text="2 added to the batch download")).to_be_visible()
    page.get_by_role("button", name="New tab").click()
    page.get_by_role("button", name="Download the batch (2)").click()
    with page.expect_download() as dl:
        page.locator(".batch-zip").click()
    with zipfile.ZipFile(dl.value.path()) as z:
        assert sorted(z.namelist()) == ["k1.png", "k2.png"]
        assert z.read("k2.png") == (folder / "k2.png").read_bytes()
