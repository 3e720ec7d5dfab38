"""Schema creation, versioned upgrades with rotated backups, and refusal of newer schemas."""
import sqlite3

import pytest
from sqlalchemy import text

from iib_core.db import CURRENT_VERSION, SchemaTooNew, open_database
from iib_core.db import kv, tags
from iib_core.db.engine import Database, create_database_engine
from iib_core.db.migrations import migrate, read_schema_version


def test_fresh_database_has_current_schema_and_like_tag(db_url):
    db = open_database(db_url)
    try:
        with db.read() as conn:
            assert read_schema_version(conn) == CURRENT_VERSION
            names = [(t["name"], t["type"]) for t in tags.all_tags(conn)]
        assert ("like", "custom") in names
        if db.is_sqlite:
            assert db.has_fts
            with db.read() as conn:
                assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
                assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        else:
            with db.read() as conn:
                assert conn.execute(text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_images_search'")).first()
    finally:
        db.dispose()


def test_reopening_is_idempotent(db_url):
    open_database(db_url).dispose()
    db = open_database(db_url)
    try:
        with db.read() as conn:
            assert [t["name"] for t in tags.all_tags(conn)].count("like") == 1
    finally:
        db.dispose()


def _database_at_version(url, version):
    db = Database(engine=create_database_engine(url), url=url)
    migrate(db, target_version=version)
    return db


def test_upgrade_from_older_schema_keeps_data_and_rotates_backups(tmp_path):
    path = tmp_path / "iib.db"
    url = f"sqlite:///{path}"
    for round_ in range(3):
        if path.exists():
            path.unlink()
        old = _database_at_version(url, 1)
        with old.write() as conn:
            kv.put(conn, "marker", {"round": round_})
        old.dispose()
        db = open_database(url, backup_max=2)
        try:
            with db.read() as conn:
                assert read_schema_version(conn) == CURRENT_VERSION
                assert kv.get(conn, "marker") == {"round": round_}
                assert conn.exec_driver_sql("SELECT count(*) FROM orphaned_marks").scalar() == 0
        finally:
            db.dispose()
    backups = sorted(tmp_path.glob("iib.db.bak-v1-*"))
    assert len(backups) == 2, backups  # rotated to IIB_DB_FILE_BACKUP_MAX
    con = sqlite3.connect(backups[-1])
    try:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT value FROM settings WHERE key='schema_version'").fetchone()[0] == "1"
    finally:
        con.close()


def test_upgrade_on_postgresql(pg_db_url):
    old = _database_at_version(pg_db_url, 1)
    old.dispose()
    db = open_database(pg_db_url)
    try:
        with db.read() as conn:
            assert read_schema_version(conn) == CURRENT_VERSION
    finally:
        db.dispose()


def test_newer_schema_is_refused_with_a_clear_message(db_url):
    db = open_database(db_url)
    with db.write() as conn:
        kv.put(conn, "schema_version", CURRENT_VERSION + 5)
    db.dispose()
    with pytest.raises(SchemaTooNew, match="newer than this IIB knows"):
        open_database(db_url)
