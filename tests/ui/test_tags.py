"""Tags, tag search and favourites in real Chromium, on a synthetic corpus whose manifest gives
every file's model, sampler and LoRAs: AND/OR/NOT tag search returns exactly the manifest's
matching files; a tag made on the tags page and put on 3 selected files from the context menu
finds exactly those 3; rename/recolour/delete; the translation table; the rating filter of the
favourites page; a key bound to a tag toggles it."""
from __future__ import annotations

import collections
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from support.corpus import make_corpus
from ui.pages import cell, menu_item, open_folder, serve

N = 300


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("tagcorpus") / "corpus"
    root.mkdir()
    manifest = make_corpus(root, N, seed=7)
    return root, manifest


@pytest.fixture(scope="module")
def served(corpus, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("server"), [corpus[0]]) as s:
        yield s


def tags_of(entry: dict) -> dict:
    """The Model / Sampler / LoRA tags the indexer derives for a manifest entry."""
    p = entry["params"] or {}
    if entry["kind"] == "a1111":
        return {"Model": p.get("Model"), "Sampler": p.get("Sampler"), "lora": set(entry["loras"])}
    if entry["kind"] == "comfyui":
        return {"Model": p.get("ckpt_name"), "Sampler": p.get("sampler_name"),
                "lora": {name + ".safetensors" for name in entry["loras"]}}
    return {"Model": None, "Sampler": None, "lora": set()}


def api(served, route, body=None):
    with served.client() as c:
        r = c.post(served.base + route, json=body) if body is not None else c.get(served.base + route)
        assert r.status_code == 200, r.text
        return r.json()


def open_page(page, served, kind):
    """A new tab with the start page, then the page `kind` from there."""
    page.goto(served.app_url)
    page.locator(".column.focused .tabbar").get_by_role("button", name="New tab").click()
    page.locator(f".column.focused .start-page-link[data-kind={kind}]").click()


def result_paths(page):
    pane = page.locator(".column.focused .results-pane")
    expect(pane).to_have_attribute("data-done", "true", timeout=20000)
    expect(pane).to_have_attribute("data-loading", "false", timeout=20000)
    return page.evaluate("""() => {
        const out = [];
        for (const el of document.querySelectorAll('.column.focused .results-pane .cell')) out.push(el.dataset.name);
        return out; }""")


def grid_names(page, expected_count):
    """Names of every result (the grid is virtualised: scroll through it)."""
    pane = page.locator(".column.focused .results-pane")
    expect(pane).to_have_attribute("data-done", "true", timeout=20000)
    expect(pane).to_have_attribute("data-count", str(expected_count), timeout=20000)
    seen = set()
    scroller = page.locator(".column.focused .results-pane .grid-scroll")
    for _ in range(200):
        seen.update(page.eval_on_selector_all(".column.focused .results-pane .cell", "els => els.map(e => e.dataset.name)"))
        at_end = scroller.evaluate("el => { const end = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;"
                                   " el.scrollTop += el.clientHeight * 0.8; return end; }")
        if at_end:
            break
        page.wait_for_timeout(60)
    return seen


def pick(page, name, type_, modifiers=None, filter_text=None):
    box = page.locator(".tag-filter-input")
    box.fill(filter_text if filter_text is not None else name)
    button = page.locator(f".tag-group[data-type={json.dumps(type_)}] .tag-pick[data-name={json.dumps(name)}]")
    button.click(modifiers=modifiers or [])
    box.fill("")


def test_and_or_not_tag_search_matches_the_manifest(page, served, corpus):
    root, manifest = corpus
    files = [f for f in manifest["files"]]
    derived = {f["path"]: tags_of(f) for f in files}
    # The A1111 model/sampler pair with the most files, of which some use a LoRA (to exclude).
    pairs = collections.Counter((d["Model"], d["Sampler"]) for f, d in derived.items() if d["Model"] and d["lora"])
    (model, sampler), _ = max(pairs.items(), key=lambda kv: (kv[1], kv[0]))
    with_pair = [p for p, d in derived.items() if d["Model"] == model and d["Sampler"] == sampler]
    lora = collections.Counter(x for p in with_pair for x in derived[p]["lora"]).most_common(1)[0][0]
    expected = {Path(p).name for p in with_pair if lora not in derived[p]["lora"]}
    assert 0 < len(expected) < len(with_pair)

    open_page(page, served, "tagsearch")
    expect(page.locator(".tag-group[data-type=Model]")).to_be_visible()
    expect(page.locator(".grid-empty")).to_have_text("Pick tags on the left to find files.")
    # Prompt words are many: the group shows the 30 most used and pages on with "show more".
    pos = page.locator(".tag-group[data-type=pos]")
    expect(pos.locator(".tag-pick")).to_have_count(30)
    total = int(pos.locator("h3 .muted").inner_text())
    assert total > 30
    counts = [int(x) for x in pos.locator(".tag-count").all_inner_texts()]
    assert counts == sorted(counts, reverse=True)
    pos.locator(".tag-more-btn").click()
    expect(pos.locator(".tag-pick")).to_have_count(min(total, 150))
    pick(page, model, "Model")
    pick(page, sampler, "Sampler")
    pick(page, lora, "lora", modifiers=["Alt"])
    expect(page.locator(".tag-set[data-set=and] .tag-chip")).to_have_count(2)
    expect(page.locator(".tag-set[data-set=not] .tag-chip")).to_have_text(lora)
    assert grid_names(page, len(expected)) == expected

    # OR: two models (Shift+click), NOT one sampler; removing a chip searches again.
    page.locator(".tag-set[data-set=and] .tag-chip", has_text=sampler).get_by_role("button").click()
    page.locator(".tag-set[data-set=not] .tag-chip").get_by_role("button").click()
    page.locator(".tag-set[data-set=and] .tag-chip").get_by_role("button").click()
    models = collections.Counter(d["Model"] for d in derived.values() if d["Model"]).most_common(2)
    m1, m2 = models[0][0], models[1][0]
    pick(page, m1, "Model", modifiers=["Shift"])
    pick(page, m2, "Model", modifiers=["Shift"])
    # The explicit NOT mode button, then a plain click.
    page.locator(".tag-modes button[data-mode=not]").click()
    pick(page, sampler, "Sampler")
    expect(page.locator(".tag-set[data-set=or] .tag-chip")).to_have_count(2)
    expect(page.locator(".tag-set[data-set=not] .tag-chip")).to_have_text(sampler)
    expected = {Path(p).name for p, d in derived.items() if d["Model"] in (m1, m2) and d["Sampler"] != sampler}
    assert grid_names(page, len(expected)) == expected

    # The sets are kept with the tab: after a reload the same search runs again.
    page.reload()
    expect(page.locator(".tag-set[data-set=or] .tag-chip")).to_have_count(2)
    assert grid_names(page, len(expected)) == expected

    # Folder scope: only the matches inside one folder.
    folder = collections.Counter(str(Path(p).parent) for p, d in derived.items()
                                 if d["Model"] in (m1, m2) and d["Sampler"] != sampler).most_common(1)[0][0]
    inside = {Path(p).name for p, d in derived.items()
              if d["Model"] in (m1, m2) and d["Sampler"] != sampler and str(Path(p).parent) == folder}
    assert 0 < len(inside) < len(expected)
    page.locator("input[name=folders]").fill(str(root / folder))
    page.locator("input[name=folders]").press("Enter")
    assert grid_names(page, len(inside)) == inside
    # Random order: the same files.
    page.locator("input[name=random]").check()
    assert grid_names(page, len(inside)) == inside


def test_autocomplete_by_translation_and_keyboard(page, served, corpus):
    root, manifest = corpus
    sampler = collections.Counter(tags_of(f)["Sampler"] for f in manifest["files"] if f["kind"] == "a1111").most_common(1)[0][0]
    expected = {Path(f["path"]).name for f in manifest["files"] if tags_of(f)["Sampler"] == sampler}
    # A translation stored on the tags page...
    open_page(page, served, "tags")
    page.locator("input[name=tr-name]").fill(sampler)
    page.locator("input[name=tr-value]").fill("Zebrasampler")
    page.locator(".tag-translation-add button[type=submit]").click()
    expect(page.locator(f".translations-table tr[data-name={json.dumps(sampler)}]")).to_be_visible()
    stored = api(served, "/global_setting")["app_fe_setting"]["tag_translations"]
    assert stored == {sampler: "Zebrasampler"}
    # ... is found by the tag filter; arrows and Enter pick it.
    open_page(page, served, "tagsearch")
    box = page.locator(".tag-filter-input")
    box.fill("zebra")
    suggestion = page.locator(".tag-suggestion").first
    expect(suggestion).to_contain_text("Zebrasampler")
    box.press("ArrowDown")
    expect(suggestion).to_have_attribute("aria-selected", "true")
    box.press("Enter")
    expect(page.locator(".tag-set[data-set=and] .tag-chip")).to_have_text("Zebrasampler")
    assert grid_names(page, len(expected)) == expected
    # Keys on a focused tag: N puts it into NOT, A moves it to AND, A again takes it out.
    media = page.locator(".tag-group[data-type='Media Type'] .tag-pick[data-name=Image]")
    media.focus()
    media.press("n")
    expect(page.locator(".tag-set[data-set=not] .tag-chip")).to_have_text("Image")
    expect(media).to_have_class(re.compile(r"\bin-not\b"))
    assert grid_names(page, 0) == set()  # every file of the corpus is an image
    media.press("a")
    expect(page.locator(".tag-set[data-set=not] .tag-chip")).to_have_count(0)
    expect(page.locator(".tag-set[data-set=and] .tag-chip")).to_have_count(2)
    media.press("a")
    expect(page.locator(".tag-set[data-set=and] .tag-chip")).to_have_count(1)
    assert grid_names(page, len(expected)) == expected


def test_new_tag_on_three_selected_files_then_search(page, served, corpus):
    root, manifest = corpus
    folder = root / Path(manifest["files"][0]["path"]).parent
    open_page(page, served, "tags")
    page.locator("input[name=new-tag]").fill("shortlist")
    page.locator(".tag-create button[type=submit]").click()
    expect(page.locator(".custom-tags tr[data-tag=shortlist]")).to_be_visible()

    open_folder(page, served, folder)
    names = sorted(page.eval_on_selector_all(".column.focused .cell[data-kind=image]", "els => els.map(e => e.dataset.name)"))[:3]
    assert len(names) == 3
    cell(page, names[0]).click(modifiers=["Control"])
    cell(page, names[1]).click(modifiers=["Control"])
    cell(page, names[2]).click(modifiers=["Control"])
    cell(page, names[2]).click(button="right")
    menu_item(page, "tags").hover()
    item = f"tag{next(t['id'] for t in api(served, '/global_setting')['all_custom_tags'] if t['name'] == 'shortlist')}"
    expect(menu_item(page, item).locator(".menu-icon svg")).to_have_count(0)  # not on all of them yet
    menu_item(page, item).click()
    for n in names:  # the badge appears without a reload
        expect(cell(page, n).locator(".badge-tags")).to_have_attribute("data-tags", "shortlist")
    got = api(served, "/db/get_image_tags", {"paths": [str(folder / n) for n in names]})
    assert sorted(Path(p).name for p, tags in got.items() if [t["name"] for t in tags] == ["shortlist"]) == names

    open_page(page, served, "tagsearch")
    pick(page, "shortlist", "custom")
    assert grid_names(page, 3) == set(names)
    # Context menu on a result: the tag is checked there, and removing it from one works.
    cell(page, names[0]).click(button="right")
    menu_item(page, "tags").click()  # a click opens the submenu (and keeps it open)
    expect(menu_item(page, item).locator(".menu-icon svg")).to_have_count(1)  # checked: the file has it
    menu_item(page, item).click()
    expect(cell(page, names[0]).locator(".badge-tags")).to_have_count(0)
    assert set(api(served, "/db/get_image_tags", {"paths": [str(folder / n) for n in names]})) == {
        str(folder / names[1]), str(folder / names[2])}


def test_new_tag_from_the_context_menu(page, served, corpus):
    root, manifest = corpus
    folder = root / Path(manifest["files"][-1]["path"]).parent
    open_folder(page, served, folder)
    name = sorted(page.eval_on_selector_all(".column.focused .cell[data-kind=image]", "els => els.map(e => e.dataset.name)"))[0]
    cell(page, name).click(button="right")
    menu_item(page, "tags").hover()
    menu_item(page, "newTag").click()
    page.locator(".dialog input").fill("from menu")
    page.locator(".dialog input").press("Enter")
    expect(cell(page, name).locator(".badge-tags")).to_have_attribute("data-tags", "from menu")
    got = api(served, "/db/get_image_tags", {"paths": [str(folder / name)]})
    assert [t["name"] for t in got[str(folder / name)]] == ["from menu"]


def test_rename_recolour_delete(page, served, corpus):
    root, manifest = corpus
    tag = api(served, "/db/add_custom_tag", {"tag_name": "to-edit"})
    path = str(root / manifest["files"][5]["path"])
    api(served, "/db/batch_update_image_tag", {"img_paths": [path], "action": "add", "tag_id": tag["id"]})
    open_page(page, served, "tags")
    row = page.locator(".custom-tags tr[data-tag=to-edit]")
    expect(row.locator(".tag-count-cell")).to_have_text("1")
    # Rename
    row.locator(".tag-rename").click()
    page.locator(".dialog input").fill("edited")
    page.locator(".dialog input").press("Enter")
    row = page.locator(f".custom-tags tr[data-id='{tag['id']}']")
    expect(row).to_have_attribute("data-tag", "edited")
    assert [t["name"] for t in api(served, "/db/get_image_tags", {"paths": [path]})[path]] == ["edited"]
    # Renaming onto an existing name is refused with a readable message.
    row.locator(".tag-rename").click()
    page.locator(".dialog input").fill("like")
    page.locator(".dialog input").press("Enter")
    expect(page.locator(".toast").last).to_contain_text("exists already")
    expect(row).to_have_attribute("data-tag", "edited")
    # Recolour
    row.locator("input.tag-color").fill("#ff0000")
    expect(row.locator(".tag-swatch")).to_have_attribute("style", "background: rgb(255, 0, 0);")
    custom = {t["id"]: t for t in api(served, "/global_setting")["all_custom_tags"]}
    assert custom[tag["id"]]["color"] == "#ff0000"
    # Built-in tags cannot be renamed or deleted.
    expect(page.locator(".custom-tags tr[data-tag=like] .tag-delete")).to_be_disabled()
    # Delete, after confirming.
    row.locator(".tag-delete").click()
    page.locator(".dialog").get_by_role("button", name="Cancel").click()
    expect(row).to_be_visible()
    row.locator(".tag-delete").click()
    page.locator(".dialog").get_by_role("button", name="Delete").click()
    expect(page.locator(f".custom-tags tr[data-id='{tag['id']}']")).to_have_count(0)
    assert all(t["id"] != tag["id"] for t in api(served, "/global_setting")["all_custom_tags"])
    assert api(served, "/db/get_image_tags", {"paths": [path]}) == {}


def test_translation_import_export(page, served):
    open_page(page, served, "tags")
    page.get_by_role("button", name="Import JSON").click()
    area = page.locator(".tag-io-text")
    area.fill("[1, 2]")
    page.locator(".tag-import-replace").click()
    expect(page.locator(".tag-io-box .error-text")).to_contain_text("Cannot import")
    area.fill(json.dumps({"masterpiece": "Meisterwerk", "best quality": "beste Qualität"}))
    page.locator(".tag-import-replace").click()
    expect(page.locator(".translations-table tr")).to_have_count(2)
    assert api(served, "/global_setting")["app_fe_setting"]["tag_translations"] == {
        "masterpiece": "Meisterwerk", "best quality": "beste Qualität"}
    page.get_by_role("button", name="Export as JSON").click()
    assert json.loads(page.locator(".tag-io-text").input_value()) == {
        "masterpiece": "Meisterwerk", "best quality": "beste Qualität"}
    # Editing one entry to empty removes it.
    page.locator(".translations-table tr[data-name=masterpiece] input").fill("")
    page.locator(".translations-table tr[data-name=masterpiece] input").press("Enter")
    expect(page.locator(".translations-table tr")).to_have_count(1)
    assert api(served, "/global_setting")["app_fe_setting"]["tag_translations"] == {"best quality": "beste Qualität"}


def test_favourites_page_with_rating_filter(page, served, corpus):
    root, manifest = corpus
    paths = [str(root / f["path"]) for f in manifest["files"][40:46]]
    like = next(t for t in api(served, "/global_setting")["all_custom_tags"] if t["name"] == "like")
    api(served, "/db/batch_update_image_tag", {"img_paths": paths[:4], "action": "add", "tag_id": like["id"]})
    for p, stars in zip(paths, (5, 3, 1, None, 4, 2)):
        api(served, "/db/set_rating", {"path": p, "rating": stars})
    name = lambda p: Path(p).name  # noqa: E731
    open_page(page, served, "favourites")
    assert grid_names(page, 4) == {name(p) for p in paths[:4]}
    page.locator("select[name=min-rating]").select_option("3")
    assert grid_names(page, 2) == {name(paths[0]), name(paths[1])}
    # Not only favourites: every file rated at least 2 stars.
    page.locator(".fav-only").click()
    expect(page.locator(".fav-only")).to_have_attribute("aria-pressed", "false")
    page.locator("select[name=min-rating]").select_option("2")
    assert grid_names(page, 4) == {name(paths[0]), name(paths[1]), name(paths[4]), name(paths[5])}
    page.reload()  # the filter is kept with the tab
    expect(page.locator("select[name=min-rating]")).to_have_value("2")
    assert grid_names(page, 4) == {name(paths[0]), name(paths[1]), name(paths[4]), name(paths[5])}


def test_a_key_bound_to_a_tag_toggles_it(page, served, corpus):
    root, manifest = corpus
    tag = api(served, "/db/add_custom_tag", {"tag_name": "keeper"})
    used = {Path(manifest["files"][i]["path"]).parent for i in (0, -1)}
    folder = root / next(Path(f["path"]).parent for f in manifest["files"] if Path(f["path"]).parent not in used)
    open_page(page, served, "tags")
    row = page.locator(".custom-tags tr[data-tag=keeper]")
    row.locator(".key-btn").click()
    page.keyboard.press("k")
    expect(row.locator(".key-btn kbd")).to_have_text("k")
    page.wait_for_timeout(700)  # settings reach the server after 500 ms
    open_folder(page, served, folder)
    names = sorted(page.eval_on_selector_all(".column.focused .cell[data-kind=image]", "els => els.map(e => e.dataset.name)"))[:2]
    cell(page, names[0]).click(modifiers=["Control"])
    cell(page, names[1]).click(modifiers=["Control"])
    page.keyboard.press("k")
    for n in names:
        expect(cell(page, n).locator(".badge-tags")).to_have_attribute("data-tags", "keeper")
    got = api(served, "/db/get_image_tags", {"paths": [str(folder / n) for n in names]})
    assert sorted(Path(p).name for p, ts in got.items() if any(t["id"] == tag["id"] for t in ts)) == names
    # The key also works in the preview, and toggles off.
    cell(page, names[0]).click()
    expect(page.locator(".preview")).to_be_visible()
    page.keyboard.press("k")
    expect(page.locator(".geninfo .chip", has_text="keeper")).to_have_attribute("aria-pressed", "false")
    page.keyboard.press("Escape")
    expect(cell(page, names[0]).locator(".badge-tags")).to_have_count(0)
    got = api(served, "/db/get_image_tags", {"paths": [str(folder / n) for n in names]})
    assert [Path(p).name for p, ts in got.items() if any(t["id"] == tag["id"] for t in ts)] == [names[1]]
    # The menu shows the key next to the tag.
    cell(page, names[1]).click(button="right")
    menu_item(page, "tags").hover()
    expect(menu_item(page, f"tag{tag['id']}").locator("kbd")).to_have_text("k")


def test_the_tags_submenu_works_from_the_keyboard(page, served, corpus):
    root, manifest = corpus
    folder = root / Path(manifest["files"][1]["path"]).parent
    api(served, "/db/add_custom_tag", {"tag_name": "keyboarded"})
    tag_id = next(t["id"] for t in api(served, "/global_setting")["all_custom_tags"] if t["name"] == "keyboarded")
    open_folder(page, served, folder)
    name = sorted(page.eval_on_selector_all(".column.focused .cell[data-kind=image]", "els => els.map(e => e.dataset.name)"))[0]
    cell(page, name).click(button="right")
    # Down to "Tags", Right into its submenu, Down to our tag, Enter toggles it on.
    for _ in range(40):
        page.keyboard.press("ArrowDown")
        if page.evaluate("() => document.activeElement && document.activeElement.dataset.id") == "tags":
            break
    page.keyboard.press("ArrowRight")
    expect(menu_item(page, f"tag{tag_id}")).to_be_visible()
    assert page.evaluate("() => !!document.activeElement.closest('.menu-item.has-sub .menu')")
    for _ in range(40):
        if page.evaluate("() => document.activeElement && document.activeElement.dataset.id") == f"tag{tag_id}":
            break
        page.keyboard.press("ArrowDown")
    before = [t["name"] for t in api(served, "/db/get_image_tags", {"paths": [str(folder / name)]}).get(str(folder / name), [])]
    assert "keyboarded" not in before
    page.keyboard.press("Enter")
    expect(cell(page, name).locator(".badge-tags")).to_have_attribute("data-tags", re.compile(r"(^|\n)keyboarded($|\n)"))
    got = api(served, "/db/get_image_tags", {"paths": [str(folder / name)]})
    assert sorted(t["name"] for t in got[str(folder / name)]) == sorted(before + ["keyboarded"])
