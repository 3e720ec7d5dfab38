"""The shared_corpus set: every real sample in ../shared/corpus/MANIFEST.tsv (files made by
other tools, kept beside the clone, not in it) parses to the listed generator and prompt.

Every test here asks for ``shared_dir``: without ../shared they skip with the reason, and under
CI or IIB_TEST_STRICT=1 they fail (tests/conftest.py). The format branches themselves are
covered from a plain clone by tests/metadata/test_fixtures.py."""
from __future__ import annotations

import csv
import logging

import pytest

from iib_core.metadata import inspect_file, read_generation_info

from .helpers import CORPUS

pytestmark = pytest.mark.shared_corpus
MANIFEST = CORPUS / "MANIFEST.tsv"

#: MANIFEST generator column -> (GenInfo.generator, GenInfo.variant or None when not checked)
FAMILY = {
    "AUTOMATIC1111 (sd-webui)": ("AUTOMATIC1111", None),
    "AUTOMATIC1111 + stealth-pnginfo": ("AUTOMATIC1111", None),
    "Forge": ("Forge", "Forge"),
    "Forge Classic": ("Forge", "Forge Classic"),
    "Forge Neo": ("Forge", "Forge Neo"),
    "reForge": ("Forge", "reForge"),
    "SD.Next": ("SD.Next", None),
    "Civitai on-site generator": ("Civitai", None),
    "ComfyUI": ("ComfyUI", None),
    "SwarmUI": ("SwarmUI", None),
    "NovelAI": ("NovelAI", None),
    "InvokeAI": ("InvokeAI", None),
    "Fooocus": ("Fooocus", None),
    "RuinedFooocus": ("RuinedFooocus", None),
    "Tensor.Art": ("Tensor.Art", None),
    "Stability Matrix (Inference)": ("Stability Matrix", None),
    "HuggingFace Space (Animagine-style)": ("Hugging Face Space", None),
    "none (macOS screenshot)": (None, None),
}


def _rows():
    if not MANIFEST.is_file():  # ../shared missing: one placeholder; the shared_dir fixture skips it
        return [{"file": "shared-corpus-missing"}]
    with MANIFEST.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


def _unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            out.append({"n": "\n", "r": "\r", "t": "\t", "\\": "\\"}.get(text[i + 1], "\\" + text[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


ROWS = _rows()


def test_manifest_is_complete(shared_dir):
    assert len(ROWS) >= 30
    unknown = {r["generator"] for r in ROWS} - set(FAMILY)
    assert not unknown, "add these MANIFEST generators to FAMILY: %s" % unknown


@pytest.mark.parametrize("row", ROWS, ids=[r["file"] for r in ROWS])
def test_corpus_file(row, caplog, shared_dir):
    path = CORPUS / row["file"]
    assert path.is_file(), "missing corpus file %s" % path
    with caplog.at_level(logging.WARNING, logger="iib.metadata"):
        facts = inspect_file(path)
    assert not caplog.records, "unexpected warning: %s" % caplog.records[0].getMessage()
    assert facts is not None and facts.media_type == "image"
    assert facts.warning is None
    family, variant = FAMILY[row["generator"]]
    info = facts.info
    if family is None:
        assert info is None
        return
    assert info is not None
    assert info.generator == family
    if variant is not None:
        assert info.variant == variant
    expected = _unescape(row["expected_positive_prompt_first60"]).strip()
    assert info.positive.strip().startswith(expected), (info.positive[:80], expected)
    if expected == "":
        assert info.positive == ""


def test_comfy_image_saver_really_holds_unknown(shared_dir):
    # The saver wrote the literal word because the prompt came from another node.
    info = read_generation_info(CORPUS / "comfyui" / "comfyui-comfy-image-saver.jpeg")
    assert info.generator == "ComfyUI"
    assert info.positive == "unknown"
    assert info.negative == "unknown"
    assert info.version == "ComfyUI"
    assert info.params["steps"] == 20 and info.params["cfg"] == 8.0
    assert info.params["model"] == "JANKUV5NSFWTrainedNoobai_v50"


def test_workflow_only_has_no_stale_prompt(shared_dir):
    info = read_generation_info(CORPUS / "comfyui" / "workflow-only_simple_example.png")
    assert info.generator == "ComfyUI"
    assert info.positive == "" and info.negative == ""


def test_unclip_two_pass_takes_first_sampler_and_all_prompts_gives_both(shared_dir):
    path = CORPUS / "comfyui" / "unclip_2pass_cropped.png"
    first = read_generation_info(path)
    assert "beautiful scenery landscape" not in first.positive
    every = read_generation_info(path, comfyui_all_prompts=True)
    assert every.positive.startswith(first.positive.split("\n")[0])
    assert "beautiful scenery landscape outdoors mountains" in every.positive


def test_comfy_lora_chain_and_embedding(shared_dir):
    info = read_generation_info(CORPUS / "comfyui" / "lora_multiple.png")
    assert [l["name"] for l in info.params["loras"]] == [
        "epiNoiseoffset_v2.safetensors", "theovercomer8sContrastFix_sd15.safetensors"]
    assert info.params["seed"] == 513173432917412
    emb = read_generation_info(CORPUS / "comfyui" / "embedding_example.png")
    assert emb.params["embeddings"] == ["SDA768"]


def test_swarm_utf16le_is_not_garbled(shared_dir):
    info = read_generation_info(CORPUS / "swarmui" / "sd15_utf16le.jpg")
    assert info.positive.startswith("wide shot, photo of a cat")
    assert info.params["steps"] == 20 and info.version == "0.9.3.1"


def test_civitai_resources_and_upscale_extra_metadata(shared_dir):
    info = read_generation_info(CORPUS / "civitai" / "civitai.jpeg")
    assert info.params["model"] == "WAI-illustrious-SDXL"
    assert info.params["extra"]["Created Date"].startswith("2026-")
    up = read_generation_info(CORPUS / "civitai" / "civitai-upscale.jpg")
    assert up.params["seed"] == 1311178179 and up.params["cfg"] == 5.0
    assert "airs" in up.params["extra"]


def test_novelai_characters_and_negative(shared_dir):
    info = read_generation_info(CORPUS / "novelai" / "novelai-full-3char.png")
    assert info.positive.startswith("2girls, 1boy, dancing, #テスト")
    assert info.negative.startswith("nsfw, lowres")
    assert info.params["seed"] == 1702945580
    legacy = read_generation_info(CORPUS / "novelai" / "novelai1_cropped.png")
    assert legacy.negative.startswith("lowres, bad anatomy")
    assert legacy.params["steps"] == 50


def test_stealth_only_sample_and_stealth_off(shared_dir):
    path = CORPUS / "a1111-stealth" / "automatic1111_stealth.png"
    info = read_generation_info(path)
    assert info.positive == "a circle" and info.negative == "a square"
    assert info.params["seed"] == 2015833630
    assert read_generation_info(path, stealth=False) is None


def test_stability_matrix_and_tensorart_params(shared_dir):
    sm = read_generation_info(CORPUS / "stabilitymatrix" / "stability-matrix.png")
    assert sm.params["seed"] == 395309383 and sm.params["steps"] == 20
    ta = read_generation_info(CORPUS / "tensorart" / "tensorart.png")
    assert ta.params["seed"] == -1 and ta.params["model_hash"].startswith("A5F58EB1")


def test_invokeai_inline_negative(shared_dir):
    info = read_generation_info(CORPUS / "invokeai" / "invokeai_sdmeta1.png")
    assert info.params["seed"] == 2980747362 and info.version == "2.3.0"
    assert "[" not in info.positive and info.negative
    v6 = read_generation_info(CORPUS / "invokeai" / "invokeai.png")
    assert v6.params["model_hash"].startswith("blake3:")
