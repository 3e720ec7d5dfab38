"""Real media files for the media tests: noisy PNGs, JPEGs with EXIF orientation, small videos."""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Sequence, Tuple

from PIL import Image

BRIGHT = [(220, 40, 40), (40, 200, 60), (40, 60, 220), (230, 230, 40)]


def noisy_png(path: Path, size: Tuple[int, int] = (1024, 1536), seed: int = 0, mode: str = "RGB") -> Path:
    """A PNG that does not compress well (like real renders), so it is big and slow to decode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = os.urandom(size[0] * size[1] * len(mode)) if seed == 0 else _seeded(size, seed, len(mode))
    Image.frombytes(mode, size, raw).save(path)
    return path


def _seeded(size, seed, channels) -> bytes:
    import random

    rnd = random.Random(seed)
    return bytes(rnd.getrandbits(8) for _ in range(size[0] * size[1] * channels))


def solid(path: Path, size: Tuple[int, int], color, fmt: str = None, pad_bytes: int = 0, **save) -> Path:
    """A single-colour image; `pad_bytes` of random noise in a PNG text chunk make it large
    (past the small-original limit) without changing its pixels."""
    from PIL import PngImagePlugin

    path.parent.mkdir(parents=True, exist_ok=True)
    mode = "RGBA" if len(color) == 4 else "RGB"
    im = Image.new(mode, size, color)
    if pad_bytes:
        info = PngImagePlugin.PngInfo()
        info.add_text("padding", os.urandom(pad_bytes).hex(), zip=False)
        save["pnginfo"] = info
    im.save(path, fmt, **save)
    return path


def decode(body: bytes) -> Image.Image:
    im = Image.open(io.BytesIO(body))
    im.load()
    return im


def close_to(pixel: Sequence[int], expected: Sequence[int], tolerance: int = 40) -> bool:
    return all(abs(int(a) - int(b)) <= tolerance for a, b in zip(pixel, expected))


def video_encoder() -> str:
    import av

    for name in ("libx264", "mpeg4"):
        try:
            av.codec.Codec(name, "w")
            return name
        except Exception:  # noqa: BLE001
            continue
    raise RuntimeError("no H.264 or MPEG-4 encoder in this PyAV build")


def make_video(path: Path, frames: int = 10, black: int = 3, size: Tuple[int, int] = (64, 48), fps: int = 10,
               colors=None) -> Path:
    """An MP4 with `black` black frames, then frames in BRIGHT colours (frame `black` is
    BRIGHT[0], the next BRIGHT[1], ...)."""
    import av
    import numpy as np

    colors = colors or BRIGHT
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(video_encoder(), rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            rgb = (0, 0, 0) if i < black else colors[(i - black) % len(colors)]
            array = np.zeros((size[1], size[0], 3), dtype=np.uint8)
            array[:, :] = rgb
            frame = av.VideoFrame.from_ndarray(array, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
