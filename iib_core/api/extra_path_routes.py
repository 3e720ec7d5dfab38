"""Extra paths (docs/api.md, "Extra paths"): folders users add as scanned roots, walk roots, quick-move targets."""
from __future__ import annotations

import os
from typing import List

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from ..db import extra_paths as extra_paths_db
from ..db import folders as folders_db
from ..errors import BadInput, Forbidden
from .context import IIBContext
from .deps import secret_guard, write_guard


class ExtraPathBody(BaseModel):
    path: str
    types: List[str] = ["scanned"]


class AliasBody(BaseModel):
    path: str
    alias: str


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]

    def normalized(raw: str) -> str:
        raw = (raw or "").strip()
        if not raw or "\x00" in raw:
            raise BadInput("path is empty or invalid")
        return os.path.normpath(os.path.abspath(os.path.join(ctx.sd_cwd, os.path.expanduser(raw))))

    def check_types(types: List[str]) -> None:
        bad = [t for t in types if t not in extra_paths_db.VALID_TYPES]
        if bad or not types:
            raise BadInput(f"types must be some of: {', '.join(extra_paths_db.VALID_TYPES)}")

    @router.get("/db/extra_paths")
    def list_extra_paths():
        return ctx.stored_extra_paths(refresh=True)

    @router.post("/db/extra_paths", dependencies=writable)
    def add_extra_path(body: ExtraPathBody):
        check_types(body.types)
        path = normalized(body.path)
        if ctx.access_control and not ctx.policy.under_roots(os.path.realpath(path)):
            raise Forbidden("Forbidden")
        if not os.path.isdir(path):
            raise BadInput(f"{path} is not an existing folder")
        with ctx.db.write() as conn:
            extra_paths_db.add(conn, path, body.types)
        ctx.forget_stored_paths()
        return None

    @router.delete("/db/extra_paths", dependencies=writable)
    def remove_extra_path(body: ExtraPathBody):
        path = normalized(body.path)
        with ctx.db.write() as conn:
            removed = extra_paths_db.remove_types(conn, path, body.types)
            if removed and extra_paths_db.get(conn, path) is None and path not in ctx.webui_dirs:
                folders_db.forget(conn, list(folders_db.states_under(conn, path)))
        ctx.forget_stored_paths()
        return None

    @router.post("/db/alias_extra_path", dependencies=writable)
    def alias_extra_path(body: AliasBody):
        path = normalized(body.path)
        with ctx.db.write() as conn:
            if not extra_paths_db.set_alias(conn, path, body.alias.strip()):
                raise BadInput(f"{path} is not a stored extra path")
            entry = extra_paths_db.get(conn, path)
        ctx.forget_stored_paths()
        return entry

    return router
