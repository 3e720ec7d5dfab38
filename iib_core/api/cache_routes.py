"""Cache housekeeping routes (our additions): what the cache folder holds, and cleaning it.

    GET  /cache/usage   bytes and files per area (thumbnails, video_covers, zip_temp, trash)
    POST /cache/clean   write-gated; no body (or no "areas"): apply the retention rules;
                        {"areas": [...]}: empty those areas completely
"""
from __future__ import annotations

from typing import List, Optional

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from ..errors import BadInput
from ..media.housekeeping import cache_usage, check_areas, empty_areas, prune_cache
from .context import IIBContext
from .deps import secret_guard, write_guard


class CleanReq(BaseModel):
    areas: Optional[List[str]] = None


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]

    @router.get("/cache/usage")
    def usage():
        return cache_usage(ctx.settings)

    @router.post("/cache/clean", dependencies=writable)
    def clean(body: Optional[CleanReq] = None):
        areas = body.areas if body is not None else None
        if areas is None:
            result = prune_cache(ctx.settings)
            mode = "rules"
        else:
            if not areas:
                raise BadInput("areas is empty: name some of thumbnails, video_covers, zip_temp, trash, "
                               "or leave it out to apply the retention rules")
            result = empty_areas(ctx.settings, check_areas(areas))
            mode = "empty"
        return {"mode": mode, **result, "usage": cache_usage(ctx.settings)}

    return router
