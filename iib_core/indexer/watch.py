"""Standalone: new, changed and deleted files are in the index within seconds.

`start_watcher(ctx)` watches the index roots with `watchfiles` (native file system
events: inotify, FSEvents, ReadDirectoryChangesW; set WATCHFILES_FORCE_POLLING=1 for
network drives) in one background thread ("iib-watch"). After each burst of changes
it runs an incremental index over the folders that changed: an `IndexJob` re-reads
only new or changed files and drops vanished ones, so a burst costs little. Roots
added at run time are picked up within a few seconds.

Off with `IIB_WATCH=0` (or `Settings.watch = False`). Inside SD WebUI the extension
uses the host's on_image_saved hook instead (iib_core/webui/saved_hook.py).
"""
from __future__ import annotations

import logging
import os
import threading
from typing import Callable, Iterable, List, Mapping, Optional, Set, Tuple

from ..security.paths import is_below_lexically
from .scan import media_type_by_extension

log = logging.getLogger("iib.indexer")

WATCH_ENV = "IIB_WATCH"
THREAD_NAME = "iib-watch"
DEBOUNCE_MS = 300  # wait for a burst to settle (a batch of images, a copy of a folder)
ROOTS_RECHECK_MS = 3000  # how often the list of roots is compared with what is watched


def watch_enabled(settings=None, environ: Optional[Mapping[str, str]] = None) -> bool:
    """Settings.watch when that field exists, else IIB_WATCH (default on)."""
    value = getattr(settings, "watch", None)
    if value is not None:
        return bool(value)
    raw = (os.environ if environ is None else environ).get(WATCH_ENV)
    if raw is None or not raw.strip():
        return True
    return raw.strip().lower() not in ("0", "false", "no", "off", "disable", "disabled")


def start_watcher(ctx, *, enabled: Optional[bool] = None, debounce_ms: int = DEBOUNCE_MS,
                  recheck_ms: int = ROOTS_RECHECK_MS) -> Callable[[], None]:
    """Start watching `ctx.index_roots()`; returns `stop()` (idempotent, waits for the thread)."""
    if enabled is None:
        enabled = watch_enabled(ctx.settings)
    if not enabled:
        log.info("file watcher off (%s=0)", WATCH_ENV)
        return lambda: None
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        log.warning("file watcher off: the watchfiles package is not installed (pip install watchfiles)")
        return lambda: None
    stop_event = threading.Event()
    thread = threading.Thread(target=_run, args=(ctx, stop_event, debounce_ms, recheck_ms), name=THREAD_NAME,
                              daemon=True)
    thread.start()

    def stop() -> None:
        stop_event.set()
        if thread is not threading.current_thread():
            thread.join(10)

    return stop


def _run(ctx, stop_event: threading.Event, debounce_ms: int, recheck_ms: int) -> None:
    import watchfiles

    while not stop_event.is_set():
        roots = _existing(ctx.index_roots())
        if not roots:
            stop_event.wait(recheck_ms / 1000)
            continue
        try:
            for changes in watchfiles.watch(*roots, stop_event=stop_event, debounce=debounce_ms,
                                            rust_timeout=recheck_ms, yield_on_timeout=True,
                                            raise_interrupt=False, ignore_permission_denied=True):
                if changes:
                    index_changes(ctx, changes)
                if _existing(ctx.index_roots()) != roots:
                    break  # roots were added or removed: watch the new set
        except Exception:  # a root vanished under the watcher, or the backend failed: retry
            log.exception("file watcher: restarting in a few seconds")
            stop_event.wait(recheck_ms / 1000)


def _existing(roots: Iterable[str]) -> List[str]:
    return sorted(r for r in roots if os.path.isdir(r))


def changed_folders(changes: Iterable[Tuple[object, str]]) -> Set[str]:
    """Folders whose listing changed: parents of media files, and of folders that came or went."""
    import watchfiles

    out: Set[str] = set()
    for change, path in changes:
        name = os.path.basename(path)
        if media_type_by_extension(name) is not None or change == watchfiles.Change.deleted or os.path.isdir(path):
            out.add(os.path.dirname(path))
    return out


def index_changes(ctx, changes: Iterable[Tuple[object, str]]) -> None:
    from . import extract_options
    from .placement import IndexPlacement

    settings = ctx.settings
    sync = IndexPlacement(ctx.db, ctx.index_roots, exclude=ctx.exclude_dirs(),
                     options=extract_options(settings), workers=settings.index_workers)
    folders = set()
    for folder in changed_folders(changes):
        real = os.path.realpath(folder)
        while not os.path.isdir(real) and os.path.dirname(real) != real:  # a deleted tree: its nearest parent
            real = os.path.dirname(real)
        form = sync.indexable_folder(real)
        if form is not None:
            folders.add(form)
    if folders:
        sync.index_folders(_outermost(folders))


def _outermost(folders: Set[str]) -> List[str]:
    """Drop folders inside others of the set (the outer run covers them)."""
    out: List[str] = []
    for folder in sorted(folders):
        if not any(folder != o and is_below_lexically(folder, o) for o in out):
            out.append(folder)
    return out
