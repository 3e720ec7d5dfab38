"""A flat {key: text} view of a file's EXIF tags and embedded text chunks (`/image_exif`)."""
from __future__ import annotations

import logging
from typing import Dict

log = logging.getLogger("iib.metadata")

MAX_VALUE_CHARS = 1 << 20
EXIF_IFD = 0x8769


def _as_text(value) -> str:
    if isinstance(value, bytes):
        if value.startswith((b"UNICODE\x00", b"ASCII\x00\x00\x00")):
            body = value[8:]
            if value.startswith(b"UNICODE"):
                for enc in ("utf-16-be", "utf-16-le"):
                    try:
                        return body.decode(enc)[:MAX_VALUE_CHARS]
                    except UnicodeDecodeError:
                        continue
            value = body
        return value.decode("utf-8", "replace")[:MAX_VALUE_CHARS]
    return str(value)[:MAX_VALUE_CHARS]


def exif_and_text(path: str) -> Dict[str, str]:
    """EXIF tags (numeric ids as strings, IFD0 and the Exif IFD) merged with text chunks.

    Keys starting with "exif" (Pillow's raw EXIF blob) are left out. Anything that is
    not a readable image gives {}.
    """
    from PIL import Image

    out: Dict[str, str] = {}
    try:
        with Image.open(path) as img:
            exif = img.getexif()
            for tag, value in exif.items():
                out[str(tag)] = _as_text(value)
            try:
                for tag, value in exif.get_ifd(EXIF_IFD).items():
                    out[str(tag)] = _as_text(value)
            except Exception:
                pass
            for key, value in (img.info or {}).items():
                if isinstance(key, str) and not key.lower().startswith("exif") and isinstance(value, (str, bytes)):
                    out[key] = _as_text(value)
    except Exception as exc:  # not an image, truncated, unreadable: the original answers {}
        log.debug("no EXIF for %r: %s", path, exc)
        return {}
    return out
