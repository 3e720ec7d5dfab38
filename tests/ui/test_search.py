"""The text search page and the random page in real Chromium, on an indexed synthetic corpus
whose manifest gives every file's prompt and parameters: plain-text and query-language
searches return exactly the files the manifest says, a bad regular expression shows the
server's message, the history reruns searches, a reload restores the search, the keyboard
reaches the box and the grid, and the random page draws other images on refresh."""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from support.corpus import make_corpus
from ui.pages import menu_item, serve

N_FILES = 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("library") / "corpus"
    manifest = make_corpus(root, N_FILES)
    return root, manifest["files"]


@pytest.fixture(scope="module")
def served(corpus, tmp_path_factory):
    root, _ = corpus
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


# -- the manifest's view of the corpus ----------------------------------------------------------
def name_of(f) -> str:
    return os.path.basename(f["path"])


def params(f) -> dict:
    return f.get("params") if isinstance(f.get("params"), dict) else {}


def sampler(f) -> str:
    p = params(f)
    return str(p.get("Sampler") or p.get("sampler_name") or "")


def steps(f):
    p = params(f)
    value = p.get("Steps", p.get("steps"))
    return None if value is None else float(value)


def positive(f) -> str:
    return (f.get("positive") or "").lower()


def only_in_prompts(word: str, root: Path, files) -> None:
    """The search looks at the path, the prompts and the parameters: the test's words must
    occur in positive prompts only, so "the prompt contains it" is the exact expectation."""
    assert word not in str(root).lower()
    for f in files:
        elsewhere = " ".join([f["path"], f.get("negative") or "", json.dumps(params(f)), " ".join(f.get("loras") or [])])
        assert word not in elsewhere.lower(), (word, f["path"])


# -- page helpers ----------------------------------------------------------------------------
def open_page(page, served, kind: str, state=None):
    """Open the app with one tab of `kind` (the saved layout the app restores on load)."""
    page.goto(served.app_url)
    page.locator(".workspace").wait_for(timeout=30000)  # the machine may be busy
    tab = {"id": "t1", "kind": kind}
    if state:
        tab["state"] = state
    layout = {"columns": [{"id": "c1", "tabs": [tab], "active": "t1", "size": 1}], "focused": "c1"}
    page.evaluate("(v) => localStorage.setItem('iib.workspace', JSON.stringify(v))", layout)
    page.reload()
    page.locator(".column.focused .results-pane" if kind in ("search", "random") else ".workspace").wait_for(timeout=30000)


def wait_started(page):
    """A page that runs on its own (a restored search, the random page) has started."""
    page.wait_for_function(
        "() => { const el = document.querySelector('.column.focused [data-epoch]'); return el && el.dataset.epoch !== '0'; }")
    wait_done(page)


def wait_done(page):
    page.wait_for_function(
        "() => { const p = document.querySelector('.column.focused .results-pane');"
        " return p && p.dataset.done === 'true' && p.dataset.loading === 'false'; }", timeout=30000)


RESULT_NAMES_JS = """async () => {
  const pane = document.querySelector('.column.focused .results-pane');
  const el = pane.querySelector('.grid-scroll');
  const names = new Map();
  // Two frames, or 60 ms when frames are throttled (a timer keeps the loop bounded in time).
  const frame = () => new Promise((r) => { requestAnimationFrame(() => requestAnimationFrame(r)); setTimeout(r, 60); });
  el.scrollTop = 0;
  await frame();
  for (let guard = 0; guard < 3000; guard++) {
    for (const c of pane.querySelectorAll('.cell')) names.set(Number(c.dataset.index), c.dataset.name);
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
    if (atEnd && pane.dataset.done === 'true' && pane.dataset.loading === 'false') break;
    if (!atEnd) el.scrollTop += Math.max(40, el.clientHeight * 0.7);
    await frame();
  }
  el.scrollTop = 0;
  return { count: Number(pane.dataset.count), names: [...names.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]) };
}"""


def result_names(page):
    """Every file name in the result grid (scrolled through: the grid is virtualised)."""
    wait_done(page)
    r = page.evaluate(RESULT_NAMES_JS)
    assert len(r["names"]) == r["count"], r
    return r["names"]


def epoch(page) -> str:
    return page.locator(".column.focused [data-epoch]").first.get_attribute("data-epoch")


def rerun(page, action, done: bool = True):
    """Do `action`, then wait for the search (or draw) it starts to finish (or, with
    done=False, for its first page)."""
    before = epoch(page)
    action()
    page.wait_for_function(
        "(e) => { const el = document.querySelector('.column.focused [data-epoch]'); return el && el.dataset.epoch !== e; }",
        arg=before)
    if done:
        wait_done(page)
    else:
        page.wait_for_function(
            "() => { const p = document.querySelector('.column.focused .results-pane');"
            " return p && p.dataset.loading === 'false' && Number(p.dataset.count) > 0; }", timeout=30000)


def search(page, text: str, mode: str = None, done: bool = True):
    if mode:
        page.locator(f".search-mode[data-mode={mode}]").click()
        wait_done(page)
    box = page.locator(".search-input")
    box.fill(text)
    rerun(page, lambda: box.press("Enter"), done)


# -- tests -----------------------------------------------------------------------------------
def test_plain_text_search_returns_exactly_the_files_whose_prompt_holds_the_word(page, served, corpus):
    root, files = corpus
    word = "ponytail"
    only_in_prompts(word, root, files)
    expected = sorted(name_of(f) for f in files if word in positive(f))
    assert 5 <= len(expected) < len(files) // 2
    open_page(page, served, "search")
    search(page, word, mode="substr")
    expect(page.locator(".search-mode[data-mode=substr]")).to_have_attribute("aria-pressed", "true")
    got = result_names(page)
    assert sorted(got) == expected
    assert len(set(got)) == len(got)
    expect(page.locator(".results-count")).to_have_text(f"{len(expected)} results")
    # The query language reads one bare word the same way.
    search(page, word.upper(), mode="query")
    assert sorted(result_names(page)) == expected


def test_field_query_returns_exactly_the_matching_files(page, served, corpus):
    root, files = corpus
    only_in_prompts("flower", root, files)
    query = 'sampler:"DPM++ 2M" steps>30 -flower'
    expected = sorted(name_of(f) for f in files
                      if "dpm++ 2m" in sampler(f).lower() and (steps(f) or 0) > 30 and "flower" not in positive(f))
    assert len(expected) >= 5
    # The filter is not trivially satisfied: each part removes files.
    assert any("dpm++ 2m" in sampler(f).lower() and (steps(f) or 0) <= 30 for f in files)
    assert any("dpm++ 2m" in sampler(f).lower() and (steps(f) or 0) > 30 and "flower" in positive(f) for f in files)
    open_page(page, served, "search")
    expect(page.locator(".search-mode[data-mode=query]")).to_have_attribute("aria-pressed", "true")  # the default
    search(page, query)
    assert sorted(result_names(page)) == expected
    # OR and a quoted phrase: "long hair" OR ponytail, within the same sampler.
    only_in_prompts("long hair", root, files)
    search(page, 'sampler:"DPM++ 2M" ("long hair" OR ponytail)')
    expected_or = sorted(name_of(f) for f in files if "dpm++ 2m" in sampler(f).lower()
                         and ("long hair" in positive(f) or "ponytail" in positive(f)))
    assert expected_or and sorted(result_names(page)) == expected_or


def test_media_type_and_folder_scope_narrow_the_search(page, served, corpus):
    root, files = corpus
    open_page(page, served, "search")
    word = "ponytail"
    search(page, word)
    everywhere = sorted(result_names(page))
    # Scope: one sub-folder of the root (typed in the scope panel), the search reruns.
    folder = "outputs/txt2img-images/2026-01-01"
    inside = sorted(name_of(f) for f in files if word in positive(f) and f["path"].startswith(folder + "/"))
    assert 0 < len(inside) < len(everywhere)
    page.locator(".search-scope-btn").click()
    panel = page.locator(".search-scope")
    expect(panel.locator(f"input[data-path='{root}']")).not_to_be_checked()
    panel.locator(".scope-add .input").fill(str(root / folder))
    rerun(page, lambda: panel.locator(".scope-add .input").press("Enter"))
    expect(page.locator(".search-scope-btn")).to_contain_text("Chosen folders: 1")
    assert sorted(result_names(page)) == inside
    # Back to all folders, then videos only: the corpus has none.
    rerun(page, lambda: panel.locator(".scope-row", has_text="All indexed folders").locator("input").check())
    assert sorted(result_names(page)) == everywhere
    page.keyboard.press("Escape")
    expect(panel).to_have_count(0)
    rerun(page, lambda: page.locator(".search-media").select_option("video"))
    expect(page.locator(".results-pane")).to_have_attribute("data-count", "0")
    expect(page.locator(".grid-empty")).to_have_text("Nothing matches this search.")


def test_a_bad_regular_expression_shows_the_servers_message(page, served, corpus):
    root, files = corpus
    open_page(page, served, "search")
    search(page, "(unclosed", mode="regex")
    err = page.locator(".results-pane .pane-error")
    expect(err).to_be_visible()
    expect(err).to_contain_text("invalid regular expression")
    expect(page.locator(".results-pane")).to_have_attribute("data-count", "0")
    # A good one works in the same box, and clears the error.
    search(page, r"ponytail|cowboy shot", mode="regex")
    expect(err).to_have_count(0)
    expected = sorted(name_of(f) for f in files if re.search(r"ponytail|cowboy shot", positive(f)))
    only_in_prompts("cowboy shot", root, files)
    assert sorted(result_names(page)) == expected


def test_history_reruns_a_search_and_forgets_an_entry(page, served, corpus):
    root, files = corpus
    open_page(page, served, "search")
    search(page, "ponytail", mode="substr")
    first = sorted(result_names(page))
    search(page, "cowboy shot", mode="query")
    second = sorted(result_names(page))
    assert first != second
    page.locator(".search-history-btn").click()
    items = page.locator(".history-item")
    expect(items).to_have_count(2)
    expect(items.nth(0).locator(".history-q")).to_have_text("cowboy shot")  # newest first
    expect(items.nth(1).locator(".history-q")).to_have_text("ponytail")
    rerun(page, lambda: items.nth(1).locator(".history-run").click())
    expect(page.locator(".search-input")).to_have_value("ponytail")
    expect(page.locator(".search-mode[data-mode=substr]")).to_have_attribute("aria-pressed", "true")
    assert sorted(result_names(page)) == first
    # Kept in this browser: a new tab of the page lists it; one entry can be removed.
    open_page(page, served, "search")
    page.locator(".search-history-btn").click()
    expect(items).to_have_count(2)
    expect(items.nth(0).locator(".history-q")).to_have_text("ponytail")  # the rerun moved it up
    items.nth(1).locator(".history-remove").click()
    expect(items).to_have_count(1)
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('iib.searchHistory'))")
    assert stored == [{"q": "ponytail", "mode": "substr"}]


def test_the_syntax_help_runs_an_example(page, served, corpus):
    root, files = corpus
    open_page(page, served, "search")
    page.locator(".search-help-btn").click()
    help_panel = page.locator(".search-help")
    expect(help_panel).to_be_visible()
    example = help_panel.locator(".help-example", has_text="ext:webp")
    rerun(page, example.click)
    expect(help_panel).to_have_count(0)
    expect(page.locator(".search-input")).to_have_value("ext:webp")
    expected = sorted(name_of(f) for f in files if f["path"].endswith(".webp"))
    assert expected and sorted(result_names(page)) == expected


def test_a_reload_restores_and_reruns_the_search(page, served, corpus):
    root, files = corpus
    open_page(page, served, "search")
    page.locator(".search-media").select_option("image")
    search(page, "cowboy shot", mode="substr")
    before = sorted(result_names(page))
    assert before
    page.reload()
    wait_started(page)
    expect(page.locator(".search-input")).to_have_value("cowboy shot")
    expect(page.locator(".search-mode[data-mode=substr]")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".search-media")).to_have_value("image")
    assert sorted(result_names(page)) == before
    expect(page.locator(".tab.active .tab-title")).to_have_text("Search: cowboy shot")


def test_another_part_of_the_ui_can_open_a_search(page, served, corpus):
    root, files = corpus
    open_page(page, served, "start")
    before = page.locator(".column.focused .tab").count()
    page.evaluate("""async () => {
      const ws = await import(window.IIB_ASSETS + 'js/workspace.js');
      ws.showPage('search', { q: 'ponytail', mode: 'substr', ran: true });
    }""")
    expect(page.locator(".column.focused .tab")).to_have_count(before + 1)
    wait_started(page)
    expect(page.locator(".search-input")).to_have_value("ponytail")
    assert sorted(result_names(page)) == sorted(name_of(f) for f in files if "ponytail" in positive(f))
    # The open page follows a new request without a reload.
    page.evaluate("""async () => {
      const ws = await import(window.IIB_ASSETS + 'js/workspace.js');
      ws.showPage('search', { q: 'ext:webp', mode: 'query', ran: true });
    }""")
    expect(page.locator(".search-input")).to_have_value("ext:webp")
    wait_done(page)
    assert sorted(result_names(page)) == sorted(name_of(f) for f in files if f["path"].endswith(".webp"))
    expect(page.locator(".column.focused .tab")).to_have_count(before + 1)


def test_keyboard_slash_focuses_the_box_and_arrow_down_enters_the_grid(page, served, corpus):
    root, files = corpus
    open_page(page, served, "search")
    search(page, "ponytail")
    total = int(page.locator(".results-pane").get_attribute("data-count"))
    page.locator(".grid-scroll").focus()
    page.keyboard.press("/")
    expect(page.locator(".search-input")).to_be_focused()
    expect(page.locator(".search-input")).to_have_value("ponytail")  # "/" selects, it does not type
    page.keyboard.press("ArrowDown")
    expect(page.locator(".grid-scroll")).to_be_focused()
    first = page.locator(".cell[data-index='0']")
    expect(first).to_have_class(re.compile(r"\bfocused\b"))
    page.keyboard.press("ArrowRight")
    expect(page.locator(".cell[data-index='1']")).to_have_class(re.compile(r"\bfocused\b"))
    page.keyboard.press("Enter")
    expect(page.locator(".preview")).to_be_visible()
    expect(page.locator(".preview-pos")).to_have_text(f"2 / {total}")
    name = page.locator(".preview-title").text_content()
    shown = next(f for f in files if name_of(f) == name)
    assert "ponytail" in positive(shown)
    page.keyboard.press("ArrowRight")
    expect(page.locator(".preview-pos")).to_have_text(f"3 / {total}")
    page.keyboard.press("Escape")
    expect(page.locator(".preview")).to_have_count(0)
    # Ctrl+F: the box again (not the browser's find bar). The closed preview hands the focus
    # back to the grid first (wait for that, so it cannot come after the key).
    expect(page.locator(".grid-scroll")).to_be_focused()
    page.keyboard.press("Control+f")
    expect(page.locator(".search-input")).to_be_focused()


def test_a_large_result_loads_page_by_page_as_the_grid_nears_its_end(page, served, corpus):
    root, files = corpus
    open_page(page, served, "search")
    search(page, "", done=False)  # an empty query: every indexed file, newest first
    pane = page.locator(".results-pane")
    expect(pane).to_have_attribute("data-count", "200")  # the first page only
    expect(pane).to_have_attribute("data-done", "false")
    expect(page.locator(".results-count")).to_have_text("200+ results")
    cell0 = page.locator(".cell[data-index='0']")
    cell0.click()
    expect(page.locator(".preview-pos")).to_have_text("1 / 200+")
    page.keyboard.press("Escape")
    page.locator(".grid-scroll").focus()
    page.keyboard.press("End")  # the end of the loaded rows: the grid asks for the next page
    expect(pane).to_have_attribute("data-count", str(len(files)), timeout=30000)
    wait_done(page)
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    expect(page.locator(".preview-pos")).to_have_text(f"{len(files)} / {len(files)}")
    page.keyboard.press("Escape")
    expect(page.locator(".preview")).to_have_count(0)
    assert sorted(result_names(page)) == sorted(name_of(f) for f in files)


def test_results_grid_has_the_context_menu_and_selection(page, served, corpus):
    open_page(page, served, "search")
    search(page, "ponytail")
    cells = page.locator(".results-pane .cell")
    cells.nth(0).click(modifiers=["Control"])
    cells.nth(1).click(modifiers=["Control"])
    expect(page.locator(".selection-bar .sel-count")).to_contain_text("2")
    cells.nth(1).click(button="right")
    menu = page.locator(".context-menu")
    expect(menu_item(page, "moveTo")).to_be_visible()
    menu_item(page, "batch").click()  # the same menu as a folder's: add both to the batch download
    expect(menu).to_have_count(0)
    expect(page.locator(".results-pane .status-bar")).to_contain_text("2 in the batch download")


def test_random_page_shows_indexed_images_and_refresh_draws_others(page, served, corpus):
    root, files = corpus
    names = {name_of(f) for f in files}
    open_page(page, served, "random")
    wait_started(page)
    pane = page.locator(".results-pane")
    expect(pane).to_have_attribute("data-count", "128")  # 128 of the 300 indexed files
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('.results-pane .cell .thumb-img')];"
        " return imgs.length > 4 && imgs.slice(0, 4).every(i => i.complete && i.naturalWidth > 0); }")
    first = result_names(page)
    assert len(set(first)) == 128 and set(first) <= names
    rerun(page, page.locator(".random-refresh").click)
    second = result_names(page)
    assert len(set(second)) == 128 and set(second) <= names
    assert second != first  # the same 128 in the same order by chance: about 1 in 10^200
    # The R key draws again (the grid has the focus, nobody is typing).
    page.locator(".grid-scroll").focus()
    rerun(page, lambda: page.keyboard.press("r"))
    third = result_names(page)
    assert len(set(third)) == 128 and third != second
