"""The compare tab in real Chromium: two images picked from a grid, across panes and
from the preview; the slider split moved by pointer and keys; side by side with one zoom;
the generation info diff (changed prompt words, differing parameters); reload restores."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from ui.pages import cell, menu_item, open_folder, serve

RED = "a red cat on a sofa, masterpiece"
BLUE = "a blue cat on a sofa, masterpiece"
GREEN = "a green dog in a park"


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("cmp") / "lib"
    folder = root / "pair"
    a1111_png(folder / "red.png", RED, seed=11, negative="lowres", size=(16, 24))
    a1111_png(folder / "blue.png", BLUE, seed=22, negative="lowres, blurry", size=(32, 48))
    a1111_png(folder / "more" / "green.png", GREEN, seed=33, size=(24, 36))
    return root


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


def wait_images(page):
    """Both images are loaded (naturalWidth > 0) and laid out in the stage."""
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('.compare-page .cmp-img')];"
        " return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0 && i.style.width); }")
    return page.eval_on_selector_all(".compare-page .cmp-img", "els => els.map(e => [e.className, e.naturalWidth, e.naturalHeight])")


def split(page) -> float:
    return float(page.locator(".cmp-stage.slider").get_attribute("data-split"))


def test_two_selected_images_compare_with_slider_keys_and_a_diff(page, served, root):
    folder = root / "pair"
    open_folder(page, served, folder)
    cell(page, "red.png").click(modifiers=["Control"])
    cell(page, "blue.png").click(modifiers=["Control"])
    expect(page.locator(".cell.selected")).to_have_count(2)
    cell(page, "red.png").click(button="right")
    expect(menu_item(page, "compare")).to_have_text(re.compile("Compare"))
    menu_item(page, "compare").click()
    cmp = page.locator(".compare-page[data-a]")
    expect(cmp).to_be_visible()
    a, b = cmp.get_attribute("data-a"), cmp.get_attribute("data-b")
    assert {a, b} == {str(folder / "red.png"), str(folder / "blue.png")}
    sizes = dict((cls.split()[-1], (w, h)) for cls, w, h in wait_images(page))
    expected = {"red.png": (16, 24), "blue.png": (32, 48)}
    assert sizes["a"] == expected[a.rsplit("/", 1)[1]] and sizes["b"] == expected[b.rsplit("/", 1)[1]]
    if a.endswith("blue.png"):  # make A the red one: swap with the key
        cmp.focus()
        page.keyboard.press("s")
        expect(cmp).to_have_attribute("data-a", str(folder / "red.png"))
    expect(cmp).to_have_attribute("data-b", str(folder / "blue.png"))

    # The split: 50 %, then dragged by the handle, then stepped by the keys.
    assert split(page) == 50
    stage = page.locator(".cmp-stage.slider").bounding_box()
    handle = page.locator(".cmp-handle").bounding_box()
    hx, hy = handle["x"] + handle["width"] / 2, stage["y"] + stage["height"] / 2
    page.mouse.move(hx, hy)
    page.mouse.down()
    page.mouse.move(hx + 60, hy, steps=4)
    page.mouse.move(hx + 128, hy, steps=4)
    page.mouse.up()
    dragged = split(page)
    assert abs(dragged - (50 + 128 / stage["width"] * 100)) < 1.0, dragged
    clip = page.locator(".cmp-clip").evaluate("e => e.style.clipPath")
    assert clip == f"inset(0px 0px 0px {dragged:g}%)" or f"{dragged:g}%" in clip
    # The B layer really starts at the split: B's pixels right of it, A's left of it.
    expect(page.locator(".cmp-handle")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    assert split(page) == pytest.approx(dragged - 2, abs=0.11)
    page.keyboard.press("Shift+ArrowLeft")
    page.keyboard.press("Shift+ArrowLeft")
    assert split(page) == pytest.approx(dragged - 22, abs=0.11)
    page.keyboard.press("ArrowRight")
    assert split(page) == pytest.approx(dragged - 20, abs=0.11)
    # A click elsewhere on the unzoomed stage moves the split there (ImgSli).
    page.mouse.click(stage["x"] + stage["width"] * 0.25, hy)
    assert split(page) == pytest.approx(25, abs=0.5)

    # The generation info diff: the changed word is marked on both sides, shared words are not.
    prompt = page.locator(".cmp-section[data-section=prompt]")
    expect(prompt.locator(".cmp-diff-text.a .diff-del")).to_have_text(["red"])
    expect(prompt.locator(".cmp-diff-text.b .diff-add")).to_have_text(["blue"])
    expect(prompt.locator(".cmp-diff-text.a")).to_have_text(RED)
    expect(prompt.locator(".cmp-diff-text.b")).to_have_text(BLUE)
    expect(prompt).to_contain_text("Words only in A: 1 · only in B: 1")
    negative = page.locator(".cmp-section[data-section=negative]")
    expect(negative.locator(".diff-add")).to_contain_text("blurry")
    expect(negative.locator(".diff-del")).to_have_count(0)
    params = page.locator(".cmp-section[data-section=params]")
    seed = params.locator("tr[data-key=Seed]")
    expect(seed.locator("td.a")).to_have_text("11")
    expect(seed.locator("td.b")).to_have_text("22")
    dims = params.locator("tr[data-key=Dimensions]")
    expect(dims.locator("td.a")).to_have_text("16 × 24")
    expect(dims.locator("td.b")).to_have_text("32 × 48")
    expect(params.locator("tr[data-key=Steps]")).to_have_count(0)  # equal: only with "Show all"
    params.locator("label.cmp-all input").check()
    expect(params.locator("tr.same[data-key=Steps] td.a")).to_have_text("20")
    expect(params.locator("tr.same[data-key=Sampler] td.b")).to_have_text("Euler a")

    # A reload restores the comparison (and the split) from the tab's state.
    page.reload()
    cmp = page.locator(".compare-page[data-a]")
    expect(cmp).to_have_attribute("data-a", str(folder / "red.png"))
    expect(cmp).to_have_attribute("data-b", str(folder / "blue.png"))
    wait_images(page)
    assert split(page) == pytest.approx(25, abs=0.5)


def test_side_by_side_zoom_is_shared_and_works_in_the_light_theme(page, served, root):
    folder = root / "pair"
    page.emulate_media(color_scheme="light")
    open_folder(page, served, folder)
    cell(page, "red.png").click(modifiers=["Control"])
    cell(page, "blue.png").click(modifiers=["Control"])
    cell(page, "blue.png").click(button="right")
    menu_item(page, "compare").click()
    wait_images(page)
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    page.get_by_role("button", name="Side by side").click()
    stages = page.locator(".cmp-stage.side")
    expect(stages).to_have_count(2)
    wait_images(page)
    fit = float(stages.first.get_attribute("data-scale"))
    box = stages.nth(1).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    page.wait_for_function(f"() => Number(document.querySelector('.cmp-stage.side').dataset.scale) > {fit * 1.2}")
    scales = [float(s) for s in page.eval_on_selector_all(".cmp-stage.side", "els => els.map(e => e.dataset.scale)")]
    assert scales[0] == scales[1] > fit * 1.2
    transforms = page.eval_on_selector_all(".cmp-img", "els => els.map(e => e.style.transform)")
    assert transforms[0] == transforms[1] and "scale(" in transforms[0]
    # 1:1 and fit from the keyboard.
    page.locator(".compare-page").focus()
    page.keyboard.press("1")
    expect(stages.first).to_have_attribute("data-scale", "1.0000")
    page.keyboard.press("0")
    expect(stages.first).to_have_attribute("data-scale", f"{fit:.4f}")
    # The diff's colours come from the light theme's variables.
    colour = page.locator(".diff-add").first.evaluate("e => getComputedStyle(e).color")
    success = page.evaluate("getComputedStyle(document.documentElement).getPropertyValue('--success').trim()")
    assert success == "#1d9a63" and colour == "rgb(29, 154, 99)"


def test_compare_with_across_panes_and_from_the_preview(page, served, root):
    folder = root / "pair"
    open_folder(page, served, folder)
    cell(page, "red.png").click(button="right")
    menu_item(page, "compareWith").click()
    expect(page.locator(".toast", has_text="“red.png” is picked")).to_be_visible()
    # The second image is in another pane (its folder opened in a split column).
    cell(page, "more").click(button="right")
    menu_item(page, "openSplit").click()
    expect(page.locator(".column")).to_have_count(2)
    expect(page.locator(".column.focused .cell[data-name='green.png']")).to_be_visible()
    page.locator(".column.focused .cell[data-name='green.png']").click(button="right")
    expect(menu_item(page, "compareWith")).to_have_text("Compare with “red.png”")
    menu_item(page, "compareWith").click()
    cmp = page.locator(".compare-page[data-a]")
    expect(cmp).to_have_attribute("data-a", str(folder / "red.png"))
    expect(cmp).to_have_attribute("data-b", str(folder / "more" / "green.png"))
    wait_images(page)
    prompt = page.locator(".cmp-section[data-section=prompt]")
    expect(prompt.locator(".cmp-diff-text.b .diff-add").first).to_contain_text("green dog")

    # From the preview: pick blue there, then compare red with it from red's preview.
    left = page.locator(".column").first
    left.locator(".cell[data-name='blue.png']").click()
    expect(page.locator(".preview")).to_have_attribute("data-path", str(folder / "blue.png"))
    page.locator(".preview .compare-btn").click()
    expect(page.locator(".toast", has_text="“blue.png” is picked")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator(".preview")).to_have_count(0)
    left.locator(".cell[data-name='red.png']").click()
    expect(page.locator(".preview")).to_have_attribute("data-path", str(folder / "red.png"))
    expect(page.locator(".preview .compare-btn")).to_have_attribute("title", "Compare with “blue.png”")
    page.locator(".preview .compare-btn").click()
    expect(page.locator(".preview")).to_have_count(0)
    cmp = page.locator(".compare-page[data-a]")
    expect(cmp).to_have_attribute("data-a", str(folder / "blue.png"))
    expect(cmp).to_have_attribute("data-b", str(folder / "red.png"))
    wait_images(page)
    expect(page.locator(".cmp-section[data-section=prompt] .cmp-diff-text.a .diff-del")).to_have_text(["blue"])
    # One compare tab is reused.
    expect(page.locator(".tab", has_text="Compare")).to_have_count(1)


def test_images_dropped_on_an_empty_compare_tab_become_a_and_b(page, served, root):
    folder = root / "pair"
    open_folder(page, served, folder)
    page.locator(".column.focused").get_by_role("button", name="Split view").click()
    expect(page.locator(".column")).to_have_count(2)
    page.locator(".column").nth(1).locator(".start-page-link[data-kind=compare]").click()
    empty = page.locator(".compare-page.empty")
    expect(empty).to_contain_text("Pick two images to compare")
    left = page.locator(".column").first
    left.locator(".cell[data-name='red.png']").drag_to(empty)
    expect(page.locator(".cmp-have")).to_contain_text("A: red.png")
    left.locator(".cell[data-name='blue.png']").drag_to(page.locator(".compare-page.empty"))
    cmp = page.locator(".compare-page[data-a]")
    expect(cmp).to_have_attribute("data-a", str(folder / "red.png"))
    expect(cmp).to_have_attribute("data-b", str(folder / "blue.png"))
    wait_images(page)


def test_the_word_diff_and_parameter_rows(page, served):
    page.goto(served.app_url)
    page.locator(".start-page").wait_for()
    r = page.evaluate("""async () => {
      const m = await import(window.IIB_ASSETS + 'js/compare.js');
      const pick = (parts, op) => parts.filter((p) => p.op === op).map((p) => p.text);
      const d1 = m.diffWords('masterpiece, (best quality:1.2), a cat', 'masterpiece, (best quality:1.3), a cat, bokeh');
      const d2 = m.diffWords('一只猫在沙发上', '一只狗在沙发上');
      const long = Array.from({ length: 2500 }, (_, i) => 'w' + i).join(' ');
      const d3 = m.diffWords(long, long.replace('w1200 ', 'changed ').replace('w7 ', ''));
      const d4 = m.diffWords('same words', 'same words');
      return {
        d1: { del: pick(d1.a, 'del'), add: pick(d1.b, 'add'), removed: d1.removed, added: d1.added, text: d1.a.map((p) => p.text).join('') },
        d2: { del: pick(d2.a, 'del'), add: pick(d2.b, 'add') },
        d3: { removed: d3.removed, added: d3.added, del: pick(d3.a, 'del'), add: pick(d3.b, 'add') },
        d4: d4.same,
        loras: m.lorasOf('a <lora:foo:0.8> b <lyco:bar> <LORA:foo:0.8>'),
        rows: m.paramRows([['Steps', '20'], ['Seed', '1']], [['Steps', '20'], ['Seed', '2'], ['Clip skip', '2']], [['Dimensions', '1 × 2', '1 × 2']]),
      };
    }""")
    assert r["d1"] == {"del": ["1.2"], "add": ["1.3", ", bokeh"], "removed": 1, "added": 2,
                       "text": "masterpiece, (best quality:1.2), a cat"}
    assert r["d2"] == {"del": ["猫"], "add": ["狗"]}
    assert r["d3"] == {"removed": 2, "added": 1, "del": ["w7", "w1200"], "add": ["changed"]}
    assert r["d4"] is True
    assert r["loras"] == ["bar", "foo:0.8"]
    assert r["rows"] == [
        {"key": "Dimensions", "a": "1 × 2", "b": "1 × 2", "same": True},
        {"key": "Steps", "a": "20", "b": "20", "same": True},
        {"key": "Seed", "a": "1", "b": "2", "same": False},
        {"key": "Clip skip", "a": "", "b": "2", "same": False},
    ]
