"""Bounded random access to one open file, and the flat map of what was found in it.

Every container reader (`png`, `containers`) fills a :class:`Found`: the raw
entries keyed by where they came from, before anything decides which generator
wrote them (see docs/formats.md). Damage is recorded in
``Found.problems`` instead of being logged, so that the public functions can log
exactly one warning per file.
"""
from __future__ import annotations

import os
from typing import Dict, List, Optional

#: Bytes read up front. Small generated images (and the metadata of most large
#: ones) fit, so the usual case is a single read() call.
HEAD_SIZE = 65536

#: Largest text payload we accept; anything bigger is treated as damage.
MAX_TEXT_BYTES = 16 * 1024 * 1024


class TruncatedError(Exception):
    """The file ended before a structure it announced."""


class Source:
    """A file opened for reading, with its first bytes cached."""

    __slots__ = ("fh", "size", "head")

    def __init__(self, fh, size: int, head: bytes) -> None:
        self.fh = fh
        self.size = size
        self.head = head

    def read_at(self, offset: int, length: int) -> bytes:
        """Exactly ``length`` bytes at ``offset`` or :class:`TruncatedError`."""
        end = offset + length
        if end <= len(self.head):
            return self.head[offset:end]
        if end > self.size:
            raise TruncatedError("file ends at byte %d, expected %d" % (self.size, end))
        self.fh.seek(offset)
        data = self.fh.read(length)
        if len(data) != length:
            raise TruncatedError("short read at byte %d" % offset)
        return data


class Found:
    """Everything one pass over a file collected.

    ``text``: PNG tEXt/iTXt/zTXt chunks and private ``comf`` chunks (keyword ->
    text; the first occurrence wins). ``exif``: named EXIF tags decoded to text
    (``UserComment``, ``ImageDescription``, ``Make``, ``Model``, ``Software``,
    ``Artist``, ``DocumentName``, ``MakerNote``, ``XPComment``). ``xmp``: the raw
    XMP packet. ``comment``: JPEG COM / GIF comment.
    """

    __slots__ = ("format", "media_type", "width", "height", "text", "exif", "xmp",
                 "comment", "has_alpha", "lossless", "c2pa", "problems", "sidecar")

    def __init__(self, fmt: str, media_type: str = "image") -> None:
        self.format = fmt
        self.media_type = media_type
        self.width: Optional[int] = None
        self.height: Optional[int] = None
        self.text: Dict[str, str] = {}
        self.exif: Dict[str, str] = {}
        self.xmp: Optional[str] = None
        self.comment: Optional[str] = None
        self.has_alpha = False
        self.lossless = False
        self.c2pa = False
        self.problems: List[str] = []
        self.sidecar: Optional[str] = None


def decode_text(data: bytes) -> str:
    """UTF-8 first (most writers ignore PNG's Latin-1 rule), then Latin-1."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def display_name(path) -> str:
    """A printable form of a path: undecodable bytes (bytes paths or
    surrogate-escaped str) are shown as ``\\xNN``."""
    try:
        raw = os.fsencode(path)
    except (TypeError, UnicodeError):
        return repr(path)
    return raw.decode("utf-8", "backslashreplace")
