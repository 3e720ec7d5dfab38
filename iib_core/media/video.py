"""Video covers with PyAV: the first frame near the start that is not (nearly) black.

Many generated clips fade in from black, so the first frame makes a poor cover. We decode
from the start (no seek: the first seconds are cheap and seeking lands on key frames
only), measure each frame's mean luminance on a tiny downscaled copy, and take the first
frame brighter than DARK_LUMA; if every frame in the window is dark, the brightest one.
Covers are WebP, cached per file state like thumbnails; a client may store its own.
"""
from __future__ import annotations

import base64
import hashlib
import binascii
import io
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from ..errors import BadInput, TooLarge
from .cache import KeyedLocks, file_state_key, read_or_none, write_atomic
from .errors import UnsupportedMedia
from .thumbnails import WEBP_METHOD, WEBP_QUALITY, fit_inside, open_image, render_slots

log = logging.getLogger("iib.media")

COVER_DIR = "video_covers"
COVER_BOX = (1024, 1024)
SCAN_SECONDS = 5.0  # look for a non-black frame within this much of the start
SCAN_FRAMES = 150  # ... and within this many frames
DARK_LUMA = 20.0  # mean luminance (0..255, full range) at or below which a frame is "black"
MAX_CLIENT_IMAGE = 32 * 1024 * 1024  # base64 characters accepted by store_client_cover
MAX_CLIENT_PIXELS = 8192 * 8192
COVER_VERSION = 1


@dataclass(frozen=True)
class Cover:
    body: bytes
    etag: str
    source: str  # "cache", "generated" or "client"


def _luma(frame) -> float:
    """Mean luminance of a 32x32 RGB copy of a decoded frame (swscale handles the range)."""
    small = frame.reformat(width=32, height=32, format="rgb24").to_ndarray().astype("float32")
    return float((small[..., 0] * 0.299 + small[..., 1] * 0.587 + small[..., 2] * 0.114).mean())


def pick_cover_frame(path: str) -> Image.Image:
    """The cover frame as an RGB image fitted into COVER_BOX; raises UnsupportedMedia."""
    import av  # imported here: importing PyAV costs ~100 ms and most requests never need it

    try:
        container = av.open(path)
    except Exception as exc:  # noqa: BLE001 - any FFmpeg failure means "cannot decode"
        raise UnsupportedMedia(f"Failed to generate video cover: {_reason(exc)}") from None
    try:
        if not container.streams.video:
            raise UnsupportedMedia("Failed to generate video cover: the file has no video stream")
        stream = container.streams.video[0]
        best, best_luma = None, -1.0
        try:
            for index, frame in enumerate(container.decode(stream)):
                luma = _luma(frame)
                if luma > DARK_LUMA:
                    best = frame
                    break
                if luma > best_luma:
                    best, best_luma = frame, luma
                seconds = frame.time
                if index + 1 >= SCAN_FRAMES or (seconds is not None and seconds >= SCAN_SECONDS):
                    break
        except Exception as exc:  # noqa: BLE001 - a broken stream after some good frames is fine
            if best is None:
                raise UnsupportedMedia(f"Failed to generate video cover: {_reason(exc)}") from None
            log.debug("video %s: decoding stopped early: %s", path, exc)
        if best is None:
            raise UnsupportedMedia("Failed to generate video cover: no frame could be decoded")
        width, height = fit_inside(best.width, best.height, COVER_BOX)
        return best.reformat(width=width, height=height, format="rgb24").to_image()
    finally:
        container.close()


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def encode_webp(im: Image.Image) -> bytes:
    buf = io.BytesIO()
    im.save(buf, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return buf.getvalue()


def decode_client_image(data: str) -> bytes:
    """The bytes of a data URL (`data:image/webp;base64,...`) or bare base64 text.

    Raises BadInput for anything that is not base64, TooLarge past MAX_CLIENT_IMAGE.
    """
    if len(data) > MAX_CLIENT_IMAGE:
        raise TooLarge(f"base64_img is larger than {MAX_CLIENT_IMAGE // (1024 * 1024)} MiB")
    text = data.strip()
    if text.startswith("data:"):
        header, comma, text = text.partition(",")
        if not comma or ";base64" not in header.lower():
            raise BadInput("base64_img must be a base64 data URL (data:image/...;base64,...) or bare base64")
    text = "".join(text.split())
    if not text:
        raise BadInput("base64_img is empty")
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise BadInput("base64_img is not valid base64") from None


def client_image_to_webp(raw: bytes) -> bytes:
    """Validate that `raw` is an image; WebP is kept as it is, anything else re-encoded."""
    try:
        with open_image(io.BytesIO(raw)) as im:
            if im.width * im.height > MAX_CLIENT_PIXELS:
                raise BadInput(f"base64_img is too large an image ({im.width}x{im.height})")
            im.load()
            if im.format == "WEBP":
                return raw
            im = im.convert("RGBA" if ("A" in im.mode or "transparency" in im.info) else "RGB")
            im.thumbnail(COVER_BOX)
            return encode_webp(im)
    except BadInput:
        raise
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - any decoder failure means "not an image"
        raise BadInput(f"base64_img is not a decodable image: {_reason(exc)}") from None


class VideoCoverCache:
    """Covers under `<cache_dir>/video_covers/<2 hex>/<40 hex>.webp`."""

    def __init__(self, cache_dir: os.PathLike) -> None:
        self.root = Path(cache_dir) / COVER_DIR
        self._locks = KeyedLocks()
        self._slots = render_slots()

    @staticmethod
    def key(real_path: str, st: os.stat_result) -> str:
        return file_state_key(real_path, st, "cover", f"v{COVER_VERSION}")

    def entry_path(self, key: str) -> Path:
        return self.root / key[:2] / (key + ".webp")

    @staticmethod
    def _etag(body: bytes) -> str:
        return '"' + hashlib.md5(body).hexdigest() + '"'

    def get(self, real_path: str, st: os.stat_result) -> Cover:
        key = self.key(real_path, st)
        target = self.entry_path(key)
        cached = read_or_none(target)
        if cached is not None:
            return Cover(cached, self._etag(cached), "cache")
        with self._locks.hold(key):
            cached = read_or_none(target)
            if cached is not None:
                return Cover(cached, self._etag(cached), "cache")
            with self._slots:
                body = encode_webp(pick_cover_frame(real_path))
            try:
                write_atomic(target, body)
            except OSError as exc:
                log.warning("cannot write video cover cache entry %s: %s", target, exc)
        return Cover(body, self._etag(body), "generated")

    def store(self, real_path: str, st: os.stat_result, image_bytes: bytes) -> Cover:
        """Make `image_bytes` (any image Pillow reads) the cover of this file state."""
        body = client_image_to_webp(image_bytes)
        key = self.key(real_path, st)
        with self._locks.hold(key):
            write_atomic(self.entry_path(key), body)
        return Cover(body, self._etag(body), "client")

    def ensure(self, real_path: str) -> str:
        """For pre-generation: "cache" or "generated"."""
        return self.get(real_path, os.stat(real_path)).source

