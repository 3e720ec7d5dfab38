"""Engine set-up: SQLite pragmas, PostgreSQL by URL, and the `Database` handle.

A `Database` is created per app (or per test) and hangs off `app.state`; there is
no module-level engine.
"""
from __future__ import annotations

import contextlib
import logging
import threading
from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger("iib.db")

SQLITE_BUSY_TIMEOUT_MS = 30_000
# Page size of new database files. 16 KiB instead of SQLite's 4 KiB: a cold index
# writes ~8 KB per file (a row of ~2.5 KB, ~4 KB of full-text index, tag links) and
# copies it again when checkpointing; larger pages mean a quarter of the page and
# syscall overhead (~10% less CPU per indexed file, measured on 20,000 files).
SQLITE_PAGE_SIZE = 16384
# Pages of WAL after which a committing connection checkpoints (SQLite's default).
SQLITE_WAL_AUTOCHECKPOINT = 1000


@dataclass
class Database:
    """An engine plus what the query functions need to know about its dialect."""

    engine: Engine
    url: str
    # True when SQLite has FTS5 with the trigram tokenizer (set by migrations).
    has_fts: bool = False

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def is_postgresql(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def read(self) -> contextlib.AbstractContextManager[Connection]:
        """A connection in a transaction for reading (deferred on SQLite)."""
        return self.engine.begin()

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """A connection in a write transaction.

        On SQLite the transaction starts with BEGIN IMMEDIATE so that two writers
        queue on the busy timeout instead of failing when one upgrades its lock.
        """
        with self.engine.connect() as conn:
            conn = conn.execution_options(iib_write=True)
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def bulk_writer(self) -> Iterator[BulkWriter]:
        """One connection for a long series of large write transactions (the indexer's).

        On SQLite:
        * the connection does not checkpoint the WAL when it commits: a background
          thread with its own connection does (PASSIVE, so it never blocks the writer),
          and so the fsyncs of checkpoints happen beside the writing instead of inside
          its commits. Durability is unchanged (synchronous=NORMAL: a commit survives a
          process kill at once and a power cut once checkpointed, as before);
        * foreign keys are not enforced on this connection (they cost ~10 us per file:
          two lookups for each of ~30 tag links). The writer guarantees them itself:
          it links rows it inserted in the same transaction, checks that rows it updates
          still exist, and `BulkWriter.others_committed` tells it to reload cached tag ids
          whenever another connection committed since its previous transaction.
        """
        with self.engine.connect() as conn:
            checkpointer = None
            if self.is_sqlite:
                conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
                conn.exec_driver_sql("PRAGMA foreign_keys = OFF")
                conn.commit()  # the statements began a transaction (SQLAlchemy's autobegin)
                checkpointer = _WalCheckpointer(self.engine)
            try:
                yield BulkWriter(conn.execution_options(iib_write=True), self.is_sqlite)
            finally:
                if checkpointer is not None:
                    checkpointer.stop()
                    try:
                        if conn.in_transaction():
                            conn.rollback()
                        conn.exec_driver_sql(f"PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT}")
                        conn.exec_driver_sql("PRAGMA foreign_keys = ON")
                        conn.commit()
                    except Exception:  # the connection is broken: the pool must not hand it out
                        conn.invalidate()

    def dispose(self) -> None:
        self.engine.dispose()


class BulkWriter:
    """See `Database.bulk_writer`: `transaction()` gives the connection in a write transaction."""

    def __init__(self, conn: Connection, is_sqlite: bool) -> None:
        self.conn = conn
        self.is_sqlite = is_sqlite
        self._data_version = None
        # True inside a transaction when another connection committed since the previous
        # one of this session (always True on other databases and in the first one).
        self.others_committed = True

    @contextlib.contextmanager
    def transaction(self) -> Iterator[Connection]:
        with self.conn.begin():
            if self.is_sqlite:
                # Read under the write lock: nobody else can commit until we do.
                version = self.conn.exec_driver_sql("PRAGMA data_version").scalar()
                self.others_committed = version != self._data_version
                self._data_version = version
            yield self.conn


class _WalCheckpointer:
    """Checkpoints the WAL every `interval` seconds from its own thread and connection."""

    def __init__(self, engine: Engine, interval: float = 0.5) -> None:
        self.engine = engine
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="iib-wal-checkpointer", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            raw = self.engine.raw_connection()
        except Exception as exc:  # pragma: no cover - the writer will meet the same problem
            log.warning("WAL checkpointer not started: %s", exc)
            return
        try:
            while True:
                stopping = self._stop.wait(self.interval)
                try:
                    cursor = raw.cursor()
                    cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    cursor.fetchall()
                    cursor.close()
                except Exception as exc:  # busy or locked: the next round catches up
                    log.debug("WAL checkpoint skipped: %s", exc)
                if stopping:
                    return
        finally:
            raw.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def create_database_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
        )
        _install_sqlite_hooks(engine)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _install_sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Let SQLAlchemy (not the driver) decide where transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        # Only acts on a new, empty file (before journal_mode writes its header).
        cursor.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA temp_store = MEMORY")
        cursor.execute("PRAGMA cache_size = -65536")
        cursor.execute(f"PRAGMA wal_autocheckpoint = {SQLITE_WAL_AUTOCHECKPOINT}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):  # pragma: no cover - exercised by every test
        if conn.get_execution_options().get("iib_write"):
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.exec_driver_sql("BEGIN")
