"""Queries on the `images` table (and its full-text index)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

from sqlalchemy import and_, bindparam, delete, func, or_, select, text, update
from sqlalchemy.engine import Connection

from .engine import Database
from .schema import images

# Columns written by the indexer for every file (id is assigned by the database).
INDEXED_COLUMNS = (
    "path", "folder", "name", "size", "mtime", "ctime", "width", "height", "media_type", "format",
    "generator", "positive", "negative", "params", "params_text", "raw", "fingerprint", "indexed_at",
)


@dataclass(frozen=True)
class KnownFile:
    id: int
    size: int
    mtime: float
    fingerprint: Optional[str]


def known_files_in_folders(conn: Connection, folders: Sequence[str]) -> Dict[str, Dict[str, KnownFile]]:
    """{folder: {name: KnownFile}} for the given folders, in chunks to keep statements small."""
    out: Dict[str, Dict[str, KnownFile]] = {f: {} for f in folders}
    stmt = select(images.c.folder, images.c.name, images.c.id, images.c.size, images.c.mtime,
                  images.c.fingerprint).where(images.c.folder.in_(bindparam("folders", expanding=True)))
    for start in range(0, len(folders), 500):
        chunk = list(folders[start:start + 500])
        for folder, name, id_, size, mtime, fp in conn.execute(stmt, {"folders": chunk}):
            out[folder][name] = KnownFile(id_, size, mtime, fp)
    return out


def indexed_folders_under(conn: Connection, root: str) -> Set[str]:
    """Every folder holding indexed files at or below `root` (whole path components)."""
    prefix = root.rstrip("/\\") + _sep_of(root)
    rows = conn.execute(
        select(images.c.folder).distinct().where(
            or_(images.c.folder == root, func.substr(images.c.folder, 1, len(prefix)) == prefix)
        )
    )
    return {r[0] for r in rows}


def _sep_of(path: str) -> str:
    return "\\" if ("\\" in path and "/" not in path) else "/"


def insert_many(conn: Connection, rows: List[dict]) -> List[int]:
    """Insert rows (dicts with INDEXED_COLUMNS) and return their ids in the same order.

    A plain executemany (no RETURNING, which SQLAlchemy can only do row by row on
    SQLite when order matters), then the ids by path through the unique index.
    """
    if not rows:
        return []
    conn.execute(images.insert(), rows)
    paths = [r["path"] for r in rows]
    by_path: Dict[str, int] = {}
    stmt = select(images.c.path, images.c.id).where(images.c.path.in_(bindparam("paths", expanding=True)))
    for start in range(0, len(paths), 500):
        by_path.update(conn.execute(stmt, {"paths": paths[start:start + 500]}).all())
    ids = [by_path[p] for p in paths]
    if conn.dialect.name == "sqlite" and _has_fulltext(conn):
        fts = text("INSERT INTO images_fts(rowid, path, positive, negative, params_text) "
                   "SELECT id, path, positive, negative, params_text FROM images WHERE id IN :ids"
                   ).bindparams(bindparam("ids", expanding=True))
        for start in range(0, len(ids), 500):
            conn.execute(fts, {"ids": ids[start:start + 500]})
    return ids


def _has_fulltext(conn: Connection) -> bool:
    cached = conn.info.get("iib_has_fts")
    if cached is None:
        cached = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'images_fts'").first() is not None
        conn.info["iib_has_fts"] = cached
    return cached


def update_many(conn: Connection, rows: List[dict]) -> None:
    """Update rows by `id` (each dict holds `id` and INDEXED_COLUMNS)."""
    if not rows:
        return
    stmt = (
        update(images)
        .where(images.c.id == bindparam("b_id"))
        .values({c: bindparam("b_" + c) for c in INDEXED_COLUMNS})
    )
    conn.execute(stmt, [{"b_" + k: v for k, v in r.items()} for r in rows])


def delete_many(conn: Connection, ids: Sequence[int]) -> None:
    for start in range(0, len(ids), 500):
        conn.execute(delete(images).where(images.c.id.in_(list(ids[start:start + 500]))))


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(images)).scalar_one()


def get_by_path(conn: Connection, path: str) -> Optional[dict]:
    row = conn.execute(select(images).where(images.c.path == path)).mappings().first()
    return dict(row) if row else None


def ratings_of(conn: Connection, ids: Sequence[int]) -> Dict[int, int]:
    out: Dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        for id_, rating in conn.execute(
            select(images.c.id, images.c.rating).where(images.c.id.in_(chunk), images.c.rating.is_not(None))
        ):
            out[id_] = rating
    return out


def set_ratings(conn: Connection, ratings: Dict[int, Optional[int]]) -> None:
    if ratings:
        conn.execute(
            update(images).where(images.c.id == bindparam("b_id")).values(rating=bindparam("b_rating")),
            [{"b_id": k, "b_rating": v} for k, v in ratings.items()],
        )


# ---------------------------------------------------------------------------
# Substring search
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchPage:
    rows: List[dict]
    next_cursor: str  # "" when there is no next page


LIST_COLUMNS = (images.c.id, images.c.path, images.c.name, images.c.size, images.c.mtime,
                images.c.media_type, images.c.width, images.c.height, images.c.generator)


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


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _folder_filter(folder_paths: Sequence[str]):
    clauses = []
    for folder in folder_paths:
        folder = folder.rstrip("/\\") or "/"
        prefix = folder if folder.endswith(("/", "\\")) else folder + _sep_of(folder)
        clauses.append(images.c.folder == folder)
        clauses.append(func.substr(images.c.folder, 1, len(prefix)) == prefix)
    return or_(*clauses)


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
    conditions = []
    after = decode_cursor(cursor)
    if after is not None:
        mtime, id_ = after
        conditions.append(or_(images.c.mtime < mtime, and_(images.c.mtime == mtime, images.c.id < id_)))
    if folder_paths:
        conditions.append(_folder_filter(folder_paths))
    if media_type:
        conditions.append(images.c.media_type == media_type)
    if needle:
        conditions.append(_substring_condition(db, needle, path_only))
    stmt = (
        select(*LIST_COLUMNS)
        .where(*conditions)
        .order_by(images.c.mtime.desc(), images.c.id.desc())
        .limit(limit + 1)
    )
    with db.read() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    next_cursor = ""
    if len(rows) > limit:
        rows = rows[:limit]
        next_cursor = encode_cursor(rows[-1]["mtime"], rows[-1]["id"])
    return SearchPage(rows, next_cursor)


def _substring_condition(db: Database, needle: str, path_only: bool):
    pattern = "%" + _escape_like(needle) + "%"
    if path_only:
        return images.c.path.ilike(pattern, escape="\\")
    if db.is_sqlite and db.has_fts and len(needle) >= 3:
        # A quoted FTS5 phrase under the trigram tokenizer matches any row with the
        # substring in one of its columns, case-insensitively, through the index.
        phrase = '"' + needle.replace('"', '""') + '"'
        return text("images.id IN (SELECT rowid FROM images_fts WHERE images_fts MATCH :fts_phrase)"
                    ).bindparams(fts_phrase=phrase)
    if db.is_postgresql:
        from .migrations import SEARCH_TEXT_SQL

        return text(f"({SEARCH_TEXT_SQL}) ILIKE :pg_pattern ESCAPE '\\'").bindparams(pg_pattern=pattern)
    return _plain_like(pattern)


def _plain_like(pattern: str):
    return or_(
        images.c.path.ilike(pattern, escape="\\"),
        images.c.positive.ilike(pattern, escape="\\"),
        images.c.negative.ilike(pattern, escape="\\"),
        images.c.params_text.ilike(pattern, escape="\\"),
    )
