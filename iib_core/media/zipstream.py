"""Batch-download archives written file by file to the cache folder.

Why a file on disk rather than chunks generated while sending: the original API keeps the
archive on the server (`pack_only` exists for that), a finished file has a
Content-Length (browsers show progress) and can be resumed with Range, and `zipfile`
writing to a seekable file puts sizes and CRCs in the local headers (no data
descriptors), which every unzip tool reads. Memory stays flat either way: each member
is copied in 1 MiB blocks, never loaded whole.
"""
from __future__ import annotations

import errno
import os
import shutil
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Iterable, List, Optional, Sequence

from ..errors import Forbidden, NotFound
from .errors import InsufficientStorage

ZIP_DIR = "zip_temp"
COPY_BLOCK = 1024 * 1024


def archive_names(paths: Sequence[str]) -> List[str]:
    """Flat member names: base names, with " (1)", " (2)"... added to repeats.

    Repeats are found case-insensitively, so extracting on Windows or macOS does not
    overwrite one file with another.
    """
    used = set()
    out: List[str] = []
    for path in paths:
        base = os.path.basename(path.rstrip("/\\")) or "file"
        stem, ext = os.path.splitext(base)
        name, n = base, 0
        while name.casefold() in used:
            n += 1
            name = f"{stem} ({n}){ext}"
        used.add(name.casefold())
        out.append(name)
    return out


def _reserve(folder: Path, when: Optional[float]) -> Path:
    """Create an empty `iib_batch_download_<date>[-N].zip` that no other request can take."""
    stamp = time.strftime("%Y-%m-%d-%H-%M-%S", time.localtime(when))
    for n in range(1000):
        candidate = folder / (f"iib_batch_download_{stamp}" + (f"-{n}" if n else "") + ".zip")
        try:
            os.close(os.open(str(candidate), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return candidate
        except FileExistsError:
            continue
    raise FileExistsError(f"no free archive name in {folder}")


def write_zip(real_paths: Iterable[str], folder: Path, compress: bool, when: Optional[float] = None) -> Path:
    """Write the archive into `folder` and return its path.

    Files are added in the order given; the same real path twice is added once. The
    final name is reserved first (an empty file, so two requests in the same second get
    different names) and receives the archive by rename only when it is complete.
    """
    unique: List[str] = list(dict.fromkeys(real_paths))
    names = archive_names(unique)
    folder.mkdir(parents=True, exist_ok=True)
    target = _reserve(folder, when)
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    fd, tmp = tempfile.mkstemp(dir=str(folder), prefix=".tmp-", suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", compression=method, allowZip64=True) as zf:
            for real, name in zip(unique, names):
                _add(zf, real, name, method)
        os.replace(tmp, target)
    except OSError as exc:
        _discard(tmp, target)
        if exc.errno == errno.ENOSPC:
            raise InsufficientStorage(f"No space left in {folder} for the archive") from None
        raise
    except BaseException:
        _discard(tmp, target)
        raise
    return target


def _discard(*paths) -> None:
    for path in paths:
        try:
            os.unlink(path)
        except OSError:
            pass


class _MemberInfo(zipfile.ZipInfo):
    """A member whose name is not valid UTF-8 keeps its original bytes, without the UTF-8
    flag (as zip tools of the system that wrote such names do): `unzip` on Linux recreates
    the exact name. Valid names are written as zipfile always does."""

    __slots__ = ()

    def _encodeFilenameFlags(self):
        try:
            return super()._encodeFilenameFlags()  # type: ignore[misc]
        except UnicodeEncodeError:
            return os.fsencode(self.filename), self.flag_bits & ~0x800


def _add(zf: zipfile.ZipFile, real: str, name: str, method: int) -> None:
    try:
        info = _MemberInfo.from_file(real, name, strict_timestamps=False)
        info.compress_type = method
        with open(real, "rb") as src, zf.open(info, "w") as dst:
            shutil.copyfileobj(src, dst, COPY_BLOCK)
    except FileNotFoundError:
        raise NotFound(f"{name} disappeared while the archive was written") from None
    except PermissionError:
        raise Forbidden(f"Permission denied: {name}") from None
