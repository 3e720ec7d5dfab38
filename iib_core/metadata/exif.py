"""A small TIFF/EXIF reader for the tags that carry generation info.

Pillow's EXIF support works, but we need the raw bytes and the type of
UserComment (ASCII-typed in IFD0 for Fooocus/SaveImagePlus, UNDEFINED with an
8-byte charset prefix elsewhere), both byte orders, and a bounded parser that
never raises on garbage; a direct ``struct`` walk of IFD0 and the Exif IFD is
short and several times faster than building an ``Image.Exif``.
"""
from __future__ import annotations

import struct
from typing import Dict, Optional, Tuple

from .source import Found, decode_text

_TAG_NAMES = {
    0x010D: "DocumentName",
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
    0x9286: "UserComment",
    0x927C: "MakerNote",
    0x9C9C: "XPComment",
}
_EXIF_IFD = 0x8769
_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}
_MAX_ENTRIES = 1000


def _read_ifd(data: bytes, offset: int, bo: str) -> Tuple[Dict[int, Tuple[int, bytes]], Optional[int]]:
    """Tags we care about in one IFD as ``{tag: (type, raw bytes)}`` and the Exif IFD offset."""
    out: Dict[int, Tuple[int, bytes]] = {}
    exif_ptr = None
    n = len(data)
    if offset < 8 or offset + 2 > n:
        raise ValueError("IFD offset %d outside the EXIF block" % offset)
    (count,) = struct.unpack_from(bo + "H", data, offset)
    if count > _MAX_ENTRIES:
        raise ValueError("IFD with %d entries" % count)
    entry = struct.Struct(bo + "HHI4s")
    p = offset + 2
    for _ in range(count):
        if p + 12 > n:
            raise ValueError("IFD runs past the EXIF block")
        tag, typ, cnt, val = entry.unpack_from(data, p)
        p += 12
        if tag == _EXIF_IFD:
            exif_ptr = struct.unpack(bo + "I", val)[0]
            continue
        if tag not in _TAG_NAMES:
            continue
        size = _TYPE_SIZES.get(typ, 1) * cnt
        if size <= 4:
            raw = val[:size]
        else:
            (off,) = struct.unpack(bo + "I", val)
            if off + size > n:
                raise ValueError("tag 0x%04x points outside the EXIF block" % tag)
            raw = data[off:off + size]
        out[tag] = (typ, raw)
    return out, exif_ptr


def decode_user_comment(raw: bytes, byte_order: str = ">", typed_ascii: bool = False) -> str:
    """UserComment bytes -> text (docs/formats.md, "Where we look").

    The UTF-16 byte order is guessed from the first code unit (``00 xx`` is
    big-endian, ``xx 00`` little-endian), then from where the NUL bytes of the
    whole text sit, and only then from the TIFF byte order;
    piexif writes BE, ImageSharp LE, Civitai BE inside an ``II`` TIFF.
    """
    if typed_ascii:
        return decode_text(raw).strip("\0")
    prefix = raw[:8]
    if prefix == b"UNICODE\0":
        body = raw[8:]
        if len(body) % 2:
            body = body[:-1]
        if len(body) >= 2:
            if body[0] == 0 and body[1] != 0:
                enc = "utf-16-be"
            elif body[0] != 0 and body[1] == 0:
                enc = "utf-16-le"
            else:
                # ambiguous first unit (e.g. a CJK character): count NUL bytes
                # in even vs odd positions over the whole text
                even, odd = body[0::2].count(0), body[1::2].count(0)
                if even != odd:
                    enc = "utf-16-be" if even > odd else "utf-16-le"
                else:
                    enc = "utf-16-be" if byte_order == ">" else "utf-16-le"
        else:
            enc = "utf-16-be"
        if body[:2] in (b"\xfe\xff", b"\xff\xfe"):
            enc = "utf-16-be" if body[:2] == b"\xfe\xff" else "utf-16-le"
            body = body[2:]
        return body.decode(enc, "replace").strip("\0")
    if prefix in (b"ASCII\0\0\0", b"\0\0\0\0\0\0\0\0"):
        return decode_text(raw[8:]).strip("\0")
    if prefix == b"JIS\0\0\0\0\0":
        try:
            return raw[8:].decode("shift_jis").strip("\0")
        except UnicodeDecodeError:
            return decode_text(raw[8:]).strip("\0")
    return decode_text(raw).strip("\0")


def _to_text(tag: int, typ: int, raw: bytes, bo: str) -> Optional[str]:
    if tag == 0x9286:
        return decode_user_comment(raw, bo, typed_ascii=(typ == 2))
    if tag == 0x9C9C:
        return raw.decode("utf-16-le", "replace").strip("\0")
    if typ in (1, 2, 7):
        text = decode_text(raw).strip("\0")
        return text
    return None


def parse_tiff_into(found: Found, data: bytes) -> None:
    """Parse a TIFF block (optionally prefixed by ``Exif\\0\\0``) into ``found.exif``.

    Exif-IFD tags win over the same tag in IFD0 (UserComment normally lives in
    the Exif IFD; a copy in IFD0 is the Fooocus/SaveImagePlus variant).
    """
    if data[:6] == b"Exif\0\0":
        data = data[6:]
    if data[:4] == b"II*\0":
        bo = "<"
    elif data[:4] == b"MM\0*":
        bo = ">"
    else:
        found.problems.append("EXIF block without a TIFF header")
        return
    try:
        (ifd0_off,) = struct.unpack_from(bo + "I", data, 4)
        ifd0, exif_ptr = _read_ifd(data, ifd0_off, bo)
        sub: Dict[int, Tuple[int, bytes]] = {}
        if exif_ptr is not None and exif_ptr != ifd0_off:
            sub, _ = _read_ifd(data, exif_ptr, bo)
    except (ValueError, struct.error) as exc:
        found.problems.append("damaged EXIF: %s" % exc)
        return
    for table in (ifd0, sub):
        for tag, (typ, raw) in table.items():
            text = _to_text(tag, typ, raw, bo)
            if text is not None and text != "":
                found.exif[_TAG_NAMES[tag]] = text
