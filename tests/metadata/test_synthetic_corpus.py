"""make_corpus.py output parses exactly to its manifest (A1111 and ComfyUI kinds)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from iib_core.metadata import inspect_file

from .helpers import SHARED

MAKE_CORPUS = SHARED / "tools" / "make_corpus.py"

#: A1111 key -> normalised params key
A1111_KEYS = {"Steps": "steps", "Sampler": "sampler", "Schedule type": "scheduler", "CFG scale": "cfg",
              "Seed": "seed", "Model hash": "model_hash", "Model": "model", "VAE": "vae", "VAE hash": "vae_hash",
              "Denoising strength": "denoising", "Clip skip": "clip_skip", "Hires upscaler": "hires_upscaler",
              "Hires upscale": "hires_upscale", "Hires steps": "hires_steps"}
COMFY_KEYS = {"seed": "seed", "steps": "steps", "cfg": "cfg", "sampler_name": "sampler", "scheduler": "scheduler",
              "denoise": "denoising", "ckpt_name": "model", "width": "width", "height": "height"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    if not MAKE_CORPUS.is_file():
        raise RuntimeError("make_corpus.py not found at %s" % MAKE_CORPUS)
    out = tmp_path_factory.mktemp("synth") / "c"
    subprocess.run([sys.executable, str(MAKE_CORPUS), str(out), "--n", "200", "--seed", "7", "--jobs", "1"],
                   check=True, capture_output=True)
    manifest = json.loads((out / "corpus.json").read_text(encoding="utf-8"))
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
