"""Real files for indexer tests: small PNGs with A1111 infotext."""
import os
from pathlib import Path

from PIL import Image, PngImagePlugin


def a1111_png(path: Path, prompt: str, seed: int = 1, negative: str = "lowres", size=(16, 24)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        f"{prompt}\nNegative prompt: {negative}\n"
        f"Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: {seed}, Size: 512x768, Model: dreamy_v1",
    )
    Image.new("RGB", size, (seed % 255, 80, 120)).save(path, pnginfo=info)
    return path


def plain_png(path: Path, color=(1, 2, 3)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), color).save(path)
    return path


def set_mtime(path: Path, mtime: float) -> None:
    os.utime(path, (mtime, mtime))
