"""Helpers shared by several route modules, each written once: which folders a request covers,
which result rows the client may see, which indexed folders changed on disk, and the file
operations object every moving or deleting route uses."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ..db import folders as folders_db
from ..errors import BadInput
from ..files import FileOperations, IndexSync, PathGate, Trash
from ..files.trash import TRASH_DIR
from ..indexer import extract_options
from .context import IIBContext
from .shapes import indexed_file

MAX_PAGE = 10_000


def empty_page() -> Dict[str, Any]:
    return {"files": [], "cursor": {"has_next": False, "next": ""}}


def shown_path(ctx: IIBContext, raw: str) -> str:
    """A client folder path as the index stores it: absolute (relative to the webui folder) and
    normalised, symlinks kept (the policy has already checked where they lead)."""
    return os.path.normpath(os.path.abspath(raw if os.path.isabs(raw) else os.path.join(ctx.sd_cwd, raw)))


def folder_scope(ctx: IIBContext, folder_paths: Optional[List[str]]) -> Optional[List[str]]:
    """None means all roots; [] after dropping missing entries means nothing matches."""
    if not folder_paths:
        return None
    out = []
    for raw in folder_paths:
        raw = (raw or "").strip()
        if not raw:
            continue
        real = ctx.policy.check(raw, base=ctx.sd_cwd, navigate=True)
        if os.path.isdir(real):
            out.append(shown_path(ctx, raw))
    return out


def search_folders(ctx: IIBContext, scope: Optional[List[str]]) -> List[str]:
    """The folders a search is limited to: the request's scope, else the roots under access control."""
    return scope or (ctx.index_roots() if ctx.access_control else [])


def may_see(ctx: IIBContext, path: str) -> bool:
    """Access control only (resolving symlinks costs several system calls, so only when it is on)."""
    return not ctx.policy.enabled or ctx.policy.may_read(os.path.realpath(path))


def visible_rows(ctx: IIBContext, rows: List[dict]) -> List[dict]:
    """Rows the client may see (access control) whose files still exist, in the answer's shape."""
    if not ctx.policy.enabled:
        return [indexed_file(r) for r in rows if os.path.exists(r["path"])]
    return [indexed_file(r) for r in rows if may_see(ctx, r["path"]) and os.path.exists(r["path"])]


def page_size(size: int) -> int:
    if size < 1 or size > MAX_PAGE:
        raise BadInput(f"size must be between 1 and {MAX_PAGE}")
    return size


def media_filter(value: Optional[str]) -> Optional[str]:
    if value in (None, "", "all"):
        return None
    if value not in ("image", "video", "audio"):
        raise BadInput("media_type must be one of: all, image, video, audio")
    return value


def changed_folders(states: Dict[str, Tuple[float, Any]]) -> List[str]:
    """Indexed folders whose modification time differs from the stored one, or which are gone."""
    changed: List[str] = []
    for path, (mtime, _count) in states.items():
        try:
            if os.stat(path).st_mtime != mtime:
                changed.append(path)
        except OSError:
            changed.append(path)
    return changed


def expired_dirs(ctx: IIBContext) -> List[str]:
    """Roots never indexed, then indexed folders that changed since: what an index run would visit."""
    with ctx.db.read() as conn:
        states = folders_db.all_states(conn)
    out: List[str] = [root for root in ctx.index_roots() if root not in states]
    out.extend(changed_folders(states))
    return list(dict.fromkeys(out))


def file_operations(ctx: IIBContext, gate: Optional[PathGate] = None) -> FileOperations:
    """Built per request (cheap) so that settings, roots and the excluded folders of the index
    page are always current."""
    settings = ctx.settings
    index = IndexSync(ctx.db, ctx.index_roots, exclude=ctx.exclude_dirs(),
                      options=extract_options(settings), workers=settings.index_workers)
    record = ctx.partials.record
    return FileOperations(gate or PathGate(ctx.policy, ctx.sd_cwd), index,
                          Trash(Path(settings.cache_dir) / TRASH_DIR, record), record)
