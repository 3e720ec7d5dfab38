"""Cache housekeeping: how much the cache folder holds, and rules that keep it bounded.

Four areas live under `settings.cache_dir`:

    thumbnails/     <2 hex>/<40 hex>.webp            (media/thumbnails.py)
    video_covers/   <2 hex>/<40 hex>.webp            (media/video.py)
    zip_temp/       iib_batch_download_*.zip         (media/zipstream.py)
    trash/          <id>/manifest.json + files/      (files/trash.py)

`prune_cache` applies the rules:

- zip archives older than `zip_keep_hours` (IIB_ZIP_KEEP_HOURS, 0 = keep) go, but never one
  younger than an hour (a download may still be reading it);
- thumbnails and covers together are capped at `cache_max_mb` (IIB_CACHE_MAX_MB, 0 = no cap):
  over the cap, the least recently used entries go first until 90 % of the cap is left.
  "Recently used" is max(st_atime, st_mtime): most Linux systems mount with `relatime`,
  which updates the access time at most once a day (and `noatime` never), so the order is
  only day-granular there, falling back to the creation time. Sizes are apparent file sizes
  (st_size), not allocated blocks;
- trash items deleted more than `trash_keep_days` ago (IIB_TRASH_KEEP_DAYS, 0 = keep) are
  purged through `Trash.purge` (the manifest holds the deletion time).

Safety: `.tmp-*` files younger than an hour are writes in progress (`cache.write_atomic`,
`zipstream.write_zip`) and are never touched; older ones are leftovers of killed runs and go.
The walk never follows a symlink (links are neither counted nor removed), an area folder that
resolves outside the cache folder is skipped, and a file that vanished meanwhile is not an
error. Sub-folders are left in place: removing one could race with a writer that has just
created it.
"""
from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

from ..errors import BadInput, IIBError
from ..files.trash import TRASH_DIR, Trash
from ..security.paths import is_below_lexically
from .thumbnails import THUMBNAIL_DIR
from .video import COVER_DIR
from .zipstream import ZIP_DIR

log = logging.getLogger("iib.media")

AREA_DIRS = {"thumbnails": THUMBNAIL_DIR, "video_covers": COVER_DIR, "zip_temp": ZIP_DIR, "trash": TRASH_DIR}
AREAS: Tuple[str, ...] = tuple(AREA_DIRS)
CAPPED_AREAS = ("thumbnails", "video_covers")
TMP_PREFIX = ".tmp-"
TMP_GRACE_SECONDS = 3600.0  # a temporary file younger than this is a write in progress
ZIP_MIN_AGE_SECONDS = 3600.0  # the rules never delete an archive younger than this
EMPTY_ZIP_MIN_AGE_SECONDS = 60.0  # "empty zip_temp" still spares archives this young
CAP_TARGET = 0.9  # over the cap, delete down to this share of it
STARTUP_DELAY_SECONDS = 5.0
MAX_ERRORS_REPORTED = 5

_locks_guard = threading.Lock()
_locks: Dict[str, threading.Lock] = {}


def _lock_for(boundary: str) -> threading.Lock:
    """One lock per cache folder, so two passes (start-up and a request) do not race each other."""
    with _locks_guard:
        return _locks.setdefault(boundary, threading.Lock())


class _Pass:
    """One housekeeping pass over one cache folder: the folder's real path and a tally."""

    def __init__(self, settings) -> None:
        self.settings = settings
        self.cache_dir = Path(settings.cache_dir).expanduser()
        self.boundary = os.path.realpath(str(self.cache_dir))
        self.removed: Dict[str, Dict[str, int]] = {a: {"files": 0, "bytes": 0} for a in AREAS}
        self.removed["trash"]["items"] = 0
        self.errors: List[str] = []

    # -- where ----------------------------------------------------------------------
    def inside(self, path: str) -> bool:
        real = os.path.realpath(path)
        return is_below_lexically(real, self.boundary)

    def area_root(self, area: str) -> Optional[str]:
        """The area's folder, or None when it does not exist or resolves outside the cache folder."""
        path = str(self.cache_dir / AREA_DIRS[area])
        if not os.path.isdir(path):
            return None
        if not self.inside(path) or os.path.realpath(path) == self.boundary:
            log.warning("cache housekeeping: %s resolves outside %s; left alone", path, self.cache_dir)
            return None
        return path

    def files(self, area: str) -> Iterator[Tuple[str, os.stat_result]]:
        root = self.area_root(area)
        return _walk(root) if root else iter(())

    # -- remove ---------------------------------------------------------------------
    def remove(self, area: str, path: str, st: os.stat_result) -> bool:
        """Unlink one regular file inside the cache folder; a file already gone is not an error."""
        if not self.inside(os.path.dirname(path)):  # a folder swapped for a link meanwhile
            return False
        try:
            os.unlink(path)
        except FileNotFoundError:
            return False
        except OSError as exc:
            self.error(f"{path}: {exc.strerror or exc}")
            return False
        self.removed[area]["files"] += 1
        self.removed[area]["bytes"] += st.st_size
        return True

    def error(self, message: str) -> None:
        log.warning("cache housekeeping: %s", message)
        if len(self.errors) < MAX_ERRORS_REPORTED:
            self.errors.append(message)

    def result(self) -> dict:
        return {"removed": self.removed, "freed_bytes": sum(r["bytes"] for r in self.removed.values()),
                "errors": self.errors}


def _walk(root: str) -> Iterator[Tuple[str, os.stat_result]]:
    """(path, lstat) of every regular file below `root`; symlinks are neither followed nor listed."""
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    yield entry.path, entry.stat(follow_symlinks=False)
            except FileNotFoundError:
                continue


def _is_tmp(path: str) -> bool:
    return os.path.basename(path).startswith(TMP_PREFIX)


def _last_use(st: os.stat_result) -> float:
    return max(st.st_atime, st.st_mtime)


# -- usage ----------------------------------------------------------------------------
def cache_usage(settings) -> dict:
    """Bytes and file counts per area (trash also counts its items), the total, and the limits."""
    p = _Pass(settings)
    areas: Dict[str, Dict[str, int]] = {}
    for area in AREAS:
        total = count = 0
        for _, st in p.files(area):
            total += st.st_size
            count += 1
        areas[area] = {"bytes": total, "files": count}
    trash_root = p.area_root("trash")
    areas["trash"]["items"] = len(Trash(Path(trash_root)).items()) if trash_root else 0
    return {
        "cache_dir": str(p.cache_dir),
        "areas": areas,
        "total_bytes": sum(a["bytes"] for a in areas.values()),
        "capped_bytes": sum(areas[a]["bytes"] for a in CAPPED_AREAS),
        "limits": limits(settings),
    }


def limits(settings) -> dict:
    return {"cache_max_mb": settings.cache_max_mb, "zip_keep_hours": settings.zip_keep_hours,
            "trash_keep_days": settings.trash_keep_days}


# -- the rules ----------------------------------------------------------------------------
def check_areas(areas: Iterable[str]) -> List[str]:
    """The areas, de-duplicated in order; BadInput (400) names any unknown one."""
    out: List[str] = []
    for a in areas:
        if a not in AREA_DIRS:
            raise BadInput(f"Unknown cache area {a!r}: use some of {', '.join(AREAS)}")
        if a not in out:
            out.append(a)
    return out


def prune_cache(settings, now: Optional[float] = None, areas: Sequence[str] = AREAS) -> dict:
    """Apply the retention rules to `areas` (default all); returns what went per area."""
    areas = check_areas(areas)
    now = time.time() if now is None else now
    p = _Pass(settings)
    with _lock_for(p.boundary):
        if "zip_temp" in areas:
            keep_hours = float(settings.zip_keep_hours)
            if keep_hours > 0:
                _prune_zip(p, now, max(keep_hours * 3600.0, ZIP_MIN_AGE_SECONDS))
            else:
                _prune_zip(p, now, None)  # archives kept; stale temporaries still go
        capped = [a for a in CAPPED_AREAS if a in areas]
        if capped:
            _prune_capped(p, now, capped, int(settings.cache_max_mb) * 1024 * 1024)
        if "trash" in areas and float(settings.trash_keep_days) > 0:
            _purge_trash(p, now - float(settings.trash_keep_days) * 86400.0)
    return p.result()


def empty_areas(settings, areas: Sequence[str], now: Optional[float] = None) -> dict:
    """Empty `areas` completely: every thumbnail or cover, every archive older than a minute,
    every trash item. Writes in progress (young `.tmp-*` files) are still spared."""
    areas = check_areas(areas)
    now = time.time() if now is None else now
    p = _Pass(settings)
    with _lock_for(p.boundary):
        for area in areas:
            if area == "zip_temp":
                _prune_zip(p, now, EMPTY_ZIP_MIN_AGE_SECONDS)
            elif area == "trash":
                _purge_trash(p, None)
            else:
                for path, st in p.files(area):
                    if not (_is_tmp(path) and now - st.st_mtime < TMP_GRACE_SECONDS):
                        p.remove(area, path, st)
    return p.result()


def _prune_zip(p: _Pass, now: float, max_age: Optional[float]) -> None:
    for path, st in p.files("zip_temp"):
        age = now - st.st_mtime
        if _is_tmp(path):
            if age > TMP_GRACE_SECONDS:
                p.remove("zip_temp", path, st)
        elif max_age is not None and path.endswith(".zip") and age > max_age:
            p.remove("zip_temp", path, st)


def _prune_capped(p: _Pass, now: float, areas: Sequence[str], cap_bytes: int) -> None:
    entries: List[Tuple[float, str, str, os.stat_result]] = []
    for area in areas:
        for path, st in p.files(area):
            if _is_tmp(path):
                if now - st.st_mtime > TMP_GRACE_SECONDS:
                    p.remove(area, path, st)  # a leftover of a killed write
                continue  # a write in progress: neither counted nor touched
            entries.append((_last_use(st), path, area, st))
    if cap_bytes <= 0:
        return
    total = sum(e[3].st_size for e in entries)
    if total <= cap_bytes:
        return
    target = int(cap_bytes * CAP_TARGET)
    entries.sort(key=lambda e: (e[0], e[1]))  # least recently used first
    for _, path, area, st in entries:
        if total <= target:
            break
        if p.remove(area, path, st):
            total -= st.st_size


def _purge_trash(p: _Pass, deleted_before: Optional[float]) -> None:
    """Purge trash items deleted before `deleted_before` (None: all), each via Trash.purge."""
    root = p.area_root("trash")
    if not root:
        return
    trash = Trash(Path(root))
    for item in trash.items():
        if deleted_before is not None and item.deleted_at >= deleted_before:
            continue
        item_dir = os.path.join(root, item.id)
        if os.path.islink(item_dir):  # Trash only makes real folders; never follow a planted link
            continue
        files = list(_walk(item_dir))
        try:
            trash.purge(item.id)
        except (IIBError, FileNotFoundError):
            continue  # restored or purged meanwhile
        except OSError as exc:
            p.error(f"trash item {item.id}: {exc.strerror or exc}")
            continue
        p.removed["trash"]["items"] += 1
        p.removed["trash"]["files"] += len(files)
        p.removed["trash"]["bytes"] += sum(st.st_size for _, st in files)


# -- when it runs ---------------------------------------------------------------------------
def prune_quietly(settings, areas: Sequence[str] = AREAS) -> Optional[dict]:
    """`prune_cache` for callers that must never fail because of it (after /zip, at start-up)."""
    try:
        result = prune_cache(settings, areas=areas)
    except OSError as exc:
        log.warning("cache housekeeping failed: %s", exc)
        return None
    except Exception:  # noqa: BLE001 - housekeeping must never break what triggered it
        log.warning("cache housekeeping failed", exc_info=True)
        return None
    if result["freed_bytes"]:
        log.info("cache housekeeping freed %d bytes in %s", result["freed_bytes"], settings.cache_dir)
    return result


def start_background_prune(settings, delay: float = STARTUP_DELAY_SECONDS) -> threading.Timer:
    """Run the rules once in a daemon thread, `delay` seconds from now (after the app starts)."""
    timer = threading.Timer(delay, prune_quietly, args=(settings,))
    # Not "iib-...": that prefix marks long-lived workers that tests expect to be gone after a job.
    timer.name = "cache-housekeeping"
    timer.daemon = True
    timer.start()
    return timer
