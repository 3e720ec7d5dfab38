"""Entries the server never follows or reads (FIFOs, sockets, broken and looping links) are
shown greyed, say why on hover in the chosen language, and cannot be opened."""
from __future__ import annotations

import os
import re
import socket

import pytest
from playwright.sync_api import expect

from ui.pages import cell, open_folder, serve, tiny_png

SPECIAL = {"pipe.png": "fifo", "sock.png": "socket", "broken.png": "broken_link", "loop.png": "link_loop"}


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("special") / "lib"
    tiny_png(root / "a.png")
    tiny_png(root / "b.png", color=(10, 200, 10))
    os.mkfifo(root / "pipe.png")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(str(root / "sock.png"))
    os.symlink("missing.png", root / "broken.png")
    os.symlink("loop.png", root / "loop.png")
    tiny_png(root / "sub" / "c.png", color=(200, 10, 10))
    os.symlink(".", root / "sub" / "self")  # linked folders leading back up: a walk must end
    os.symlink("..", root / "sub" / "up")
    yield root
    s.close()


@pytest.fixture(scope="module")
def served(folder, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("server"), [folder]) as s:
        yield s


def test_special_entries_are_greyed_explained_and_not_openable(page, served, folder):
    open_folder(page, served, folder)
    for name, kind in SPECIAL.items():
        c = cell(page, name)
        expect(c).to_have_class(re.compile(r"\bspecial\b"))
        expect(c).to_have_attribute("data-special", kind)
        expect(c).to_have_attribute("aria-disabled", "true")
        assert c.locator(".thumb-img").count() == 0  # no thumbnail is ever asked for
    expect(cell(page, "pipe.png")).to_have_attribute("title", "pipe.png\nNamed pipe (FIFO): never opened")
    expect(cell(page, "broken.png").locator(".caption .meta")).to_have_text("Broken link: its target does not exist")
    opacity = cell(page, "pipe.png").locator(".thumb-icon").evaluate("e => getComputedStyle(e).opacity")
    assert float(opacity) < 0.7
    assert "special" not in (cell(page, "a.png").get_attribute("class") or "")

    # Neither a click nor Enter opens one; an ordinary file still opens, and the preview never
    # steps onto a special entry.
    cell(page, "pipe.png").click(force=True)  # aria-disabled: Playwright would wait for it to be enabled
    expect(cell(page, "pipe.png")).to_have_class(re.compile(r"\bfocused\b"))
    page.keyboard.press("Enter")
    expect(page.locator(".preview")).to_have_count(0)
    cell(page, "a.png").click()
    expect(page.locator(".preview")).to_be_visible()
    total = page.locator(".preview-pos").inner_text().split("/")[1].strip()
    assert total == "2"
    page.keyboard.press("Escape")

    # In German too.
    page.evaluate("() => import(window.IIB_ASSETS + 'js/i18n.js').then((m) => m.setLanguage('de'))")
    expect(cell(page, "loop.png")).to_have_attribute("title", "loop.png\nLink-Schleife: führt auf sich selbst zurück")


def test_walk_mode_ends_in_a_tree_with_links_back_up_and_shows_the_special_entries(page, served, folder):
    pane = open_folder(page, served, folder, mode="walk")
    page.wait_for_function(
        "() => { const p = document.querySelector('.column.focused .folder-pane');"
        " return p && p.dataset.done === 'true' && p.dataset.loading === 'false'; }")
    # a.png, b.png, sub/c.png and the four special entries, each once: the links were not followed.
    expect(pane).to_have_attribute("data-count", "7")
    names = page.eval_on_selector_all(".column.focused .cell", "els => els.map((e) => e.dataset.name).sort()")
    assert names == sorted(["a.png", "b.png", "c.png", *SPECIAL])
    expect(page.locator(".column.focused .cell.special")).to_have_count(len(SPECIAL))
