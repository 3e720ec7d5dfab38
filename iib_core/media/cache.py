"""Disk-cache helpers shared by thumbnails and video covers."""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional


def file_state_key(real_path: str, st: os.stat_result, *extra: object) -> str:
    """40 hex chars naming one state of one file (path, size, mtime_ns, inode) plus `extra`.

    The inode catches a file replaced by rename within the same mtime tick.
    """
    parts = [real_path, str(st.st_size), str(st.st_mtime_ns), str(st.st_ino), *map(str, extra)]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:40]


def read_or_none(path: Path) -> Optional[bytes]:
    try:
        with open(path, "rb") as f:
            return f.read()
    except (FileNotFoundError, NotADirectoryError):
        return None


def write_atomic(target: Path, data: bytes) -> None:
    """Write `data` to a temporary file beside `target`, then rename it into place, so a
    concurrent reader sees either the old state or the whole new file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=str(target.parent), prefix=".tmp-", suffix=target.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class KeyedLocks:
    """One lock per key, alive only while someone holds or waits for it: requests for the same
    cold entry wait for the first one instead of all decoding the same file."""

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: Dict[str, List] = {}  # key -> [lock, users]

    @contextmanager
    def hold(self, key: str) -> Iterator[None]:
        with self._guard:
            entry = self._locks.setdefault(key, [threading.Lock(), 0])
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._guard:
                entry[1] -= 1
                if entry[1] == 0:
                    self._locks.pop(key, None)

    def __len__(self) -> int:
        with self._guard:
            return len(self._locks)
