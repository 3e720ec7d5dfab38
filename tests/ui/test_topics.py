"""The natural-language page in Chromium, against IIB served by uvicorn and a real
OpenAI-protocol server on 127.0.0.1 (tests/support/openai_stub.py): topics with their images,
sentence search, the tag graph, organise with confirm and undo, and the scope kept on the server."""
from __future__ import annotations

import random
import re

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from support.openai_stub import OpenAIStub
from ui.pages import serve

THEMES = {
    "city": ["cyberpunk", "city", "street", "night", "neon", "signs", "rain", "reflections", "asphalt"],
    "fox": ["red", "fox", "snowy", "forest", "winter", "pine", "trees", "snowflakes", "frost"],
    "ramen": ["bowl", "ramen", "noodles", "steaming", "broth", "chopsticks", "egg", "japanese", "food"],
    "space": ["astronaut", "floating", "space", "planets", "stars", "nebula", "spaceship", "orbit", "galaxy"],
}


@pytest.fixture(scope="module")
def stub():
    with OpenAIStub() as server:
        yield server


@pytest.fixture
def library(tmp_path):
    rng = random.Random(11)
    root = tmp_path / "library"
    n = 0
    for theme, words in THEMES.items():
        for i in range(8):
            n += 1
            prompt = ", ".join(["masterpiece", "best quality"] + rng.sample(words, 7))
            a1111_png(root / f"set{n % 2}" / f"{n:03d}-{theme}.png", prompt, seed=n)
    return root


@pytest.fixture
def served(tmp_path, library, stub):
    env = {"OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": "sk-test", "EMBEDDING_MODEL": "stub-embed",
           "AI_MODEL": "stub-chat", "IIB_AI_MAX_RETRIES": "1"}
    with serve(tmp_path / "server", [library], env=env) as s:
        yield s


def theme_of(name: str) -> str:
    return re.match(r"\d+-(\w+)\.png", name).group(1)


def open_topics(page, served, library):
    page.goto(served.app_url)
    page.locator(".start-page-link[data-kind=topics]").click()
    page.locator(".topics-page").wait_for()
    box = page.locator(f"input[name=scope][value='{library}']")
    if not box.is_checked():
        box.check()
    page.locator(".topic-tuning summary").click()
    page.locator("input[name=threshold]").fill("0.5")
    page.locator("input[name=threshold]").press("Tab")
    page.locator("input[name=min_cluster_size]").fill("3")
    page.locator("input[name=min_cluster_size]").press("Tab")


def refresh_topics(page):
    page.locator(".topic-refresh").click()
    expect(page.locator(".topics-page")).to_have_attribute("data-running", "false", timeout=120_000)
    expect(page.locator(".topic-card").first).to_be_visible(timeout=60_000)


def grid_names(page):
    page.wait_for_function("() => { const p = document.querySelector('.column.focused .results-pane');"
                           " return p && p.dataset.done === 'true' && p.dataset.loading === 'false'; }", timeout=60_000)
    return page.eval_on_selector_all(".column.focused .cell", "els => els.map(e => e.dataset.name)")


def test_topics_open_their_images_and_the_scope_is_kept(page, served, library, stub):
    open_topics(page, served, library)
    refresh_topics(page)
    cards = page.locator(".topic-card")
    expect(cards).to_have_count(len(THEMES))
    # Titles come from the chat model (the stub names a topic "<lang>: <top words>").
    for title in cards.locator(".topic-title").all_inner_texts():
        assert title.startswith("en: "), title
    assert len(stub.calls("/chat/completions")) >= len(THEMES)
    # A topic card opens its images in the result grid: one theme, as many as the card says.
    card = cards.first
    size = int(card.get_attribute("data-size"))
    card.locator(".topic-open").click()
    names = grid_names(page)
    assert len(names) == size
    assert len({theme_of(n) for n in names}) == 1
    # The scope lives on the server (app_fe_setting["topic_search_scope"]) and comes back.
    stored = served.client().get(served.base + "/global_setting").json()["app_fe_setting"]["topic_search_scope"]
    assert str(library) in (stored if isinstance(stored, list) else stored["folders"])
    page.evaluate("localStorage.clear()")
    page.goto(served.app_url)
    page.locator(".start-page-link[data-kind=topics]").click()
    expect(page.locator(f"input[name=scope][value='{library}']")).to_be_checked()


def test_a_sentence_finds_its_theme_first(page, served, library):
    open_topics(page, served, library)
    page.locator("input[name=nlquery]").fill("a red fox in a snowy pine forest, winter frost")
    page.locator("input[name=nlquery]").press("Enter")
    expect(page.locator(".tab.active .tab-title")).to_contain_text("red fox")
    names = grid_names(page)
    assert len(names) >= 8
    assert [theme_of(n) for n in names[:8]] == ["fox"] * 8


def test_the_tag_graph_links_topics_to_keywords_and_opens_a_topic(page, served, library):
    open_topics(page, served, library)
    refresh_topics(page)
    page.get_by_role("button", name="Tag graph").click()
    graph = page.locator(".tag-graph")
    expect(graph.locator(".graph-node.cluster")).to_have_count(len(THEMES), timeout=30_000)
    assert int(graph.get_attribute("data-links")) >= len(THEMES)
    assert graph.locator(".graph-node.tag").count() >= len(THEMES)
    node = graph.locator(".graph-node.cluster").first
    node.focus()
    page.keyboard.press("Enter")
    names = grid_names(page)
    assert names and len({theme_of(n) for n in names}) == 1


def test_organise_plans_moves_on_confirm_and_undoes(page, served, library, tmp_path):
    before = sorted(str(p) for p in library.rglob("*.png"))
    dest = tmp_path / "organised"
    open_topics(page, served, library)
    page.locator("input[name=dest]").fill(str(dest))
    page.locator(".organise-plan").click()
    plan = page.locator(".organise-plan-view")
    expect(plan).to_be_visible(timeout=120_000)
    moving = int(plan.get_attribute("data-moves"))
    assert moving == len(before)
    assert not dest.exists()  # nothing moves before the confirmation
    folders = plan.locator(".plan-groups > li")
    expect(folders).to_have_count(len(THEMES))
    page.locator(".organise-confirm").click()
    expect(page.locator(".organise-outcome")).to_have_attribute("data-moved", str(moving), timeout=60_000)
    moved = sorted(p for p in dest.rglob("*.png"))
    assert len(moved) == moving and not list(library.rglob("*.png"))
    for folder in {p.parent for p in moved}:  # one theme per topic folder
        assert len({theme_of(p.name) for p in folder.glob("*.png")}) == 1, folder
    page.locator(".organise-undo").click()
    expect(page.locator(".organise-outcome")).to_have_attribute("data-undone", "true", timeout=60_000)
    assert sorted(str(p) for p in library.rglob("*.png")) == before
    assert not list(dest.rglob("*.png"))


def test_a_provider_failure_is_shown_not_hidden(page, served, library, stub):
    open_topics(page, served, library)
    stub.fail("500", times=10, endpoint="/embeddings")
    try:
        page.locator(".topic-refresh").click()
        expect(page.locator(".topics-page .error-text[role=alert]")).to_be_visible(timeout=60_000)
        expect(page.locator(".topic-card")).to_have_count(0)
    finally:
        stub.clear()
