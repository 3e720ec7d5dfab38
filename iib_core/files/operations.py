"""File operations behind the HTTP routes: mkdirs, move, copy, rename, delete (to the
trash, or for good), restore from the trash.

Every request is checked as a whole before anything on disk changes: each path
through the access policy (sources and destinations), sources must exist, targets
must be free (409 naming the target, unless `overwrite`), a folder is never moved
or copied into itself. Only then does the work start, in the order given. A `.txt`
sidecar travels with its media file, and the index follows at once (`IndexSync`).
"""
from __future__ import annotations

import errno

import os
import shutil
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

from ..errors import BadInput, Conflict, Forbidden, IIBError, NotFound
from ..security import is_within
from .disk import (FileOperationFailed, Recorder, copy_entry, entries_of, is_real_dir, move_entry, os_error_text,
                   remove_entry, sidecar_of, sidecar_target)
from .index_sync import Before, IndexSync
from .listing import human_size
from .paths import Located, PathGate
from .trash import Trash, TrashItem

FOLDER_NOT_EMPTY = "When a folder is not empty, it is not allowed to be deleted."
FORBIDDEN_NAME_PARTS = ("/", "\\", "\x00")
MAX_NAME_BYTES = 255


def os_failure(exc: OSError, prefix: str) -> IIBError:
    """An OSError as an honest status: missing 404, not permitted 403, exists 409, else 500."""
    text = f"{prefix}: {os_error_text(exc)}"
    if isinstance(exc, FileNotFoundError):
        return NotFound(text)
    if isinstance(exc, PermissionError):
        return Forbidden(text)
    if isinstance(exc, FileExistsError):
        return Conflict(text)
    if isinstance(exc, (NotADirectoryError, IsADirectoryError)):
        return BadInput(text)
    if isinstance(exc, shutil.SpecialFileError):
        return BadInput(text)  # a FIFO, socket or device: never read, so never copied
    if exc.errno in (errno.ENAMETOOLONG, errno.EINVAL, errno.ELOOP, errno.EILSEQ):
        return BadInput(text)  # the client's name or path cannot exist on this filesystem
    return FileOperationFailed(text)


def validate_name(name: str) -> str:
    """A bare file name for rename: not empty, no `/`, `\\` or NUL, no `..` anywhere."""
    if not isinstance(name, str) or name.strip() == "":
        raise BadInput("The new name is empty")
    if any(c in name for c in FORBIDDEN_NAME_PARTS) or ".." in name or name == ".":
        raise BadInput(f"Invalid name {name!r}: a name cannot contain '/', '\\' or '..'")
    try:
        encoded = os.fsencode(name)  # a name that is not UTF-8 arrives as \udc80-\udcff (api/wire.py)
    except UnicodeEncodeError:
        raise BadInput("Invalid name: it holds a character no file name can (a lone surrogate)") from None
    if len(encoded) > MAX_NAME_BYTES:
        raise BadInput(f"Invalid name: longer than {MAX_NAME_BYTES} bytes")
    return name


@dataclass
class Step:
    """One entry of a move or copy, checked and ready to go."""

    src: Located
    target: str
    is_folder: bool
    before: Before
    sidecar: Optional[str] = None
    sidecar_target: Optional[str] = None


@dataclass
class BatchResult:
    errors: List[str] = field(default_factory=list)
    paths: List[str] = field(default_factory=list)  # where each moved/copied entry is now

    def as_dict(self) -> dict:
        return {"errors": self.errors, "paths": self.paths}


class FileOperations:
    def __init__(self, gate: PathGate, index: IndexSync, trash: Trash, record: Recorder = None) -> None:
        self.gate = gate
        self.index = index
        self.trash = trash
        self.record = record  # see disk.copy_entry: folders that receive a temporary copy

    # -- mkdirs -----------------------------------------------------------------------
    def mkdirs(self, raw: str) -> str:
        folder = self.gate.locate(raw)
        if os.path.lexists(folder.real) and not os.path.isdir(folder.real):
            raise BadInput(f"{raw} exists and is not a folder")
        try:
            os.makedirs(folder.real, exist_ok=True)
        except OSError as exc:
            raise os_failure(exc, f"Cannot create folder {raw}") from None
        return folder.real

    # -- move and copy ----------------------------------------------------------------
    def move(self, sources: Sequence[str], dest: str, *, create_dest_folder: bool = False,
             continue_on_error: bool = False, overwrite: bool = False) -> BatchResult:
        return self._transfer("moving", sources, dest, create_dest_folder, continue_on_error, overwrite)

    def copy(self, sources: Sequence[str], dest: str, *, create_dest_folder: bool = False,
             continue_on_error: bool = False, overwrite: bool = False) -> BatchResult:
        return self._transfer("copying", sources, dest, create_dest_folder, continue_on_error, overwrite)

    def _destination(self, raw: str, create: bool) -> Tuple[Located, bool]:
        dest = self.gate.folder(raw)
        if os.path.lexists(dest.real):
            if not os.path.isdir(dest.real):
                raise BadInput(f"Destination {raw} is a file, not a folder.")
            return dest, False
        if not create:
            raise BadInput(f"Destination folder {raw} does not exist.")
        return dest, True

    def _unique_sources(self, raws: Sequence[str], navigate: bool = False) -> List[Located]:
        """Check every path (a policy refusal fails the whole request), drop duplicates and
        sidecars of other entries of the same request (they travel with their image)."""
        if not isinstance(raws, (list, tuple)):
            raise BadInput("file_paths must be a list of paths")
        located: List[Located] = []
        seen = set()
        for raw in raws:
            loc = self.gate.locate(raw, navigate=navigate)
            if loc.entry not in seen:
                seen.add(loc.entry)
                located.append(loc)
        riders = {sidecar_of(loc.entry) for loc in located} - {None}
        return [loc for loc in located if loc.entry not in riders]

    def _transfer(self, verb: str, raws: Sequence[str], raw_dest: str, create: bool, keep_going: bool,
                  overwrite: bool) -> BatchResult:
        dest, must_create = self._destination(raw_dest, create)
        result = BatchResult()
        steps: List[Step] = []
        for src in self._unique_sources(raws):
            try:
                steps.append(self._plan_step(verb, src, dest, raw_dest, overwrite, steps))
            except IIBError as exc:
                if not keep_going:
                    raise
                result.errors.append(str(exc.detail))
        if must_create and steps:
            try:
                os.makedirs(dest.real, exist_ok=True)
            except OSError as exc:
                raise os_failure(exc, f"Cannot create folder {raw_dest}") from None
        done: List[Tuple[Step, str]] = []
        try:
            for step in steps:
                try:
                    self._run_step(verb, step, overwrite)
                except IIBError as exc:
                    if not keep_going:
                        raise
                    result.errors.append(str(exc.detail))
                    continue
                except OSError as exc:
                    err = os_failure(exc, f"Error {verb} file {step.src.raw} to {raw_dest}")
                    if not keep_going:
                        raise err from None
                    result.errors.append(str(err.detail))
                    continue
                done.append((step, step.target))
                result.paths.append(os.path.join(dest.shown, os.path.basename(step.target)))
        finally:
            items = [(s.before, target, s.is_folder) for s, target in done]
            if items:
                (self.index.moved if verb == "moving" else self.index.copied)(items)
        return result

    def _plan_step(self, verb: str, src: Located, dest: Located, raw_dest: str, overwrite: bool,
                   planned: List[Step]) -> Step:
        prefix = f"Error {verb} file {src.raw} to {raw_dest}"
        if not os.path.lexists(src.entry) or not os.path.exists(src.real):
            raise NotFound(f"{prefix}: No such file or directory")
        is_folder = is_real_dir(src.entry)
        target = os.path.join(dest.real, src.name)
        if target == src.entry:
            raise BadInput(f"{prefix}: it is already in that folder")
        if is_folder and is_within(dest.real, src.entry):
            raise BadInput(f"{prefix}: a folder cannot be put inside itself")
        taken = {p for s in planned for p in (s.target, s.sidecar_target) if p}
        if target in taken:
            raise Conflict(f"{prefix}: Destination path '{target}' is the target of another file of this request")
        self._check_free(target, overwrite, prefix)
        sidecar = None if is_folder else sidecar_of(src.entry)
        if sidecar is not None and any(s.sidecar == sidecar for s in planned):
            sidecar = None  # shared by two media files of this request: it goes with the first
        side_target = None
        if sidecar is not None:
            side_target = sidecar_target(target)
            if side_target in taken:
                raise Conflict(f"{prefix}: Destination path '{side_target}' is the target of another file of "
                               "this request")
            self._check_free(side_target, overwrite, prefix)
        return Step(src, target, is_folder, self.index.before(src, is_folder), sidecar, side_target)

    @staticmethod
    def _check_free(target: str, overwrite: bool, prefix: str) -> None:
        if os.path.lexists(target):
            if not overwrite:
                raise Conflict(f"{prefix}: Destination path '{target}' already exists")
            if is_real_dir(target):
                raise Conflict(f"{prefix}: Destination path '{target}' is a folder and cannot be overwritten")

    def _run_step(self, verb: str, step: Step, overwrite: bool) -> None:
        if verb == "moving":
            move_entry(step.src.entry, step.target, overwrite, record=self.record)
            if step.sidecar is not None and step.sidecar_target is not None:
                try:
                    move_entry(step.sidecar, step.sidecar_target, overwrite, record=self.record)
                except BaseException:
                    move_entry(step.target, step.src.entry)  # all or nothing for the pair
                    raise
        else:
            copy_entry(step.src.entry, step.target, overwrite, record=self.record)
            if step.sidecar is not None and step.sidecar_target is not None:
                try:
                    copy_entry(step.sidecar, step.sidecar_target, overwrite, record=self.record)
                except BaseException:
                    remove_entry(step.target)
                    raise

    # -- rename -----------------------------------------------------------------------
    def rename(self, raw: str, name: str, overwrite: bool = False) -> str:
        validate_name(name)
        src = self.gate.locate(raw)
        if not os.path.lexists(src.entry):
            raise NotFound("File not found")
        target = os.path.join(os.path.dirname(src.entry), name)
        shown_target = os.path.join(os.path.dirname(src.shown), name)
        if target == src.entry:
            return shown_target
        self.gate.check_target(target)
        is_folder = is_real_dir(src.entry)
        same_file = os.path.lexists(target) and _same_entry(src.entry, target)  # case-only rename
        if os.path.lexists(target) and not same_file:
            if not overwrite:
                raise Conflict("A file with the new name already exists")
            if is_real_dir(target):
                raise Conflict("A folder with the new name already exists")
        sidecar = None if is_folder else sidecar_of(src.entry)
        side_target = sidecar_target(target) if sidecar else None
        if sidecar and side_target in (sidecar, target):
            sidecar = side_target = None  # same stem (only the extension changed), or renamed to the .txt name
        if side_target and os.path.lexists(side_target) and not _same_entry(sidecar, side_target) and not overwrite:
            raise Conflict(f"A file with the new name already exists: '{side_target}'")
        before = self.index.before(src, is_folder)
        try:
            if same_file:
                os.rename(src.entry, target)
            else:
                move_entry(src.entry, target, overwrite, record=self.record)
            if sidecar and side_target:
                try:
                    move_entry(sidecar, side_target, overwrite, record=self.record)
                except BaseException:
                    move_entry(target, src.entry, record=self.record)
                    raise
        except OSError as exc:
            raise os_failure(exc, f"Cannot rename {raw}") from None
        self.index.moved([(before, target, is_folder)])
        return shown_target

    # -- delete -----------------------------------------------------------------------
    def delete(self, raws: Sequence[str], permanent: bool = False) -> List[dict]:
        """Check all, then delete in order: to the trash unless `permanent`. Returns, per
        entry, where it went (`trash_id` is None for a permanent delete)."""
        located = self._unique_sources(raws)
        plan: List[Tuple[Located, bool, Optional[str]]] = []
        for loc in located:
            if not os.path.lexists(loc.entry):
                raise NotFound(f"Error deleting file {loc.raw}: No such file or directory")
            is_folder = is_real_dir(loc.entry)
            if is_folder:
                try:
                    if entries_of(loc.entry):
                        raise BadInput(FOLDER_NOT_EMPTY)
                except OSError as exc:
                    raise os_failure(exc, f"Error deleting file {loc.raw}") from None
            plan.append((loc, is_folder, None if is_folder else sidecar_of(loc.entry)))
        out: List[dict] = []
        gone: List[Tuple[Before, bool]] = []
        try:
            for loc, is_folder, sidecar in plan:
                before = self.index.before(loc, is_folder)
                try:
                    if permanent:
                        for p in [loc.entry] + ([sidecar] if sidecar else []):
                            if is_folder:
                                os.rmdir(p)
                            else:
                                os.unlink(p)
                        trash_id = None
                    else:
                        trash_id = self.trash.put(loc.entry, [sidecar] if sidecar else []).id
                except OSError as exc:
                    raise os_failure(exc, f"Error deleting file {loc.raw}") from None
                gone.append((before, is_folder))
                out.append({"path": loc.shown, "trash_id": trash_id})
        finally:
            if gone:
                self.index.removed(gone)
        return out

    # -- trash --------------------------------------------------------------------------
    def trash_items(self) -> List[TrashItem]:
        """Items whose original place the client may see."""
        return [i for i in self.trash.items() if self.gate.may_show(i.original_path)]

    def restore(self, ids: Sequence[str]) -> List[str]:
        items: List[TrashItem] = []
        for item_id in dict.fromkeys(ids):
            item = self.trash.get(item_id)
            for entry in item.entries:
                self.gate.check_target(entry.original_path)
            taken = self.trash.conflicts(item)
            if taken:
                raise Conflict(f"Cannot restore {item.name}: '{taken[0]}' already exists")
            items.append(item)
        targets = [e.original_path for i in items for e in i.entries]
        if len(set(targets)) != len(targets):
            raise Conflict("Two of these trash items would be restored to the same path")
        restored: List[str] = []
        appeared: List[Tuple[str, bool]] = []
        try:
            for item in items:
                try:
                    restored += self.trash.restore(item)
                except OSError as exc:
                    raise os_failure(exc, f"Cannot restore {item.name}") from None
                appeared.append((item.original_path, item.type == "dir"))
        finally:
            self.index.appeared(appeared)
        return restored

    def empty_trash(self, ids: Optional[Sequence[str]] = None) -> int:
        """Delete trash items for good: these `ids`, or all (that the client may see)."""
        if ids is None:
            if not self.gate.policy.enabled:
                return self.trash.empty()
            ids = [i.id for i in self.trash_items()]
        visible = {i.id for i in self.trash_items()}
        for item_id in dict.fromkeys(ids):
            self.trash.get(item_id)  # 400 for a malformed id, 404 for an unknown one
            if item_id not in visible:
                raise Forbidden("Forbidden")
        for item_id in dict.fromkeys(ids):
            self.trash.purge(item_id)
        return len(dict.fromkeys(ids))


def _same_entry(a: Optional[str], b: Optional[str]) -> bool:
    """`b` is `a` spelled in another case, on a case-insensitive file system."""
    try:
        return bool(a and b) and a.lower() == b.lower() and os.path.samefile(a, b)
    except OSError:
        return False


def describe(items: Sequence[TrashItem], date) -> List[Dict[str, object]]:
    """Trash items as the `GET /trash` route sends them."""
    return [{"id": i.id, "type": i.type, "name": i.name, "original_path": i.original_path,
             "deleted_at": date(i.deleted_at), "size": human_size(i.bytes) if i.type == "file" else "-",
             "bytes": i.bytes, "sidecars": [e.original_path for e in i.entries[1:]]} for i in items]
