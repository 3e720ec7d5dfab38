"""The index job: walk the roots, re-read what changed, write it in batches.

A run is safe to kill at any moment: every batch is one transaction that writes
rows, tag links and tag counts together, files that vanished are only deleted at the
end (after moved files have claimed their old rows by content fingerprint), and the
next run compares the disk with the database again, so it finishes the work.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter, defaultdict
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from ..db import Database
from ..db import folders as folders_db
from ..db import images as images_db
from ..db import orphans as orphans_db
from ..db import ratings as ratings_db
from ..db import runs as runs_db
from ..db import tags as tags_db
from ..security.paths import is_below_lexically
from .extract import ExtractedChunk, ExtractOptions, Task, extract_many, init_worker
from .scan import Exclusions, FolderListing, distinct_roots, walk
from .workers import WorkerPool, can_spawn_workers
from .writer import Batch, BatchWriter, Segment

log = logging.getLogger("iib.indexer")

# Below this many files to read, a process pool costs more than it saves.
INLINE_THRESHOLD = 200
CHUNK_SIZE = 128
# Rows per write transaction, or fewer when they took WRITE_INTERVAL seconds to gather.
# Larger transactions cost less per row (one FTS5 segment flush and one commit for
# thousands of rows) but hold SQLite's write lock longer (~0.5 s at 4,000 rows) and
# leave more to redo after a kill.
WRITE_BATCH = 4000
WRITE_INTERVAL = 2.0


class IndexCancelled(Exception):
    pass


@dataclass
class IndexProgress:
    phase: str = "scanning"  # scanning | reading | cleaning | done
    seen: int = 0  # media files found on disk
    to_read: int = 0  # new or changed files
    parsed: int = 0
    written: int = 0
    deleted: int = 0
    moved: int = 0
    warnings: int = 0
    started_at: float = field(default_factory=time.time)

    @property
    def elapsed(self) -> float:
        return time.time() - self.started_at

    @property
    def rate(self) -> float:
        """Files read per second so far."""
        return self.parsed / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> Optional[float]:
        if self.phase != "reading" or not self.rate:
            return None
        return max(0.0, (self.to_read - self.parsed) / self.rate)

    def as_dict(self) -> dict:
        return {
            "phase": self.phase, "seen": self.seen, "to_read": self.to_read, "parsed": self.parsed,
            "written": self.written, "deleted": self.deleted, "moved": self.moved,
            "warnings": self.warnings, "elapsed": round(self.elapsed, 3), "rate": round(self.rate, 1),
            "eta": None if self.eta is None else round(self.eta, 1),
        }


@dataclass
class IndexSummary:
    progress: IndexProgress
    status: str  # completed | cancelled
    generators: Dict[str, int]
    seconds: float


@dataclass
class _Vanished:
    id: int
    path: str
    fingerprint: Optional[str]


@dataclass
class _Plan:
    tasks: List[Task] = field(default_factory=list)
    existing_ids: Dict[str, int] = field(default_factory=dict)  # path -> id, for changed files
    vanished: Dict[int, _Vanished] = field(default_factory=dict)
    folder_states: List[dict] = field(default_factory=list)
    gone_folders: List[str] = field(default_factory=list)


class IndexJob:
    """One indexing run over `roots`. Call `run()`; `cancel()` from another thread stops it."""

    def __init__(
        self,
        db: Database,
        roots: Iterable[str],
        *,
        exclude: Sequence[str] = (),
        options: ExtractOptions = ExtractOptions(),
        workers: int = 0,
        on_progress: Optional[Callable[[IndexProgress], None]] = None,
        progress_interval: float = 0.25,
    ) -> None:
        self.db = db
        self.roots = distinct_roots(roots)
        self.exclusions = Exclusions(exclude)
        self.options = options
        self.workers = workers or (os.cpu_count() or 1)
        self.on_progress = on_progress
        self.progress_interval = progress_interval
        self.progress = IndexProgress()
        self.generators: Counter = Counter()
        self._cancel = threading.Event()
        self._last_report = 0.0
        self._tag_ids = tags_db.TagIds()
        self.write_seconds = 0.0  # time spent in write transactions during phase 2
        self.write_cpu_seconds = 0.0  # CPU time of the writing thread in them

    # -- control -----------------------------------------------------------------
    def cancel(self) -> None:
        self._cancel.set()

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def _report(self, force: bool = False) -> None:
        now = time.time()
        if self.on_progress and (force or now - self._last_report >= self.progress_interval):
            self._last_report = now
            self.on_progress(self.progress)

    def _warn(self, message: str) -> None:
        self.progress.warnings += 1
        log.warning("%s", message)

    # -- the run -----------------------------------------------------------------
    def run(self) -> IndexSummary:
        started = time.time()
        with self.db.write() as conn:
            run_id = runs_db.start(conn)
        status = "completed"
        try:
            plan = self._plan()
            self.progress.phase = "reading"
            self.progress.to_read = len(plan.tasks)
            self._report(force=True)
            self._read_and_write(plan)
            self.progress.phase = "cleaning"
            self._report(force=True)
            self._remove_vanished(plan)
            with self.db.write() as conn:
                folders_db.record(conn, plan.folder_states)
                folders_db.forget(conn, plan.gone_folders)
        except IndexCancelled:
            status = "cancelled"
        except BaseException as exc:
            with self.db.write() as conn:
                runs_db.finish(conn, run_id, "error", message=repr(exc)[:2000], **self._counts())
            raise
        self.progress.phase = "done"
        with self.db.write() as conn:
            runs_db.finish(conn, run_id, status, **self._counts())
        self._report(force=True)
        return IndexSummary(self.progress, status, dict(self.generators), time.time() - started)

    def _counts(self) -> dict:
        p = self.progress
        return {"seen": p.seen, "parsed": p.parsed, "written": p.written, "deleted": p.deleted,
                "moved": p.moved, "warnings": p.warnings}

    def _check_cancel(self) -> None:
        if self._cancel.is_set():
            raise IndexCancelled()

    # -- phase 1: compare the disk with the index ----------------------------------
    def _plan(self) -> _Plan:
        plan = _Plan()
        now = time.time()
        for root in self.roots:
            if not os.path.isdir(root):
                self._warn(f"root {root!r} is not a folder; its index entries are kept")
                continue
            unreadable: List[str] = []
            listed: Set[str] = set()
            pending: List[FolderListing] = []
            for listing in walk(root, self.exclusions, self._warn, unreadable):
                self._check_cancel()
                listed.add(listing.path)
                pending.append(listing)
                if len(pending) >= 256:
                    self._compare(pending, plan, now)
                    pending = []
            self._compare(pending, plan, now)
            # Indexed folders that were not listed: gone, excluded, or now unreadable.
            with self.db.read() as conn:
                indexed = images_db.indexed_folders_under(conn, root)
                recorded = folders_db.states_under(conn, root)
            missing = sorted((indexed | set(recorded)) - listed)
            keep = [u for u in unreadable]
            missing = [m for m in missing if not any(is_below_lexically(m, k) for k in keep)]
            if missing:
                with self.db.read() as conn:
                    known = images_db.known_files_in_folders(conn, missing)
                for folder in missing:
                    for name, k in known[folder].items():
                        plan.vanished[k[0]] = _Vanished(k[0], os.path.join(folder, name), k[3])
                plan.gone_folders.extend(m for m in missing if m in recorded)
        return plan

    def _compare(self, listings: List[FolderListing], plan: _Plan, now: float) -> None:
        if not listings:
            return
        with self.db.read() as conn:
            known = images_db.known_files_in_folders(conn, [listing.path for listing in listings])
        tasks = plan.tasks
        join = os.path.join
        for listing in listings:
            folder = listing.path
            files = listing.files  # (name, size, mtime, ctime)
            in_db = known[folder]  # name -> (id, size, mtime, fingerprint)
            if not in_db:
                tasks.extend([(join(folder, f[0]), f[1], f[2], f[3]) for f in files])
            else:
                matched = 0
                for f in files:
                    k = in_db.get(f[0])
                    if k is None:
                        tasks.append((join(folder, f[0]), f[1], f[2], f[3]))
                        continue
                    matched += 1
                    if k[1] != f[1] or k[2] != f[2]:
                        path = join(folder, f[0])
                        tasks.append((path, f[1], f[2], f[3]))
                        plan.existing_ids[path] = k[0]
                if matched < len(in_db):  # some indexed files are no longer on disk
                    for name in in_db.keys() - {f[0] for f in files}:
                        k = in_db[name]
                        plan.vanished[k[0]] = _Vanished(k[0], join(folder, name), k[3])
            plan.folder_states.append({"path": listing.path, "mtime": listing.mtime,
                                       "file_count": len(listing.files), "last_scan": now})
            self.progress.seen += len(listing.files)
        self._report()

    # -- phase 2: read changed files, write them in batches -------------------------
    def _read_and_write(self, plan: _Plan) -> None:
        moved_from: Dict[str, List[int]] = defaultdict(list)
        for v in plan.vanished.values():
            if v.fingerprint:
                moved_from[v.fingerprint].append(v.id)
        tasks = plan.tasks
        inline = len(tasks) <= INLINE_THRESHOLD or self.workers <= 1
        writer = BatchWriter(self.db, self._tag_ids, self._written, threaded=not inline, bulk=not inline)
        pending: Batch = []
        pending_rows = 0
        pending_since = time.monotonic()

        def consume(chunk: List[Task], result: ExtractedChunk) -> None:
            nonlocal pending, pending_rows, pending_since
            segment = self._prepare(chunk, result, plan, moved_from)
            self.progress.parsed += len(chunk)
            if segment.size:
                if not pending:
                    pending_since = time.monotonic()
                pending.append(segment)
                pending_rows += segment.size
            if pending_rows >= WRITE_BATCH or (pending and time.monotonic() - pending_since >= WRITE_INTERVAL):
                batch, pending, pending_rows = pending, [], 0
                writer.write(batch)
            self._report()

        try:
            if inline:
                for start in range(0, len(tasks), CHUNK_SIZE):
                    self._check_cancel()
                    chunk = tasks[start:start + CHUNK_SIZE]
                    consume(chunk, extract_many(chunk, self.options))
            else:
                self._run_pool(tasks, consume)
            if pending:
                writer.write(pending)
            writer.close()
        except BaseException:
            writer.abort()
            raise
        finally:
            self.write_seconds = writer.busy_seconds
            self.write_cpu_seconds = writer.busy_cpu_seconds

    def _written(self, n: int) -> None:
        self.progress.written += n

    def _run_pool(self, tasks: List[Task], consume: Callable[[List[Task], ExtractedChunk], None]) -> None:
        chunks = [tasks[i:i + CHUNK_SIZE] for i in range(0, len(tasks), CHUNK_SIZE)]
        if not can_spawn_workers():
            self._run_multiprocessing_pool(chunks, consume)
            return
        with WorkerPool(min(self.workers, len(chunks)), self.options) as pool:
            for item in pool.imap_unordered(chunks):
                self._check_cancel()
                if item is not None:
                    consume(*item)

    def _run_multiprocessing_pool(self, chunks: List[List[Task]],
                                  consume: Callable[[List[Task], ExtractedChunk], None]) -> None:
        """For frozen builds: a multiprocessing pool (the app must call freeze_support())."""
        in_flight: Dict[Future, List[Task]] = {}
        window = self.workers * 4
        next_chunk = 0
        with ProcessPoolExecutor(max_workers=self.workers, mp_context=_pool_context(),
                                 initializer=init_worker) as pool:
            try:
                while next_chunk < len(chunks) or in_flight:
                    while next_chunk < len(chunks) and len(in_flight) < window:
                        fut = pool.submit(extract_many, chunks[next_chunk], self.options)
                        in_flight[fut] = chunks[next_chunk]
                        next_chunk += 1
                    done, _ = wait(list(in_flight), timeout=0.5, return_when=FIRST_COMPLETED)
                    self._check_cancel()
                    for fut in done:
                        consume(in_flight.pop(fut), fut.result())
            except BaseException:
                for fut in in_flight:
                    fut.cancel()
                raise

    def _prepare(self, chunk: List[Task], result: ExtractedChunk, plan: _Plan,
                 moved_from: Dict[str, List[int]]) -> Segment:
        """Sort one chunk's rows into inserts and updates (moved files claim their old rows)."""
        self.progress.warnings += result.warnings
        segment = Segment(result.tag_keys)
        existing_ids = plan.existing_ids
        generators = self.generators
        for task, row, refs in zip(chunk, result.rows, result.tag_refs):
            path = task[0]  # Task: (path, size, mtime, ctime)
            existing = existing_ids.get(path)
            if row is None:
                if existing is not None:  # a file that became unreadable leaves the index
                    plan.vanished[existing] = _Vanished(existing, path, None)
                continue
            generators[row.generator or "none"] += 1
            if existing is None and moved_from:
                claim = moved_from.get(row.fingerprint) if row.fingerprint else None
                if claim:
                    existing = claim.pop()
                    # Not deleted at the end of the run. Should this batch fail, the run
                    # fails with it and deletes nothing anyway.
                    plan.vanished.pop(existing, None)
                    self.progress.moved += 1
                    segment.moved += 1
            if existing is not None:
                segment.update_ids.append(existing)
                segment.update_rows.append(row)
                segment.update_refs.append(refs)
            else:
                segment.insert_rows.append(row)
                segment.insert_refs.append(refs)
        return segment

    # -- phase 3: files that are gone ----------------------------------------------
    def _remove_vanished(self, plan: _Plan) -> None:
        ids = sorted(plan.vanished)
        for start in range(0, len(ids), WRITE_BATCH):
            chunk = ids[start:start + WRITE_BATCH]
            with self.db.write() as conn:
                custom = tags_db.custom_tags_of(conn, chunk)
                ratings = ratings_db.ratings_of(conn, chunk)
                marks: Dict[str, Tuple[List[int], Optional[int]]] = {}
                for id_ in set(custom) | set(ratings):
                    fp = plan.vanished[id_].fingerprint
                    if fp:
                        marks[fp] = (custom.get(id_, []), ratings.get(id_))
                orphans_db.stash(conn, marks)
                tags_db.drop_links_of_images(conn, chunk)
                images_db.delete_many(conn, chunk)
            self.progress.deleted += len(chunk)
            self._report()


def _pool_context():
    """forkserver on Linux (safe when the host process has threads), spawn elsewhere."""
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("forkserver")
    return multiprocessing.get_context("spawn")
