"""Schema versioning: each step moves the database one version up.

The version lives in the `settings` table under `schema_version`. Opening an
older SQLite file first copies it to a rotated backup (`<file>.bak-v<N>-<time>`,
keeping `IIB_DB_FILE_BACKUP_MAX`), then runs the missing steps, each in its own
transaction, so a crash in the middle leaves a database at a known version.
"""
from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path
from typing import Callable, List, Optional

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from . import schema
from .engine import Database

log = logging.getLogger("iib.db")

SCHEMA_VERSION_KEY = "schema_version"


class SchemaTooNew(RuntimeError):
    """The database was written by a newer IIB; we refuse to touch it."""


def _step_1_base(conn: Connection, db: Database) -> None:
    base_tables = [t for t in schema.metadata.sorted_tables if t.name != "orphaned_marks"]
    schema.metadata.create_all(conn, tables=base_tables)
    if db.is_sqlite:
        _create_sqlite_fulltext(conn)
    elif db.is_postgresql:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        conn.execute(
            text(
                "CREATE INDEX IF NOT EXISTS ix_images_search ON images USING gin "
                f"(({SEARCH_TEXT_SQL}) gin_trgm_ops)"
            )
        )
    # A 'like' custom tag always exists (the favourite toggle uses it).
    conn.execute(
        schema.tags.insert().values(name="like", type=schema.CUSTOM_TAG_TYPE, color="", count=0)
    )


def _step_2_orphaned_marks(conn: Connection, db: Database) -> None:
    schema.metadata.create_all(conn, tables=[schema.orphaned_marks])


def _step_3_semantic_layer(conn: Connection, db: Database) -> None:
    """Embedding cache, title cache and clustering cache of the semantic layer."""
    schema.metadata.create_all(
        conn, tables=[schema.image_embedding, schema.topic_title_cache, schema.topic_cluster_cache])


def _step_4_tag_type_index(conn: Connection, db: Database) -> None:
    """Tags by type (the tag search page)."""
    for index in schema.tags.indexes:
        if index.name == "ix_tags_type":
            index.create(conn, checkfirst=True)


# Index i holds the step that upgrades version i to i + 1.
STEPS: List[Callable[[Connection, Database], None]] = [_step_1_base, _step_2_orphaned_marks,
                                                      _step_3_semantic_layer, _step_4_tag_type_index]
CURRENT_VERSION = len(STEPS)

# The text the PostgreSQL trigram index covers; search queries must use the same expression.
SEARCH_TEXT_SQL = "path || ' ' || positive || ' ' || negative || ' ' || params_text"


def _create_sqlite_fulltext(conn: Connection) -> None:
    """FTS5 with the trigram tokenizer, kept in step with `images` (triggers for updates and deletes).

    When the SQLite library lacks FTS5 or the trigram tokenizer (SQLite < 3.34), the
    index is skipped and search falls back to scanning with LIKE.

    columnsize=0: no per-row token counts (they only serve bm25 ranking, and results are
    ordered by time): one b-tree insert less per indexed file, about 6% of the writer's time.
    Indexes made before this keep their counts; both answer every query the same.
    """
    try:
        conn.exec_driver_sql(
            "CREATE VIRTUAL TABLE images_fts USING fts5("
            "path, positive, negative, params_text, content='images', content_rowid='id', "
            "tokenize='trigram', columnsize=0)"
        )
    except Exception as exc:  # sqlite3.OperationalError wrapped by SQLAlchemy
        log.warning("SQLite has no FTS5 trigram tokenizer (%s); substring search will scan", exc)
        return
    _tune_sqlite_fulltext(conn)
    # No insert trigger: `images.insert_rows` indexes a whole batch with one INSERT ... SELECT,
    # which costs half as much per row as a trigger firing row by row.
    conn.exec_driver_sql(
        "CREATE TRIGGER images_fts_ad AFTER DELETE ON images BEGIN "
        "INSERT INTO images_fts(images_fts, rowid, path, positive, negative, params_text) "
        "VALUES ('delete', old.id, old.path, old.positive, old.negative, old.params_text); END"
    )
    conn.exec_driver_sql(
        "CREATE TRIGGER images_fts_au AFTER UPDATE OF path, positive, negative, params_text ON images BEGIN "
        "INSERT INTO images_fts(images_fts, rowid, path, positive, negative, params_text) "
        "VALUES ('delete', old.id, old.path, old.positive, old.negative, old.params_text); "
        "INSERT INTO images_fts(rowid, path, positive, negative, params_text) "
        "VALUES (new.id, new.path, new.positive, new.negative, new.params_text); END"
    )


# FTS5 settings, stored in the index itself (images_fts_config). Measured on a cold index
# of 20,000 files in 4,000-row transactions (CPU of the indexing process per row):
# defaults 176 us; hashsize 64 MiB + automerge 8: 128 us.
#   hashsize: pending-data budget before FTS5 flushes a segment to disk. The default 1 MiB
#     is ~200 rows of our text, so a large transaction wrote ~20 small segments that then
#     had to be merged; now a transaction writes one segment when it commits.
#   automerge: how many segments of one level are merged into the next (default 4). Fewer,
#     larger merges, spread over the following transactions. Not 16: that equals the
#     default crisismerge, so the 16th segment of a level is merged at once, all of it
#     (a 2 s transaction at 64,000 files) and with no less work overall.
#   pgsz: size of the index's leaf blobs, matched to the 16 KiB pages (engine.py) instead
#     of 4,050 bytes: a quarter as many blobs and %_idx entries to write and merge.
# Whatever writes to images_fts (directly or through the triggers) should do so in ONE
# statement per batch, in ascending rowid order: FTS5 flushes its pending data into a
# new segment when a later statement of the transaction opens a statement savepoint and
# whenever the rowid goes down, and merges every 16 new segments of a level at once
# (see images.update_rows: an executemany of 1,000 updates took 6 s instead of 0.2 s).
FTS_SETTINGS = (("hashsize", 64 * 1024 * 1024), ("automerge", 8), ("pgsz", 16000))


def _tune_sqlite_fulltext(conn: Connection) -> None:
    for name, value in FTS_SETTINGS:
        try:
            conn.exec_driver_sql("INSERT INTO images_fts(images_fts, rank) VALUES (?, ?)", (name, value))
        except Exception as exc:  # an older FTS5 without this option: keep its default
            log.info("FTS5 option %s not set: %s", name, exc)


def read_schema_version(conn: Connection) -> int:
    if not inspect(conn).has_table("settings"):
        return 0
    row = conn.execute(
        text("SELECT value FROM settings WHERE key = :k"), {"k": SCHEMA_VERSION_KEY}
    ).first()
    return int(row[0]) if row else 0


def _write_schema_version(conn: Connection, version: int) -> None:
    updated = conn.execute(
        schema.settings.update().where(schema.settings.c.key == SCHEMA_VERSION_KEY).values(value=str(version))
    ).rowcount
    if not updated:
        conn.execute(schema.settings.insert().values(key=SCHEMA_VERSION_KEY, value=str(version)))


def sqlite_file_of(url: str) -> Optional[Path]:
    prefix = "sqlite:///"
    if url.startswith(prefix) and ":memory:" not in url:
        return Path(url[len(prefix):].split("?", 1)[0])
    return None


def backup_sqlite_file(path: Path, from_version: int, keep: int) -> Optional[Path]:
    """Copy the database with SQLite's online backup (consistent even with a WAL) and rotate."""
    if keep <= 0 or not path.exists():
        return None
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = path.with_name(f"{path.name}.bak-v{from_version}-{stamp}")
    n = 1
    while target.exists():
        target = path.with_name(f"{path.name}.bak-v{from_version}-{stamp}-{n}")
        n += 1
    src = sqlite3.connect(str(path))
    try:
        dst = sqlite3.connect(str(target))
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    backups = sorted(path.parent.glob(path.name + ".bak-v*"), key=lambda p: p.stat().st_mtime)
    for old in backups[:-keep]:
        old.unlink()
    log.info("backed up %s (schema v%d) to %s", path, from_version, target)
    return target


def migrate(db: Database, backup_max: int = 8, target_version: int = CURRENT_VERSION) -> int:
    """Bring the database to `target_version`; returns the version it had before."""
    with db.engine.begin() as conn:
        before = read_schema_version(conn)
    if before > CURRENT_VERSION:
        raise SchemaTooNew(
            f"database {db.url!r} has schema version {before}, newer than this IIB knows ({CURRENT_VERSION}); "
            "update IIB or point IIB_DB_PATH/IIB_DB_URL elsewhere"
        )
    if 0 < before < target_version:
        sqlite_path = sqlite_file_of(db.url)
        if sqlite_path is not None:
            backup_sqlite_file(sqlite_path, before, backup_max)
    for version in range(before, target_version):
        with db.write() as conn:
            STEPS[version](conn, db)
            _write_schema_version(conn, version + 1)
        if before:
            log.info("upgraded database schema to v%d", version + 1)
    db.has_fts = _detect_fts(db)
    return before


def _detect_fts(db: Database) -> bool:
    if not db.is_sqlite:
        return False
    with db.engine.begin() as conn:
        return inspect(conn).has_table("images_fts")
