"""Index rows written straight through the indexer's insert path (real FTS5 / pg_trgm index),
for search tests that need a generated library without image files, and paging through a
search over them."""
from __future__ import annotations

import contextlib
from typing import Callable, Iterator, List, Tuple

from iib_core.db import Database, open_database
from iib_core.db import images as images_db


def insert_in_two_batches(db: Database, rows: List[dict], first: int) -> None:
    """Insert `rows` (dicts with images_db.INDEXED_COLUMNS) as the indexer writes them: in two
    write transactions, `first` rows and the rest. Each row gets its `id`."""
    ids: List[int] = []
    for batch in (rows[:first], rows[first:]):
        with db.write() as conn:
            ids += images_db.insert_many(conn, batch)
    for row, id_ in zip(rows, ids):
        row["id"] = id_


@contextlib.contextmanager
def database_with(db_url: str, rows: List[dict], first: int) -> Iterator[Database]:
    """A database at `db_url` holding `rows` (see insert_in_two_batches), disposed after use."""
    db = open_database(db_url)
    try:
        insert_in_two_batches(db, rows, first)
        yield db
    finally:
        db.dispose()


def all_pages(search: Callable, db: Database, needle: str, limit: int, **options) -> List[Tuple[List[int], str]]:
    """Every page of `search(db, needle, limit=..., cursor=..., **options)`: [(ids, next_cursor), ...]."""
    out: List[Tuple[List[int], str]] = []
    cursor = ""
    while True:
        page = search(db, needle, limit=limit, cursor=cursor, **options)
        out.append(([r["id"] for r in page.rows], page.next_cursor))
        if not page.next_cursor:
            return out
        assert len(out) < 500
        cursor = page.next_cursor
