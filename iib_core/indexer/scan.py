"""The stat-only walk: which media files exist under the roots, with size and mtime.

Nothing here opens a file. Symlinked folders are not followed (they may point
outside the roots or form cycles: add their target as a root instead); folders whose
name starts with a dot and excluded folders are skipped.
"""
from __future__ import annotations

import logging
import os
import stat as stat_module
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator, List, Optional, Sequence, Tuple

# One list of extensions for the whole app: the indexer and the API's media kinds agree.
from ..media.kinds import AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, VIDEO_EXTENSIONS
from ..security.paths import is_below_lexically, normalize_path

log = logging.getLogger("iib.indexer")


_TYPE_BY_EXTENSION = {**{e: "audio" for e in AUDIO_EXTENSIONS}, **{e: "video" for e in VIDEO_EXTENSIONS},
                      **{e: "image" for e in IMAGE_EXTENSIONS}}


def media_type_by_extension(name: str) -> Optional[str]:
    """'image', 'video', 'audio' or None, by the extension of a file name or path."""
    return _TYPE_BY_EXTENSION.get(os.path.splitext(name)[1].lower())


def _media_type_of_name(name: str) -> Optional[str]:
    """media_type_by_extension for a bare name (no separator), without os.path's overhead:
    the walk asks it for every file."""
    dot = name.rfind(".")
    if dot <= 0:
        return None
    media_type = _TYPE_BY_EXTENSION.get(name[dot:].lower())
    if media_type is not None and not name[:dot].lstrip("."):  # ".png", "..png": no extension
        return None
    return media_type


# (name, size, mtime, ctime) of a media file: plain tuples, as a rescan of 100,000 files
# makes one per file and a named tuple costs three times as much to create.
FileStat = Tuple[str, int, float, float]


@dataclass
class FolderListing:
    path: str
    mtime: float
    files: List[FileStat] = field(default_factory=list)


def distinct_roots(roots: Iterable[str]) -> List[str]:
    """Existing roots, normalised, without those nested inside another root."""
    normalized = sorted({normalize_path(r) for r in roots if r})
    out: List[str] = []
    for root in normalized:
        if any(is_below_lexically(root, kept) for kept in out):
            continue
        out.append(root)
    return out


class Exclusions:
    """Folder names (anywhere) and absolute folders (with everything below) to skip."""

    def __init__(self, entries: Sequence[str] = ()) -> None:
        self.names = {e for e in entries if e and os.sep not in e and "/" not in e}
        self.paths = [normalize_path(e) for e in entries if e and (os.sep in e or "/" in e)]

    def excludes(self, path: str, name: str) -> bool:
        if name.startswith(".") or name in self.names:
            return True
        return any(is_below_lexically(path, p) for p in self.paths)


def walk(
    root: str,
    exclusions: Exclusions,
    warn: Callable[[str], None],
    unreadable: Optional[List[str]] = None,
) -> Iterator[FolderListing]:
    """Yield one listing per readable folder under `root` (root first, depth-first).

    Folders that cannot be listed are reported through `warn` and appended to
    `unreadable`, so the caller keeps their index rows instead of deleting them.
    """
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            folder_mtime = os.stat(folder).st_mtime
            entries = list(os.scandir(folder))
        except OSError as exc:
            warn(f"cannot list folder {folder!r}: {exc.strerror or exc}")
            if unreadable is not None:
                unreadable.append(folder)
            continue
        listing = FolderListing(folder, folder_mtime)
        files = listing.files
        subfolders = []
        for entry in entries:
            name = entry.name
            try:
                if entry.is_dir(follow_symlinks=False):
                    # Any name the OS allows, valid UTF-8 or not: the database stores the
                    # rest losslessly (db/pathtext.py).
                    if not exclusions.excludes(entry.path, name):
                        subfolders.append(entry.path)
                    continue
                if _media_type_of_name(name) is None:
                    continue
                st = entry.stat()  # follows a symlinked file; a broken link raises
            except OSError as exc:
                warn(f"skipped {entry.path!r}: {exc.strerror or exc}")
                continue
            if not S_ISREG(st.st_mode):
                continue
            files.append((name, st.st_size, st.st_mtime, getattr(st, "st_birthtime", st.st_ctime)))
        yield listing
        stack.extend(sorted(subfolders, reverse=True))


S_ISREG = stat_module.S_ISREG
