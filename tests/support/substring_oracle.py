"""The plain substring search written the direct way: the oracle for `query.search_text`.

The API serves `syntax: "substr"` through `iib_core.db.query.search_text`, which goes
through the query machinery (newest-rows probe, FTS5 row-id walk). This function is the
straightforward single statement those paths must agree with: one condition
(`substring_condition`, the same one the query machinery uses for a free-text term),
newest first, keyset cursor. Tests of substring semantics use it, and
`tests/db/test_search_oracle.py` checks that both give the same pages.
"""
from __future__ import annotations

from typing import Optional, Sequence

from sqlalchemy import select

from iib_core.db import Database
from iib_core.db.listing import LIST_COLUMNS, SearchPage, decode_cursor, older_than, page_of, scope
from iib_core.db.query import substring_condition
from iib_core.db.schema import images


def search_substring(
    db: Database,
    needle: str,
    *,
    folder_paths: Sequence[str] = (),
    media_type: Optional[str] = None,
    path_only: bool = False,
    limit: int = 200,
    cursor: str = "",
) -> SearchPage:
    """Newest-first page of files whose path or generation info contains `needle` (case-insensitive).

    Paging uses a (mtime, id) keyset cursor, so items sharing a timestamp are never
    skipped or repeated. On SQLite, needles of three or more characters go through the
    FTS5 trigram index; on PostgreSQL through the pg_trgm GIN index.
    """
    conditions = scope(folder_paths, media_type)
    after = decode_cursor(cursor)
    if after is not None:
        conditions.append(older_than(*after))
    if needle:
        conditions.append(substring_condition(db, needle, path_only))
    stmt = (
        select(*LIST_COLUMNS)
        .where(*conditions)
        .order_by(images.c.mtime.desc(), images.c.id.desc())
        .limit(limit + 1)
    )
    with db.read() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    return page_of(rows, limit)
