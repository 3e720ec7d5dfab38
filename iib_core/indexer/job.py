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
from ..db import runs as runs_db
from ..db import tags as tags_db
from .extract import ExtractOptions, Extracted, Task, extract_many, init_worker
from .scan import Exclusions, FolderListing, distinct_roots, walk

log = logging.getLogger("iib.indexer")

# Below this many files to read, a process pool costs more than it saves.
INLINE_THRESHOLD = 200
CHUNK_SIZE = 128
WRITE_BATCH = 1000


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
            missing = [m for m in missing if not any(m == k or m.startswith(k + os.sep) for k in keep)]
            if missing:
                with self.db.read() as conn:
                    known = images_db.known_files_in_folders(conn, missing)
                for folder in missing:
                    for name, k in known[folder].items():
                        plan.vanished[k.id] = _Vanished(k.id, os.path.join(folder, name), k.fingerprint)
                plan.gone_folders.extend(m for m in missing if m in recorded)
        return plan

    def _compare(self, listings: List[FolderListing], plan: _Plan, now: float) -> None:
        if not listings:
            return
        with self.db.read() as conn:
            known = images_db.known_files_in_folders(conn, [l.path for l in listings])
        for listing in listings:
            in_db = known[listing.path]
            on_disk = set()
            for f in listing.files:
                on_disk.add(f.name)
                k = in_db.get(f.name)
                path = os.path.join(listing.path, f.name)
                if k is None:
                    plan.tasks.append((path, f.size, f.mtime, f.ctime))
                elif k.size != f.size or k.mtime != f.mtime:
                    plan.tasks.append((path, f.size, f.mtime, f.ctime))
                    plan.existing_ids[path] = k.id
            for name, k in in_db.items():
                if name not in on_disk:
                    plan.vanished[k.id] = _Vanished(k.id, os.path.join(listing.path, name), k.fingerprint)
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
        buffer: List[Tuple[Task, Extracted]] = []

        def consume(chunk: List[Task], results: List[Extracted]) -> None:
            buffer.extend(zip(chunk, results))
            self.progress.parsed += len(chunk)
            if len(buffer) >= WRITE_BATCH:
                self._write_batch(buffer, plan, moved_from)
                buffer.clear()
            self._report()

        tasks = plan.tasks
        if len(tasks) <= INLINE_THRESHOLD or self.workers <= 1:
            for start in range(0, len(tasks), CHUNK_SIZE):
                self._check_cancel()
                chunk = tasks[start:start + CHUNK_SIZE]
                consume(chunk, extract_many(chunk, self.options))
        else:
            self._run_pool(tasks, consume)
        if buffer:
            self._write_batch(buffer, plan, moved_from)

    def _run_pool(self, tasks: List[Task], consume: Callable[[List[Task], List[Extracted]], None]) -> None:
        chunks = [tasks[i:i + CHUNK_SIZE] for i in range(0, len(tasks), CHUNK_SIZE)]
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

    def _write_batch(self, batch: List[Tuple[Task, Extracted]], plan: _Plan,
                     moved_from: Dict[str, List[int]]) -> None:
        inserts: List[dict] = []
        insert_tags: List[List[Tuple[str, str]]] = []
        updates: List[dict] = []
        update_tags: List[List[Tuple[str, str]]] = []
        claimed: List[int] = []
        for task, result in batch:
            self.progress.warnings += result.warnings
            row = result.row
            path = task[0]
            existing = plan.existing_ids.get(path)
            if row is None:
                if existing is not None:  # a file that became unreadable leaves the index
                    plan.vanished[existing] = _Vanished(existing, path, None)
                continue
            self.generators[row["generator"] or "none"] += 1
            if existing is None and row["fingerprint"] in moved_from and moved_from[row["fingerprint"]]:
                existing = moved_from[row["fingerprint"]].pop()
                claimed.append(existing)
                self.progress.moved += 1
            if existing is not None:
                updates.append(dict(row, id=existing))
                update_tags.append(result.tags)
            else:
                inserts.append(row)
                insert_tags.append(result.tags)
        try:
            with self.db.write() as conn:
                ids = self._tag_ids.resolve(conn, [t for tags in insert_tags + update_tags for t in tags])
                if updates:
                    images_db.update_many(conn, updates)
                    tags_db.replace_auto_links(
                        conn, [u["id"] for u in updates],
                        [(u["id"], ids[t]) for u, tags in zip(updates, update_tags) for t in tags])
                if inserts:
                    new_ids = images_db.insert_many(conn, inserts)
                    tags_db.add_links(conn, [(i, ids[t]) for i, tags in zip(new_ids, insert_tags) for t in tags])
                    self._restore_orphaned_marks(conn, dict(zip(new_ids, (r["fingerprint"] for r in inserts))))
        except BaseException:
            self._tag_ids.forget()
            raise
        for id_ in claimed:
            plan.vanished.pop(id_, None)
        self.progress.written += len(inserts) + len(updates)

    def _restore_orphaned_marks(self, conn, fingerprints: Dict[int, Optional[str]]) -> None:
        by_fp = {fp: id_ for id_, fp in fingerprints.items() if fp}
        if not by_fp:
            return
        marks = orphans_db.take(conn, list(by_fp))
        if not marks:
            return
        existing_tags = {t["id"] for t in tags_db.all_tags(conn) if t["type"] == "custom"}
        links = [(by_fp[fp], t) for fp, (tag_ids, _) in marks.items() for t in tag_ids if t in existing_tags]
        tags_db.add_links(conn, links)
        images_db.set_ratings(conn, {by_fp[fp]: rating for fp, (_, rating) in marks.items() if rating is not None})

    # -- phase 3: files that are gone ----------------------------------------------
    def _remove_vanished(self, plan: _Plan) -> None:
        ids = sorted(plan.vanished)
        for start in range(0, len(ids), WRITE_BATCH):
            chunk = ids[start:start + WRITE_BATCH]
            with self.db.write() as conn:
                custom = tags_db.custom_tags_of(conn, chunk)
                ratings = images_db.ratings_of(conn, chunk)
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
