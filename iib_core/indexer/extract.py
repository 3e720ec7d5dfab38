"""Extraction: files in, index rows (with their auto tags) out.

Runs in worker processes, so everything here is a plain function of its arguments
and returns picklable values. Warnings from the metadata readers are counted (and
printed by the logging set-up of the process) rather than raised.

The results travel back to the indexing process, whose writing is the bottleneck of
a cold index, so they are shaped to cost it as little as possible: rows are
`IndexedRow` named tuples (`iib_core/rows.py`: tuples in the column order of the
executemany that writes them, with names for everyone else), and a chunk's auto
tags come as one table of distinct (name, type) keys plus, per file, indexes into
it (a chunk of 128 files holds ~3,500 tag references but only a few hundred
distinct tags, so the receiver maps each distinct key to its id once).
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from dataclasses import dataclass
from typing import Dict, List, NamedTuple, Optional, Tuple

from ..metadata import inspect_file
from ..rows import IndexedRow
from .scan import media_type_by_extension
from .tagging import TagKey, auto_tags

FINGERPRINT_BLOCK = 16 * 1024


@dataclass(frozen=True)
class ExtractOptions:
    stealth: Optional[bool] = None  # see Settings.enable_stealth_parser
    comfyui_all_prompts: bool = False


# One file to extract, as the walk saw it: (path, size, mtime, ctime). A plain tuple, not a
# NamedTuple like the rows: the indexing process pickles one per file, and a NamedTuple
# pickles through a Python-level __getnewargs__ (2.0 us instead of 0.24 us per task).
Task = Tuple[str, int, float, float]


class ExtractedChunk(NamedTuple):
    """What a worker sends back for one chunk of tasks (same order as the tasks)."""

    rows: List[Optional[IndexedRow]]  # None: the file is skipped (not a media file by content, vanished, ...)
    tag_keys: List[TagKey]  # the distinct auto tags of the chunk
    tag_refs: List[List[int]]  # per task, indexes into tag_keys ([] for skipped files)
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
    """Size plus a hash of the first, middle and last 16 KiB: cheap and stable across moves.

    Reads at most `size` bytes (the size the walk saw), so a given (size, content) always
    gives the same fingerprint. SHA-256 because CPUs hash it in hardware (SHA-NI, ARMv8
    crypto): twice as fast as BLAKE2 here; 128 bits of it are plenty to tell files apart.
    """
    digest = hashlib.sha256(size.to_bytes(8, "little"))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        if size <= 3 * FINGERPRINT_BLOCK:
            digest.update(_read_at(fd, size, 0))
        else:
            digest.update(_read_at(fd, FINGERPRINT_BLOCK, 0))
            digest.update(_read_at(fd, FINGERPRINT_BLOCK, size // 2))
            digest.update(_read_at(fd, FINGERPRINT_BLOCK, size - FINGERPRINT_BLOCK))
    finally:
        os.close(fd)
    return digest.hexdigest()[:32]


def _read_at(fd: int, n: int, offset: int) -> bytes:
    """Up to n bytes at offset (fewer only at the end of the file)."""
    if hasattr(os, "pread"):
        data = os.pread(fd, n, offset)
        while len(data) < n:  # short reads are allowed (network file systems)
            more = os.pread(fd, n - len(data), offset + len(data))
            if not more:
                break
            data += more
        return data
    os.lseek(fd, offset, os.SEEK_SET)  # pragma: no cover - Windows
    parts = []
    while n > 0:
        more = os.read(fd, n)
        if not more:
            break
        parts.append(more)
        n -= len(more)
    return b"".join(parts)


def extract_one(task: Task, options: ExtractOptions) -> Tuple[Optional[IndexedRow], List[TagKey], int]:
    """(row or None, auto tags, warnings logged) for one file."""
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
    return row, tags, warnings


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
    if info is not None:
        params = info.params
        row = IndexedRow(path, os.path.dirname(path), os.path.basename(path), size, mtime, ctime, width, height,
                         media_type, fmt, info.generator, _clean_text(info.positive), _clean_text(info.negative),
                         json.dumps(params, ensure_ascii=False, default=str, sort_keys=True),
                         _clean_text(search_text_of_params(params)), _clean_text(info.raw), fingerprint,
                         time.time())
    else:
        row = IndexedRow(path, os.path.dirname(path), os.path.basename(path), size, mtime, ctime, width, height,
                         media_type, fmt, None, "", "", "{}", "", "", fingerprint, time.time())
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
    if not value.isascii():  # isascii() is O(1); only other text can hold surrogates
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def extract_many(tasks: List[Task], options: ExtractOptions) -> ExtractedChunk:
    """The unit of work sent to a worker process."""
    rows: List[Optional[IndexedRow]] = []
    keys: Dict[TagKey, int] = {}
    refs: List[List[int]] = []
    warnings = 0
    for task in tasks:
        row, tags, n = extract_one(task, options)
        warnings += n
        rows.append(row)
        refs.append([keys.setdefault(k, len(keys)) for k in tags] if row is not None else [])
    return ExtractedChunk(rows, list(keys), refs, warnings)


def init_worker() -> None:
    """Pool initializer: workers print warnings to stderr like the parent does."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
