"""The trash: deleted entries wait in `<cache_dir>/trash` until restored or emptied.

One folder per trashed item:

    trash/<id>/manifest.json   what was deleted, from where, when
    trash/<id>/files/<name>    the entry itself (and its `.txt` sidecar beside it)

The manifest is written before the files move in, and an item whose files are not
all there is not listed, so a crash in the middle never shows a half item. Restoring
puts every file back at its original path and refuses (409) when something exists
there now.
"""
from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import List, Optional, Sequence

from ..errors import BadInput, Conflict, NotFound
from .disk import Recorder, is_real_dir, move_entry

TRASH_DIR = "trash"  # under the cache folder
MANIFEST = "manifest.json"
PAYLOAD = "files"
ITEM_ID = re.compile(r"^\d{8}-\d{6}-[0-9a-f]{8}$")


@dataclass(frozen=True)
class TrashEntry:
    stored: str  # name inside files/
    original_path: str


@dataclass(frozen=True)
class TrashItem:
    id: str
    type: str  # "file" | "dir"
    name: str
    original_path: str
    deleted_at: float
    bytes: int
    entries: tuple  # of TrashEntry; the first is the item itself, then its sidecar

    def as_manifest(self) -> dict:
        return {"version": 1, "id": self.id, "type": self.type, "name": self.name,
                "original_path": self.original_path, "deleted_at": self.deleted_at, "bytes": self.bytes,
                "entries": [{"stored": e.stored, "original_path": e.original_path} for e in self.entries]}

    @classmethod
    def from_manifest(cls, data: dict) -> TrashItem:
        entries = tuple(TrashEntry(str(e["stored"]), str(e["original_path"])) for e in data["entries"])
        if not entries or any(os.sep in e.stored or "/" in e.stored or e.stored in ("", ".", "..") for e in entries):
            raise ValueError("bad entries")
        return cls(str(data["id"]), str(data["type"]), str(data["name"]), str(data["original_path"]),
                   float(data["deleted_at"]), int(data.get("bytes") or 0), entries)


def _size_of(path: str) -> int:
    if not is_real_dir(path):
        try:
            return os.lstat(path).st_size
        except OSError:
            return 0
    total = 0
    for folder, _, names in os.walk(path):
        for n in names:
            try:
                total += os.lstat(os.path.join(folder, n)).st_size
            except OSError:
                pass
    return total


class Trash:
    def __init__(self, folder: Path, record: Recorder = None) -> None:
        self.folder = Path(folder)
        self.record = record  # folders that receive a temporary copy (moves across file systems)

    def _item_dir(self, item_id: str) -> Path:
        if not isinstance(item_id, str) or not ITEM_ID.match(item_id):
            raise BadInput(f"Invalid trash item id: {item_id!r}")
        return self.folder / item_id

    # -- put ----------------------------------------------------------------------
    def put(self, entry: str, sidecars: Sequence[str] = ()) -> TrashItem:
        """Move `entry` (and its sidecars) into a new trash item."""
        item_id = time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(4)
        item_dir = self.folder / item_id
        payload = item_dir / PAYLOAD
        payload.mkdir(parents=True)
        entries = [TrashEntry(os.path.basename(p), p) for p in [entry, *sidecars]]
        item = TrashItem(item_id, "dir" if is_real_dir(entry) else "file", os.path.basename(entry), entry,
                         time.time(), _size_of(entry), tuple(entries))
        tmp = item_dir / (MANIFEST + ".tmp")
        # ASCII with \uXXXX escapes: names that are not UTF-8 (surrogates) survive the round trip.
        tmp.write_text(json.dumps(item.as_manifest(), ensure_ascii=True), encoding="utf-8")
        os.replace(tmp, item_dir / MANIFEST)
        moved: List[TrashEntry] = []
        try:
            for e in entries:
                move_entry(e.original_path, str(payload / e.stored), record=self.record)
                moved.append(e)
        except BaseException:
            for e in reversed(moved):  # put back what already went in
                try:
                    move_entry(str(payload / e.stored), e.original_path, record=self.record)
                except OSError:
                    pass
            if not any((payload / e.stored).exists() for e in entries):
                shutil.rmtree(item_dir, ignore_errors=True)
            raise
        return item

    # -- look ---------------------------------------------------------------------
    def _load(self, item_dir: Path) -> Optional[TrashItem]:
        try:
            item = TrashItem.from_manifest(json.loads((item_dir / MANIFEST).read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if item.id != item_dir.name:
            return None
        if not all(os.path.lexists(item_dir / PAYLOAD / e.stored) for e in item.entries):
            return None
        return item

    def items(self) -> List[TrashItem]:
        """Complete items, newest first."""
        try:
            dirs = [d for d in self.folder.iterdir() if ITEM_ID.match(d.name) and d.is_dir()]
        except OSError:
            return []
        found = [i for i in (self._load(d) for d in dirs) if i is not None]
        return sorted(found, key=lambda i: (i.deleted_at, i.id), reverse=True)

    def get(self, item_id: str) -> TrashItem:
        item = self._load(self._item_dir(item_id))
        if item is None:
            raise NotFound(f"Trash item {item_id} not found")
        return item

    # -- restore and empty ----------------------------------------------------------
    def conflicts(self, item: TrashItem) -> List[str]:
        return [e.original_path for e in item.entries if os.path.lexists(e.original_path)]

    def restore(self, item: TrashItem) -> List[str]:
        """Move the item's files back to where they were; returns the restored paths."""
        taken = self.conflicts(item)
        if taken:
            raise Conflict(f"Cannot restore {item.name}: '{taken[0]}' already exists")
        payload = self.folder / item.id / PAYLOAD
        os.makedirs(os.path.dirname(item.original_path), exist_ok=True)
        done: List[TrashEntry] = []
        try:
            for e in item.entries:
                move_entry(str(payload / e.stored), e.original_path, record=self.record)
                done.append(e)
        except BaseException:
            for e in reversed(done):
                try:
                    move_entry(e.original_path, str(payload / e.stored), record=self.record)
                except OSError:
                    pass
            raise
        shutil.rmtree(self.folder / item.id, ignore_errors=True)
        return [e.original_path for e in item.entries]

    def purge(self, item_id: str) -> None:
        item_dir = self._item_dir(item_id)
        if not item_dir.is_dir():
            raise NotFound(f"Trash item {item_id} not found")
        shutil.rmtree(item_dir)

    def empty(self) -> int:
        n = 0
        try:
            dirs = [d for d in self.folder.iterdir() if ITEM_ID.match(d.name) and d.is_dir()]
        except OSError:
            return 0
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)
            n += 1
        return n
