"""The index page's routes (our additions, docs/api.md, "Index"): per-root index state, cancel of a
running index job, and the user's list of excluded folders."""
from __future__ import annotations

import os
from typing import List

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from ..db import folders as folders_db
from ..db import images as images_db
from ..db import kv
from ..errors import BadInput
from ..security import normalize_path
from .context import EXCLUDE_KEY, IIBContext
from .deps import secret_guard, write_guard
from .scope import changed_folders

MAX_EXCLUSIONS = 500
MAX_ENTRY = 4096


class Exclusions(BaseModel):
    dirs: List[str] = []


def root_state(conn, root: str) -> dict:
    """One root's line on the index page: never indexed, indexed, or changed since (which folders)."""
    states = folders_db.states_under(conn, root)
    count = images_db.count_under(conn, root)
    changed = changed_folders(states)
    state = "never" if root not in states else "changed" if changed else "indexed"
    last = max((st[0] for st in states.values()), default=None)
    return {"path": root, "state": state, "images": int(count or 0), "folders": len(states),
            "changed_dirs": sorted(changed)[:50], "changed_count": len(changed), "last_change": last}


def overview_of(ctx: IIBContext) -> dict:
    roots = ctx.index_roots()
    with ctx.db.read() as conn:
        out = [root_state(conn, r) for r in roots]
        stored = kv.get(conn, EXCLUDE_KEY, []) or []
    return {"roots": out, "job": ctx.jobs.status(), "exclusions": {
        "stored": stored, "fixed": [*ctx.settings.exclude_dirs], "cache_dir": str(ctx.settings.cache_dir)}}


def exclusion_entry(raw: str) -> str:
    """One excluded folder as stored: a bare folder name, or a normalised absolute path ("" = skip)."""
    entry = (raw or "").strip()
    if not entry:
        return ""
    if len(entry) > MAX_ENTRY or "\x00" in entry:
        raise BadInput(f"not a folder name or path: {entry[:80]!r}")
    if "/" in entry or os.sep in entry:
        if not os.path.isabs(entry):
            raise BadInput(f"an excluded folder path must be absolute: {entry}")
        return normalize_path(entry)
    if entry in (".", ".."):
        raise BadInput(f"not a folder name: {entry}")
    return entry


def store_exclusions(ctx: IIBContext, body: Exclusions) -> dict:
    if len(body.dirs) > MAX_EXCLUSIONS:
        raise BadInput(f"at most {MAX_EXCLUSIONS} excluded folders")
    out: List[str] = []
    for raw in body.dirs:
        entry = exclusion_entry(raw)
        if entry and entry not in out:
            out.append(entry)
    with ctx.db.write() as conn:
        kv.put(conn, EXCLUDE_KEY, out)
    return {"stored": out}


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]

    @router.get("/db/index_overview")
    def index_overview():
        return overview_of(ctx)

    @router.post("/db/index_cancel")
    def index_cancel():
        if not ctx.jobs.running():
            raise BadInput("no index run is in progress")
        ctx.jobs.cancel()
        return ctx.jobs.status()

    @router.post("/db/index_exclusions", dependencies=writable)
    def set_exclusions(body: Exclusions):
        return store_exclusions(ctx, body)

    return router
