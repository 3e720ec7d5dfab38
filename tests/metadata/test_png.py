"""PNG containers: every text chunk kind, chunks after IDAT, ``comf``, ``eXIf``."""
from __future__ import annotations

import json

from iib_core.metadata import inspect_file, read_generation_info

from .helpers import (A1111_TEXT, itxt_chunk, png_bytes, png_chunk, text_chunk, tiff,
                      user_comment_unicode, write, ztxt_chunk)

COMFY_PROMPT = {
    "3": {"class_type": "KSampler", "inputs": {"seed": 5, "steps": 9, "cfg": 6.5, "sampler_name": "euler",
                                               "scheduler": "normal", "denoise": 1.0, "model": ["4", 0],
                                               "positive": ["6", 0], "negative": ["7", 0],
                                               "latent_image": ["5", 0]}},
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "m.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 640, "height": 512, "batch_size": 1}},
    "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "a red fox", "clip": ["4", 1]}},
    "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["4", 1]}},
}


def test_text_chunk_raw_utf8_and_facts(tmp_path):
    text = A1111_TEXT.replace("a photo of a cat", "#テスト café")
    p = write(tmp_path / "a.png", png_bytes(size=(9, 7), before=[text_chunk("parameters", text)]))
    facts = inspect_file(p)
    assert (facts.media_type, facts.format, facts.width, facts.height) == ("image", "png", 9, 7)
    assert facts.info.positive.startswith("#テスト café") and facts.warning is None


def test_text_chunk_latin1(tmp_path):
    text = A1111_TEXT.replace("a photo of a cat", "café")
    p = write(tmp_path / "a.png", png_bytes(before=[text_chunk("parameters", text, "latin-1")]))
    assert read_generation_info(p).positive.startswith("café")


def test_itxt_plain_and_compressed(tmp_path):
    for compressed in (False, True):
        p = write(tmp_path / ("i%d.png" % compressed),
                  png_bytes(before=[itxt_chunk("parameters", "東方 " + A1111_TEXT, compressed)]))
        info = read_generation_info(p)
        assert info.positive.startswith("東方 a photo of a cat") and info.params["seed"] == 42


def test_ztxt(tmp_path):
    p = write(tmp_path / "z.png", png_bytes(before=[ztxt_chunk("parameters", A1111_TEXT)]))
    assert read_generation_info(p).negative == "blurry, lowres"


def test_text_after_idat(tmp_path):
    p = write(tmp_path / "late.png", png_bytes(after=[text_chunk("parameters", A1111_TEXT)]))
    assert read_generation_info(p).params["steps"] == 20


def test_text_after_large_idat_is_found_without_reading_pixels(tmp_path):
    from PIL import Image
    import random
    r = random.Random(3)
    img = Image.frombytes("RGB", (600, 600), r.randbytes(600 * 600 * 3))
    p = write(tmp_path / "big.png", png_bytes(image=img, after=[text_chunk("parameters", A1111_TEXT)]))
    assert p.stat().st_size > 1_000_000
    facts = inspect_file(p)
    assert (facts.width, facts.height) == (600, 600) and facts.info.params["seed"] == 42


def test_comf_chunk_after_idat(tmp_path):
    comf = [png_chunk(b"comf", b"prompt\0" + json.dumps(COMFY_PROMPT).encode("latin-1")),
            png_chunk(b"comf", b"workflow\0" + b'{"nodes": [], "links": []}')]
    p = write(tmp_path / "anim.png", png_bytes(after=comf))
    info = read_generation_info(p)
    assert info.generator == "ComfyUI"
    assert (info.positive, info.negative) == ("a red fox", "blurry")
    assert info.params["width"] == 640 and info.params["model"] == "m.safetensors"


def test_exif_chunk_in_png(tmp_path):
    exif = tiff("MM", [], [(0x9286, 7, user_comment_unicode(A1111_TEXT, "be"))])
    p = write(tmp_path / "e.png", png_bytes(before=[png_chunk(b"eXIf", exif)]))
    assert read_generation_info(p).positive.startswith("a photo of a cat")


def test_parameters_chunk_with_comfy_graph_prefers_text_keeps_graph(tmp_path):
    text = "saver prompt\nNegative prompt: x\nSteps: 30, Sampler: euler, CFG Scale: 4, Seed: 1, Size: 64x64, Version: ComfyUI"
    p = write(tmp_path / "s.png", png_bytes(before=[text_chunk("parameters", text),
                                                    text_chunk("prompt", json.dumps(COMFY_PROMPT))]))
    info = read_generation_info(p)
    assert info.generator == "ComfyUI" and info.positive == "saver prompt"
    assert info.params["steps"] == 30 and info.params["model"] == "m.safetensors"


def test_plain_png_has_no_info_and_no_warning(tmp_path, caplog):
    p = write(tmp_path / "plain.png", png_bytes())
    facts = inspect_file(p)
    assert facts.info is None and facts.warning is None
    assert not caplog.records


def test_gimp_comment_and_screenshot_are_not_prompts(tmp_path):
    exif = tiff("MM", [], [(0x9286, 7, b"ASCII\0\0\0Screenshot")])
    p = write(tmp_path / "g.png", png_bytes(before=[text_chunk("Comment", "Created with GIMP"),
                                                    png_chunk(b"eXIf", exif)]))
    assert read_generation_info(p) is None


def test_non_media_is_none(tmp_path):
    p = write(tmp_path / "notes.png", b"just some text, not an image")
    assert inspect_file(p) is None
    assert inspect_file(write(tmp_path / "empty.png", b"")) is None


def test_video_and_other_formats_are_sniffed(tmp_path):
    from PIL import Image
    mp4 = write(tmp_path / "v.bin", b"\0\0\0\x18ftypisom\0\0\x02\0isomiso2" + b"\0" * 64)
    facts = inspect_file(mp4)
    assert (facts.media_type, facts.format, facts.width, facts.info) == ("video", "mp4", None, None)
    webm = write(tmp_path / "w.bin", b"\x1a\x45\xdf\xa3" + b"\0" * 10 + b"webm" + b"\0" * 40)
    assert inspect_file(webm).format == "webm"
    gif = tmp_path / "a.gif"
    Image.new("P", (5, 4)).save(gif, comment=A1111_TEXT.encode())
    facts = inspect_file(gif)
    assert (facts.format, facts.width, facts.height) == ("gif", 5, 4)
    assert facts.info.params["seed"] == 42
    bmp = tmp_path / "b.dat"
    Image.new("RGB", (3, 2)).save(bmp, "BMP")
    assert (inspect_file(bmp).format, inspect_file(bmp).width) == ("bmp", 3)
