"""Media delivery (docs/api.md, "Media"): /file, /image-thumbnail, /stream_video, /video_cover,
/set_target_frame_as_video_cover, /zip.

Every client path goes through `ctx.policy.check` (resolve + roots) before anything
touches it. Blocking work (stat, Pillow, PyAV, zipfile) runs in FastAPI's thread pool
(plain `def` routes); large bodies stream in chunks read off the event loop.
"""
from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import List, Optional

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel
from starlette.responses import Response

from ..errors import BadInput, NotFound, TooLarge
from ..media.http import (ONE_YEAR, content_disposition, etag_matches, guess_media_type, long_cache_headers,
                          open_regular_file, send_open_file, stat_regular_file)
from ..media.housekeeping import prune_quietly
from ..media.kinds import media_kind
from ..media.thumbnails import ThumbnailCache, parse_box
from ..media.video import VideoCoverCache, decode_client_image
from ..media.zipstream import ZIP_DIR, write_zip
from .context import IIBContext
from .deps import secret_guard, write_guard
from .wire import query_text

MAX_ZIP_PATHS = 10000
MAX_ZIP_TICKETS = 256
STREAM_EXPOSED_HEADERS = "content-type, accept-ranges, content-length, content-range, content-encoding"


class ZipReq(BaseModel):
    paths: List[str]
    compress: bool
    pack_only: bool


class ZipPrepareReq(BaseModel):
    paths: List[str]
    compress: bool = True


class VideoCoverReq(BaseModel):
    base64_img: str
    path: str
    updated_time: Optional[str] = None  # the client's token for the file; the cache keys on the file itself


EXPIRED_LINK = "This download link has expired: pack the files again."


def allowed(ctx: IIBContext, path: str) -> str:
    """The real path, or Forbidden: always the first thing a route does with a path."""
    return ctx.policy.check(path, base=ctx.sd_cwd)


def content_type(real: str, shown: str) -> str:
    guessed = guess_media_type(real)
    return guess_media_type(shown) if guessed == "application/octet-stream" else guessed


def send_file(ctx: IIBContext, request: Request, path: str, t: str, disposition: Optional[str]) -> Response:
    real = allowed(ctx, path)
    f, st = open_regular_file(real, path)
    headers = {}
    if t and media_kind(real) is not None and ctx.policy.under_roots(real):
        headers.update(long_cache_headers(time.time()))
    else:
        headers["Cache-Control"] = "no-cache"  # revalidate (cheap: ETag / 304)
    if disposition:
        headers["Content-Disposition"] = content_disposition(disposition)
    return send_open_file(f, st, request.headers, media_type=content_type(real, path), headers=headers)


def send_thumbnail(ctx: IIBContext, thumbnails: ThumbnailCache, request: Request, path: str,
                   size: Optional[str]) -> Response:
    real = allowed(ctx, path)
    box = parse_box(size)
    st = stat_regular_file(real, path)
    etag = thumbnails.etag(real, st, box)
    headers = {"Cache-Control": f"max-age={ONE_YEAR}", "ETag": etag}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    thumb = thumbnails.get(real, st, box)
    headers.update({"Content-Type": thumb.media_type, "X-Content-Type-Options": "nosniff"})
    return Response(content=thumb.body, headers=headers)


def send_stream(ctx: IIBContext, request: Request, path: str) -> Response:
    real = allowed(ctx, path)
    f, st = open_regular_file(real, path)
    headers = {"Content-Encoding": "identity", "Access-Control-Expose-Headers": STREAM_EXPOSED_HEADERS}
    return send_open_file(f, st, request.headers, media_type=content_type(real, path), headers=headers,
                          validators=False)


def video_stat(real: str, path: str):
    st = stat_regular_file(real, path)
    if media_kind(real) != "video" and media_kind(path) != "video":
        raise BadInput(f"{path} is not a video file")
    return st


def pack(ctx: IIBContext, paths: List[str], compress: bool) -> Path:
    if len(paths) > MAX_ZIP_PATHS:
        raise TooLarge(f"Too many paths: {len(paths)} (at most {MAX_ZIP_PATHS} per archive)")
    if not paths:
        raise BadInput("No paths given.")
    reals = [allowed(ctx, p) for p in paths]  # every path is checked before any is read
    for real, shown in zip(reals, paths):
        try:
            stat_regular_file(real, shown)
        except (BadInput, NotFound):
            raise BadInput("The corresponding path must be a file.") from None
    archive = write_zip(reals, Path(ctx.settings.cache_dir) / ZIP_DIR, compress)
    prune_quietly(ctx.settings, areas=("zip_temp",))  # old archives go; this one is too young
    return archive


def send_archive(archive: Path, request: Request) -> Response:
    f, st = open_regular_file(str(archive), archive.name)
    return send_open_file(f, st, request.headers, media_type="application/zip",
                          headers={"Content-Disposition": content_disposition(archive.name)})


class ZipTickets:
    """Our addition (the UI's batch download): pack first, then let the browser fetch the
    finished archive with a plain GET, so it streams to disk through the browser's own
    download manager (progress, resume by Range) instead of being collected in page memory.
    A ticket is an unguessable name for one archive, valid while this app runs."""

    def __init__(self, size: int = MAX_ZIP_TICKETS) -> None:
        self.size = size
        self.archives: OrderedDict[str, Path] = OrderedDict()
        self.lock = threading.Lock()

    def issue(self, archive: Path) -> dict:
        ticket = secrets.token_urlsafe(18)
        with self.lock:
            self.archives[ticket] = archive
            while len(self.archives) > self.size:
                self.archives.popitem(last=False)
        return {"ticket": ticket, "name": archive.name, "bytes": archive.stat().st_size}

    def send(self, request: Request, ticket: str) -> Response:
        with self.lock:
            archive = self.archives.get(ticket)
        if archive is None:
            raise NotFound(EXPIRED_LINK)
        try:
            return send_archive(archive, request)
        except NotFound:
            raise NotFound(EXPIRED_LINK) from None


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]
    thumbnails = ThumbnailCache(ctx.settings.cache_dir)
    covers = VideoCoverCache(ctx.settings.cache_dir)
    tickets = ZipTickets()

    @router.get("/file")
    def get_file(request: Request, path: str, t: str, disposition: Optional[str] = None):
        return send_file(ctx, request, query_text(request, "path", path), t,
                         query_text(request, "disposition", disposition))

    @router.get("/image-thumbnail")
    def image_thumbnail(request: Request, path: str, t: str, size: Optional[str] = None):
        return send_thumbnail(ctx, thumbnails, request, query_text(request, "path", path), size)

    @router.get("/stream_video")
    def stream_video(request: Request, path: str):
        return send_stream(ctx, request, query_text(request, "path", path))

    @router.get("/video_cover")
    def video_cover(request: Request, path: str, mt: str):
        path = query_text(request, "path", path)
        real = allowed(ctx, path)
        cover = covers.get(real, video_stat(real, path))
        return Response(content=cover.body, media_type="image/webp",
                        headers={"Cache-Control": "no-store", "ETag": cover.etag})

    @router.post("/set_target_frame_as_video_cover", dependencies=writable)
    def set_video_cover(body: VideoCoverReq):
        real = allowed(ctx, body.path)
        raw = decode_client_image(body.base64_img)
        cover = covers.store(real, video_stat(real, body.path), raw)
        return Response(content=cover.body, media_type="image/webp", headers={"ETag": cover.etag})

    @router.post("/zip", dependencies=writable)
    def make_zip(request: Request, body: ZipReq):
        archive = pack(ctx, body.paths, body.compress)
        if body.pack_only:
            return None
        return send_archive(archive, request)

    @router.post("/zip_prepare", dependencies=writable)
    def zip_prepare(body: ZipPrepareReq):
        return tickets.issue(pack(ctx, body.paths, body.compress))

    @router.get("/zip_download")
    def zip_download(request: Request, ticket: str):
        return tickets.send(request, ticket)

    return router
