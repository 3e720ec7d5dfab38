"""Directory listings as `FileNode`s and folder covers (docs/api.md, "Files and folders").

One `os.scandir` per folder and one stat per entry (the `DirEntry` stat, which
follows symlinks: a link to a folder is listed as a folder). Entries that are never
followed or read (FIFOs, sockets, devices, broken or looping symlinks, folders that
cannot be listed) are listed too, marked with `special` and `reason` (`special_node`).
A folder that is a symbolic link is marked `"symlink": true`: walks do not descend into it.
Whether an entry may be shown is asked of the access policy only where
the answer can differ from the folder's: for symlinks, and for every entry of a
folder that is an ancestor of the roots.
"""
from __future__ import annotations

import errno
import heapq
import os
import stat
import string
import time
from typing import Any, Callable, Dict, List, Optional

from ..indexer.scan import media_type_by_extension

UNITS = ("B", "KB", "MB", "GB", "TB", "PB", "EB")

# allowed(real_path) -> bool: may this entry be shown?
Allowed = Callable[[str], bool]


def human_size(n: Optional[int]) -> str:
    """`"0B"` for 0, otherwise two decimals, a space and a base-1024 unit (`"1.83 MB"`)."""
    if not n:
        return "0B"
    value = float(n)
    unit = 0
    while value >= 1024 and unit < len(UNITS) - 1:
        value /= 1024
        unit += 1
    return f"{value:.2f} {UNITS[unit]}"


class DateFormatter:
    """IIB dates (`YYYY-MM-DD HH:MM:SS`, server local time), memoised per second:
    files saved by one batch share seconds, and formatting is most of a listing's cost."""

    def __init__(self) -> None:
        self._seen: Dict[int, str] = {}

    def __call__(self, epoch: float) -> str:
        second = int(epoch // 1)
        text = self._seen.get(second)
        if text is None:
            text = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(second))
            self._seen[second] = text
        return text


def created_epoch(st: os.stat_result) -> float:
    """Birth time where the platform has one, otherwise the inode change time."""
    return getattr(st, "st_birthtime", st.st_ctime)


# Entries shown but never followed or read: `special` code -> `reason` (English; the UI
# shows its own translation of the code). Additive fields of a FileNode (docs/api.md, `/files`):
# `type` stays "file" (or "dir" for a folder that cannot be listed), so older clients
# still see an entry of a known kind.
SPECIAL_REASONS = {
    "fifo": "a named pipe (FIFO): never opened or read",
    "socket": "a socket: never opened or read",
    "device": "a device file: never opened or read",
    "broken_link": "a symbolic link whose target does not exist",
    "link_loop": "a symbolic link that loops back on itself",
    "link_denied": "a symbolic link whose target this server is not allowed to reach",
    "unreadable": "a folder this server is not allowed to list",
}


def special_kind(mode: int) -> Optional[str]:
    """The `special` code of a followed stat's mode that is neither a file nor a folder."""
    if stat.S_ISFIFO(mode):
        return "fifo"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return None


def link_failure_kind(exc: OSError) -> Optional[str]:
    """The `special` code of a symlink whose target cannot be stat'ed."""
    if exc.errno == errno.ELOOP:
        return "link_loop"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "broken_link"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "link_denied"
    return None


def special_node(name: str, fullpath: str, kind: str, st: Optional[os.stat_result], under_scanned: bool,
                 fmt: DateFormatter) -> dict:
    """A FileNode for an entry we list but never follow or read. `st` is the entry's own
    stat (lstat for a link); sizes are 0 as nothing can be read."""
    folder = kind == "unreadable"
    node: Dict[str, Any] = {"type": "dir" if folder else "file", "name": name, "fullpath": fullpath,
            "size": "-" if folder else "0B", "special": kind, "reason": SPECIAL_REASONS[kind],
            "is_under_scanned_path": under_scanned}
    if not folder:
        node["bytes"] = 0
    if st is not None:
        node["date"] = fmt(st.st_mtime)
        node["created_time"] = fmt(created_epoch(st))
    return node


def special_entry_node(entry: os.DirEntry[str], fullpath: str, under_scanned: bool, fmt: DateFormatter,
                       st: Optional[os.stat_result] = None, exc: Optional[OSError] = None) -> Optional[dict]:
    """The special node of a scandir entry: either its followed stat `st` is neither a file
    nor a folder, or stat'ing it failed with `exc` (a broken or looping link). None when
    the entry is not special (or vanished)."""
    try:
        if exc is not None:
            if not entry.is_symlink():
                return None  # vanished meanwhile
            kind = link_failure_kind(exc)
            own: Optional[os.stat_result] = entry.stat(follow_symlinks=False)
        else:
            kind = special_kind(st.st_mode) if st is not None else None
            own = st
    except OSError:
        return None
    if kind is None:
        return None
    return special_node(entry.name, fullpath, kind, own, under_scanned, fmt)


def node_from_stat(name: str, fullpath: str, st: os.stat_result, under_scanned: bool,
                   fmt: Optional[DateFormatter] = None, real_path: Optional[str] = None) -> Optional[dict]:
    """A FileNode for a stat result; a special node for a FIFO, socket or device, and for a
    folder that cannot be listed when `real_path` is given to check it."""
    fmt = fmt or DateFormatter()
    mode = st.st_mode
    if stat.S_ISDIR(mode) and real_path is not None and not os.access(real_path, os.R_OK | os.X_OK):
        return special_node(name, fullpath, "unreadable", st, under_scanned, fmt)
    if stat.S_ISDIR(mode):
        return {"type": "dir", "name": name, "fullpath": fullpath, "size": "-",
                "date": fmt(st.st_mtime), "created_time": fmt(created_epoch(st)),
                "is_under_scanned_path": under_scanned}
    if stat.S_ISREG(mode):
        return {"type": "file", "name": name, "fullpath": fullpath, "size": human_size(st.st_size),
                "bytes": st.st_size, "date": fmt(st.st_mtime), "created_time": fmt(created_epoch(st)),
                "is_under_scanned_path": under_scanned}
    kind = special_kind(mode)
    return special_node(name, fullpath, kind, st, under_scanned, fmt) if kind else None


class _Texts(Dict[int, str]):
    """Texts memoised by number: a plain dict lookup on a hit, `make(key)` once on a miss."""

    def __init__(self, make: Callable[[int], str]) -> None:
        super().__init__()
        self.make = make

    def __missing__(self, key: int) -> str:
        text = self[key] = self.make(key)
        return text


def _date_texts() -> _Texts:
    strftime, localtime = time.strftime, time.localtime
    return _Texts(lambda seconds: strftime("%Y-%m-%d %H:%M:%S", localtime(seconds)))


def _entry_allowed(entry: os.DirEntry, allowed: Allowed, check_every_entry: bool, real_prefix: str) -> bool:
    """A symlink is judged by its target; with `check_every_entry` every other entry by its path."""
    if entry.is_symlink():
        return allowed(os.path.realpath(entry.path))
    return not check_every_entry or allowed(real_prefix + entry.name)


def _dir_node(entry: os.DirEntry, fullpath: str, st: os.stat_result, date: str, created: str,
              under_scanned: bool) -> dict:
    if not os.access(entry.path, os.R_OK | os.X_OK):
        return special_node(entry.name, fullpath, "unreadable", st, under_scanned, DateFormatter())
    node = {"type": "dir", "name": entry.name, "fullpath": fullpath, "size": "-", "date": date,
            "created_time": created, "is_under_scanned_path": under_scanned}
    if entry.is_symlink():
        # Additive: walks (the UI's walk mode, like the indexer) do not descend into
        # a linked folder, which may lead back to an ancestor and never end.
        node["symlink"] = True
    return node


def list_folder(real_folder: str, shown_folder: str, *, under_scanned: bool,
                allowed: Optional[Allowed] = None, check_every_entry: bool = False) -> List[dict]:
    """FileNodes of the direct children of `real_folder`, in file-system order.

    `fullpath` is built on `shown_folder` (the normalised path the client asked for).
    With `allowed`, symlinks are resolved and dropped when their target is refused;
    with `check_every_entry` too, every entry is asked (listing an ancestor of the roots).
    Raises OSError when the folder cannot be listed.

    This is the hot loop of `GET /files` (200,000 entries): one stat per entry, the
    date and size texts memoised, no helper calls per regular file.
    """
    out: List[dict] = []
    append = out.append
    prefix = shown_folder if shown_folder.endswith(os.sep) else shown_folder + os.sep
    real_prefix = real_folder if real_folder.endswith(os.sep) else real_folder + os.sep
    dates, sizes = _date_texts(), _Texts(human_size)
    birth = hasattr(os.stat_result, "st_birthtime")
    with os.scandir(real_folder) as it:
        for entry in it:
            name = entry.name
            try:
                if allowed is not None and not _entry_allowed(entry, allowed, check_every_entry, real_prefix):
                    continue
                st = entry.stat()
            except OSError as exc:  # vanished, or a broken or looping link
                special = special_entry_node(entry, prefix + name, under_scanned, DateFormatter(), exc=exc)
                if special is not None:
                    append(special)
                continue
            except ValueError:
                continue
            kind = st.st_mode & 0o170000
            date = dates[int(st.st_mtime // 1)]
            created = dates[int((st.st_birthtime if birth else st.st_ctime) // 1)]  # type: ignore[attr-defined]  # not on Linux
            if kind == 0o100000:  # regular file
                size = st.st_size
                append({"type": "file", "name": name, "fullpath": prefix + name, "size": sizes[size], "bytes": size,
                        "date": date, "created_time": created, "is_under_scanned_path": under_scanned})
            elif kind == 0o040000:  # directory (or a symlink to one)
                append(_dir_node(entry, prefix + name, st, date, created, under_scanned))
            else:  # FIFO, socket, device: listed, never opened
                special = special_entry_node(entry, prefix + name, under_scanned, DateFormatter(), st=st)
                if special is not None:
                    append(special)
    return out


def windows_drives(allowed: Optional[Allowed] = None) -> List[dict]:
    """`GET /files?folder_path=/` on a Windows server: one entry per drive."""
    out = []
    for letter in string.ascii_uppercase:
        root = f"{letter}:/"
        if os.path.isdir(root) and (allowed is None or allowed(f"{letter}:\\")):
            out.append({"type": "dir", "size": "-", "name": root, "fullpath": root})
    return out


def top_media(real_folder: str, shown_folder: str, limit: int = 4,
              allowed: Optional[Allowed] = None) -> List[dict]:
    """Up to `limit` media files among the direct children, newest creation time first
    (audio counts as "image"). Only media names are stat'ed."""
    fmt = DateFormatter()
    found = []
    join = os.path.join
    with os.scandir(real_folder) as it:
        for entry in it:
            kind = media_type_by_extension(entry.name)
            if kind is None:
                continue
            try:
                if allowed is not None and entry.is_symlink() and not allowed(os.path.realpath(entry.path)):
                    continue
                st = entry.stat()
            except (OSError, ValueError):
                continue
            if stat.S_ISREG(st.st_mode):
                found.append((created_epoch(st), entry.name, kind, st))
    out = []
    for created, name, kind, st in heapq.nlargest(limit, found, key=lambda f: (f[0], f[1])):
        out.append({"fullpath": join(shown_folder, name), "media_type": "video" if kind == "video" else "image",
                    "type": "file", "date": fmt(st.st_mtime), "created_time": fmt(created), "name": name})
    return out
