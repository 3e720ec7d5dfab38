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


def aged_file(path: Path, size: int, age: float = 0.0, atime_age: float = None, now: float = None) -> Path:
    """A file of `size` random bytes whose mtime is `age` seconds ago (atime `atime_age` ago,
    by default the same): what the cache retention rules look at."""
    import time

    now = time.time() if now is None else now
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(os.urandom(size))
    os.utime(path, (now - (age if atime_age is None else atime_age), now - age))
    return path
