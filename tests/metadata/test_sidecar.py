"""Sidecar files: A1111 ``.txt``, captions (not claimed), SwarmUI and Easy Diffusion JSON."""
from __future__ import annotations

import json
import os

from iib_core.metadata import read_generation_info

from .helpers import A1111_TEXT, png_bytes, text_chunk, write


def test_infotext_sidecar(tmp_path):
    img = write(tmp_path / "00001-42.png", png_bytes())
    (tmp_path / "00001-42.txt").write_text(A1111_TEXT + "\n", encoding="utf-8")
    info = read_generation_info(img)
    assert info.generator == "AUTOMATIC1111" and info.params["seed"] == 42
    assert read_generation_info(img, sidecar=False) is None


def test_caption_txt_is_not_claimed(tmp_path):
    img = write(tmp_path / "train_01.png", png_bytes())
    (tmp_path / "train_01.txt").write_text("1girl, solo, long hair, smile\n", encoding="utf-8")
    assert read_generation_info(img) is None


def test_embedded_info_wins_over_sidecar(tmp_path):
    img = write(tmp_path / "x.png", png_bytes(before=[text_chunk("parameters", A1111_TEXT.replace("cat", "owl"))]))
    (tmp_path / "x.txt").write_text(A1111_TEXT, encoding="utf-8")
    assert "owl" in read_generation_info(img).positive


def test_swarm_and_easydiffusion_json_sidecars(tmp_path):
    img = write(tmp_path / "s.png", png_bytes())
    (tmp_path / "s.swarm.json").write_text(json.dumps({"sui_image_params": {"prompt": "sw", "seed": 1}}))
    assert read_generation_info(img).generator == "SwarmUI"
    img2 = write(tmp_path / "e.jpg", b"")
    img2 = write(tmp_path / "e.png", png_bytes())
    (tmp_path / "e.json").write_text(json.dumps({"prompt": "ed", "use_stable_diffusion_model": "m", "seed": 2}))
    assert read_generation_info(img2).positive == "ed"
    (tmp_path / "other.json").write_text("{}")
    assert read_generation_info(write(tmp_path / "other.png", png_bytes())) is None


def test_easydiffusion_txt_sidecar(tmp_path):
    img = write(tmp_path / "ed.png", png_bytes())
    (tmp_path / "ed.txt").write_text("Prompt: a boat\nSeed: 3\nStable Diffusion model: sd\nSteps: 10\n")
    info = read_generation_info(img)
    assert (info.generator, info.positive, info.params["steps"]) == ("Easy Diffusion", "a boat", 10)


def test_bytes_path_with_sidecar(tmp_path):
    d = os.fsencode(str(tmp_path))
    img = d + b"/caf\xe9.png"
    with open(img, "wb") as fh:
        fh.write(png_bytes())
    with open(d + b"/caf\xe9.txt", "wb") as fh:
        fh.write(A1111_TEXT.encode())
    assert read_generation_info(img).params["seed"] == 42
