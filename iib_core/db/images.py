"""Rows of the `images` table: the indexer's fast inserts and updates, lookups by path
and id, the count, and which rows lie in a folder or below it.

Listing pages and cursors are in `listing.py`, the search in `query.py`, ratings in
`ratings.py`.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Set

from sqlalchemy import bindparam, delete, func, or_, select
from sqlalchemy.engine import Connection

from ..rows import IndexedRow
from .pathtext import from_db, separator_of, to_db, under
from .schema import images

# Columns written by the indexer for every file, in the order of an `IndexedRow` (the one
# definition of the row; the id is assigned by the database).
INDEXED_COLUMNS = IndexedRow._fields


class KnownFile(NamedTuple):
    """What `known_files_in_folders` knows of an indexed file (it hands out plain tuples
    in this order: a rescan of 100,000 files makes one per file)."""

    id: int
    size: int
    mtime: float
    fingerprint: Optional[str]


def known_files_in_folders(conn: Connection, folders: Sequence[str]) -> Dict[str, Dict[str, tuple]]:
    """{folder: {name: (id, size, mtime, fingerprint)}} for the given folders.

    A no-change rescan reads every row through here, so it goes straight to the driver:
    on SQLite one indexed query per folder (no folder text per row), elsewhere chunks
    of folders per round trip.
    """
    out: Dict[str, Dict[str, tuple]] = {f: {} for f in folders}
    stored = {to_db(f): f for f in out}  # paths go in and out in their stored form (pathtext)
    if conn.dialect.name == "sqlite":
        cursor = conn.connection.driver_connection.cursor()
        try:
            sql = "SELECT name, id, size, mtime, fingerprint FROM images WHERE folder = ?"
            for key, folder in stored.items():
                out[folder] = {from_db(row[0]): row[1:] for row in cursor.execute(sql, (key,))}
        finally:
            cursor.close()
        return out
    keys = list(stored)
    for start in range(0, len(keys), 500):
        chunk = tuple(keys[start:start + 500])
        sql = ("SELECT folder, name, id, size, mtime, fingerprint FROM images WHERE folder IN (%s)"
               % ", ".join([_placeholder(conn)] * len(chunk)))
        for row in conn.exec_driver_sql(sql, chunk):
            out[stored[row[0]]][from_db(row[1])] = tuple(row[2:])
    return out


def _placeholder(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def indexed_folders_under(conn: Connection, root: str) -> Set[str]:
    """Every folder holding indexed files at or below `root` (whole path components)."""
    prefix = to_db(root.rstrip("/\\") + separator_of(root))
    rows = conn.execute(
        select(images.c.folder).distinct().where(
            or_(images.c.folder == root, func.substr(images.c.folder, 1, len(prefix)) == prefix)
        )
    )
    return {r[0] for r in rows}


_SQLITE_INSERT = "INSERT INTO images (id, %s) VALUES (?, %s)" % (
    ", ".join(INDEXED_COLUMNS), ", ".join("?" * len(INDEXED_COLUMNS)))
_SQLITE_FTS_INSERT = ("INSERT INTO images_fts (rowid, path, positive, negative, params_text) "
                      "SELECT id, path, positive, negative, params_text FROM images WHERE id BETWEEN ? AND ?")


def insert_many(conn: Connection, rows: List[dict]) -> List[int]:
    """Insert rows (dicts with INDEXED_COLUMNS) and return their ids in the same order."""
    return insert_rows(conn, [tuple(r[c] for c in INDEXED_COLUMNS) for r in rows])


def _stored_row(row: tuple) -> tuple:
    """An INDEXED_COLUMNS tuple with path, folder and name in their stored form (raw SQL)."""
    path, folder, name = row[0], row[1], row[2]
    if path.isascii():
        return tuple(row)
    return (to_db(path), to_db(folder), to_db(name)) + tuple(row[3:])


def insert_rows(conn: Connection, rows: Sequence[tuple]) -> List[int]:
    """Insert rows (tuples in INDEXED_COLUMNS order), index them for search, return their ids in order.

    On SQLite the ids are chosen here, as max(id) + 1, + 2, ... (what SQLite itself would
    give; the write transaction holds the lock, so nobody else inserts meanwhile): no
    read-back of ids, and the whole batch enters the FTS index with one INSERT ... SELECT
    over that id range, which costs half as much per row as a trigger firing row by row.
    """
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        base = conn.exec_driver_sql("SELECT coalesce(max(id), 0) FROM images").scalar_one()
        first, last = base + 1, base + len(rows)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.executemany(_SQLITE_INSERT, [(i,) + _stored_row(r) for i, r in enumerate(rows, first)])
            if _has_fulltext(conn):
                cursor.execute(_SQLITE_FTS_INSERT, (first, last))
        finally:
            cursor.close()
        return list(range(first, last + 1))
    conn.execute(images.insert(), [dict(zip(INDEXED_COLUMNS, r)) for r in rows])
    paths = [r[0] for r in rows]
    by_path: Dict[str, int] = {}
    stmt = select(images.c.path, images.c.id).where(images.c.path.in_(bindparam("paths", expanding=True)))
    for start in range(0, len(paths), 500):
        by_path.update(conn.execute(stmt, {"paths": paths[start:start + 500]}).all())
    return [by_path[p] for p in paths]


def ids_by_path(conn: Connection, paths: Iterable[str]) -> Dict[str, int]:
    """{path: id} of the given paths that are indexed."""
    out: Dict[str, int] = {}
    ph = _placeholder(conn)
    paths = list(paths)
    for start in range(0, len(paths), 500):
        chunk = tuple(to_db(p) for p in paths[start:start + 500])
        sql = "SELECT path, id FROM images WHERE path IN (%s)" % ", ".join([ph] * len(chunk))
        out.update((from_db(p), i) for p, i in conn.exec_driver_sql(sql, chunk).all())
    return out


def existing_ids(conn: Connection, ids: Sequence[int]) -> Set[int]:
    """Those of `ids` that are still in the index."""
    out: Set[int] = set()
    ph = _placeholder(conn)
    ids = list(ids)
    for start in range(0, len(ids), 500):
        chunk = tuple(ids[start:start + 500])
        sql = "SELECT id FROM images WHERE id IN (%s)" % ", ".join([ph] * len(chunk))
        out.update(r[0] for r in conn.exec_driver_sql(sql, chunk))
    return out


def _has_fulltext(conn: Connection) -> bool:
    cached = conn.info.get("iib_has_fts")
    if cached is None:
        cached = conn.exec_driver_sql(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'images_fts'").first() is not None
        conn.info["iib_has_fts"] = cached
    return cached


def update_many(conn: Connection, rows: List[dict]) -> None:
    """Update rows by `id` (each dict holds `id` and INDEXED_COLUMNS)."""
    update_rows(conn, [r["id"] for r in rows], [tuple(r[c] for c in INDEXED_COLUMNS) for r in rows])


def update_rows(conn: Connection, ids: Sequence[int], rows: Sequence[tuple]) -> None:
    """Update rows by id (`rows` are tuples in INDEXED_COLUMNS order); triggers keep the FTS index.

    On SQLite this is ONE statement (UPDATE ... FROM a temporary table), in ascending
    id order: FTS5 flushes its pending changes into a new segment when a statement of
    the transaction opens a statement savepoint and whenever a change goes to a lower
    rowid than the one before, and merges every 16 new segments of a level at once. An
    executemany of 1,000 updates of a 100,000-row index took 6 s for that; this 0.2 s.
    """
    if not rows:
        return
    if conn.dialect.name == "sqlite" and sqlite3.sqlite_version_info >= (3, 33, 0):  # UPDATE ... FROM
        order = sorted(range(len(ids)), key=ids.__getitem__)
        cursor = conn.connection.driver_connection.cursor()
        try:
            cursor.execute("CREATE TEMP TABLE IF NOT EXISTS iib_updated_rows (id INTEGER PRIMARY KEY, %s)"
                           % ", ".join(INDEXED_COLUMNS))
            cursor.execute("DELETE FROM temp.iib_updated_rows")
            cursor.executemany("INSERT INTO temp.iib_updated_rows (id, %s) VALUES (?, %s)"
                               % (", ".join(INDEXED_COLUMNS), ", ".join("?" * len(INDEXED_COLUMNS))),
                               [(ids[i],) + _stored_row(rows[i]) for i in order])
            cursor.execute("UPDATE images SET %s FROM temp.iib_updated_rows AS u WHERE images.id = u.id"
                           % ", ".join("%s = u.%s" % (c, c) for c in INDEXED_COLUMNS))
            cursor.execute("DELETE FROM temp.iib_updated_rows")
        finally:
            cursor.close()
        return
    ph = _placeholder(conn)
    sql = "UPDATE images SET %s WHERE id = %s" % (", ".join("%s = %s" % (c, ph) for c in INDEXED_COLUMNS), ph)
    conn.exec_driver_sql(sql, [_stored_row(r) + (i,) for i, r in sorted(zip(ids, rows), key=lambda p: p[0])])


def delete_many(conn: Connection, ids: Sequence[int]) -> None:
    """Delete rows by id (their tag links must be dropped first: tags.drop_links_of_images).

    On SQLite one statement in ascending id order, for the FTS5 trigger (see update_rows).
    """
    ids = sorted(ids)
    if not ids:
        return
    if conn.dialect.name == "sqlite" and _has_json(conn):
        conn.exec_driver_sql("DELETE FROM images WHERE id IN (SELECT value FROM json_each(?))",
                             (json.dumps(ids),))
        return
    for start in range(0, len(ids), 500):
        conn.execute(delete(images).where(images.c.id.in_(list(ids[start:start + 500]))))


def _has_json(conn: Connection) -> bool:
    """SQLite has JSON1 built in since 3.38; before that it is a compile-time option."""
    cached = conn.info.get("iib_has_json")
    if cached is None:
        try:
            conn.exec_driver_sql("SELECT count(*) FROM json_each('[1]')").scalar_one()
            cached = True
        except Exception:  # sqlite3.OperationalError: no such table: json_each
            cached = False
        conn.info["iib_has_json"] = cached
    return cached


def count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(images)).scalar_one()


def get_by_path(conn: Connection, path: str) -> Optional[dict]:
    row = conn.execute(select(images).where(images.c.path == path)).mappings().first()
    return dict(row) if row else None


def ids_under(conn: Connection, folder: str) -> List[int]:
    """Ids of every indexed file in `folder` or below it."""
    return [r[0] for r in conn.execute(select(images.c.id).where(under(images.c.folder, folder)))]


def paths_under(conn: Connection, folder: str) -> List[str]:
    return [r[0] for r in conn.execute(select(images.c.path).where(under(images.c.folder, folder)))]


def count_under(conn: Connection, folder: str) -> int:
    """How many files are indexed in `folder` or below (whole path components)."""
    return conn.execute(select(func.count()).select_from(images).where(under(images.c.folder, folder))).scalar_one()
