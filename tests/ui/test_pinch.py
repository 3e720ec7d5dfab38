"""Pinch zoom with two real touch points (Chromium's input pipeline through CDP
Input.dispatchTouchEvent, so the page receives genuine touch pointer events): the preview and
the compare tab zoom about the fingers' midpoint; a pinch neither swipes to the next image nor
moves the compare split."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from support.files import a1111_png
from ui.pages import cell, menu_item, open_folder, serve


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("pinch") / "lib"
    a1111_png(root / "a.png", "first image", seed=1, size=(64, 96))
    a1111_png(root / "b.png", "second image", seed=2, size=(64, 96))
    return root


@pytest.fixture(scope="module")
def served(root, tmp_path_factory):
    with serve(tmp_path_factory.mktemp("server"), [root]) as s:
        yield s


def pinch(page, cx, cy, start_gap, end_gap, steps=6, shift=(0, 0), during=None):
    """Two fingers placed `start_gap` px apart around (cx, cy), spread to `end_gap` while their
    midpoint moves by `shift`, then lifted. `during()` runs while the fingers are still down."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})

    def points(gap, dx=0.0, dy=0.0):
        return [{"x": cx - gap / 2 + dx, "y": cy + dy, "id": 1}, {"x": cx + gap / 2 + dx, "y": cy + dy, "id": 2}]

    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": points(start_gap)})
    for i in range(1, steps + 1):
        f = i / steps
        gap = start_gap + (end_gap - start_gap) * f
        cdp.send("Input.dispatchTouchEvent",
                 {"type": "touchMove", "touchPoints": points(gap, shift[0] * f, shift[1] * f)})
    if during:
        during()
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()


def transform_of(page, selector):
    """(x, y, scale) from `translate(calc(-50% ± Xpx), calc(-50% ± Ypx)) scale(S)`."""
    style = page.eval_on_selector(selector, "e => e.style.transform")
    m = re.fullmatch(r"translate\(calc\(-50% ([+-]) ([\d.e+-]+)px\), calc\(-50% ([+-]) ([\d.e+-]+)px\)\) scale\(([\d.e+-]+)\)",
                     style)
    assert m, style
    sx, x, sy, y, scale = m.groups()
    return (float(x) * (-1 if sx == "-" else 1), float(y) * (-1 if sy == "-" else 1), float(scale))


def test_pinching_the_preview_zooms_about_the_fingers(page, served, root):
    open_folder(page, served, root)
    cell(page, "a.png").dblclick()
    expect(page.locator(".preview")).to_be_visible()
    page.wait_for_function("() => { const i = document.querySelector('.preview-img.loaded'); return i && i.naturalWidth > 0; }")
    x0, y0, s0 = transform_of(page, ".preview-img")
    assert (x0, y0) == (0, 0)
    stage = page.locator(".preview-stage").bounding_box()
    cx, cy = stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2
    # Fingers 40 px right of the centre, spread from 100 to 300 px apart: three times the scale,
    # and the image point under the fingers stays under them (it was 40 px right of the image
    # centre at scale s0, so now the centre sits 40 - 3 * 40 = -80 px from the stage centre).
    pinch(page, cx + 40, cy, 100, 300)
    page.wait_for_function(f"() => /scale\\(/.test(document.querySelector('.preview-img').style.transform) && "
                           f"!document.querySelector('.preview-img').style.transform.endsWith('scale({s0})')")
    x1, y1, s1 = transform_of(page, ".preview-img")
    assert s1 == pytest.approx(3 * s0, rel=0.02)
    assert x1 == pytest.approx(40 - 3 * 40, abs=2) and y1 == pytest.approx(0, abs=2)
    # Still the same image: the pinch's sideways motion was not taken for a swipe.
    expect(page.locator(".preview-title")).to_have_text("a.png")
    # Pinching in again goes back towards the fitted size, clamped to the viewer's limits.
    pinch(page, cx, cy, 300, 100)
    page.wait_for_function(f"() => !document.querySelector('.preview-img').style.transform.endsWith('scale({s1})')")
    assert transform_of(page, ".preview-img")[2] == pytest.approx(s0, rel=0.02)
    # A quick wide pinch moving sideways (a swipe's shape) still does not change the image.
    pinch(page, cx, cy, 80, 120, steps=3, shift=(-200, 0))
    expect(page.locator(".preview-title")).to_have_text("a.png")


def test_pinching_the_compare_slider_zooms_both_and_keeps_the_split(page, served, root):
    open_folder(page, served, root)
    cell(page, "a.png").click(modifiers=["Control"])
    cell(page, "b.png").click(modifiers=["Control"])
    cell(page, "b.png").click(button="right")
    menu_item(page, "compare").click()
    page.wait_for_function(
        "() => { const imgs = [...document.querySelectorAll('.compare-page .cmp-img')];"
        " return imgs.length === 2 && imgs.every((i) => i.complete && i.naturalWidth > 0 && i.style.width); }")
    stage = page.locator(".cmp-stage.slider")
    split = stage.get_attribute("data-split")
    fit = float(stage.get_attribute("data-scale"))
    box = stage.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    seen = []
    pinch(page, cx - 30, cy, 80, 160, during=lambda: seen.append(stage.get_attribute("data-split")))
    assert seen == [split]  # not even for the length of the pinch
    page.wait_for_function(f"() => Number(document.querySelector('.cmp-stage.slider').dataset.scale) > {fit * 1.5}")
    assert float(stage.get_attribute("data-scale")) == pytest.approx(2 * fit, rel=0.02)
    transforms = page.eval_on_selector_all(".cmp-img", "els => els.map(e => e.style.transform)")
    assert transforms[0] == transforms[1]
    x, y, _ = transform_of(page, ".cmp-img")
    assert x == pytest.approx(-30 - 2 * -30, abs=2) and y == pytest.approx(0, abs=2)
    expect(stage).to_have_attribute("data-split", split)  # the first finger did not move the split
    # One finger tapped at a quarter of the stage's width moves the split there.
    page.keyboard.press("0")  # back to the fitted view, where a tap on the stage moves the split
    cdp = page.context.new_cdp_session(page)
    point = [{"x": box["x"] + box["width"] / 4, "y": cy, "id": 7}]
    cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": point})
    cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    cdp.detach()
    page.wait_for_function("() => Math.abs(Number(document.querySelector('.cmp-stage.slider').dataset.split) - 25) < 1")
