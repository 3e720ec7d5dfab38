"""PNG chunk walker: IHDR size, text chunks anywhere in the file (also after
IDAT), the private ``comf`` chunk of ComfyUI's animated PNG, ``eXIf`` and the
C2PA ``caBX`` marker. Pixel data is skipped by offset, never read.
"""
from __future__ import annotations

import struct
import zlib

from . import exif as exif_mod
from .source import MAX_TEXT_BYTES, Found, Source, TruncatedError, decode_text

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_TEXT_TYPES = (b"tEXt", b"iTXt", b"zTXt", b"comf", b"eXIf")
_unpack_header = struct.Struct(">I4s").unpack_from
_MAX_CHUNKS = 100000


def inflate_bounded(data: bytes, limit: int = MAX_TEXT_BYTES) -> bytes:
    """zlib-decompress at most ``limit`` bytes; more is a decompression bomb."""
    d = zlib.decompressobj()
    out = d.decompress(data, limit)
    if d.unconsumed_tail:
        raise ValueError("compressed text inflates beyond %d bytes" % limit)
    return out


def _store(found: Found, key: str, value: str) -> None:
    if key not in found.text:
        found.text[key] = value


def _parse_text_chunk(found: Found, ctype: bytes, data: bytes) -> None:
    if ctype == b"eXIf":
        exif_mod.parse_tiff_into(found, data)
        return
    nul = data.find(b"\0")
    if nul <= 0:
        found.problems.append("%s chunk without keyword" % ctype.decode("latin-1"))
        return
    key = data[:nul].decode("latin-1")
    if ctype == b"tEXt" or ctype == b"comf":
        _store(found, key, decode_text(data[nul + 1:]))
    elif ctype == b"zTXt":
        try:
            _store(found, key, decode_text(inflate_bounded(data[nul + 2:])))
        except (zlib.error, ValueError) as exc:
            found.problems.append("zTXt %r: %s" % (key, exc))
    else:  # iTXt
        rest = data[nul + 1:]
        if len(rest) < 2:
            found.problems.append("iTXt %r truncated" % key)
            return
        compressed = rest[0] == 1
        p = rest.find(b"\0", 2)          # end of language tag
        p = rest.find(b"\0", p + 1) if p >= 0 else -1   # end of translated keyword
        if p < 0:
            found.problems.append("iTXt %r malformed" % key)
            return
        body = rest[p + 1:]
        if compressed:
            try:
                body = inflate_bounded(body)
            except (zlib.error, ValueError) as exc:
                found.problems.append("iTXt %r: %s" % (key, exc))
                return
        _store(found, key, decode_text(body))


def read_png(src: Source, found: Found) -> None:
    """Walk the chunks of a PNG whose signature has been checked."""
    head = src.head
    pos = 8
    size = src.size
    count = 0
    while True:
        count += 1
        if count > _MAX_CHUNKS:
            found.problems.append("too many chunks")
            return
        if pos + 8 <= len(head):
            length, ctype = _unpack_header(head, pos)
        else:
            if pos + 8 > size:
                found.problems.append("truncated PNG (no IEND)")
                return
            try:
                length, ctype = _unpack_header(src.read_at(pos, 8))
            except TruncatedError as exc:
                found.problems.append("truncated PNG: %s" % exc)
                return
        data_at = pos + 8
        if length > 0x7FFFFFFF:
            found.problems.append("invalid chunk length")
            return
        if ctype == b"IHDR":
            if length < 13 or data_at + 13 > len(head):
                found.problems.append("bad IHDR")
                return
            w, h, _depth, color = struct.unpack_from(">IIBB", head, data_at)
            found.width, found.height = w, h
            found.has_alpha = color in (4, 6)
            found.lossless = True
        elif ctype == b"IEND":
            return
        elif ctype in _TEXT_TYPES:
            if length > MAX_TEXT_BYTES:
                found.problems.append("%s chunk of %d bytes is larger than the %d byte limit"
                                      % (ctype.decode("latin-1"), length, MAX_TEXT_BYTES))
            else:
                try:
                    data = src.read_at(data_at, length)
                except TruncatedError as exc:
                    found.problems.append("truncated PNG %s chunk: %s" % (ctype.decode("latin-1"), exc))
                    return
                _parse_text_chunk(found, ctype, data)
        elif ctype == b"caBX":
            found.c2pa = True
        pos = data_at + length + 4   # skip data and CRC
        if pos > size:
            found.problems.append("truncated PNG: chunk %s runs past the end of the file"
                                  % ctype.decode("latin-1", "replace"))
            return
