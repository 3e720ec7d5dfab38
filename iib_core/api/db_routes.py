"""Index routes (docs/api.md, "Index"): status, index jobs, search, tag match, random images."""
from __future__ import annotations

import os
import time
from typing import List, Optional

import regex
from fastapi import APIRouter, Depends
from pydantic import BaseModel

from ..db import custom_tags as custom_tags_db
from ..db import folders as folders_db
from ..db import images as images_db
from ..db import listing, maintenance, tag_match
from ..errors import BadInput
from .app_routes import tag_out
from .compat import DbId
from .context import IIBContext
from .deps import secret_guard, write_guard
from .shapes import indexed_file

MAX_PAGE = 10_000
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


def build(ctx: IIBContext) -> APIRouter:  # noqa: C901
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]

    def expired_dirs() -> List[str]:
        out: List[str] = []
        with ctx.db.read() as conn:
            states = folders_db.all_states(conn)
        for root in ctx.index_roots():
            if root not in states:
                out.append(root)
        for path, (mtime, _count) in states.items():
            try:
                if os.stat(path).st_mtime != mtime:
                    out.append(path)
            except OSError:
                out.append(path)
        return list(dict.fromkeys(out))

    def folder_scope(folder_paths: Optional[List[str]]) -> Optional[List[str]]:
        """None means all roots; [] after dropping missing entries means nothing matches."""
        if not folder_paths:
            return None
        out = []
        for raw in folder_paths:
            raw = (raw or "").strip()
            if not raw:
                continue
            real = ctx.policy.check(raw, base=ctx.sd_cwd, navigate=True)
            if os.path.isdir(real):
                absolute = raw if os.path.isabs(raw) else os.path.join(ctx.sd_cwd, raw)
                out.append(os.path.normpath(os.path.abspath(absolute)))
        return out

    def visible(rows: List[dict]) -> List[dict]:
        """Rows the client may see (access control) whose files still exist."""
        if not ctx.policy.enabled:  # resolving symlinks costs several system calls per row
            return [indexed_file(r) for r in rows if os.path.exists(r["path"])]
        return [indexed_file(r) for r in rows if ctx.policy.may_read(os.path.realpath(r["path"]))
                and os.path.exists(r["path"])]

    def page_size(size: int) -> int:
        if size < 1 or size > MAX_PAGE:
            raise BadInput(f"size must be between 1 and {MAX_PAGE}")
        return size

    def media_filter(value: Optional[str]) -> Optional[str]:
        if value in (None, "", "all"):
            return None
        if value not in ("image", "video", "audio"):
            raise BadInput("media_type must be one of: all, image, video, audio")
        return value

    @router.get("/db/basic_info")
    def basic_info():
        with ctx.db.read() as conn:
            count = images_db.count(conn)
            tags = [tag_out(t) for t in custom_tags_db.tags_for_listing(conn)]
        dirs = expired_dirs()
        return {"img_count": count, "tags": tags, "expired": bool(dirs), "expired_dirs": dirs}

    @router.get("/db/expired_dirs")
    def get_expired_dirs():
        dirs = expired_dirs()
        return {"expired": bool(dirs), "expired_dirs": dirs}

    def run_index(body: Optional[IndexRequest], rebuild: bool):
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

    @router.post("/db/update_image_data")
    def update_image_data(body: Optional[IndexRequest] = None):
        return run_index(body, rebuild=False)

    @router.post("/db/rebuild_index", dependencies=writable)
    def rebuild_index(body: Optional[IndexRequest] = None):
        return run_index(body, rebuild=True)

    @router.get("/db/index_status")
    def index_status():
        return ctx.jobs.status()

    @router.get("/db/random_images")
    def random_images():
        with ctx.db.read() as conn:
            rows = listing.random_images(conn, 128, folder_paths=ctx.index_roots() if ctx.access_control else ())
        return visible(rows)

    @router.post("/db/search_by_substr")
    def search_by_substr(body: SearchBody):
        size = page_size(body.size)
        media = media_filter(body.media_type)
        scope = folder_scope(body.folder_paths)
        if scope == []:
            return {"files": [], "cursor": {"has_next": False, "next": ""}}
        folders = scope or (ctx.index_roots() if ctx.access_control else [])
        try:
            if body.regexp:
                rows, nxt = regex_search(body.regexp, folders, media, size, body.cursor, body.path_only)
            elif body.syntax == "query":
                from ..db.query import search_images

                page = search_images(ctx.db, body.surstr, folder_paths=folders, media_type=media, limit=size,
                                     cursor=body.cursor)
                rows, nxt = page.rows, page.next_cursor
            elif body.syntax == "substr":
                from ..db.query import search_text

                page = search_text(ctx.db, body.surstr, folder_paths=folders, media_type=media,
                                   path_only=body.path_only, limit=size, cursor=body.cursor)
                rows, nxt = page.rows, page.next_cursor
            else:
                raise BadInput("syntax must be 'substr' or 'query'")
        except ValueError as exc:
            raise BadInput(f"invalid cursor: {exc}") from None
        return {"files": visible(rows), "cursor": {"has_next": bool(nxt), "next": nxt}}

    def regex_search(pattern: str, folders, media, size, cursor, path_only):
        if len(pattern) > MAX_REGEX_LENGTH:
            raise BadInput(f"regular expression longer than {MAX_REGEX_LENGTH} characters")
        try:
            compiled = regex.compile(pattern, regex.IGNORECASE | regex.MULTILINE | regex.DOTALL)
        except regex.error as exc:
            raise BadInput(f"invalid regular expression: {exc}") from None
        after = listing.decode_cursor(cursor)
        deadline = time.monotonic() + REGEX_TIME_BUDGET
        found: List[dict] = []
        scanned = 0
        with ctx.db.read() as conn:  # one snapshot for the whole scan
            for chunk in listing.rows_newest_first(conn, folder_paths=folders or (), media_type=media,
                                                   after=after):
                for row in chunk:
                    scanned += 1
                    texts = [row["path"]] if path_only else [row["path"], row["positive"], row["negative"],
                                                             row["params_text"]]
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise BadInput("the regular expression took too long; make it more specific")
                    try:
                        hit = any(t and compiled.search(t, timeout=remaining) for t in texts)
                    except TimeoutError:
                        raise BadInput("the regular expression took too long; make it more specific") from None
                    if hit:
                        found.append(row)
                        if len(found) == size:
                            return found, listing.encode_cursor(row["mtime"], row["id"])
                    if scanned >= REGEX_SCAN_CAP:
                        return found, listing.encode_cursor(row["mtime"], row["id"])
        return found, ""

    @router.post("/db/match_images_by_tags")
    def match_images_by_tags(body: TagMatchBody):
        size = page_size(body.size)
        if body.min_rating is not None and not 0 <= body.min_rating <= 5:
            raise BadInput("min_rating must be 0 to 5")
        scope = folder_scope(body.folder_paths)
        if scope == []:
            return {"files": [], "cursor": {"has_next": False, "next": ""}}
        folders = scope or (ctx.index_roots() if ctx.access_control else [])
        try:
            with ctx.db.read() as conn:
                page = tag_match.match_images(conn, body.and_tags, body.or_tags, body.not_tags,
                                              folder_paths=folders, limit=size, cursor=body.cursor,
                                              random_sort=body.random_sort, min_rating=body.min_rating or None)
        except ValueError as exc:
            raise BadInput(f"invalid cursor: {exc}") from None
        return {"files": visible(page.rows), "cursor": {"has_next": bool(page.next_cursor),
                                                         "next": page.next_cursor}}

    return router
