"""Settings → Cache in a real browser: sizes per area as on disk, "Empty" per area (the trash asks
first), "Clean now" (the retention rules), and read-only mode."""
from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from iib_core.files.trash import Trash
from support.files import aged_file as put
from ui.pages import serve

KB = 1024
DAY = 86400.0


def fill(cache: Path, tmp: Path):
    thumbs = [put(cache / "thumbnails" / f"{i:02x}" / (f"{i:02x}" + "a" * 38 + ".webp"), 100 * KB) for i in range(3)]
    cover = put(cache / "video_covers" / "cc" / ("cc" + "b" * 38 + ".webp"), 50 * KB)
    doomed = tmp / "doomed.png"
    doomed.write_bytes(b"d" * 2000)
    Trash(cache / "trash").put(str(doomed))
    return thumbs, cover


def open_cache_section(page, served):
    page.goto(served.app_url)
    page.get_by_role("button", name="Settings").click()
    section = page.locator(".cache-section")
    expect(section.locator(".cache-row")).to_have_count(4)
    return section


def row(section, area):
    return section.locator(f".cache-row[data-area={area}]")


def test_sizes_empty_and_clean_now(page, tmp_path):
    root = tmp_path / "pictures"
    root.mkdir()
    server_dir = tmp_path / "server"
    cache = server_dir / "cache"
    with serve(server_dir, [root]) as served:
        thumbs, cover = fill(cache, tmp_path)
        section = open_cache_section(page, served)

        expect(row(section, "thumbnails").locator(".cache-size")).to_have_text("300.0 KB")
        expect(row(section, "thumbnails").locator(".cache-count")).to_have_text("3 files")
        expect(row(section, "video_covers").locator(".cache-size")).to_have_text("50.0 KB")
        expect(row(section, "zip_temp").locator(".cache-size")).to_have_text("0 B")
        expect(row(section, "zip_temp").get_by_role("button")).to_be_disabled()  # nothing to empty
        trash_bytes = sum(p.stat().st_size for p in (cache / "trash").rglob("*") if p.is_file())
        expect(row(section, "trash")).to_have_attribute("data-bytes", str(trash_bytes))
        expect(row(section, "trash").locator(".cache-count")).to_have_text("1 item (2 files)")
        expect(section.locator(".cache-total")).to_have_attribute("data-bytes", str(350 * KB + trash_bytes))
        expect(section).to_contain_text("thumbnails and covers use 350.0 KB of 10.0 GB")

        # Empty the thumbnails from the keyboard.
        empty_thumbs = row(section, "thumbnails").get_by_role("button", name="Empty Thumbnails")
        empty_thumbs.focus()
        page.keyboard.press("Enter")
        expect(row(section, "thumbnails").locator(".cache-size")).to_have_text("0 B")
        expect(page.locator(".toast").filter(has_text="300.0 KB freed")).to_be_visible()
        assert not any(p.exists() for p in thumbs) and cover.exists()
        expect(section).to_contain_text("thumbnails and covers use 50.0 KB of 10.0 GB")
        expect(empty_thumbs).to_be_disabled()

        # The trash asks first: Escape keeps it, confirming empties it.
        row(section, "trash").get_by_role("button", name="Empty Trash").click()
        dialog = page.get_by_role("alertdialog")
        expect(dialog).to_contain_text("1 item will be deleted")
        page.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        assert len(Trash(cache / "trash").items()) == 1
        expect(row(section, "trash").locator(".cache-count")).to_have_text("1 item (2 files)")
        row(section, "trash").get_by_role("button", name="Empty Trash").click()
        page.get_by_role("alertdialog").get_by_role("button", name="Empty").click()
        expect(row(section, "trash").locator(".cache-count")).to_have_text("0 items (0 files)")
        assert Trash(cache / "trash").items() == []

        # Clean now applies the rules: an archive two days old goes, a fresh one stays.
        old_zip = put(cache / "zip_temp" / "iib_batch_download_old.zip", 30 * KB, age=2 * DAY)
        new_zip = put(cache / "zip_temp" / "iib_batch_download_new.zip", 20 * KB)
        section.get_by_role("button", name="Reload the figures").click()
        expect(row(section, "zip_temp").locator(".cache-count")).to_have_text(re.compile(r"^(1 file|2 files)$"))
        section.get_by_role("button", name="Clean now").click()
        expect(row(section, "zip_temp").locator(".cache-count")).to_have_text("1 file")
        expect(row(section, "zip_temp").locator(".cache-size")).to_have_text("20.0 KB")
        assert not old_zip.exists() and new_zip.exists() and cover.exists()
        expect(row(section, "video_covers").locator(".cache-size")).to_have_text("50.0 KB")
    assert page.errors == []


def test_read_only_mode_shows_the_figures_but_no_cleaning(page, tmp_path):
    root = tmp_path / "pictures"
    root.mkdir()
    server_dir = tmp_path / "server"
    with serve(server_dir, [root], env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"}) as served:
        thumbs, _ = fill(server_dir / "cache", tmp_path)
        section = open_cache_section(page, served)
        expect(row(section, "thumbnails").locator(".cache-size")).to_have_text("300.0 KB")
        expect(section.get_by_role("button", name="Clean now")).to_be_disabled()
        for area in ("thumbnails", "video_covers", "zip_temp", "trash"):
            expect(row(section, area).get_by_role("button")).to_be_disabled()
        expect(section).to_contain_text("cleaning needs read-write permission")
        assert all(p.exists() for p in thumbs)
    assert page.errors == []
