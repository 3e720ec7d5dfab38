"""A file named b'bad\\xffname.png' (not valid UTF-8) in real Chromium: listed with the other
eleven images of its folder (the grid does not stop), shown readably with a marked `\\xFF`,
previewed, tagged, renamed and deleted from the UI, each step checked on disk and through
the API."""
from __future__ import annotations

import json
import os
from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from ui.pages import menu_item, open_folder, serve

BAD = os.fsdecode(b"bad\xffname.png")


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    return tmp_path_factory.mktemp("names") / "lib"


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    for i in range(11):
        a1111_png(root / "odd" / f"ok-{i:02d}.png", f"ordinary prompt {i}", seed=i + 1)
    a1111_png(root / "odd" / BAD, "the undecodable one", seed=42)
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


def api(served, route, body):
    r = served.client().post(served.base + route, content=json.dumps(body),
                             headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    return json.loads(r.text)


def odd_cell(page):
    return page.locator(".column.focused .cell", has=page.locator(".name-odd"))


def test_a_name_that_is_not_utf8_is_listed_previewed_tagged_renamed_and_deleted(page, served, root):
    folder = root / "odd"
    bad_path = str(folder / BAD)
    tag = api(served, "/db/add_custom_tag", {"tag_name": "odd-bytes"})

    # listed: all twelve cells, every thumbnail loaded, the odd byte marked
    pane = open_folder(page, served, folder)
    expect(pane).to_have_attribute("data-count", "12")
    expect(page.locator(".column.focused .cell[data-kind=image]")).to_have_count(12)
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('.column.focused .cell .thumb img')];"
        " return imgs.length === 12 && imgs.every(i => i.complete && i.naturalWidth > 0); }")
    cell = odd_cell(page)
    expect(cell).to_have_count(1)
    expect(cell.locator(".name")).to_have_text("bad\\xFFname.png")
    expect(cell.locator(".name-odd")).to_have_attribute("title", "A byte that is not valid UTF-8 (\\xFF): shown escaped, "
                                                                "the file keeps its exact name")
    assert cell.evaluate("el => el.dataset.name === 'bad\\udcffname.png'")

    # previewed: the full image comes through /file?path=...%FF...
    cell.click()
    expect(page.locator(".preview")).to_be_visible()
    expect(page.locator(".preview-title")).to_have_text("bad\\xFFname.png")
    page.wait_for_function("() => { const i = document.querySelector('.preview-img.loaded');"
                           " return i && i.naturalWidth > 0; }")
    page.keyboard.press("Escape")
    expect(page.locator(".preview")).to_have_count(0)

    # tagged from the context menu
    odd_cell(page).click(button="right")
    menu_item(page, "tags").hover()
    menu_item(page, f"tag{tag['id']}").click()
    expect(odd_cell(page).locator(".badge-tags")).to_have_attribute("data-tags", "odd-bytes")
    assert [t["name"] for t in api(served, "/db/get_image_tags", {"paths": [bad_path]})[bad_path]] == ["odd-bytes"]

    # renamed: the byte stays in the name (edited around it in the dialog)
    odd_cell(page).click(button="right")
    menu_item(page, "rename").click()
    field = page.locator(".dialog input")
    expect(field).to_be_visible()
    assert field.evaluate("el => el.value === 'bad\\udcffname.png'")
    field.press("Home")
    for _ in range(3):
        field.press("Delete")
    field.type("renamed-")
    page.locator(".dialog").get_by_role("button", name="Rename").click()
    expect(odd_cell(page).locator(".name")).to_have_text("renamed-\\xFFname.png")
    renamed = os.fsencode(str(folder)) + b"/renamed-\xffname.png"
    assert os.path.isfile(renamed) and not os.path.lexists(os.fsencode(bad_path))
    new_path = os.fsdecode(renamed)
    assert [t["name"] for t in api(served, "/db/get_image_tags", {"paths": [new_path]})[new_path]] == ["odd-bytes"]

    # deleted (to the trash)
    odd_cell(page).click(button="right")
    menu_item(page, "delete").click()
    confirm = page.locator(".dialog[role=alertdialog]")
    confirm.get_by_role("button", name="Delete").click()
    expect(odd_cell(page)).to_have_count(0)
    expect(page.locator(".column.focused .cell[data-kind=image]")).to_have_count(11)
    assert not os.path.lexists(renamed)
    assert any(item["original_path"] == new_path
               for item in json.loads(served.client().get(served.base + "/trash").text)["items"])


def test_a_deep_link_to_a_folder_whose_name_is_not_utf8(page, served, root):
    folder = os.fsencode(str(root)) + b"/dir\xfe"
    os.makedirs(folder, exist_ok=True)
    a1111_png(root / os.fsdecode(b"dir\xfe") / "inside.png", "inside the odd folder")
    url = f"{served.app_url}?action=open&path={quote(folder, safe='/')}&mode=walk"
    assert "%FE" in url
    page.goto(url)
    expect(page.locator(".column.focused .cell[data-name='inside.png']")).to_have_count(1)
    expect(page.locator(".column.focused .breadcrumb .crumb.current .name-odd")).to_have_text("\\xFE")
