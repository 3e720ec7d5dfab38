"""EXIF in JPEG/WEBP: byte orders, UTF-16 endianness, IFD0 variants, prefixed tags."""
from __future__ import annotations

import json

import pytest

from iib_core.metadata import inspect_file, read_generation_info
from iib_core.metadata.exif import decode_user_comment

from .helpers import A1111_TEXT, jpeg_bytes, tiff, user_comment_unicode, webp_bytes, write

TEXT = A1111_TEXT.replace("a photo of a cat", "猫 a photo of a cat")


@pytest.mark.parametrize("byte_order,utf16", [("MM", "be"), ("II", "le"), ("II", "be"), ("MM", "le")])
def test_jpeg_user_comment_any_order(tmp_path, byte_order, utf16):
    exif = tiff(byte_order, [], [(0x9286, 7, user_comment_unicode(TEXT, utf16))])
    p = write(tmp_path / "a.jpg", jpeg_bytes(exif, size=(20, 10)))
    facts = inspect_file(p)
    assert (facts.format, facts.width, facts.height) == ("jpeg", 20, 10)
    assert facts.info.positive.startswith("猫 a photo of a cat") and facts.info.params["seed"] == 42


@pytest.mark.parametrize("header", [True, False])
def test_webp_exif_with_and_without_exif_header(tmp_path, header):
    exif = tiff("MM", [], [(0x9286, 7, user_comment_unicode(TEXT, "be"))])
    p = write(tmp_path / "a.webp", webp_bytes(exif, exif_header=header, size=(14, 6)))
    facts = inspect_file(p)
    assert (facts.format, facts.width, facts.height) == ("webp", 14, 6)
    assert facts.info.negative == "blurry, lowres"


def test_ifd0_ascii_user_comment_fooocus(tmp_path):
    scheme = {"prompt": "goldfish", "negative_prompt": "", "base_model": "juggernaut", "steps": 30,
              "guidance_scale": 4, "seed": "123", "resolution": "(768, 1280)", "version": "Fooocus v2.5.0",
              "loras": [["detail.safetensors", 0.5, "abc"]]}
    exif = tiff("MM", [(0x0131, 2, b"Fooocus v2.5.0\0"), (0x927C, 7, b"fooocus"),
                       (0x9286, 2, json.dumps(scheme).encode() + b"\0")])
    info = read_generation_info(write(tmp_path / "f.jpg", jpeg_bytes(exif)))
    assert info.generator == "Fooocus" and info.positive == "goldfish"
    assert info.params["seed"] == 123 and (info.params["width"], info.params["height"]) == (768, 1280)
    assert info.params["loras"][0] == {"name": "detail.safetensors", "weight": 0.5, "type": "lora", "hash": "abc"}


def test_fooocus_a1111_scheme_in_ifd0(tmp_path):
    text = "cat\nNegative prompt: dog\nSteps: 30, Sampler: dpmpp, Seed: 9, CFG scale: 4, Version: Fooocus v2.5.0"
    exif = tiff("II", [(0x0131, 2, b"Fooocus v2.5.0\0"), (0x927C, 7, b"a1111"), (0x9286, 2, text.encode() + b"\0")])
    info = read_generation_info(write(tmp_path / "f.jpg", jpeg_bytes(exif)))
    assert (info.generator, info.positive, info.params["seed"]) == ("Fooocus", "cat", 9)


def test_comfy_save_image_plus_ifd0_json(tmp_path):
    prompt = {"6": {"class_type": "CLIPTextEncode", "inputs": {"text": "pos"}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 1, "positive": ["6", 0], "negative": ["6", 0]}}}
    exif = tiff("MM", [(0x9286, 2, json.dumps({"prompt": prompt, "workflow": {}}).encode())])
    info = read_generation_info(write(tmp_path / "c.jpg", jpeg_bytes(exif)))
    assert (info.generator, info.positive) == ("ComfyUI", "pos")


@pytest.mark.parametrize("tag,key", [(0x0110, "prompt:"), (0x010F, "Prompt: "), (0x010E, "prompt:")])
def test_comfy_prefixed_ifd0_tags_webp(tmp_path, tag, key):
    prompt = {"6": {"class_type": "CLIPTextEncode", "inputs": {"text": "prefixed"}},
              "3": {"class_type": "KSampler", "inputs": {"seed": 2, "positive": ["6", 0]}}}
    exif = tiff("II", [(tag, 2, (key + json.dumps(prompt)).encode() + b"\0"),
                       (0x010D, 2, b"workflow:{\"nodes\": []}\0")])
    info = read_generation_info(write(tmp_path / "c.webp", webp_bytes(exif)))
    assert (info.generator, info.positive, info.params["seed"]) == ("ComfyUI", "prefixed", 2)


def test_novelai_webp_exif_shape(tmp_path):
    chunk_map = {"Description": "1girl", "Software": "NovelAI", "Source": "NovelAI Diffusion V4.5 4BDE2A90",
                 "Comment": json.dumps({"prompt": "1girl", "uc": "bad", "steps": 28, "seed": 7, "scale": 5})}
    exif = tiff("MM", [(0x0131, 2, b"NovelAI Diffusion V4.5 4BDE2A90\0"), (0x010E, 2, b"\0\0\0\x001girl\0")],
                [(0x9286, 7, b"ASCII\0\0\0" + json.dumps(chunk_map).encode())])
    info = read_generation_info(write(tmp_path / "n.webp", webp_bytes(exif, lossless=True, mode="RGBA")))
    assert (info.generator, info.positive, info.negative, info.params["seed"]) == ("NovelAI", "1girl", "bad", 7)


def test_swarm_legacy_model_tag_and_utf16le_json(tmp_path):
    swarm = {"sui_image_params": {"prompt": "swarm cat <lora:x:0.5>", "negativeprompt": "n", "seed": "12",
                                  "steps": "20", "cfgscale": "7.0", "loras": ["a"], "loraweights": ["0.8"]}}
    exif = tiff("II", [(0x0110, 2, json.dumps(swarm).encode() + b"\0")])
    info = read_generation_info(write(tmp_path / "s.jpg", jpeg_bytes(exif)))
    assert (info.generator, info.params["seed"], info.params["cfg"]) == ("SwarmUI", 12, 7.0)
    assert {l["name"]: l["weight"] for l in info.params["loras"]} == {"a": 0.8, "x": 0.5}
    exif = tiff("II", [], [(0x9286, 7, user_comment_unicode(json.dumps(swarm), "le"))])
    assert read_generation_info(write(tmp_path / "s2.jpg", jpeg_bytes(exif))).generator == "SwarmUI"


def test_easydiffusion_json_user_comment(tmp_path):
    ed = {"prompt": "ed cat", "negative_prompt": "", "seed": 3, "use_stable_diffusion_model": "sd-v1-5",
          "num_inference_steps": 25, "guidance_scale": 7.5, "width": 512, "height": 512,
          "use_lora_model": ["l1", "l2"], "lora_alpha": [0.5, 0.25]}
    exif = tiff("MM", [], [(0x9286, 7, user_comment_unicode(json.dumps(ed), "be"))])
    info = read_generation_info(write(tmp_path / "e.jpg", jpeg_bytes(exif)))
    assert (info.generator, info.positive, info.params["steps"], info.params["model"]) == \
        ("Easy Diffusion", "ed cat", 25, "sd-v1-5")
    assert [l["weight"] for l in info.params["loras"]] == [0.5, 0.25]


def test_jpeg_com_segment_infotext(tmp_path):
    p = write(tmp_path / "c.jpg", jpeg_bytes(comment=A1111_TEXT.encode()))
    assert read_generation_info(p).params["seed"] == 42


def test_decode_user_comment_variants():
    assert decode_user_comment(b"UNICODE\0" + "ab".encode("utf-16-be")) == "ab"
    assert decode_user_comment(b"UNICODE\0" + "ab".encode("utf-16-le")) == "ab"
    assert decode_user_comment(b"UNICODE\0" + "猫".encode("utf-16-le"), "<") == "猫"
    assert decode_user_comment(b"ASCII\0\0\0" + "é".encode()) == "é"
    assert decode_user_comment(b"\0" * 8 + b"plain") == "plain"
    assert decode_user_comment(b"no prefix at all") == "no prefix at all"
    assert decode_user_comment(b"JIS\0\0\0\0\0" + "日本".encode("shift_jis")) == "日本"
