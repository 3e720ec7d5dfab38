"""The project's synthetic corpus (tests/support/synthetic.py) parses exactly to its manifest:
A1111 text in PNG, JPEG and WebP EXIF (both TIFF byte orders), ComfyUI graphs, no-metadata files."""
from __future__ import annotations

import pytest

from iib_core.metadata import inspect_file
from support.synthetic import generate

#: A1111 key -> normalised params key
A1111_KEYS = {"Steps": "steps", "Sampler": "sampler", "Schedule type": "scheduler", "CFG scale": "cfg",
              "Seed": "seed", "Model hash": "model_hash", "Model": "model", "VAE": "vae", "VAE hash": "vae_hash",
              "Denoising strength": "denoising", "Clip skip": "clip_skip", "Hires upscaler": "hires_upscaler",
              "Hires upscale": "hires_upscale", "Hires steps": "hires_steps"}
COMFY_KEYS = {"seed": "seed", "steps": "steps", "cfg": "cfg", "sampler_name": "sampler", "scheduler": "scheduler",
              "denoise": "denoising", "ckpt_name": "model", "width": "width", "height": "height"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "c"
    manifest = generate(out, 400, seed=7, big=1)
    return out, manifest["files"]


def _same(value, expected: str) -> bool:
    if isinstance(value, float):
        return value == float(expected)
    return str(value) == expected


def test_every_synthetic_file_matches_manifest(corpus, caplog):
    root, files = corpus
    kinds = set()
    for entry in files:
        facts = inspect_file(root / entry["path"])
        assert facts.format == entry["format"], entry["path"]
        assert (facts.width, facts.height) == (entry["width"], entry["height"])
        info = facts.info
        kinds.add(entry["kind"])
        if entry["kind"] == "none":
            assert info is None, entry["path"]
            continue
        assert info.positive == entry["positive"], entry["path"]
        assert info.negative == entry["negative"], entry["path"]
        params = info.params
        if entry["kind"] == "a1111":
            assert info.generator in ("AUTOMATIC1111", "Forge")
            assert info.raw == entry["raw"]
            for key, value in entry["params"].items():
                if key == "Version":
                    assert info.version == value
                elif key == "Size":
                    assert "%dx%d" % (params["width"], params["height"]) == value
                elif key in A1111_KEYS:
                    assert _same(params[A1111_KEYS[key]], value), (entry["path"], key)
                else:
                    assert params["extra"][key] == value, (entry["path"], key)
            lora_names = sorted(l["name"] for l in params.get("loras", []))
            assert lora_names == sorted(entry["loras"])
        else:
            assert info.generator == "ComfyUI"
            for key, norm in COMFY_KEYS.items():
                assert params[norm] == entry["params"][key], (entry["path"], key)
            assert sorted(l["name"] for l in params.get("loras", [])) == sorted(n + ".safetensors" for n in entry["loras"])
    assert kinds == {"a1111", "comfyui", "none"}
    assert not caplog.records


def test_same_seed_same_files_other_seed_other_files(tmp_path):
    a, b, c = (generate(tmp_path / name, 80, seed=seed) for name, seed in (("a", 3), ("b", 3), ("c", 4)))
    assert a["files"] == b["files"] and a["files"] != c["files"]
    for entry in a["files"]:
        assert (tmp_path / "a" / entry["path"]).read_bytes() == (tmp_path / "b" / entry["path"]).read_bytes()
        assert int((tmp_path / "a" / entry["path"]).stat().st_mtime) == entry["mtime"]
    assert {(f["kind"], f["format"]) for f in a["files"]} == {
        ("a1111", "png"), ("a1111", "jpeg"), ("a1111", "webp"), ("comfyui", "png"), ("none", "png")}
    assert any(f["path"].startswith("outputs/txt2img-images/2026-01-01/") for f in a["files"])
