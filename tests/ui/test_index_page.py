"""The index page: per-root state, update with live progress, cancel, excluded folders."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from ui.pages import linked_files, serve, tiny_png

COUNT = 3000


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    root = tmp_path_factory.mktemp("idx") / "pictures"
    for i in range(COUNT):
        tiny_png(root / f"d{i % 6}" / f"img{i:05d}.png", color=(i % 256, (i // 256) % 256, 7), size=(4, 4))
    return root


@pytest.fixture(scope="module")
def big_library(tmp_path_factory):
    """Enough files (hard links of one PNG) that a run lasts long enough to be cancelled."""
    root = tmp_path_factory.mktemp("idxbig") / "pictures"
    source = tiny_png(tmp_path_factory.mktemp("src") / "one.png", size=(4, 4))
    for d in range(10):
        linked_files(root / f"d{d}", [f"f{i:05d}.png" for i in range(2500)], source)
    return root


@pytest.fixture
def served(tmp_path, library):
    with serve(tmp_path / "server", [library], index=False) as s:
        yield s


def open_index_page(page, served):
    page.goto(served.app_url)
    page.locator(".start-page-link[data-kind=index]").click()
    page.locator(".index-page").wait_for()
    return page.locator(".index-page")


def test_update_shows_moving_progress_and_completes(page, tmp_path, big_library):
    library, total = big_library, 25_000
    with serve(tmp_path / "server", [library], index=False) as served:
        _progress_moves_then_completes(page, served, library, total)


def _progress_moves_then_completes(page, served, library, total):
    ip = open_index_page(page, served)
    root = ip.locator(f".index-root[data-path='{library}']")
    expect(root).to_have_attribute("data-state", "never")
    page.locator(".index-update").click()
    expect(ip).to_have_attribute("data-running", "true")
    # The figures move while the run goes on: record the read counts the page shows.
    seen = set()
    for _ in range(2000):
        value = page.evaluate("() => { const p = document.querySelector('.index-progress');"
                              " return p ? Number(p.dataset.parsed) : (document.querySelector('.index-cancel') ? -1 : null); }")
        if value is None:
            break
        if value >= 0:
            seen.add(value)
        page.wait_for_timeout(20)
    expect(ip).to_have_attribute("data-running", "false", timeout=240_000)
    expect(ip).to_have_attribute("data-state", "completed")
    assert len(seen) >= 2, f"progress never moved: {sorted(seen)}"
    expect(root).to_have_attribute("data-state", "indexed")
    expect(root).to_contain_text(f"{total} images")
    expect(page.locator(".index-last")).to_contain_text(f"{total} files read")


def test_cancel_stops_the_run(page, tmp_path, big_library):
    library, total = big_library, 25_000
    with serve(tmp_path / "server", [library], index=False) as served:
        _cancel_then_finish(page, served, library, total)


def _cancel_then_finish(page, served, library, total):
    ip = open_index_page(page, served)
    page.locator(".index-update").click()
    page.locator(".index-cancel").click()
    expect(ip).to_have_attribute("data-running", "false", timeout=60_000)
    expect(ip).to_have_attribute("data-state", "cancelled")
    status = served.client().get(served.base + "/db/index_status").json()
    assert status["state"] == "cancelled"
    assert status["progress"]["parsed"] < total
    # The root is still incomplete: the page says so, and another update finishes it.
    expect(ip.locator(f".index-root[data-path='{library}']")).not_to_have_attribute("data-state", "indexed")
    page.locator(".index-update").click()
    expect(ip).to_have_attribute("data-state", "completed", timeout=240_000)
    expect(ip.locator(f".index-root[data-path='{library}']")).to_contain_text(f"{total:,} images".replace(",", ""))


def test_excluded_folders_editor_saves_and_the_next_update_skips_them(page, served, library):
    ip = open_index_page(page, served)
    page.locator("input[name=exclude]").fill("d3")
    page.locator("input[name=exclude]").press("Enter")
    page.locator("input[name=exclude]").fill(str(library / "d4"))
    page.locator(".exclusion-add button[type=submit]").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".toast")).to_contain_text("Excluded folders saved")
    assert served.client().get(served.base + "/db/index_overview").json()["exclusions"]["stored"] == ["d3", str(library / "d4")]
    page.locator(".index-update").click()
    expect(ip).to_have_attribute("data-state", "completed", timeout=120_000)
    expect(ip.locator(f".index-root[data-path='{library}']")).to_contain_text(f"{COUNT - 1000} images")
    # Removing one and saving: it is indexed again on the next update.
    page.get_by_role("button", name="Remove d3").click()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".exclusion-list li[data-entry=d3]")).to_have_count(0)
    page.locator(".index-update").click()
    expect(ip).to_have_attribute("data-state", "completed", timeout=120_000)
    expect(ip.locator(f".index-root[data-path='{library}']")).to_contain_text(f"{COUNT - 500} images")
