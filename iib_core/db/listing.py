"""Newest-first pages of image rows: the listed columns, the (mtime, id) keyset cursor,
the folder scope, and the plain listings built on them (random picks, the row feed of
the regular-expression search).

The search (`query.py`) and the tag match (`tag_match.py`) return the same `SearchPage`
with the same cursor, so the UI pages through all of them alike.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.engine import Connection

from .pathtext import separator_of, to_db
from .schema import images


@dataclass(frozen=True)
class SearchPage:
    rows: List[dict]
    next_cursor: str  # "" when there is no next page


LIST_COLUMNS = (images.c.id, images.c.path, images.c.name, images.c.size, images.c.mtime,
                images.c.media_type, images.c.width, images.c.height, images.c.generator)


def page_of(rows: List[dict], limit: int) -> SearchPage:
    """A page from up to `limit + 1` newest-first rows: the extra row only says a next page exists."""
    if len(rows) > limit:
        rows = rows[:limit]
        return SearchPage(rows, encode_cursor(rows[-1]["mtime"], rows[-1]["id"]))
    return SearchPage(rows, "")


def older_than(mtime: float, id_: int):
    """Rows after the (mtime, id) keyset position, in newest-first order."""
    return or_(images.c.mtime < mtime, and_(images.c.mtime == mtime, images.c.id < id_))


def encode_cursor(mtime: float, id_: int) -> str:
    return f"{mtime!r}_{id_}"


def decode_cursor(cursor: str) -> Optional[Tuple[float, int]]:
    """`mtime_id` of the last row of the previous page; None for the first page.

    Raises ValueError on a malformed cursor (the API maps it to 400).
    """
    if not cursor:
        return None
    mtime_text, _, id_text = cursor.rpartition("_")
    return float(mtime_text), int(id_text)


def escape_like(value: str) -> str:
    """`value` as a literal inside a LIKE pattern that uses `ESCAPE '\\'`."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def folder_filter(folder_paths: Sequence[str]):
    """Rows whose folder is one of `folder_paths` or lies below one (whole path components)."""
    clauses = []
    for folder in folder_paths:
        folder = folder.rstrip("/\\") or "/"
        prefix = to_db(folder if folder.endswith(("/", "\\")) else folder + separator_of(folder))
        clauses.append(images.c.folder == folder)
        clauses.append(func.substr(images.c.folder, 1, len(prefix)) == prefix)
    return or_(*clauses)


def scope(folder_paths: Sequence[str] = (), media_type: Optional[str] = None) -> list:
    """Conditions for rows in these folders (or below) and of this media type; [] for all."""
    conditions = []
    if folder_paths:
        conditions.append(folder_filter(folder_paths))
    if media_type:
        conditions.append(images.c.media_type == media_type)
    return conditions


def random_images(conn: Connection, limit: int = 128, folder_paths: Sequence[str] = ()) -> List[dict]:
    stmt = select(*LIST_COLUMNS)
    if folder_paths:
        stmt = stmt.where(folder_filter(folder_paths))
    return [dict(r) for r in conn.execute(stmt.order_by(func.random()).limit(limit)).mappings()]


def rows_newest_first(conn: Connection, *, folder_paths: Sequence[str] = (), media_type: Optional[str] = None,
                      after: Optional[tuple] = None, chunk: int = 1000) -> Iterator[List[dict]]:
    """Rows with their searchable text, newest first, in chunks (for regular-expression search).

    A generator: the caller keeps its transaction open while it consumes the chunks.
    """
    cols = LIST_COLUMNS + (images.c.positive, images.c.negative, images.c.params_text)
    while True:
        conditions = scope(folder_paths, media_type)
        if after is not None:
            conditions.append(older_than(*after))
        stmt = select(*cols).where(*conditions).order_by(images.c.mtime.desc(), images.c.id.desc()).limit(chunk)
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        if not rows:
            return
        yield rows
        after = (rows[-1]["mtime"], rows[-1]["id"])
        if len(rows) < chunk:
            return
