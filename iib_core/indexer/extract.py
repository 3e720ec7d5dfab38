"""Extraction: one file in, one index row (with its auto tags) out.

Runs in worker processes, so everything here is a plain function of its arguments
and returns picklable values. Warnings from the metadata readers are counted (and
printed by the logging set-up of the process) rather than raised.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import List, Optional, Tuple

from ..metadata import inspect_file
from .scan import media_type_by_extension
from .tagging import auto_tags

FINGERPRINT_BLOCK = 16 * 1024


@dataclass(frozen=True)
class ExtractOptions:
    stealth: Optional[bool] = None  # see Settings.enable_stealth_parser
    comfyui_all_prompts: bool = False


# (path, size, mtime, ctime)
Task = Tuple[str, int, float, float]


@dataclass
class Extracted:
    row: Optional[dict]  # None: the file is skipped (not a media file by content, vanished, ...)
    tags: List[Tuple[str, str]]
    warnings: int


class _WarningCounter(logging.Handler):
    """Counts warning records per thread while a file is being extracted."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self.local, "active", False):
            self.local.count += 1

    def start(self) -> None:
        self.local.active = True
        self.local.count = 0

    def stop(self) -> int:
        self.local.active = False
        return self.local.count


def _counter() -> _WarningCounter:
    logger = logging.getLogger("iib.metadata")
    for handler in logger.handlers:
        if isinstance(handler, _WarningCounter):
            return handler
    handler = _WarningCounter()
    logger.addHandler(handler)
    return handler


def content_fingerprint(path: str, size: int) -> str:
    """Size plus a hash of the first, middle and last 16 KiB: cheap and stable across moves."""
    digest = hashlib.blake2b(size.to_bytes(8, "little"), digest_size=16)
    with open(path, "rb") as f:
        if size <= 3 * FINGERPRINT_BLOCK:
            digest.update(f.read())
        else:
            digest.update(f.read(FINGERPRINT_BLOCK))
            f.seek(size // 2)
            digest.update(f.read(FINGERPRINT_BLOCK))
            f.seek(size - FINGERPRINT_BLOCK)
            digest.update(f.read(FINGERPRINT_BLOCK))
    return digest.hexdigest()


def extract_one(task: Task, options: ExtractOptions) -> Extracted:
    path, size, mtime, ctime = task
    counter = _counter()
    counter.start()
    try:
        row, tags = _extract(path, size, mtime, ctime, options)
    finally:
        warnings = counter.stop()
    if row is None and warnings == 0:
        logging.getLogger("iib.metadata").warning("skipped %r: not a readable media file", path)
        warnings = 1
    return Extracted(row, tags, warnings)


def _extract(path: str, size: int, mtime: float, ctime: float, options: ExtractOptions):
    by_extension = media_type_by_extension(path)
    facts = inspect_file(path, stealth=options.stealth, comfyui_all_prompts=options.comfyui_all_prompts)
    if facts is None:
        if by_extension in ("video", "audio"):
            # Containers we cannot sniff are still listed by extension; they carry no prompt.
            media_type, fmt, width, height, info = by_extension, os.path.splitext(path)[1][1:].lower(), None, None, None
        else:
            return None, []
    else:
        media_type, fmt, width, height, info = facts.media_type, facts.format, facts.width, facts.height, facts.info
    try:
        fingerprint = content_fingerprint(path, size)
    except OSError:
        fingerprint = None
    params = info.params if info is not None else {}
    row = {
        "path": path,
        "folder": os.path.dirname(path),
        "name": os.path.basename(path),
        "size": size,
        "mtime": mtime,
        "ctime": ctime,
        "width": width,
        "height": height,
        "media_type": media_type,
        "format": fmt,
        "generator": info.generator if info is not None else None,
        "positive": _clean_text(info.positive) if info is not None else "",
        "negative": _clean_text(info.negative) if info is not None else "",
        "params": json.dumps(params, ensure_ascii=False, default=str, sort_keys=True),
        "params_text": _clean_text(search_text_of_params(params)),
        "raw": _clean_text(info.raw) if info is not None else "",
        "fingerprint": fingerprint,
        "indexed_at": time.time(),
    }
    return row, auto_tags(media_type, width, height, info)


def search_text_of_params(params: dict) -> str:
    """Parameter values as words for substring search: no JSON syntax, no hashes.

    Extension keys (those kept under "extra") are included with their values, so a
    search for "ADetailer" finds files that used it.
    """
    parts: List[str] = []

    def add(value) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if "hash" in str(k).lower():
                    continue
                parts.append(str(k))
                add(v)
        elif isinstance(value, (list, tuple)):
            for v in value:
                add(v)
        elif value is not None and value != "":
            parts.append(str(value))

    for key, value in params.items():
        if "hash" in key.lower():
            continue
        if key == "loras":
            for lora in value if isinstance(value, list) else []:
                if isinstance(lora, dict):
                    parts.append(f"<{lora.get('type') or 'lora'}:{lora.get('name')}:{lora.get('weight')}>")
            continue
        add(value)
    return " ".join(parts)


def _clean_text(value: Optional[str]) -> str:
    """Text safe for both databases: no NUL characters, no lone surrogates."""
    if not value:
        return ""
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def extract_many(tasks: List[Task], options: ExtractOptions) -> List[Extracted]:
    """The unit of work sent to a worker process."""
    return [extract_one(task, options) for task in tasks]


def init_worker() -> None:
    """Pool initializer: workers print warnings to stderr like the parent does."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
