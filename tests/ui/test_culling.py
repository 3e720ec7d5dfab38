"""Culling: keys 0–5 rate, one key toggles the favourite tag, one marks for deletion;
they persist on the server (so after a reload), and the keys can be changed in settings."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from ui.pages import cell, open_folder, serve


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cull") / "shots"
    for i in range(5):
        a1111_png(root / f"c{i}.png", f"culling candidate {i}", seed=i + 1)
    return root


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


def ratings(served, paths):
    with served.client() as c:
        r = c.post(served.base + "/db/get_ratings", json={"paths": [str(p) for p in paths]})
        r.raise_for_status()
        return r.json()


def tags(served, path):
    with served.client() as c:
        r = c.post(served.base + "/db/get_image_tags", json={"paths": [str(path)]})
        r.raise_for_status()
        return sorted(t["name"] for t in r.json().get(str(path), []))


def test_rating_keys_persist_after_reload(page, served, root):
    open_folder(page, served, root)
    page.locator("select[aria-label=Sort]").select_option("name:asc")
    cell(page, "c0.png").click()
    stars = page.locator(".geninfo .stars")
    expect(stars).to_have_attribute("data-rating", "0")
    page.keyboard.press("4")
    expect(stars).to_have_attribute("data-rating", "4")
    page.keyboard.press("ArrowRight")
    expect(page.locator(".preview-title")).to_have_text("c1.png")
    page.keyboard.press("2")
    expect(stars).to_have_attribute("data-rating", "2")
    page.keyboard.press("5")
    expect(stars).to_have_attribute("data-rating", "5")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("3")
    expect(stars).to_have_attribute("data-rating", "3")
    page.keyboard.press("0")  # clears
    expect(stars).to_have_attribute("data-rating", "0")
    page.keyboard.press("Escape")
    assert ratings(served, [root / "c0.png", root / "c1.png", root / "c2.png"]) == {
        str(root / "c0.png"): 4, str(root / "c1.png"): 5, str(root / "c2.png"): None}
    page.reload()
    expect(page.locator(".folder-pane")).to_have_attribute("data-path", str(root))
    expect(cell(page, "c0.png").locator(".badge-rating")).to_have_text("★4")
    expect(cell(page, "c1.png").locator(".badge-rating")).to_have_text("★5")
    expect(cell(page, "c2.png").locator(".badge-rating")).to_have_count(0)
    cell(page, "c1.png").click()
    expect(page.locator(".geninfo .stars")).to_have_attribute("data-rating", "5")


def test_favourite_and_deletion_mark_keys(page, served, root):
    open_folder(page, served, root)
    page.locator("select[aria-label=Sort]").select_option("name:asc")
    cell(page, "c3.png").click()
    page.keyboard.press("f")
    expect(page.locator(".geninfo button[aria-label='Add to favourites']")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("x")
    expect(page.locator(".geninfo button[aria-label='Mark for deletion']")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".geninfo .chip.on")).to_have_count(2)
    assert tags(served, root / "c3.png") == ["like", "marked-for-deletion"]
    page.keyboard.press("f")
    expect(page.locator(".geninfo button[aria-label='Add to favourites']")).to_have_attribute("aria-pressed", "false")
    assert tags(served, root / "c3.png") == ["marked-for-deletion"]
    page.keyboard.press("Escape")
    expect(cell(page, "c3.png").locator(".badge-mark")).to_be_visible()
    # In the grid the keys act on the selection.
    cell(page, "c0.png").click(modifiers=["Control"])
    cell(page, "c1.png").click(modifiers=["Control"])
    page.keyboard.press("f")
    expect(cell(page, "c0.png").locator(".badge-fav")).to_be_visible()
    expect(cell(page, "c1.png").locator(".badge-fav")).to_be_visible()
    assert tags(served, root / "c1.png") == ["like"]


def test_shortcuts_are_customisable_and_kept(page, served, root):
    page.goto(served.app_url)
    page.get_by_role("button", name="Settings").click()
    row = page.locator(".shortcut-table tr[data-action=rate3]")
    row.locator(".key-btn").click()
    expect(row.locator(".key-btn")).to_have_text("Press a key…")
    page.keyboard.press("e")
    expect(row.locator("kbd")).to_have_text("e")
    page.wait_for_timeout(700)  # saved to the server after 500 ms
    with served.client() as c:
        stored = c.get(served.base + "/global_setting").json()["app_fe_setting"]["global"]
    assert stored["shortcuts"]["rate3"] == "e"
    page.evaluate("localStorage.clear()")
    page.goto(served.open_url(root))  # the server's copy is restored
    page.locator("select[aria-label=Sort]").select_option("name:asc")
    cell(page, "c4.png").click()
    page.keyboard.press("e")
    expect(page.locator(".geninfo .stars")).to_have_attribute("data-rating", "3")
    assert ratings(served, [root / "c4.png"]) == {str(root / "c4.png"): 3}


def test_a_change_survives_a_reload_before_it_reached_the_server(page, served, root):
    page.goto(served.app_url)
    page.get_by_role("button", name="Settings").click()
    row = page.locator(".shortcut-table tr[data-action=rate2]")
    with served.client() as c:
        before = (c.get(served.base + "/global_setting").json()["app_fe_setting"].get("global") or {}).get("shortcuts", {})
    row.locator(".key-btn").click()
    page.keyboard.press("w")
    expect(row.locator("kbd")).to_have_text("w")
    page.reload()  # at once: the server still has the older copy
    row = page.locator(".shortcut-table tr[data-action=rate2]")
    expect(row.locator("kbd")).to_have_text("w")
    assert before.get("rate2") != "w"
    # ...and the newer local copy is then written to the server.
    for _ in range(50):
        with served.client() as c:
            stored = c.get(served.base + "/global_setting").json()["app_fe_setting"]["global"]
        if stored["shortcuts"].get("rate2") == "w":
            break
        page.wait_for_timeout(100)
    assert stored["shortcuts"]["rate2"] == "w"
