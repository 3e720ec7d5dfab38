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

MAX_EXCLUSIONS = 500
MAX_ENTRY = 4096


class Exclusions(BaseModel):
    dirs: List[str] = []


def build(ctx: IIBContext) -> APIRouter:  # noqa: C901
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]

    def root_state(conn, root: str) -> dict:
        states = folders_db.states_under(conn, root)
        count = images_db.count_under(conn, root)
        changed = []
        if states:
            for path, (mtime, _n) in states.items():
                try:
                    if os.stat(path).st_mtime != mtime:
                        changed.append(path)
                except OSError:
                    changed.append(path)
        state = "never" if root not in states else "changed" if changed else "indexed"
        last = max((st[0] for st in states.values()), default=None)
        return {"path": root, "state": state, "images": int(count or 0), "folders": len(states),
                "changed_dirs": sorted(changed)[:50], "changed_count": len(changed), "last_change": last}

    @router.get("/db/index_overview")
    def index_overview():
        roots = ctx.index_roots()
        with ctx.db.read() as conn:
            out = [root_state(conn, r) for r in roots]
            stored = kv.get(conn, EXCLUDE_KEY, []) or []
        return {"roots": out, "job": ctx.jobs.status(), "exclusions": {
            "stored": stored, "fixed": [*ctx.settings.exclude_dirs], "cache_dir": str(ctx.settings.cache_dir)}}

    @router.post("/db/index_cancel")
    def index_cancel():
        if not ctx.jobs.running():
            raise BadInput("no index run is in progress")
        ctx.jobs.cancel()
        return ctx.jobs.status()

    @router.post("/db/index_exclusions", dependencies=writable)
    def set_exclusions(body: Exclusions):
        if len(body.dirs) > MAX_EXCLUSIONS:
            raise BadInput(f"at most {MAX_EXCLUSIONS} excluded folders")
        out: List[str] = []
        for raw in body.dirs:
            entry = (raw or "").strip()
            if not entry:
                continue
            if len(entry) > MAX_ENTRY or "\x00" in entry:
                raise BadInput(f"not a folder name or path: {entry[:80]!r}")
            if "/" in entry or os.sep in entry:
                if not os.path.isabs(entry):
                    raise BadInput(f"an excluded folder path must be absolute: {entry}")
                entry = normalize_path(entry)
            elif entry in (".", ".."):
                raise BadInput(f"not a folder name: {entry}")
            if entry not in out:
                out.append(entry)
        with ctx.db.write() as conn:
            kv.put(conn, EXCLUDE_KEY, out)
        return {"stored": out}

    return router
