"""Stealth payloads in alpha and RGB LSBs, plain and gzip; the default policy."""
from __future__ import annotations

import json

import pytest

from iib_core.metadata import inspect_file, read_generation_info

from .helpers import A1111_TEXT, stealth_image, webp_bytes, write


@pytest.mark.parametrize("signature", ["stealth_pnginfo", "stealth_pngcomp"])
def test_alpha_modes_found_by_default(tmp_path, signature):
    p = tmp_path / "s.png"
    stealth_image(A1111_TEXT.encode(), signature, size=(60, 50)).save(p)
    info = read_generation_info(p)
    assert info.positive.startswith("a photo of a cat") and info.params["seed"] == 42
    assert read_generation_info(p, stealth=False) is None


@pytest.mark.parametrize("signature", ["stealth_rgbinfo", "stealth_rgbcomp"])
def test_rgb_modes_only_when_enabled(tmp_path, signature):
    p = tmp_path / "s.png"
    stealth_image(A1111_TEXT.encode(), signature, size=(30, 20), mode="RGB").save(p)
    assert read_generation_info(p) is None           # auto: RGB images are not decoded
    info = read_generation_info(p, stealth=True)
    assert info.negative == "blurry, lowres"


def test_short_images_span_columns(tmp_path):
    p = tmp_path / "short.png"
    stealth_image(A1111_TEXT.encode(), "stealth_pngcomp", size=(700, 3)).save(p)
    assert read_generation_info(p).params["steps"] == 20


def test_novelai_json_payload_in_lossless_webp(tmp_path):
    comment = json.dumps({"prompt": "nai prompt", "uc": "nai neg", "steps": 28, "seed": 11})
    payload = json.dumps({"Description": "nai prompt", "Software": "NovelAI", "Source": "NovelAI Diffusion V4.5",
                          "Comment": comment}).encode()
    img = stealth_image(payload, "stealth_pngcomp", size=(50, 40))
    p = write(tmp_path / "n.webp", webp_bytes(image=img, lossless=True))
    facts = inspect_file(p)
    assert facts.format == "webp" and facts.info.generator == "NovelAI"
    assert (facts.info.positive, facts.info.negative, facts.info.params["seed"]) == ("nai prompt", "nai neg", 11)


def test_lossy_webp_is_never_decoded(tmp_path):
    img = stealth_image(A1111_TEXT.encode(), "stealth_pngcomp", size=(50, 40))
    p = write(tmp_path / "lossy.webp", webp_bytes(image=img, lossless=False))
    assert read_generation_info(p, stealth=True) is None


def test_text_chunks_win_over_stealth(tmp_path):
    from PIL import PngImagePlugin
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", A1111_TEXT.replace("cat", "dog"))
    p = tmp_path / "both.png"
    stealth_image(A1111_TEXT.encode(), "stealth_pngcomp").save(p, pnginfo=info)
    assert read_generation_info(p).positive.startswith("a photo of a dog")


def test_transparent_image_without_payload_is_silent(tmp_path, caplog):
    from PIL import Image
    p = tmp_path / "t.png"
    Image.new("RGBA", (20, 20), (0, 0, 0, 0)).save(p)
    assert read_generation_info(p) is None and not caplog.records
