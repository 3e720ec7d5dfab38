"""Thumbnails: generation with Pillow and a disk cache keyed by the file's state.

The cache key is (real path, size, mtime_ns, inode, requested box, format version), so
a file that is regenerated in place gets a new thumbnail without the client changing
its URL token. Entries are written to a temporary file in the same folder and moved into
place with `os.replace`, so a reader sees either no entry or a whole one; concurrent
requests for the same cold entry wait for the one that generates it.

Speed: JPEG sources are decoded at 1/2, 1/4 or 1/8 scale with `draft()` (libjpeg does
the downscaling while decoding); other formats are shrunk by an integer factor with
`reduce()` (a box filter, much cheaper than a convolution at full size) and only the
remaining < 2x step uses a real resampling filter. PNG decoding is most of the cost of a
cold thumbnail (36 of 43 ms for a 1024x1536 render): when the optional `pyspng` package
(libspng) is installed, ordinary 8-bit PNGs are decoded by it in about half the time; Pillow
still parses the header first (format check, decompression-bomb limit, EXIF orientation) and
decodes everything else, and any file libspng refuses.
"""
from __future__ import annotations

import io
import logging
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Tuple

from PIL import Image

try:  # optional: a faster PNG decoder (wheels for CPython 3.9-3.13); Pillow decodes without it
    import pyspng as _spng
except Exception:  # noqa: BLE001 - ImportError, or a wheel built against another numpy
    _spng = None

from ..errors import BadInput, Forbidden, NotFound
from .cache import KeyedLocks, file_state_key, read_or_none, write_atomic
from .errors import UnsupportedMedia
from .kinds import media_kind

log = logging.getLogger("iib.media")

THUMBNAIL_DIR = "thumbnails"
DEFAULT_BOX = (256, 256)
MAX_SIDE = 4096
# Originals smaller than this are sent as they are (re-encoding would not save anything).
SMALL_ORIGINAL = 64 * 1024
# Bump when the output changes (format, quality, filter) so old entries are not reused.
FORMAT_VERSION = 1
WEBP_QUALITY = 80
# libwebp "method" 0..6 trades encoding time for size; 0 is ~3x faster than the default 4
# for a ~4% larger file at the same quality.
WEBP_METHOD = 0

# Formats every browser shows in an <img>: small originals in these are sent unchanged.
_BROWSER_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
                    "BMP": "image/bmp"}
# What we let Pillow decode: ordinary raster formats only. Never EPS/PS (Pillow runs
# Ghostscript for those) nor the long tail of exotic decoders, whatever a file's name says.
DECODABLE_FORMATS = ("JPEG", "MPO", "PNG", "GIF", "WEBP", "BMP", "DIB", "TIFF", "AVIF", "HEIF")
_BOX = re.compile(r"^\s*(\d{1,6})\s*[xX]\s*(\d{1,6})\s*$")
# EXIF orientation -> the transpositions that undo it (same table as ImageOps.exif_transpose).
_T = Image.Transpose  # Pillow >= 9.1
_ORIENTATION = {2: _T.FLIP_LEFT_RIGHT, 3: _T.ROTATE_180, 4: _T.FLIP_TOP_BOTTOM, 5: _T.TRANSPOSE,
                6: _T.ROTATE_270, 7: _T.TRANSVERSE, 8: _T.ROTATE_90}


def parse_box(size: Optional[str]) -> Tuple[int, int]:
    """`"512x512"` -> (512, 512); None means the default box. Raises BadInput otherwise."""
    if size is None:
        return DEFAULT_BOX
    m = _BOX.match(size)
    if not m:
        raise BadInput(f"size must look like <width>x<height>, e.g. 512x512 (got {size[:40]!r})")
    w, h = int(m.group(1)), int(m.group(2))
    if not (1 <= w <= MAX_SIDE and 1 <= h <= MAX_SIDE):
        raise BadInput(f"size must be between 1x1 and {MAX_SIDE}x{MAX_SIDE} (got {w}x{h})")
    return w, h


def fit_inside(width: int, height: int, box: Tuple[int, int]) -> Tuple[int, int]:
    """The largest size within `box` with the aspect ratio of width x height; never upscales."""
    scale = min(box[0] / width, box[1] / height, 1.0)
    return max(1, round(width * scale)), max(1, round(height * scale))


@dataclass(frozen=True)
class Thumbnail:
    body: bytes
    media_type: str
    etag: str
    source: str  # "original", "cache" or "generated"


def open_image(fp) -> Image.Image:
    """`Image.open` restricted to DECODABLE_FORMATS (those this Pillow build knows)."""
    Image.init()  # registers every plugin once; a no-op afterwards
    return Image.open(fp, formats=[f for f in DECODABLE_FORMATS if f in Image.OPEN])


def render_slots() -> threading.BoundedSemaphore:
    """How many decodes may run at once: one per core. More only adds memory (a big PNG
    needs ~5 MB per megapixel while decoding) and makes every request finish later."""
    return threading.BoundedSemaphore(max(2, os.cpu_count() or 2))


def render_thumbnail(path: str, box: Tuple[int, int]) -> Tuple[bytes, str]:
    """Encoded thumbnail bytes and their MIME type. Raises UnsupportedMedia when the file
    cannot be decoded (Pillow raises many exception types for broken input)."""
    try:
        with open_image(path) as im:
            fast = _fast_png(im, path)
            if fast is not None:
                return _render(fast[0], box, fast[1])
            return _render(im, box)
    except (UnsupportedMedia, MemoryError):
        raise
    except FileNotFoundError:
        raise NotFound("Not Found") from None
    except PermissionError:
        raise Forbidden(f"Permission denied: {os.path.basename(path)}") from None
    except Image.DecompressionBombError as exc:
        raise UnsupportedMedia(f"Image too large to make a thumbnail: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - any decoder failure is "not a decodable image"
        reason = str(exc) or type(exc).__name__
        raise UnsupportedMedia(f"Cannot decode {os.path.basename(path)} as an image: {reason}") from None


def _orientation(im: Image.Image) -> int:
    try:
        value = im.getexif().get(0x0112, 1)
        return value if isinstance(value, int) else 1
    except Exception:  # noqa: BLE001 - a broken EXIF block must not break the thumbnail
        return 1


FAST_PNG = True
"""Use pyspng for the PNGs it can decode, when it is installed (tests turn it off to compare)."""
# Pillow mode of an 8-bit PNG -> the pixel format asked of libspng (what _normalise_mode makes).
_SPNG_FORMATS = {"RGB": "RGB", "RGBA": "RGBA", "L": "L"}


def _fast_png(im: Image.Image, path: str) -> Optional[Tuple[Image.Image, int]]:
    """(pixels, EXIF orientation) of a PNG opened by Pillow, decoded by libspng; None when
    Pillow should decode it (no pyspng, another format, an animation, a mode libspng would
    convert differently, or a file libspng refuses: Pillow then gives the honest error)."""
    if _spng is None or not FAST_PNG or im.format != "PNG" or getattr(im, "n_frames", 1) != 1:
        return None
    if im.mode == "P":
        # pyspng does not apply a palette's tRNS transparency: those stay with Pillow.
        fmt = None if "transparency" in im.info else "RGB"
    else:
        fmt = _SPNG_FORMATS.get(im.mode)
    if fmt is None:  # 16-bit grey, LA, I;16, transparent palettes: Pillow's conversions
        return None
    try:
        with open(path, "rb") as f:
            data = f.read()
        pixels = _spng.load(data, fmt)
        channels = len(fmt)
        expected = (im.height, im.width) if channels == 1 else (im.height, im.width, channels)
        if pixels.dtype.itemsize != 1 or pixels.shape != expected:
            return None
        return Image.fromarray(pixels), _png_orientation(data)
    except Exception:  # noqa: BLE001 - libspng refused the file: Pillow decides
        return None


def _png_orientation(data: bytes) -> int:
    """The EXIF orientation of a PNG's eXIf chunk, wherever it lies (Pillow's getexif()
    decodes the whole image to look past IDAT); 1 when there is none or it is broken."""
    pos, end = 8, len(data)
    while pos + 8 <= end:
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        if kind == b"eXIf":
            try:
                exif = Image.Exif()
                exif.load(b"Exif\x00\x00" + data[pos + 8:pos + 8 + length])
                value = exif.get(0x0112, 1)
                return value if isinstance(value, int) else 1
            except Exception:  # noqa: BLE001 - as _orientation: broken EXIF, no turn
                return 1
        if kind == b"IEND":
            break
        pos += 12 + length
    return 1


def _render(im: Image.Image, box: Tuple[int, int], orientation: Optional[int] = None) -> Tuple[bytes, str]:
    """`im` opened by Pillow, or already decoded with its EXIF `orientation` given."""
    if orientation is None:
        orientation = _orientation(im)
    if orientation in (5, 6, 7, 8):  # stored sideways: fit the stored image in the turned box
        box = (box[1], box[0])
    target = fit_inside(im.width, im.height, box)
    if im.format in ("JPEG", "MPO"):
        im.draft(None, target)  # decode at 1/2, 1/4 or 1/8 scale when that still covers target
    im = _normalise_mode(im)
    factor = min(im.width // target[0], im.height // target[1])
    if factor >= 2:
        im = im.reduce(factor)
    # reduce() rounds up, so 1024x1536 / 3 gives 342x512 for a 341x512 target: keep a result
    # within a pixel of the target as long as it fits the box.
    close = abs(im.width - target[0]) <= 1 and abs(im.height - target[1]) <= 1
    if im.size != target and not (close and im.width <= box[0] and im.height <= box[1]):
        im = im.resize(target, Image.Resampling.BICUBIC)
    if orientation in _ORIENTATION:
        im = im.transpose(_ORIENTATION[orientation])
    return _encode(im)


def _normalise_mode(im: Image.Image) -> Image.Image:
    """RGB, RGBA or L: the modes reduce(), resize() and the encoders all take."""
    mode = im.mode
    if mode in ("RGB", "RGBA", "L"):
        return im
    if mode == "P":
        return im.convert("RGBA" if "transparency" in im.info else "RGB")
    if mode in ("LA", "PA", "RGBa", "La"):
        return im.convert("RGBA")
    if mode.startswith("I;16") or mode in ("I", "F"):
        # 16-bit (or float) greyscale: scale to 8 bits instead of clipping everything to white.
        im = im.convert("I") if mode != "F" else im
        return im.point(lambda v: v * (1 / 256)).convert("L")
    return im.convert("RGBA" if "A" in mode else "RGB")


def _encode(im: Image.Image) -> Tuple[bytes, str]:
    buf = io.BytesIO()
    im.save(buf, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    return buf.getvalue(), "image/webp"


def _small_original(path: str, size: int) -> Optional[Tuple[bytes, str]]:
    """The bytes and true MIME type of a small original a browser can show, else None."""
    if size >= SMALL_ORIGINAL:
        return None
    try:
        with open(path, "rb") as f:
            data = f.read(SMALL_ORIGINAL)
        with open_image(io.BytesIO(data)) as im:
            media_type = _BROWSER_FORMATS.get(im.format or "")
            if media_type is None or im.width > MAX_SIDE or im.height > MAX_SIDE:
                return None
            im.verify()  # cheap structural check: garbage with a .png name is not sent as an image
    except Exception:  # noqa: BLE001 - let the full decoder produce the honest error
        return None
    return data, media_type


class ThumbnailCache:
    """Thumbnails under `<cache_dir>/thumbnails/<2 hex>/<40 hex>.webp`."""

    def __init__(self, cache_dir: os.PathLike) -> None:
        self.root = Path(cache_dir) / THUMBNAIL_DIR
        self._locks = KeyedLocks()
        self._slots = render_slots()

    @staticmethod
    def key(real_path: str, st: os.stat_result, box: Tuple[int, int]) -> str:
        return file_state_key(real_path, st, f"{box[0]}x{box[1]}", f"v{FORMAT_VERSION}")

    @staticmethod
    def _etag(key: str, box: Tuple[int, int]) -> str:
        return f'"{key[:32]}{box[0]}x{box[1]}"'  # the original's "<32 hex><size>", quoted as RFC 9110 wants

    def etag(self, real_path: str, st: os.stat_result, box: Tuple[int, int]) -> str:
        return self._etag(self.key(real_path, st, box), box)

    def entry_path(self, key: str) -> Path:
        return self.root / key[:2] / (key + ".webp")

    def get(self, real_path: str, st: os.stat_result, box: Tuple[int, int]) -> Thumbnail:
        """The thumbnail for a regular file whose stat is `st`, generating it if needed."""
        if media_kind(real_path) in ("video", "audio"):
            raise UnsupportedMedia(f"{os.path.basename(real_path)} is not an image (videos have /video_cover)")
        key = self.key(real_path, st, box)
        etag = self._etag(key, box)
        small = _small_original(real_path, st.st_size)
        if small is not None:
            return Thumbnail(small[0], small[1], etag, "original")
        target = self.entry_path(key)
        cached = read_or_none(target)
        if cached is not None:
            return Thumbnail(cached, "image/webp", etag, "cache")
        with self._locks.hold(key):
            cached = read_or_none(target)  # another request may have made it while we waited
            if cached is not None:
                return Thumbnail(cached, "image/webp", etag, "cache")
            with self._slots:
                body, media_type = render_thumbnail(real_path, box)
            try:
                write_atomic(target, body)
            except OSError as exc:  # a read-only cache still serves thumbnails
                log.warning("cannot write thumbnail cache entry %s: %s", target, exc)
        return Thumbnail(body, media_type, etag, "generated")

    def ensure(self, real_path: str, box: Tuple[int, int]) -> str:
        """For pre-generation: "cache", "generated" or "original" (nothing stored)."""
        return self.get(real_path, os.stat(real_path), box).source
