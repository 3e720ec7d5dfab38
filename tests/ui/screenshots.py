"""Make the README screenshots (run by hand; not collected by pytest):

    python tests/ui/screenshots.py [--out docs/screenshots]

Serves a generated library (abstract pictures with A1111 generation info) with a real
uvicorn, opens it in Debian's Chromium (dark theme, 1280×720) and saves
`grid-dark.png` (a folder with folder cards and thumbnails), `preview-dark.png` (the
fullscreen preview with its generation info panel), `search-light.png` (a query-language
search), `tagsearch-dark.png` (tag search with AND/NOT sets), `compare-dark.png` (the compare
view with its prompt diff) and `index-light.png` (the index page), quantised to keep them small.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
sys.path[:0] = [str(HERE.parents[2]), str(HERE.parents[1])]

from PIL import Image, ImageDraw, ImageFilter, PngImagePlugin  # noqa: E402

from ui.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from ui.pages import serve  # noqa: E402

SUBJECTS = ["a lighthouse on a cliff at dusk", "a red fox in fresh snow", "a bowl of ramen, steam rising",
            "a koi pond under cherry blossoms", "a lone astronaut on a violet desert", "a cozy reading nook, rain outside",
            "a paper boat on a puddle", "a glass greenhouse at night", "an old tram in a narrow street",
            "a dragon made of clouds", "a field of sunflowers, wind", "a lantern festival over a river"]
STYLES = ["masterpiece, best quality", "watercolor, soft light", "cinematic lighting, 35mm",
          "studio ghibli style, pastel colors", "oil painting, impasto", "isometric, low poly"]
SAMPLERS = ["DPM++ 2M Karras", "Euler a", "DPM++ SDE Karras", "UniPC"]
MODELS = ["dreamshaper_8", "juggernautXL_v9", "revAnimated_v122", "sdxl_base_1.0"]


def picture(path: Path, rnd: random.Random, size) -> None:
    w, h = size
    top = tuple(rnd.randint(20, 230) for _ in range(3))
    bottom = tuple(rnd.randint(20, 230) for _ in range(3))
    im = Image.new("RGB", size)
    draw = ImageDraw.Draw(im)
    for y in range(h):
        k = y / (h - 1)
        draw.line([(0, y), (w, y)], fill=tuple(int(a + (b - a) * k) for a, b in zip(top, bottom)))
    layer = Image.new("RGBA", size, (0, 0, 0, 0))
    shapes = ImageDraw.Draw(layer)
    for _ in range(rnd.randint(3, 7)):
        r = rnd.randint(min(w, h) // 10, min(w, h) // 3)
        x, y = rnd.randint(0, w), rnd.randint(0, h)
        color = tuple(rnd.randint(40, 255) for _ in range(3)) + (rnd.randint(90, 200),)
        shapes.ellipse([x - r, y - r, x + r, y + r], fill=color)
    horizon = rnd.randint(h // 2, h - h // 6)
    shapes.polygon([(0, h), (0, horizon), (w // 3, horizon - rnd.randint(20, 120)), (2 * w // 3, horizon + 30),
                    (w, horizon - rnd.randint(0, 90)), (w, h)], fill=(15, 18, 30, 170))
    im = Image.alpha_composite(im.convert("RGBA"), layer.filter(ImageFilter.GaussianBlur(6))).convert("RGB")
    prompt = f"{rnd.choice(STYLES)}, {rnd.choice(SUBJECTS)}, highly detailed, <lora:add_detail:0.6>"
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", f"{prompt}\nNegative prompt: lowres, blurry, watermark, text\n"
                                f"Steps: {rnd.choice([20, 25, 30, 40])}, Sampler: {rnd.choice(SAMPLERS)}, "
                                f"CFG scale: {rnd.choice([5, 6.5, 7])}, Seed: {rnd.randint(1, 2**32)}, "
                                f"Size: {w}x{h}, Model: {rnd.choice(MODELS)}, Version: v1.10.1")
    path.parent.mkdir(parents=True, exist_ok=True)
    im.save(path, pnginfo=info)


def make_library(root: Path) -> Path:
    rnd = random.Random(7)
    base = root / "outputs" / "txt2img-images"
    now = time.time()
    for d, day in enumerate(["2026-11-18", "2026-11-19", "2026-11-20"]):
        for i in range(4):
            picture(base / day / f"{i:05d}-{rnd.randint(10**8, 10**9)}.png", rnd, (256, 384))
    day = base / "2026-11-21"
    for i in range(24):
        size = rnd.choice([(512, 768), (768, 512), (640, 640)])
        p = day / f"{i:05d}-{rnd.randint(10**8, 10**9)}.png"
        picture(p, rnd, size)
        os.utime(p, (now - 600 + i * 20, now - 600 + i * 20))
    return base


def small_png(path: Path) -> None:
    im = Image.open(path).convert("RGB")
    im.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.FLOYDSTEINBERG).save(path, optimize=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=str(HERE.parents[2] / "docs" / "screenshots"))
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        base = make_library(tmp / "library")
        with serve(tmp / "server", [tmp / "library"]) as served, sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720}, color_scheme="dark", locale="en-US")
            page.add_init_script("localStorage.setItem('iib.settings', JSON.stringify({cellWidth: 176}))")
            page.goto(served.open_url(base))
            page.locator(".cell[data-name='2026-11-21']").wait_for()
            page.wait_for_function("() => document.querySelectorAll('.folder-covers img').length >= 12 &&"
                                   " [...document.querySelectorAll('.folder-covers img')].every(i => i.complete)")
            page.locator(".cell[data-name='2026-11-21']").click()
            page.wait_for_function("() => { const imgs = [...document.querySelectorAll('.cell .thumb-img')];"
                                   " return imgs.length >= 12 && imgs.every(i => i.complete && i.naturalWidth > 0); }")
            first = page.locator(".cell").nth(1)
            first.click(modifiers=["Control"])
            page.locator(".cell").nth(2).click(modifiers=["Control"])
            page.mouse.move(5, 5)
            page.wait_for_timeout(300)
            page.screenshot(path=str(out / "grid-dark.png"))
            page.keyboard.press("Escape")
            page.locator(".cell").nth(3).click()
            page.wait_for_function("() => document.querySelector('.preview-img.loaded') && document.querySelector('.gi-params')")
            page.keyboard.press("4")
            page.locator(".geninfo .stars[data-rating='4']").wait_for()
            page.wait_for_timeout(1800)  # let the toast go
            page.screenshot(path=str(out / "preview-dark.png"))
            page.locator(".preview").focus()
            page.keyboard.press("Escape")
            page.locator(".preview").wait_for(state="detached")
            # Compare the first two pictures of the day.
            page.locator(".cell").nth(1).click(modifiers=["Control"])
            page.locator(".cell").nth(2).click(modifiers=["Control"])
            page.locator(".cell").nth(2).click(button="right")
            page.locator(".context-menu .menu-item[data-id=compare]").click()
            page.wait_for_function("() => [...document.querySelectorAll('.compare-page img')].filter(i => i.complete && i.naturalWidth > 0).length >= 2")
            page.wait_for_timeout(600)
            page.screenshot(path=str(out / "compare-dark.png"))
            # Tag search: a model AND, a sampler NOT.
            page.evaluate("localStorage.removeItem('iib.workspace')")
            page.goto(served.app_url)
            page.locator(".start-page-link[data-kind=tagsearch]").click()
            page.locator(".tag-pick").first.wait_for()
            page.locator(".tag-pick[data-name='dreamshaper_8']").first.click()
            page.locator(".tag-pick[data-name='Euler a']").first.click(modifiers=["Alt"])
            page.wait_for_function("() => { const imgs = [...document.querySelectorAll('.cell .thumb-img')];"
                                   " return imgs.length >= 2 && imgs.every(i => i.complete && i.naturalWidth > 0); }")
            page.wait_for_timeout(400)
            page.screenshot(path=str(out / "tagsearch-dark.png"))
            browser.close()
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720}, color_scheme="light", locale="en-US")
            page.add_init_script("localStorage.setItem('iib.settings', JSON.stringify({cellWidth: 176, theme: 'light'}))")
            page.goto(served.app_url)
            page.locator(".start-page-link[data-kind=search]").click()
            page.locator(".search-input").fill('lora:add_detail steps>20 -ramen')
            page.locator(".search-input").press("Enter")
            page.wait_for_function("() => { const imgs = [...document.querySelectorAll('.cell .thumb-img')];"
                                   " return imgs.length >= 6 && imgs.every(i => i.complete && i.naturalWidth > 0); }")
            page.wait_for_timeout(400)
            page.screenshot(path=str(out / "search-light.png"))
            page.evaluate("localStorage.removeItem('iib.workspace')")
            page.goto(served.app_url)
            page.locator(".start-page-link[data-kind=index]").click()
            page.locator(".index-root").first.wait_for()
            page.wait_for_timeout(300)
            page.screenshot(path=str(out / "index-light.png"))
            browser.close()
    for name in ("grid-dark.png", "preview-dark.png", "compare-dark.png", "tagsearch-dark.png", "search-light.png",
                 "index-light.png"):
        small_png(out / name)
        print(out / name, (out / name).stat().st_size, "bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
