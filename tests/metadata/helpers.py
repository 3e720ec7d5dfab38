"""Builders for real image files used by the metadata tests (Pillow + struct)."""
from __future__ import annotations

import gzip
import io
import struct
import zlib
from pathlib import Path
from typing import Optional, Sequence, Tuple

from PIL import Image

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"


def png_chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)


def text_chunk(key: str, value: str, encoding: str = "utf-8") -> bytes:
    return png_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode(encoding))


def itxt_chunk(key: str, value: str, compressed: bool = False) -> bytes:
    body = value.encode("utf-8")
    if compressed:
        body = zlib.compress(body)
    return png_chunk(b"iTXt", key.encode("latin-1") + b"\0" + bytes([1 if compressed else 0, 0]) + b"\0\0" + body)


def ztxt_chunk(key: str, value: str) -> bytes:
    return png_chunk(b"zTXt", key.encode("latin-1") + b"\0\0" + zlib.compress(value.encode("latin-1")))


def png_bytes(size=(8, 6), mode="RGB", before: Sequence[bytes] = (), after: Sequence[bytes] = (),
              image: Optional[Image.Image] = None) -> bytes:
    """A real PNG with extra chunks inserted right after IHDR and after IDAT."""
    img = image if image is not None else Image.new(mode, size, (10, 20, 30, 255)[:len(mode)] if mode != "L" else 10)
    buf = io.BytesIO()
    img.save(buf, "PNG")
    data = buf.getvalue()
    ihdr_end = 8 + 8 + 13 + 4
    iend = data.rindex(b"IEND") - 4
    return data[:ihdr_end] + b"".join(before) + data[ihdr_end:iend] + b"".join(after) + data[iend:]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------- EXIF
TYPE_ASCII, TYPE_UNDEFINED, TYPE_LONG = 2, 7, 4


def tiff(byte_order: str, ifd0: Sequence[Tuple[int, int, bytes]],
         exif_ifd: Sequence[Tuple[int, int, bytes]] = ()) -> bytes:
    """A TIFF block. Entries are (tag, type, raw bytes); the Exif IFD pointer is added."""
    bo = "<" if byte_order == "II" else ">"
    header = (b"II*\0" if byte_order == "II" else b"MM\0*") + struct.pack(bo + "I", 8)
    entries0 = list(ifd0)
    n0 = len(entries0) + (1 if exif_ifd else 0)
    ifd0_size = 2 + 12 * n0 + 4
    exif_off = 8 + ifd0_size
    exif_size = 2 + 12 * len(exif_ifd) + 4 if exif_ifd else 0
    data_off = exif_off + exif_size
    blobs = bytearray()

    def encode(entries, extra=None):
        nonlocal blobs
        out = struct.pack(bo + "H", len(entries) + (1 if extra else 0))
        items = list(entries)
        if extra:
            items.append(extra)
        for tag, typ, raw in sorted(items, key=lambda e: e[0]):
            if tag == 0x8769:
                out += struct.pack(bo + "HHI", tag, TYPE_LONG, 1) + struct.pack(bo + "I", exif_off)
                continue
            count = len(raw)
            if count <= 4:
                out += struct.pack(bo + "HHI", tag, typ, count) + raw.ljust(4, b"\0")
            else:
                out += struct.pack(bo + "HHI", tag, typ, count) + struct.pack(bo + "I", data_off + len(blobs))
                blobs += raw
                if len(blobs) % 2:
                    blobs += b"\0"
        return out + struct.pack(bo + "I", 0)

    part0 = encode(entries0, (0x8769, TYPE_LONG, b"") if exif_ifd else None)
    part1 = encode(exif_ifd) if exif_ifd else b""
    return header + part0 + part1 + bytes(blobs)


def user_comment_unicode(text: str, utf16: str = "be") -> bytes:
    return b"UNICODE\0" + text.encode("utf-16-be" if utf16 == "be" else "utf-16-le")


def jpeg_bytes(exif: Optional[bytes] = None, size=(16, 12), xmp: Optional[str] = None,
               comment: Optional[bytes] = None) -> bytes:
    buf = io.BytesIO()
    kw = {}
    if exif is not None:
        kw["exif"] = b"Exif\0\0" + exif if not exif.startswith(b"Exif") else exif
    if comment is not None:
        kw["comment"] = comment
    if xmp is not None:
        kw["xmp"] = xmp.encode("utf-8")
    Image.new("RGB", size, (200, 100, 50)).save(buf, "JPEG", **kw)
    return buf.getvalue()


def webp_bytes(exif: Optional[bytes] = None, size=(16, 12), lossless=False, mode="RGB",
               exif_header: bool = True, image: Optional[Image.Image] = None) -> bytes:
    """A WEBP; the EXIF chunk is spliced in by hand so both header variants can be made."""
    buf = io.BytesIO()
    img = image if image is not None else Image.new(mode, size, (200, 100, 50, 255)[:len(mode)])
    img.save(buf, "WEBP", lossless=lossless, quality=80)
    data = buf.getvalue()
    if exif is None:
        return data
    body = (b"Exif\0\0" + exif) if exif_header else exif
    w, h = img.size
    flags = 0x08 | (0x10 if "A" in img.mode else 0)
    vp8x = png_free_riff(b"VP8X", bytes([flags, 0, 0, 0]) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little"))
    chunks = data[12:]
    if chunks[:4] == b"VP8X":      # drop Pillow's VP8X, we write our own
        ln = struct.unpack("<I", chunks[4:8])[0]
        chunks = chunks[8 + ln + (ln & 1):]
    payload = b"WEBP" + vp8x + chunks + png_free_riff(b"EXIF", body)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


def png_free_riff(ctype: bytes, body: bytes) -> bytes:
    return ctype + struct.pack("<I", len(body)) + body + (b"\0" if len(body) & 1 else b"")


# --------------------------------------------------------------------------- stealth
def stealth_image(payload: bytes, signature: str, size=(60, 50), mode: str = "RGBA") -> Image.Image:
    """Embed ``payload`` with A1111-extension layout (column-major LSBs)."""
    if signature.endswith("comp"):
        payload = gzip.compress(payload)
    sig = signature.encode("ascii")
    bits = "".join(format(b, "08b") for b in sig) + format(len(payload) * 8, "032b") + \
        "".join(format(b, "08b") for b in payload)
    w, h = size
    img = Image.new(mode, size, (120, 130, 140, 255)[:len(mode)])
    px = img.load()
    rgb = "rgb" in signature
    per_pixel = 3 if rgb else 1
    assert len(bits) <= w * h * per_pixel, "image too small for payload"
    i = 0
    for x in range(w):
        for y in range(h):
            if i >= len(bits):
                return img
            p = list(px[x, y])
            if rgb:
                for c in range(3):
                    if i < len(bits):
                        p[c] = (p[c] & ~1) | int(bits[i])
                        i += 1
            else:
                p[3] = (p[3] & ~1) | int(bits[i])
                i += 1
            px[x, y] = tuple(p)
    return img


A1111_TEXT = ("a photo of a cat, <lora:catstyle:0.7>\nNegative prompt: blurry, lowres\n"
              "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x768, "
              "Model hash: abcdef1234, Model: dream, Version: v1.10.1")
