"""Magic-byte sniffing and the non-PNG containers: JPEG segments, WEBP RIFF
chunks, GIF comment blocks, and Pillow for everything else (AVIF/HEIF, TIFF,
BMP, ...). Extensions are never trusted (docs/formats.md, "Reading rules").
"""
from __future__ import annotations

import struct
from typing import Optional, Tuple

from . import exif as exif_mod
from .png import PNG_MAGIC, read_png
from .source import MAX_TEXT_BYTES, Found, Source, TruncatedError, decode_text

_XMP_HEADER = b"http://ns.adobe.com/xap/1.0/\0"
_ISO_IMAGE_BRANDS = {b"avif": "avif", b"avis": "avif", b"heic": "heic", b"heix": "heic",
                     b"heim": "heic", b"heis": "heic", b"hevc": "heic", b"hevx": "heic",
                     b"mif1": "heif", b"msf1": "heif"}
_QT_BRANDS = {b"qt  ": "mov"}
_BMP_HEADER_SIZES = (12, 40, 52, 56, 64, 108, 124)


def sniff(head: bytes) -> Optional[Tuple[str, str]]:
    """``(media_type, format)`` from the first bytes, or None if not media."""
    if head[:8] == PNG_MAGIC:
        return "image", "png"
    if head[:3] == b"\xff\xd8\xff":
        return "image", "jpeg"
    if head[:4] == b"RIFF" and len(head) >= 12:
        if head[8:12] == b"WEBP":
            return "image", "webp"
        if head[8:12] == b"AVI ":
            return "video", "avi"
        return None
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image", "gif"
    if head[4:8] == b"ftyp" and len(head) >= 12:
        return _sniff_iso_brand(head[8:12])
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video", "webm" if b"webm" in head[:64] else "mkv"
    return _sniff_less_common(head)


def _sniff_iso_brand(brand: bytes) -> Tuple[str, str]:
    """ISO base media file (``ftyp`` box): AVIF/HEIF images, QuickTime, else MP4."""
    if brand in _ISO_IMAGE_BRANDS:
        return "image", _ISO_IMAGE_BRANDS[brand]
    if brand in _QT_BRANDS:
        return "video", "mov"
    return "video", "mp4"


def _sniff_less_common(head: bytes) -> Optional[Tuple[str, str]]:
    """TIFF, BMP, JPEG XL, ICO and PSD, which Pillow reads; None if none of them."""
    if head[:4] in (b"II*\0", b"MM\0*"):
        return "image", "tiff"
    if head[:2] == b"BM" and len(head) >= 26 and struct.unpack_from("<I", head, 14)[0] in _BMP_HEADER_SIZES:
        return "image", "bmp"
    if head[:2] == b"\xff\x0a" or head[:12] == b"\0\0\0\x0cJXL \r\n\x87\n":
        return "image", "jxl"
    if head[:4] == b"\0\0\1\0" and len(head) >= 6 and 0 < struct.unpack_from("<H", head, 4)[0] < 256:
        return "image", "ico"
    if head[:4] == b"8BPS":
        return "image", "psd"
    return None


def _add_xmp(found: Found, data: bytes) -> None:
    if found.xmp is None:
        found.xmp = decode_text(data)


def _jpeg_segment(found: Found, marker: int, body: bytes) -> None:
    """One read JPEG segment: APP1 (EXIF or XMP), COM (comment) or SOFn (size)."""
    if marker == 0xE1:
        if body[:6] == b"Exif\0\0":
            if not found.exif:
                exif_mod.parse_tiff_into(found, body)
        elif body.startswith(_XMP_HEADER):
            _add_xmp(found, body[len(_XMP_HEADER):])
    elif marker == 0xFE:
        if found.comment is None:
            found.comment = decode_text(body).strip("\0")
    elif len(body) >= 5 and found.width is None:
        found.height, found.width = struct.unpack_from(">HH", body, 1)


def read_jpeg(src: Source, found: Found) -> None:
    pos = 2
    size = src.size
    for _ in range(10000):
        try:
            hdr = src.read_at(pos, 4)
        except TruncatedError:
            found.problems.append("truncated JPEG header segments")
            return
        if hdr[0] != 0xFF:
            found.problems.append("corrupt JPEG segment at byte %d" % pos)
            return
        marker = hdr[1]
        if marker == 0xFF:      # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        if marker in (0xD9, 0xDA):    # EOI / start of scan: no more metadata
            return
        (length,) = struct.unpack_from(">H", hdr, 2)
        if length < 2:
            found.problems.append("corrupt JPEG segment length")
            return
        body_at = pos + 4
        body_len = length - 2
        if marker in (0xE1, 0xFE) or (0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC)):
            try:
                body = src.read_at(body_at, body_len)
            except TruncatedError as exc:
                found.problems.append("truncated JPEG: %s" % exc)
                return
            _jpeg_segment(found, marker, body)
        pos = body_at + body_len
        if pos > size:
            found.problems.append("truncated JPEG segment")
            return
    found.problems.append("too many JPEG segments")


def _webp_size(ctype: bytes, body: bytes, found: Found) -> None:
    if ctype == b"VP8X" and len(body) >= 10:
        found.has_alpha = bool(body[0] & 0x10)
        found.width = 1 + int.from_bytes(body[4:7], "little")
        found.height = 1 + int.from_bytes(body[7:10], "little")
    elif ctype == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        found.lossless = True
        if found.width is None:
            found.width = (bits & 0x3FFF) + 1
            found.height = ((bits >> 14) & 0x3FFF) + 1
            found.has_alpha = bool((bits >> 28) & 1)
    elif ctype == b"VP8 " and len(body) >= 10 and found.width is None:
        w, h = struct.unpack_from("<HH", body, 6)
        found.width, found.height = w & 0x3FFF, h & 0x3FFF


def read_webp(src: Source, found: Found) -> None:
    declared = 8 + struct.unpack_from("<I", src.head, 4)[0]
    if declared > src.size:
        found.problems.append("truncated WEBP: RIFF announces %d bytes, file has %d"
                              % (declared, src.size))
    end = min(declared, src.size)
    pos = 12
    while pos + 8 <= end:
        try:
            ctype, length = struct.unpack("<4sI", src.read_at(pos, 8))
        except TruncatedError:
            found.problems.append("truncated WEBP")
            return
        body_at = pos + 8
        if ctype in (b"VP8X", b"VP8L", b"VP8 ", b"EXIF", b"XMP "):
            want = length if ctype in (b"EXIF", b"XMP ") else min(length, 16)
            if want > MAX_TEXT_BYTES:
                found.problems.append("WEBP %s chunk too large" % ctype.decode("latin-1"))
            else:
                try:
                    body = src.read_at(body_at, want)
                except TruncatedError as exc:
                    found.problems.append("truncated WEBP %s chunk: %s" % (ctype.decode("latin-1"), exc))
                    return
                if ctype == b"EXIF":
                    exif_mod.parse_tiff_into(found, body)
                elif ctype == b"XMP ":
                    _add_xmp(found, body)
                else:
                    _webp_size(ctype, body, found)
        elif ctype == b"ANMF" and not found.lossless:
            # animated: look at the first frame's bitstream type
            try:
                sub = src.read_at(body_at + 16, 8)
                if sub[:4] == b"VP8L":
                    found.lossless = True
            except TruncatedError:
                pass
        pos = body_at + length + (length & 1)
    return


def read_gif(src: Source, found: Found) -> None:
    head = src.head
    if len(head) < 13:
        found.problems.append("truncated GIF")
        return
    found.width, found.height = struct.unpack_from("<HH", head, 6)
    found.lossless = True
    flags = head[10]
    pos = 13
    if flags & 0x80:
        pos += 3 * (2 << (flags & 7))
    # Walk blocks through the cached head only; generators write the comment
    # before the first frame.
    n = len(head)
    while pos < n:
        b = head[pos]
        if b == 0x3B:
            return
        if b == 0x21 and pos + 1 < n:
            label = head[pos + 1]
            pos += 2
            chunks = []
            while pos < n and head[pos] != 0:
                ln = head[pos]
                chunks.append(head[pos + 1:pos + 1 + ln])
                pos += 1 + ln
            pos += 1
            if label == 0xFE and found.comment is None:
                found.comment = decode_text(b"".join(chunks))
        elif b == 0x2C:
            return      # image data follows; stop (comment normally precedes it)
        else:
            return


def read_with_pillow(src: Source, found: Found) -> None:
    """Dimensions and EXIF/XMP of formats we do not walk ourselves."""
    try:
        from PIL import Image
        src.fh.seek(0)
        with Image.open(src.fh) as im:
            found.width, found.height = im.size
            found.has_alpha = "A" in im.getbands()
            found.lossless = found.format in ("tiff", "bmp", "gif")
            raw = im.info.get("exif")
            if isinstance(raw, bytes) and raw:
                exif_mod.parse_tiff_into(found, raw)
            xmp = im.info.get("xmp") or im.info.get("XML:com.adobe.xmp")
            if isinstance(xmp, bytes):
                _add_xmp(found, xmp)
            elif isinstance(xmp, str) and found.xmp is None:
                found.xmp = xmp
            comment = im.info.get("comment")
            if isinstance(comment, bytes) and found.comment is None:
                found.comment = decode_text(comment)
    except Exception as exc:      # Pillow raises many types on odd files
        if found.format not in ("jxl", "psd", "ico"):
            found.problems.append("cannot read %s header: %s" % (found.format, exc))


def read_container(src: Source, media_type: str, fmt: str) -> Found:
    found = Found(fmt, media_type)
    if media_type != "image":
        return found
    if fmt == "png":
        read_png(src, found)
    elif fmt == "jpeg":
        read_jpeg(src, found)
    elif fmt == "webp":
        read_webp(src, found)
    elif fmt == "gif":
        read_gif(src, found)
    else:
        read_with_pillow(src, found)
    return found
