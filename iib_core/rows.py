"""The index row of one file: the single definition of its fields and their order.

Extraction builds these rows in worker processes (`indexer/extract.py`), they travel
back pickled, the batch writer hands them to `db/images.py`, which writes them with
one executemany in exactly this column order (`INDEXED_COLUMNS` is `IndexedRow._fields`).

A `NamedTuple` because it is a tuple: it pickles as the class (once per message) plus
its values, reads by index at tuple speed for the executemany and by name everywhere
else. This module imports nothing of ours, so a worker process reads it without
loading the database layer (SQLAlchemy) and the database layer without the indexer.
Build rows positionally, `IndexedRow(path, folder, ...)`: keyword construction costs more.
"""
from __future__ import annotations

from typing import NamedTuple, Optional


class IndexedRow(NamedTuple):
    """What the index stores for one file (its id is assigned by the database)."""

    path: str
    folder: str  # os.path.dirname(path)
    name: str  # os.path.basename(path)
    size: int
    mtime: float
    ctime: float
    width: Optional[int]
    height: Optional[int]
    media_type: str  # "image", "video" or "audio"
    format: Optional[str]  # container format, e.g. "png" (file extension for unsniffed video/audio)
    generator: Optional[str]  # None when the file carries no generation info
    positive: str
    negative: str
    params: str  # JSON object of the generation parameters ("{}" when none)
    params_text: str  # the parameter values as words, for substring search
    raw: str  # the generation info as stored in the file
    fingerprint: Optional[str]  # size + sampled content hash; None if the file could not be read
    indexed_at: float
