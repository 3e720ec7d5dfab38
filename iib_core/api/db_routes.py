"""Index routes (docs/api.md, "Index"): status, index jobs, search, tag match, random images."""
from __future__ import annotations

from typing import Any, List, Optional, Tuple

import regex
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from ..db import custom_tags as custom_tags_db
from ..db import images as images_db
from ..db import listing, maintenance, regex_scan, tag_match
from ..errors import BadInput
from .app_routes import tag_out
from .compat import DbId
from .context import IIBContext
from .deps import secret_guard, write_guard
from .scope import empty_page, expired_dirs, folder_scope, media_filter, page_size, search_folders, visible_rows

MAX_REGEX_LENGTH = 1000
REGEX_TIME_BUDGET = 3.0  # seconds of matching per request
REGEX_SCAN_CAP = 50_000  # rows examined per request; the cursor continues from there


class IndexRequest(BaseModel):
    background: bool = False


class SearchBody(BaseModel):
    surstr: str = ""
    cursor: str = ""
    regexp: str = ""
    folder_paths: Optional[List[str]] = None
    size: int = 200
    path_only: bool = False
    media_type: Optional[str] = None
    # "substr" (default, the original behaviour) or "query": the query language (README).
    syntax: str = "substr"


class TagMatchBody(BaseModel):
    and_tags: List[DbId] = []
    or_tags: List[DbId] = []
    not_tags: List[DbId] = []
    cursor: str = ""
    folder_paths: Optional[List[str]] = None
    size: int = 200
    random_sort: bool = False
    # Only images rated at least this many stars (1..5); null or 0: any rating (tags feature).
    min_rating: Optional[int] = None


def basic_info_of(ctx: IIBContext) -> dict:
    with ctx.db.read() as conn:
        count = images_db.count(conn)
        tags = [tag_out(t) for t in custom_tags_db.tags_for_listing(conn)]
    dirs = expired_dirs(ctx)
    return {"img_count": count, "tags": tags, "expired": bool(dirs), "expired_dirs": dirs}


def run_index(ctx: IIBContext, body: Optional[IndexRequest], rebuild: bool) -> Optional[dict]:
    ctx.stored_extra_paths(refresh=True)
    if rebuild:
        if ctx.jobs.running():
            raise BadInput("an index run is in progress; try again when it has finished")
        with ctx.db.write() as conn:
            maintenance.prepare_rebuild(conn)
    ctx.jobs.start()  # joins the running job when there is one
    if body is None or not body.background:
        ctx.jobs.wait()
        status = ctx.jobs.status()
        if status.get("state") == "error":
            raise BadInput(f"indexing failed: {status.get('error')}")
        return None
    return ctx.jobs.status()


def random_sample(ctx: IIBContext) -> List[dict]:
    with ctx.db.read() as conn:
        rows = listing.random_images(conn, 128, folder_paths=ctx.index_roots() if ctx.access_control else ())
    return visible_rows(ctx, rows)


def regex_search(ctx: IIBContext, body: SearchBody, folders: List[str], media: Optional[str],
                 size: int) -> Tuple[List[Any], str]:
    if len(body.regexp) > MAX_REGEX_LENGTH:
        raise BadInput(f"regular expression longer than {MAX_REGEX_LENGTH} characters")
    try:
        compiled = regex.compile(body.regexp, regex.IGNORECASE | regex.MULTILINE | regex.DOTALL)
    except regex.error as exc:
        raise BadInput(f"invalid regular expression: {exc}") from None
    try:
        with ctx.db.read() as conn:  # one snapshot for the whole scan
            return regex_scan.scan(conn, compiled, folder_paths=folders, media_type=media, size=size,
                                   cursor=body.cursor, path_only=body.path_only, budget=REGEX_TIME_BUDGET,
                                   cap=REGEX_SCAN_CAP)
    except regex_scan.RegexTooSlow:
        raise BadInput("the regular expression took too long; make it more specific") from None


def text_search(ctx: IIBContext, body: SearchBody, folders: List[str], media: Optional[str],
                size: int) -> Tuple[List[Any], str]:
    from ..db.query import search_images, search_text

    if body.syntax == "query":
        page = search_images(ctx.db, body.surstr, folder_paths=folders, media_type=media, limit=size,
                             cursor=body.cursor)
    elif body.syntax == "substr":
        page = search_text(ctx.db, body.surstr, folder_paths=folders, media_type=media,
                           path_only=body.path_only, limit=size, cursor=body.cursor)
    else:
        raise BadInput("syntax must be 'substr' or 'query'")
    return page.rows, page.next_cursor


def search(ctx: IIBContext, body: SearchBody) -> dict:
    size = page_size(body.size)
    media = media_filter(body.media_type)
    scope = folder_scope(ctx, body.folder_paths)
    if scope == []:
        return empty_page()
    folders = search_folders(ctx, scope)
    try:
        if body.regexp:
            rows, nxt = regex_search(ctx, body, folders, media, size)
        else:
            rows, nxt = text_search(ctx, body, folders, media, size)
    except ValueError as exc:
        raise BadInput(f"invalid cursor: {exc}") from None
    return {"files": visible_rows(ctx, rows), "cursor": {"has_next": bool(nxt), "next": nxt}}


def match_by_tags(ctx: IIBContext, body: TagMatchBody) -> dict:
    size = page_size(body.size)
    if body.min_rating is not None and not 0 <= body.min_rating <= 5:
        raise BadInput("min_rating must be 0 to 5")
    scope = folder_scope(ctx, body.folder_paths)
    if scope == []:
        return empty_page()
    try:
        with ctx.db.read() as conn:
            page = tag_match.match_images(conn, body.and_tags, body.or_tags, body.not_tags,
                                          folder_paths=search_folders(ctx, scope), limit=size, cursor=body.cursor,
                                          random_sort=body.random_sort, min_rating=body.min_rating or None)
    except ValueError as exc:
        raise BadInput(f"invalid cursor: {exc}") from None
    return {"files": visible_rows(ctx, page.rows), "cursor": {"has_next": bool(page.next_cursor),
                                                                "next": page.next_cursor}}


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]

    @router.get("/db/basic_info")
    def basic_info():
        return basic_info_of(ctx)

    @router.get("/db/expired_dirs")
    def get_expired_dirs():
        dirs = expired_dirs(ctx)
        return {"expired": bool(dirs), "expired_dirs": dirs}

    @router.post("/db/update_image_data")
    def update_image_data(body: Optional[IndexRequest] = None):
        return run_index(ctx, body, rebuild=False)

    @router.post("/db/rebuild_index", dependencies=writable)
    def rebuild_index(body: Optional[IndexRequest] = None):
        return run_index(ctx, body, rebuild=True)

    @router.get("/db/index_status")
    def index_status():
        return ctx.jobs.status()

    @router.get("/db/random_images")
    def random_images():
        return random_sample(ctx)

    @router.post("/db/search_by_substr")
    def search_by_substr(body: SearchBody):
        return search(ctx, body)

    @router.post("/db/match_images_by_tags")
    def match_images_by_tags(body: TagMatchBody):
        return match_by_tags(ctx, body)

    return router
