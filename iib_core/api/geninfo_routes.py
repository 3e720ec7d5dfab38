"""Generation info routes (docs/api.md, "Generation info and send-to") and the "send to WebUI" slot."""
from __future__ import annotations

import json
import os
import threading
import time
from typing import Dict, List, Optional

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.requests import Request

from ..db import images as images_db
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


def build(ctx: IIBContext) -> APIRouter:  # noqa: C901
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    slot = SendSlot()
    ctx.send_slot = slot  # the webui glue takes the path from here

    def read_text(path: str) -> str:
        """Geninfo from the file itself; "" for missing, unreadable or info-less files."""
        try:
            real = ctx.policy.check(path, base=ctx.sd_cwd)
        except Exception:
            return ""
        if not os.path.isfile(real):
            return ""
        settings = ctx.settings
        info = read_generation_info(real, stealth=settings.enable_stealth_parser,
                                    comfyui_all_prompts=settings.comfyui_extract_all_prompts)
        return geninfo_text(info) if info is not None else ""

    def _allowed(path: str) -> bool:
        """The index may hold a symlink whose target is outside the roots: check the real path."""
        try:
            ctx.policy.check(path, base=ctx.sd_cwd)
            return True
        except Exception:
            return False

    @router.get("/image_geninfo")
    def image_geninfo(request: Request, path: str) -> str:
        return read_text(query_text(request, "path", path))

    # response_model=None: pydantic-core's JSON serialiser replaces lone surrogates in dict
    # KEYS (paths of names that are not UTF-8) with U+FFFD; our encoder keeps them (wire.py).
    @router.post("/image_geninfo_batch", response_model=None)
    def image_geninfo_batch(body: PathsBody) -> Dict[str, str]:
        paths = body.paths[:MAX_BATCH]
        allowed = [p for p in paths if _allowed(p)]
        stored = {}
        with ctx.db.read() as conn:
            for p in allowed:
                row = images_db.get_by_path(conn, normalize_path(p))
                if row is not None:
                    stored[p] = row
        out: Dict[str, str] = {p: "" for p in paths}
        for p in allowed:
            row = stored.get(p)
            if row is None:
                out[p] = read_text(p)
            elif not row["generator"]:
                out[p] = ""
            elif row["raw"] and "Steps:" in row["raw"] and row["generator"] in ("AUTOMATIC1111", "Forge", "SD.Next",
                                                                                  "Civitai"):
                out[p] = row["raw"].strip()
            else:
                out[p] = compose(row["generator"], row["positive"], row["negative"], json.loads(row["params"] or "{}"))
        return out

    @router.get("/image_exif")
    def image_exif(request: Request, path: str) -> Dict[str, str]:
        path = query_text(request, "path", path)
        try:
            real = ctx.policy.check(path, base=ctx.sd_cwd)
        except Exception:
            return {}
        return exif_and_text(real) if os.path.isfile(real) else {}

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
