"""Sweeping the partial copies that a killed process left behind.

A copy goes through a hidden temporary name in the destination folder
(`.<name>.iib-partial-<8 hex>`, disk.temp_name_beside). When the process is killed
in the middle, that entry stays. So before a temporary name is created, its folder
is recorded in the `settings` table (key `partial_folders`, a JSON list; one write per
folder and process, kept in memory afterwards), and at start the recorded folders are
swept:

- only direct children whose whole name matches our own pattern are considered;
- only those older than `GRACE_SECONDS` (one hour) go: a younger one may be a copy in
  progress of another process working on the same folder (a second server, the webui
  and the standalone app sharing a library). Age is the newest modification time of
  the entry and, for a folder copy, of everything inside it (a long copy keeps writing);
- symlinks are never followed, a vanished entry is not an error;
- a folder with nothing young left is dropped from the record, so the list stays short.

Sweeping the index roots instead would mean walking whole libraries at every start;
recording the folders we wrote to is exact and costs one small write per folder.
"""
from __future__ import annotations

import logging
import os
import re
import shutil
import stat
import threading
import time
from typing import List, Optional, Set, Tuple

from ..db import kv
from .disk import PARTIAL_MARK

log = logging.getLogger("iib.files")

LEDGER_KEY = "partial_folders"
GRACE_SECONDS = 3600.0
PARTIAL_NAME = re.compile(r"\A\..+" + re.escape(PARTIAL_MARK) + r"[0-9a-f]{8}\Z", re.DOTALL)


def is_partial_name(name: str) -> bool:
    return bool(PARTIAL_NAME.match(name))


def newest_mtime(path: str) -> float:
    """The entry's own mtime, or for a real folder the newest one of everything inside."""
    st = os.lstat(path)
    newest = st.st_mtime
    if stat.S_ISDIR(st.st_mode):
        for folder, dirs, files in os.walk(path, followlinks=False):
            for name in dirs + files:
                try:
                    newest = max(newest, os.lstat(os.path.join(folder, name)).st_mtime)
                except OSError:
                    pass
    return newest


def sweep_folder(folder: str, grace: float = GRACE_SECONDS, now: Optional[float] = None) -> Tuple[List[str], int]:
    """Remove our partial entries older than `grace` from `folder` (not below it).
    Returns (removed paths, number of younger partials left in place)."""
    now = time.time() if now is None else now
    removed: List[str] = []
    young = 0
    try:
        with os.scandir(folder) as it:
            candidates = [e.path for e in it if is_partial_name(e.name)]
    except OSError:
        return removed, young  # gone or unreadable: nothing we can do, nothing to keep
    for path in candidates:
        try:
            if now - newest_mtime(path) < grace:
                young += 1
                continue
            if stat.S_ISDIR(os.lstat(path).st_mode):
                shutil.rmtree(path)
            else:
                os.unlink(path)
            removed.append(path)
        except FileNotFoundError:
            pass
        except OSError as exc:
            young += 1  # still there: keep the folder on the record and try again next time
            log.warning("cannot remove the leftover partial copy %r: %s", path, exc.strerror or exc)
    return removed, young


class PartialLedger:
    """The folders this app created temporary copies in (one per database)."""

    def __init__(self, db) -> None:
        self.db = db
        self._known: Set[str] = set()
        self._lock = threading.Lock()

    def record(self, folder: str) -> None:
        """Remember `folder` (once per process). A failure is logged, never raised: the
        copy itself stays safe, only its leftovers would not be swept after a kill."""
        with self._lock:
            if folder in self._known:
                return
            try:
                with self.db.write() as conn:
                    folders = _folders(kv.get(conn, LEDGER_KEY, []))
                    if folder not in folders:
                        kv.put(conn, LEDGER_KEY, [_encode(f) for f in folders + [folder]])
            except Exception:
                log.exception("cannot record %r as a folder receiving temporary copies", folder)
                return
            self._known.add(folder)

    def folders(self) -> List[str]:
        with self.db.read() as conn:
            return _folders(kv.get(conn, LEDGER_KEY, []))

    def sweep(self, grace: float = GRACE_SECONDS) -> List[str]:
        """Sweep every recorded folder; returns the removed paths."""
        removed: List[str] = []
        cleared: List[str] = []
        for folder in self.folders():
            gone, young = sweep_folder(folder, grace)
            removed += gone
            if not young:
                cleared.append(folder)
        if cleared:
            with self._lock:
                with self.db.write() as conn:
                    left = [f for f in _folders(kv.get(conn, LEDGER_KEY, [])) if f not in cleared]
                    kv.put(conn, LEDGER_KEY, [_encode(f) for f in left])
                self._known.difference_update(cleared)
        for path in removed:
            log.info("removed a partial copy left by an interrupted operation: %r", path)
        return removed

    def sweep_quietly(self) -> None:
        try:
            self.sweep()
        except Exception:  # a start-up chore must never take the server down
            log.exception("sweeping leftover partial copies failed")

    def start_background_sweep(self) -> threading.Thread:
        thread = threading.Thread(target=self.sweep_quietly, name="partial-sweep", daemon=True)
        thread.start()
        return thread


def _encode(folder: str):
    """A folder as stored: its text, or `{"hex": ...}` for a path that is not valid UTF-8
    (lone surrogates cannot go into a database text column)."""
    try:
        folder.encode("utf-8")
        return folder
    except UnicodeEncodeError:
        return {"hex": os.fsencode(folder).hex()}


def _folders(value) -> List[str]:
    out: List[str] = []
    for f in value if isinstance(value, list) else []:
        if isinstance(f, str):
            out.append(f)
        elif isinstance(f, dict) and isinstance(f.get("hex"), str):
            try:
                out.append(os.fsdecode(bytes.fromhex(f["hex"])))
            except ValueError:
                pass
    return out
