"""Browser tests: the real UI in Debian's Chromium (Playwright), against a real uvicorn
server on SQLite and real files. Servers are module-scoped; each test gets a fresh page
(pytest-playwright's `page`: a new browser context, so localStorage starts empty).

Chromium is /usr/bin/chromium (never `playwright install`). Without it the tests skip,
except under CI or IIB_TEST_STRICT=1, where that is a failure.
"""
from __future__ import annotations

import os

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _strict() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("IIB_TEST_STRICT", "").strip() == "1"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if _strict():
            pytest.fail(message + "; CI / IIB_TEST_STRICT=1 is set, so this is a failure", pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1280, "height": 720}, "color_scheme": "dark",
            "locale": "en-US"}


@pytest.fixture
def page(page):
    """The plugin's page, with a short default timeout and a record of JS errors and dialogs."""
    page.set_default_timeout(8000)
    # expect() has its own default (5 s); the same margin as the page's actions, for a busy
    # CI machine. Waits end as soon as the state holds, so passing tests are not slower.
    from playwright.sync_api import expect

    expect.set_options(timeout=8000)
    page.errors = []
    page.dialogs = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))

    def on_dialog(dialog):
        page.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    yield page
    assert not page.errors, f"uncaught errors in the page: {page.errors}"
