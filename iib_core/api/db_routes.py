"""Routes of this group (api-contract §3); filled in by the HTTP API issue."""
from __future__ import annotations

from fastapi import APIRouter, Depends

from .context import IIBContext
from .deps import secret_guard


def build(ctx: IIBContext) -> APIRouter:
    return APIRouter(dependencies=[Depends(secret_guard(ctx))])
