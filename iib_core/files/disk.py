"""Moving, copying and removing one file-system entry without ever leaving half of it.

A move inside one file system is a rename (atomic). Across file systems it is a copy
to a hidden temporary name in the destination folder, a rename into place, then the
removal of the source; when the copy fails the partial copy is removed, and when the
source of a file cannot be removed the copy is taken back, so exactly one of the two
exists afterwards. Temporary names start with a dot (the indexer skips such folders)
and end with a non-media suffix (it ignores such files), so a concurrent index run
never picks up a partial copy. Each folder that receives a temporary name is reported
to `record` first (files/partials.py), so a copy killed half-way is swept at the next start.
"""
from __future__ import annotations

import errno
import os
import secrets
import shutil
import stat
from typing import Callable, List, Optional

from ..errors import Conflict, IIBError
from ..indexer.scan import media_type_by_extension
from .listing import special_kind

SIDECAR_SUFFIX = ".txt"
PARTIAL_MARK = ".iib-partial-"
# record(folder): called before a temporary name is created in `folder`.
Recorder = Optional[Callable[[str], None]]


class FileOperationFailed(IIBError):
    """The operating system refused an operation that the request was entitled to ask for."""

    status = 500


def is_real_dir(path: str) -> bool:
    """A directory that is not a symlink (a link is moved or removed as the link itself)."""
    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except OSError:
        return False


def sidecar_of(path: str) -> Optional[str]:
    """The existing `<stem>.txt` beside a media file, or None (`.txt` files have none)."""
    if media_type_by_extension(path) is None:
        return None
    candidate = os.path.splitext(path)[0] + SIDECAR_SUFFIX
    return candidate if os.path.isfile(candidate) and not os.path.islink(candidate) else None


def sidecar_target(target: str) -> str:
    return os.path.splitext(target)[0] + SIDECAR_SUFFIX


def temp_name_beside(target: str) -> str:
    folder, name = os.path.split(target)
    return os.path.join(folder, "." + name + PARTIAL_MARK + secrets.token_hex(4))


def remove_entry(path: str) -> None:
    """Remove a file, a symlink or a whole folder."""
    if is_real_dir(path):
        shutil.rmtree(path)
    else:
        os.unlink(path)


def _discard(path: str) -> None:
    try:
        if os.path.lexists(path):
            remove_entry(path)
    except OSError:
        pass


def ensure_free(target: str, overwrite: bool, action: str) -> None:
    """Refuse to replace an existing entry unless `overwrite` (never a folder)."""
    if os.path.lexists(target):
        if not overwrite:
            raise Conflict(f"Destination path '{target}' already exists")
        if is_real_dir(target):
            raise Conflict(f"Destination path '{target}' is a folder and cannot be overwritten by {action}")


_SPECIAL_TEXTS = {"fifo": "a named pipe (FIFO)", "socket": "a socket", "device": "a device file"}


def _special_text(mode: int) -> Optional[str]:
    kind = special_kind(mode)
    return _SPECIAL_TEXTS[kind] if kind else None


def refuse_special(src: str, follow_symlinks: bool = True) -> None:
    """Raise `shutil.SpecialFileError` when `src`, or anything inside it when it is a real
    folder, is a FIFO, socket or device: copying one would read it (a FIFO blocks until a
    writer comes, a device never ends). Links inside a folder are copied as links."""
    st = os.stat(src) if follow_symlinks else os.lstat(src)
    what = _special_text(st.st_mode)
    if what:
        raise shutil.SpecialFileError(f"{src} is {what}: only files and folders can be copied")
    if stat.S_ISDIR(st.st_mode) and not stat.S_ISLNK(os.lstat(src).st_mode):
        for folder, dirs, files in os.walk(src, followlinks=False):
            for name in dirs + files:
                path = os.path.join(folder, name)
                try:
                    what = _special_text(os.lstat(path).st_mode)
                except OSError:
                    continue
                if what:
                    raise shutil.SpecialFileError(f"{path} is {what}: only files and folders can be copied")


def copy_entry(src: str, target: str, overwrite: bool = False, follow_symlinks: bool = True,
               record: Recorder = None) -> None:
    """Copy a file (with its times and mode) or a whole folder to `target`, through a
    temporary name in the target folder; nothing is left behind on failure (and what a
    kill leaves behind is swept at the next start, as the folder was recorded)."""
    ensure_free(target, overwrite, "a copy")
    refuse_special(src, follow_symlinks)
    tmp = temp_name_beside(target)
    if record is not None:
        record(os.path.dirname(tmp))
    try:
        if is_real_dir(src):
            shutil.copytree(src, tmp, symlinks=True)
        else:
            shutil.copy2(src, tmp, follow_symlinks=follow_symlinks)
        if overwrite:
            os.replace(tmp, target)
        else:
            if os.path.lexists(target):  # appeared meanwhile
                raise Conflict(f"Destination path '{target}' already exists")
            os.rename(tmp, target)
    except BaseException:
        _discard(tmp)
        raise


def move_entry(src: str, target: str, overwrite: bool = False, record: Recorder = None) -> None:
    """Move a file, symlink or folder to the full path `target` (any file system)."""
    ensure_free(target, overwrite, "a move")
    try:
        if overwrite:
            os.replace(src, target)
        else:
            os.rename(src, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    folder = is_real_dir(src)
    copy_entry(src, target, overwrite, follow_symlinks=False, record=record)
    try:
        remove_entry(src)
    except OSError as exc:
        if not folder:
            _discard(target)  # exactly one copy: the original stays where it was
            raise
        raise FileOperationFailed(
            f"{target} was copied completely, but the source folder {src} could not be removed: "
            f"{exc.strerror or exc}") from None


def entries_of(path: str) -> List[str]:
    with os.scandir(path) as it:
        return [e.name for e in it]


def os_error_text(exc: OSError) -> str:
    return exc.strerror or str(exc)
