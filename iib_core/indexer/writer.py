"""Writing extracted files to the index in large transactions, optionally from a thread.

The indexing process is the bottleneck of a cold index: every row costs it the FTS5
trigram indexing (~1,000 trigrams per file), ~30 tag links and the commit. So the
writer works on whole batches (thousands of rows per transaction, one statement per
kind of write), and with `threaded=True` it runs in its own thread: while SQLite
works on one batch (the sqlite3 module releases the GIL while it steps), the main
thread keeps collecting and preparing the next one from the worker processes.

Each batch is one transaction: rows, tag links and tag counts commit together or not
at all, so a run killed at any moment leaves a consistent index for the next run.
"""
from __future__ import annotations

import contextlib
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Iterator, List, Optional, Tuple

from ..db import Database
from ..db import images as images_db
from ..db import moves as moves_db
from ..db import orphans as orphans_db
from ..db import ratings as ratings_db
from ..db import tags as tags_db
from ..rows import IndexedRow
from .tagging import TagKey


@dataclass
class Segment:
    """The rows of one worker chunk that go into a batch, with the chunk's tag table."""

    tag_keys: List[TagKey]
    insert_rows: List[IndexedRow] = field(default_factory=list)
    insert_refs: List[List[int]] = field(default_factory=list)
    update_ids: List[int] = field(default_factory=list)
    update_rows: List[IndexedRow] = field(default_factory=list)
    update_refs: List[List[int]] = field(default_factory=list)
    moved: int = 0  # updates that are files found again at a new path (by content)

    @property
    def size(self) -> int:
        return len(self.insert_rows) + len(self.update_rows)


Batch = List[Segment]


class BatchWriter:
    """Writes batches, each in one transaction; `on_written(n)` after each commit.

    Unthreaded, `write()` writes at once. Threaded, `write()` hands the batch to the
    writer thread, waiting while the previous batch is still being written (so at
    most two batches are in memory), and re-raises in the caller any error the
    thread met. `close()` waits for the last batch; `abort()` drops what is queued.
    With `bulk`, all batches go through one `Database.bulk_writer()` session (its
    WAL checkpoints run beside the writing); otherwise each takes a pooled connection.
    """

    def __init__(self, db: Database, tag_ids: tags_db.TagIds, on_written: Callable[[int], None],
                 threaded: bool = False, bulk: bool = False) -> None:
        self.db = db
        self.tag_ids = tag_ids
        self.on_written = on_written
        self.threaded = threaded
        self.bulk = bulk
        self._session: Optional[contextlib.ExitStack] = None
        self._bulk_writer = None
        self._queue: queue.Queue[Optional[Batch]] = queue.Queue(maxsize=1)
        self._error: Optional[BaseException] = None
        self._stop = threading.Event()
        self._thread: Optional[threading.Thread] = None
        self.busy_seconds = 0.0  # time spent inside transactions (for benchmarks)
        self.busy_cpu_seconds = 0.0  # CPU time of the writing thread inside them
        if threaded:
            self._thread = threading.Thread(target=self._loop, name="iib-index-writer", daemon=True)
            self._thread.start()

    # -- caller side -----------------------------------------------------------------
    def write(self, batch: Batch) -> None:
        if not batch:
            return
        if not self.threaded:
            self._write(batch)
            return
        while True:
            self._raise_error()
            try:
                self._queue.put(batch, timeout=0.2)
                return
            except queue.Full:
                continue

    def close(self) -> None:
        """Wait until everything handed over is written; raise the writer's error, if any."""
        if self._thread is not None:
            while self._thread.is_alive():
                try:
                    self._queue.put(None, timeout=0.2)
                    break
                except queue.Full:
                    self._raise_error()
            self._thread.join()
            self._thread = None
        else:
            self._end_session()
        self._raise_error()

    def abort(self) -> None:
        """Stop without writing what is still queued (the batch being written completes)."""
        self._stop.set()
        if self._thread is not None:
            try:
                while True:
                    self._queue.get_nowait()
            except queue.Empty:
                pass
            try:
                self._queue.put_nowait(None)
            except queue.Full:
                pass
            self._thread.join()
            self._thread = None
        else:
            self._end_session()

    def _raise_error(self) -> None:
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    # -- writer side -----------------------------------------------------------------
    def _loop(self) -> None:
        try:
            while True:
                batch = self._queue.get()
                if batch is None or self._stop.is_set():
                    return
                self._write(batch)
        except BaseException as exc:  # handed to the caller
            self._error = exc
        finally:
            try:
                self._end_session()
            except BaseException as exc:  # pragma: no cover - closing a broken connection
                self._error = self._error or exc

    @contextlib.contextmanager
    def _transaction(self) -> Iterator:
        if not self.bulk:
            with self.db.write() as conn:
                yield conn
            return
        if self._session is None:
            stack = contextlib.ExitStack()
            self._bulk_writer = stack.enter_context(self.db.bulk_writer())
            self._session = stack
        with self._bulk_writer.transaction() as conn:
            if self._bulk_writer.others_committed:
                # Tags may have been deleted meanwhile, and this connection does not
                # enforce foreign keys: never link to a cached id that may be gone.
                self.tag_ids.forget()
            yield conn

    def _end_session(self) -> None:
        if self._session is not None:
            session, self._session, self._bulk_writer = self._session, None, None
            session.close()

    def _write(self, batch: Batch) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            with self._transaction() as conn:
                n = write_batch(conn, self.tag_ids, batch)
        except BaseException:
            self.tag_ids.forget()  # ids handed out in the rolled-back transaction may not exist
            raise
        finally:
            self.busy_seconds += time.perf_counter() - started
            self.busy_cpu_seconds += time.thread_time() - cpu
        self.on_written(n)


def write_batch(conn, tag_ids: tags_db.TagIds, batch: Batch) -> int:
    """Write one batch in the caller's transaction; returns the number of rows written."""
    insert_rows: List[IndexedRow] = []
    insert_tags: List[List[int]] = []
    update_ids: List[int] = []
    update_rows: List[IndexedRow] = []
    update_links: List[Tuple[int, int]] = []
    for seg in batch:
        ids = tag_ids.ids_of(conn, seg.tag_keys)
        if seg.insert_rows:
            insert_rows.extend(seg.insert_rows)
            insert_tags.extend([[ids[i] for i in refs] for refs in seg.insert_refs])
        if seg.update_rows:
            update_ids.extend(seg.update_ids)
            update_rows.extend(seg.update_rows)
            update_links.extend((image_id, ids[i]) for image_id, refs in zip(seg.update_ids, seg.update_refs)
                                for i in refs)
    if insert_rows:
        # Another indexing job (the file operations index what they copy or move) may
        # have indexed some of these files since our walk: update those instead.
        taken = images_db.ids_by_path(conn, [r.path for r in insert_rows])
        if taken:
            keep = [i for i, r in enumerate(insert_rows) if r.path not in taken]
            for i, r in enumerate(insert_rows):
                if r.path in taken:
                    update_ids.append(taken[r.path])
                    update_rows.append(r)
                    update_links.extend((taken[r.path], t) for t in insert_tags[i])
            insert_rows = [insert_rows[i] for i in keep]
            insert_tags = [insert_tags[i] for i in keep]
    if update_rows:
        # Rows deleted since the walk (a file operation removed them) are not re-created
        # by an update: their links would dangle.
        gone = set(update_ids) - images_db.existing_ids(conn, update_ids)
        if gone:
            update_rows = [r for i, r in zip(update_ids, update_rows) if i not in gone]
            update_ids = [i for i in update_ids if i not in gone]
            update_links = [(i, t) for i, t in update_links if i not in gone]
        # In ascending id order: FTS5 flushes its pending data (a new segment, and merge
        # work) whenever a change goes to a lower rowid than the one before; a batch of
        # updates in walk order paid ~5 ms per row for that.
        order = sorted(range(len(update_ids)), key=update_ids.__getitem__)
        update_ids = [update_ids[i] for i in order]
        update_rows = [update_rows[i] for i in order]
        images_db.update_rows(conn, update_ids, update_rows)
        tags_db.replace_auto_links(conn, update_ids, update_links)
    if any(seg.moved for seg in batch):
        moves_db.touch_paths(conn)
    if insert_rows:
        new_ids = images_db.insert_rows(conn, insert_rows)
        tags_db.link_new_images(conn, new_ids, insert_tags)
        _restore_orphaned_marks(conn, {i: r.fingerprint for i, r in zip(new_ids, insert_rows)})
    return len(insert_rows) + len(update_rows)


def _restore_orphaned_marks(conn, fingerprints) -> None:
    """Files that come back (by content) get the custom tags and rating they had."""
    by_fp = {fp: id_ for id_, fp in fingerprints.items() if fp}
    if not by_fp:
        return
    marks = orphans_db.take(conn, list(by_fp))
    if not marks:
        return
    existing_tags = {t["id"] for t in tags_db.all_tags(conn) if t["type"] == "custom"}
    links = [(by_fp[fp], t) for fp, (tag_ids, _) in marks.items() for t in tag_ids if t in existing_tags]
    tags_db.add_links(conn, links)
    ratings_db.set_ratings(conn, {by_fp[fp]: rating for fp, (_, rating) in marks.items() if rating is not None})
