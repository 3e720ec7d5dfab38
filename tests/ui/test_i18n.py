"""The four UI languages: switching changes the visible text, and is remembered."""
from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import expect

from ui.pages import serve

# (language id, the settings page title, the start tab's title, the "Add folder" button)
LANGUAGES = [
    ("zh-hans", "设置", "开始", "添加文件夹"),
    ("zh-hant", "設定", "開始", "新增資料夾"),
    ("de", "Einstellungen", "Start", "Ordner hinzufügen"),
    ("en", "Settings", "Start", "Add folder"),
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("lang") / "pictures"
    root.mkdir()
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


@pytest.fixture(autouse=True)
def english_on_the_server(served):
    """Each test starts from the server's default language: the UI saves its settings a moment
    after a change, so the page of the previous test may have stored another language last."""
    r = httpx.request("DELETE", served.app_url + "/app_fe_setting", json={"name": "global"}, timeout=30)
    assert r.status_code == 200, r.text


def test_switching_to_each_language_changes_visible_text(page, served):
    page.goto(served.app_url)
    page.get_by_role("button", name="Settings").click()
    title = page.locator(".settings-page h1")
    expect(title).to_have_text("Settings")
    for lang, settings_title, _, _ in LANGUAGES:
        page.locator("select[name=lang]").select_option(lang)
        expect(title).to_have_text(settings_title)
        expect(page.locator(".tab.active .tab-title")).to_have_text(settings_title)
        expect(page.locator("html")).to_have_attribute("lang", {"zh-hans": "zh-Hans", "zh-hant": "zh-Hant"}.get(lang, lang))


@pytest.mark.parametrize("lang,settings_title,start_title,add_folder", LANGUAGES[:3])
def test_the_chosen_language_is_kept_after_reload(page, served, lang, settings_title, start_title, add_folder):
    page.goto(served.app_url)
    page.get_by_role("button", name="Settings").click()
    page.locator("select[name=lang]").select_option(lang)
    expect(page.locator(".settings-page h1")).to_have_text(settings_title)
    page.get_by_role("button", name={"zh-hans": "新标签页", "zh-hant": "新分頁", "de": "Neuer Tab"}[lang]).click()
    page.reload()
    expect(page.locator(".tab.active .tab-title")).to_have_text(start_title)
    expect(page.locator(".add-folder .btn.primary")).to_have_text(add_folder)
    page.evaluate("localStorage.clear()")  # the server keeps it too: reset for the next test
    page.goto(served.app_url)
    page.locator(".tab.active").wait_for()
    page.evaluate("""async () => { await fetch(window.IIB_BASE + '/app_fe_setting', {method: 'DELETE',
        headers: {'Content-Type': 'application/json'}, body: JSON.stringify({name: 'global'})}); }""")


def test_the_browser_language_is_the_default(browser, served):
    context = browser.new_context(locale="de-DE")
    try:
        page = context.new_page()
        page.goto(served.app_url)
        expect(page.locator(".add-folder .btn.primary")).to_have_text("Ordner hinzufügen")
        expect(page.locator("html")).to_have_attribute("lang", "de")
    finally:
        context.close()
