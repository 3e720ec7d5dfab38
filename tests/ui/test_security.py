"""Generation info and file names are text, never HTML; the secret-key prompt."""
from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from ui.pages import cell, open_folder, serve

PAYLOAD = "<img src=x onerror=alert(1)>"
NAME_PAYLOAD = "<img src=x onerror=alert(2)>.png"
SECRET = "open sesame"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("xss") / "evil"
    a1111_png(root / "prompt.png", f"1girl, {PAYLOAD}, <script>alert(3)</script>",
              negative=f"{PAYLOAD} lowres")
    a1111_png(root / NAME_PAYLOAD, "an innocent prompt")
    return root


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


def test_a_prompt_with_html_is_shown_as_text_and_runs_nothing(page, served, root):
    open_folder(page, served, root)
    expect(cell(page, NAME_PAYLOAD).locator(".caption .name")).to_have_text(NAME_PAYLOAD)
    cell(page, "prompt.png").click()
    expect(page.locator(".gi-prompt")).to_have_text(f"1girl, {PAYLOAD}, <script>alert(3)</script>")
    expect(page.locator(".gi-negative")).to_have_text(f"{PAYLOAD} lowres")
    page.get_by_role("button", name="Show").click()
    expect(page.locator(".gi-raw")).to_contain_text(PAYLOAD)
    page.keyboard.press("ArrowRight")
    expect(page.locator(".preview-title")).to_have_text(NAME_PAYLOAD)
    expect(page.locator(".gi-title")).to_have_text(NAME_PAYLOAD)
    page.wait_for_timeout(300)
    assert page.locator("img[src=x]").count() == 0
    assert page.locator(".geninfo script, .grid-scroll script").count() == 0
    assert page.dialogs == []


def test_the_secret_key_prompt_sets_the_cookie_and_the_ui_works(page, root, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("locked"), [root], env={"IIB_SECRET_KEY": SECRET}) as locked:
        page.goto(locked.app_url)
        dialog = page.locator(".secret-dialog")
        expect(dialog).to_be_visible()
        dialog.locator("input[name=secret]").fill("wrong key")
        dialog.get_by_role("button", name="Unlock").click()
        expect(dialog.locator(".error-text")).to_have_text("That key is not right.")
        dialog.locator("input[name=secret]").fill(SECRET)
        dialog.get_by_role("button", name="Unlock").click()
        row = page.locator(".root-row", has_text=str(root))
        expect(row).to_be_visible()
        cookie = {c["name"]: c["value"] for c in page.context.cookies()}["IIB_S"]
        assert cookie == hashlib.sha256((SECRET + "_ciallo").encode()).hexdigest()
        row.locator(".root-open").click()
        expect(cell(page, "prompt.png")).to_be_visible()
        page.wait_for_function(
            "() => { const imgs = [...document.querySelectorAll('.cell .thumb-img')];"
            " return imgs.length === 2 && imgs.every(i => i.complete && i.naturalWidth > 0); }")


def test_the_fallback_sha256_matches_webcrypto(page, served):
    page.goto(served.app_url)
    page.locator(".start-page").wait_for()
    result = page.evaluate("""async () => {
        const m = await import(window.IIB_ASSETS + 'js/sha256.js');
        const texts = ['', 'abc', 'open sesame_ciallo', 'ü'.repeat(100), 'x'.repeat(1000)];
        const out = [];
        for (const t of texts) out.push([m.sha256Bytes(new TextEncoder().encode(t)), await m.sha256Hex(t)]);
        return out;
    }""")
    for fallback, webcrypto in result:
        assert fallback == webcrypto
    assert result[1][0] == hashlib.sha256(b"abc").hexdigest()
