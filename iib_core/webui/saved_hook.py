"""An image the host saved is searchable within a second or two.

`on_image_saved` runs in the generation thread, so it only records the absolute path
and returns. One worker thread per process ("iib-saved-images", started on first use
and reused after every "Reload UI") waits a moment to gather a batch (a batch of
images is saved in quick succession), then runs an incremental index over the folders
that received files, through the current IIB context. An `IndexJob` over a folder
re-reads only new or changed files, so this stays cheap in a folder of thousands.
"""
from __future__ import annotations

import logging
import os
import queue
import threading
import time
from typing import Callable, List, Optional, Set

log = logging.getLogger("iib.webui")

THREAD_NAME = "iib-saved-images"
BATCH_WINDOW = 0.25  # seconds to wait for more files after the first one
WAIT_FOR_CONTEXT = 15.0  # seconds to keep files while no context exists (during a reload)
_STOP = object()


class SavedImageIndexer:
    def __init__(self, get_ctx: Callable[[], object], batch_window: float = BATCH_WINDOW) -> None:
        self._get_ctx = get_ctx
        self._batch_window = batch_window
        self._queue: queue.Queue[object] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: Optional[threading.Thread] = None
        self._busy = threading.Event()  # set while a batch is being indexed
        self.indexed = 0  # files handed to the indexer (for diagnostics)

    # -- producer side (the generation thread) ------------------------------------------
    def submit(self, path: str) -> None:
        self._queue.put(os.path.abspath(path))
        self._ensure_thread()

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=THREAD_NAME, daemon=True)
                self._thread.start()

    # -- control ---------------------------------------------------------------------
    def stop(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then end the thread (a later submit starts a new one)."""
        with self._lock:
            thread = self._thread
            if thread is None or not thread.is_alive():
                return
            self._queue.put(_STOP)
        thread.join(timeout)

    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def idle(self) -> bool:
        return self._queue.empty() and not self._busy.is_set()

    # -- the worker ------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            self._busy.set()
            try:
                paths: Set[str] = {item}  # type: ignore[arg-type]
                stop = self._gather(paths)
                self._index(sorted(paths))
                if stop:
                    return
            except Exception:  # never let one bad batch end the thread
                log.exception("Infinite image browsing: indexing new images failed")
            finally:
                self._busy.clear()

    def _gather(self, paths: Set[str]) -> bool:
        deadline = time.monotonic() + self._batch_window
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            try:
                item = self._queue.get(timeout=remaining)
            except queue.Empty:
                return False
            if item is _STOP:
                return True
            paths.add(item)  # type: ignore[arg-type]

    def _index(self, paths: List[str]) -> None:
        ctx = self._get_ctx()
        deadline = time.monotonic() + WAIT_FOR_CONTEXT
        while ctx is None and time.monotonic() < deadline:  # a "Reload UI" is under way
            time.sleep(0.2)
            ctx = self._get_ctx()
        if ctx is None:
            log.info("Infinite image browsing: not running; %d new image(s) will be indexed on the next "
                     "index update", len(paths))
            return
        index_saved_files(ctx, paths)
        self.indexed += len(paths)


def index_saved_files(ctx, paths: List[str]) -> None:
    """Index the folders holding `paths` (files outside IIB's roots are left alone)."""
    from ..files.index_sync import IndexSync
    from ..indexer import extract_options

    settings = ctx.settings
    sync = IndexSync(ctx.db, ctx.index_roots, exclude=ctx.exclude_dirs(),
                     options=extract_options(settings), workers=1)
    sync.appeared([(os.path.realpath(p), False) for p in paths])


_indexer: Optional[SavedImageIndexer] = None
_indexer_lock = threading.Lock()


def indexer() -> SavedImageIndexer:
    """The process-wide worker (this module stays cached across "Reload UI")."""
    global _indexer
    with _indexer_lock:
        if _indexer is None:
            from . import lifecycle

            _indexer = SavedImageIndexer(lifecycle.current)
        return _indexer


def on_image_saved(params) -> None:
    """The host callback: cheap, never raises into the generation thread."""
    try:
        filename = getattr(params, "filename", None)
        if not filename or not isinstance(filename, str):
            return
        from . import lifecycle

        ctx = lifecycle.current()
        if ctx is not None and not _enabled(ctx):
            return
        indexer().submit(filename)
    except Exception:
        log.exception("Infinite image browsing: could not queue a saved image for indexing")


def _enabled(ctx) -> bool:
    from .host import OPT_INDEX_ON_SAVE

    try:
        from modules import shared  # the live value: the user may switch it off without a reload

        data = getattr(getattr(shared, "opts", None), "data", None)
        if isinstance(data, dict):
            return bool(data.get(OPT_INDEX_ON_SAVE, True))
    except Exception:
        pass
    return bool(ctx.webui_options.get(OPT_INDEX_ON_SAVE, True))


def stop() -> None:
    if _indexer is not None:
        _indexer.stop()
