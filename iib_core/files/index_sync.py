"""The index follows what file operations did on disk, at once.

Where a path sits in the index (its stored form, whether it is indexable) is
`indexer.placement.IndexPlacement`, which this class extends.

Moves keep the row (and so its id, custom tags and rating); a move out of the
indexed folders removes the row with its marks stashed, exactly as the indexer
would on its next run; files that appear (copies, moves in from elsewhere, restores
from the trash) are indexed right away by an `IndexJob` over their folder.
"""
from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from typing import List, Sequence, Set, Tuple

from ..db import images as images_db
from ..db import moves as moves_db
from ..indexer.placement import IndexPlacement
from .paths import Located

log = logging.getLogger("iib.files")


@dataclass(frozen=True)
class Before:
    """Where an entry may be recorded in the index, taken before it is moved or removed."""

    forms: Tuple[str, ...]  # candidate index paths, most likely first
    indexable: bool  # the indexer would have indexed it (so a missing row is merely stale)


class IndexSync(IndexPlacement):
    """Keeps the index in step with what a file operation did (where things are: `IndexPlacement`)."""

    def before(self, located: Located, is_folder: bool) -> Before:
        forms: List[str] = []
        for candidate in (self.index_form(located.entry), located.shown, located.entry):
            if candidate and candidate not in forms:
                forms.append(candidate)
        indexable = (self.indexable_folder(located.entry) if is_folder else self.indexable_file(located.entry))
        return Before(tuple(forms), indexable is not None)

    # -- after the disk changed -----------------------------------------------------
    def moved(self, items: Sequence[Tuple[Before, str, bool]]) -> None:
        """(before, new real path, is_folder) for each entry that was moved or renamed."""
        to_index: Set[str] = set()
        try:
            with self.db.write() as conn:
                for before, new_real, is_folder in items:
                    if is_folder:
                        new = self.indexable_folder(new_real)
                        old = next((f for f in before.forms if images_db.count_under(conn, f)), None)
                        if new is None:
                            for form in before.forms:
                                moves_db.remove_under(conn, form)
                        elif old is not None:
                            moves_db.move_folder(conn, old, new)
                        if new is not None and (old is None or not before.indexable):
                            to_index.add(new)
                    else:
                        new = self.indexable_file(new_real)
                        if new is None:
                            moves_db.remove_files(conn, before.forms)
                        elif moves_db.move_file(conn, before.forms, new) is None:
                            to_index.add(os.path.dirname(new))
        except Exception:  # the disk is right; the next index run repairs the rows by fingerprint
            log.exception("could not update the index after moving files")
        self.index_folders(to_index)

    def removed(self, items: Sequence[Tuple[Before, bool]]) -> None:
        try:
            with self.db.write() as conn:
                for before, is_folder in items:
                    if is_folder:
                        for form in before.forms:
                            moves_db.remove_under(conn, form)
                    else:
                        moves_db.remove_files(conn, before.forms)
        except Exception:
            log.exception("could not update the index after deleting files")

    def copied(self, items: Sequence[Tuple[Before, str, bool]]) -> None:
        """Index the copies and give them the custom tags and rating of their originals."""
        to_index: Set[str] = set()
        pairs: List[Tuple[Tuple[str, ...], str, bool]] = []
        for before, new_real, is_folder in items:
            new = self.indexable_folder(new_real) if is_folder else self.indexable_file(new_real)
            if new is None:
                continue
            to_index.add(new if is_folder else os.path.dirname(new))
            pairs.append((before.forms, new, is_folder))
        if not to_index:
            return
        replaced = [new for _, new, is_folder in pairs if not is_folder]
        if replaced:  # a copy that overwrote a file is a new file: the old row and its marks go
            try:
                with self.db.write() as conn:
                    moves_db.remove_files(conn, replaced, stash=False)
            except Exception:
                log.exception("could not drop the rows of overwritten files")
        self.index_folders(to_index)
        try:
            with self.db.write() as conn:
                path_pairs: List[Tuple[str, str]] = []
                for forms, new, is_folder in pairs:
                    if is_folder:
                        old = next((f for f in forms if images_db.count_under(conn, f)), None)
                        if old is not None:
                            path_pairs += [(p, new + p[len(old):]) for p in images_db.paths_under(conn, old)]
                    else:
                        known = images_db.ids_by_path(conn, forms)
                        old = next((f for f in forms if f in known), None)
                        if old is not None:
                            path_pairs.append((old, new))
                moves_db.copy_marks(conn, path_pairs)
        except Exception:
            log.exception("could not copy tags to copied files")

    def appeared(self, items: Sequence[Tuple[str, bool]]) -> None:
        """(real path, is_folder) of entries that came back (restored from the trash)."""
        to_index: Set[str] = set()
        for real, is_folder in items:
            new = self.indexable_folder(real) if is_folder else self.indexable_file(real)
            if new is not None:
                to_index.add(new if is_folder else os.path.dirname(new))
        self.index_folders(to_index)
