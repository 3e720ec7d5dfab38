"""Where a path sits in the index, and incremental index runs over a few folders.

Paths are stored in the index in the form the indexer walks them: an index root as
configured, plus the rest of the path (so a root that is a symlink keeps its own
name). `index_form` maps a resolved path to that form; a file is *indexable* when
it lies under an index root, in no excluded or hidden folder, and is a media file.
Used by the file watcher here and by `files.IndexSync` after file operations.
"""
from __future__ import annotations

import logging
import os
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from ..db import Database
from ..security import is_within
from .extract import ExtractOptions
from .job import IndexJob
from .scan import Exclusions, distinct_roots, media_type_by_extension

log = logging.getLogger("iib.files")  # the logger these failures always went to (file operations)


class IndexPlacement:
    """Where a real path sits in the index (its stored form), and incremental runs over folders."""

    def __init__(self, db: Database, roots: Callable[[], Iterable[str]], *, exclude: Sequence[str] = (),
                 options: ExtractOptions = ExtractOptions(), workers: int = 0) -> None:
        self.db = db
        self._roots = roots
        self.exclude = list(exclude)
        self.exclusions = Exclusions(self.exclude)
        self.options = options
        self.workers = workers

    # -- where things are in the index ---------------------------------------------
    def _root_pairs(self) -> List[Tuple[str, str]]:
        return [(root, os.path.realpath(root)) for root in distinct_roots(self._roots())]

    def index_form(self, real: str) -> Optional[str]:
        """The path as the indexer stores it, or None when no index root holds it."""
        for root, real_root in self._root_pairs():
            if is_within(real, real_root):
                return root + real[len(real_root):] if real != real_root else root
        return None

    def indexable_folder(self, real: str) -> Optional[str]:
        """The index form of a folder the indexer walks into, or None."""
        form = self.index_form(real)
        if form is None:
            return None
        root = next(r for r, rr in self._root_pairs() if is_within(real, rr))
        rest = form[len(root):].strip(os.sep)
        walked = root
        for name in rest.split(os.sep) if rest else []:
            walked = os.path.join(walked, name)
            if self.exclusions.excludes(walked, name):
                return None
        return form

    def indexable_file(self, real: str) -> Optional[str]:
        name = os.path.basename(real)
        if media_type_by_extension(name) is None:
            return None
        folder = self.indexable_folder(os.path.dirname(real))
        return os.path.join(folder, name) if folder is not None else None

    def index_folders(self, folders: Iterable[str]) -> None:
        """An incremental index run over these folders (and what lies below them)."""
        folders = sorted(set(folders))
        if not folders:
            return
        try:
            IndexJob(self.db, folders, exclude=self.exclude, options=self.options, workers=self.workers).run()
        except Exception:  # e.g. racing a background run on the same rows: that run indexes them
            log.exception("could not index %s", ", ".join(folders))
