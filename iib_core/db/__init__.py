"""Database layer: the only place that writes SQL.

`open_database(url)` gives a `Database` (engine set-up in `engine.py`, schema upgrades in
`migrations.py`). The query functions live in modules named for what they hold:

  `images`       rows of indexed files: the indexer's inserts and updates, lookups by path
                 and id, the count, which rows lie in a folder or below it
  `listing`      newest-first pages, their cursor and folder scope, random picks, the row
                 feed of the regular-expression search
  `query`        the search: a parsed query (or plain text) to SQL, one page of results
  `tag_match`    images by sets of tags
  `tags`         auto tags and their links (the indexer's side), tag counts
  `custom_tags`  the user's tags, their links and colours, the tag list by type
  `ratings`      star ratings
  `moves`        keeping rows in step with files moved, copied or deleted
  `folders`, `orphans`, `runs`, `kv`, `extra_paths`, `embeddings`, `maintenance`: one table
                 (or table group) each; `pathtext` is how paths are stored

One calling convention: a query function takes a `Connection` as its first argument and
runs inside the transaction of its caller, who opens it with `db.read()` or `db.write()`
(a write transaction takes SQLite's write lock at once, so writers queue instead of
failing). So several calls commit or fail together, and a function never decides on its
own where a transaction ends:

    with db.write() as conn:
        image_id = images.ids_by_path(conn, [path])[path]
        ratings.set_rating(conn, image_id, 5)

The one exception is the search (`query.search_images`, `query.search_text`): it takes
the `Database`, because it picks its plan from what the database has (the dialect, the
FTS5 index found by the migrations) and sets per-transaction planner options, so it opens
its own read transaction. The indexer's writer uses `db.bulk_writer()` for its long
series of write transactions.
"""
from __future__ import annotations

from .engine import Database, create_database_engine
from .migrations import CURRENT_VERSION, SchemaTooNew, migrate, sqlite_file_of


def open_database(url: str, backup_max: int = 8) -> Database:
    """Create the engine for `url`, upgrading (or creating) the schema."""
    sqlite_path = sqlite_file_of(url)
    if sqlite_path is not None:
        sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    db = Database(engine=create_database_engine(url), url=url)
    try:
        migrate(db, backup_max=backup_max)
    except Exception:
        db.dispose()
        raise
    return db


__all__ = ["Database", "open_database", "CURRENT_VERSION", "SchemaTooNew"]
