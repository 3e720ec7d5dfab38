"""The browser UI: `GET BASE` (index.html) and `GET BASE/fe-static/...` (no key needed).

The HTML names the base path in its import map and asset URLs through the placeholder
`__IIB_BASE__`, replaced when served, so the UI works under any `--base` and under a
host's sub-path.
"""
from __future__ import annotations

import mimetypes
import os
from pathlib import Path

from fastapi import APIRouter
from starlette.responses import FileResponse, HTMLResponse, Response

from ..errors import NotFound
from .context import IIBContext

WEB_DIR = Path(__file__).resolve().parent.parent / "web"
BASE_PLACEHOLDER = "__IIB_BASE__"
MIME = {".mjs": "text/javascript", ".js": "text/javascript", ".css": "text/css", ".json": "application/json",
        ".svg": "image/svg+xml", ".png": "image/png", ".woff2": "font/woff2", ".html": "text/html"}


def index_html(ctx: IIBContext) -> str:
    text = (WEB_DIR / "index.html").read_text(encoding="utf-8")
    return text.replace(BASE_PLACEHOLDER, ctx.base)


def build(ctx: IIBContext, serve_root: bool = False) -> APIRouter:
    router = APIRouter()

    def page() -> HTMLResponse:
        return HTMLResponse(index_html(ctx), headers={"Cache-Control": "no-cache"})

    router.add_api_route(ctx.base, page, methods=["GET"], include_in_schema=False)
    if serve_root:
        router.add_api_route("/", page, methods=["GET"], include_in_schema=False)

    def static(file_path: str) -> Response:
        target = (WEB_DIR / file_path).resolve()
        if WEB_DIR not in target.parents or not target.is_file():
            raise NotFound("Not Found")
        media_type = (MIME.get(target.suffix.lower()) or mimetypes.guess_type(target.name)[0]
                      or "application/octet-stream")
        return FileResponse(str(target), media_type=media_type, headers={"Cache-Control": "no-cache"})

    router.add_api_route(ctx.base + "/fe-static/{file_path:path}", static, methods=["GET"], include_in_schema=False)
    return router


def has_ui() -> bool:
    return os.path.isfile(WEB_DIR / "index.html")
