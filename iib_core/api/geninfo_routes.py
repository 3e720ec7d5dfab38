"""Generation info routes (docs/api.md, "Generation info and send-to") and the "send to WebUI" slot."""
from __future__ import annotations

import json
import os
import threading
import time
from typing import Any, Dict, List, Optional

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.requests import Request

from ..db import images as images_db
from ..errors import BadInput, Forbidden
from ..security import normalize_path
from ..metadata import read_generation_info
from ..metadata.exif_dump import exif_and_text
from ..metadata.geninfo import compose, geninfo_text
from .context import IIBContext
from .deps import secret_guard
from .wire import query_text

MAX_BATCH = 2000


class PathsBody(BaseModel):
    paths: List[str]


class SendSlot:
    """The server-wide "image to send" slot of the original send-to flow."""

    def __init__(self) -> None:
        self.path: Optional[str] = None
        self.changed = threading.Condition()

    def put(self, path: str) -> None:
        with self.changed:
            self.path = path
            self.changed.notify_all()

    def take(self) -> Optional[str]:
        with self.changed:
            path, self.path = self.path, None
            self.changed.notify_all()
            return path

    def wait_empty(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.path is not None:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self.changed.wait(remaining)
            return True


PARSED_AS_WEBUI = ("AUTOMATIC1111", "Forge", "SD.Next", "Civitai")


def checked(ctx: IIBContext, path: str) -> Optional[str]:
    """The real path, or None when the path is malformed or outside the roots: these routes
    answer "no information" rather than an error (the original's behaviour)."""
    try:
        return ctx.policy.check(path, base=ctx.sd_cwd)
    except (BadInput, Forbidden):
        return None


def read_text(ctx: IIBContext, path: str) -> str:
    """Geninfo from the file itself; "" for missing, unreadable or info-less files."""
    real = checked(ctx, path)
    if real is None or not os.path.isfile(real):
        return ""
    settings = ctx.settings
    info = read_generation_info(real, stealth=settings.enable_stealth_parser,
                                comfyui_all_prompts=settings.comfyui_extract_all_prompts)
    return geninfo_text(info) if info is not None else ""


def stored_text(row: Any) -> str:
    """Geninfo rebuilt from an index row: the raw text when it is webui text, else composed."""
    if not row["generator"]:
        return ""
    if row["raw"] and "Steps:" in row["raw"] and row["generator"] in PARSED_AS_WEBUI:
        return row["raw"].strip()
    return compose(row["generator"], row["positive"], row["negative"], json.loads(row["params"] or "{}"))


def batch_geninfo(ctx: IIBContext, paths: List[str]) -> Dict[str, str]:
    paths = paths[:MAX_BATCH]
    # The index may hold a symlink whose target is outside the roots: check the real path.
    allowed = [p for p in paths if checked(ctx, p) is not None]
    stored = {}
    with ctx.db.read() as conn:
        for p in allowed:
            row = images_db.get_by_path(conn, normalize_path(p))
            if row is not None:
                stored[p] = row
    out: Dict[str, str] = {p: "" for p in paths}
    for p in allowed:
        row = stored.get(p)
        out[p] = read_text(ctx, p) if row is None else stored_text(row)
    return out


def exif_of(ctx: IIBContext, path: str) -> Dict[str, str]:
    real = checked(ctx, path)
    if real is None:
        return {}
    return exif_and_text(real) if os.path.isfile(real) else {}


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    slot = SendSlot()
    ctx.send_slot = slot  # the webui glue takes the path from here

    @router.get("/image_geninfo")
    def image_geninfo(request: Request, path: str) -> str:
        return read_text(ctx, query_text(request, "path", path))

    # response_model=None: pydantic-core's JSON serialiser replaces lone surrogates in dict
    # KEYS (paths of names that are not UTF-8) with U+FFFD; our encoder keeps them (wire.py).
    @router.post("/image_geninfo_batch", response_model=None)
    def image_geninfo_batch(body: PathsBody) -> Dict[str, str]:
        return batch_geninfo(ctx, body.paths)

    @router.get("/image_exif")
    def image_exif(request: Request, path: str) -> Dict[str, str]:
        return exif_of(ctx, query_text(request, "path", path))

    @router.post("/send_img_path")
    def send_img_path(request: Request, path: str):
        path = query_text(request, "path", path)
        ctx.policy.check(path, base=ctx.sd_cwd)
        slot.put(path)
        return None

    @router.get("/gen_info_completed")
    def gen_info_completed() -> bool:
        return slot.wait_empty(3.0)

    return router
