"""Tag routes and star ratings (docs/api.md, "Tags and ratings")."""
from __future__ import annotations

import os
import re
import unicodedata
from typing import List, Optional, Union

from fastapi import APIRouter, Depends
from pydantic import BaseModel
from starlette.requests import Request

from ..db import custom_tags as custom_tags_db
from ..db import images as images_db
from ..db import ratings as ratings_db
from ..errors import BadInput, Conflict, NotFound
from ..indexer import IndexJob, extract_options
from ..indexer.scan import media_type_by_extension
from ..security import normalize_path
from .app_routes import tag_out
from .compat import DbId
from .context import IIBContext
from .deps import secret_guard, write_guard
from .wire import query_text

NOT_IN_SCAN_PATH = ("The current file is not within the scan path. You can add it to the scan path and try "
                    "again. In the top right corner, click on \"More\".")
NEED_INDEX = "You need to generate an index through the image search page first."


class TagName(BaseModel):
    tag_name: str


class TagUpdate(BaseModel):
    id: DbId
    color: str = ""


class TagId(BaseModel):
    tag_id: DbId


class ToggleBody(BaseModel):
    img_path: str
    tag_id: DbId


class BatchTagBody(BaseModel):
    img_paths: List[str]
    action: str
    tag_id: DbId


class RemoveFromImage(BaseModel):
    img_id: DbId
    tag_id: Union[str, int]


class PathsBody(BaseModel):
    paths: List[str]


class RenameBody(BaseModel):
    tag_id: DbId
    name: str


class TagGroupsBody(BaseModel):
    query: str = ""
    types: Optional[List[str]] = None
    names: Optional[List[str]] = None
    limit: int = 50
    offset: int = 0


MAX_GROUP_PAGE = 1000
MAX_NAMES = 1000


class RatingBody(BaseModel):
    path: str
    rating: Optional[int] = None


def valid_tag_name(name: str) -> bool:
    """The original's rules: a CJK-first name has at most 12 characters; any other name is
    refused only when it has more than 8 words and more than 40 characters."""
    name = name.strip()
    if not name or len(name) > 255 or "\x00" in name:
        return False
    if unicodedata.name(name[0], "").startswith("CJK"):
        return len(name) <= 12
    return not (len(re.split(r"\s+", name)) > 8 and len(name) > 40)


def indexed_ids(ctx: IIBContext, paths: List[str]) -> dict:
    """{given path: image id}, indexing files (or their folders) that are not in the index yet."""
    normalized = {raw: checked_media_path(ctx, raw) for raw in paths}
    with ctx.db.read() as conn:
        if images_db.count(conn) == 0:
            raise BadInput(NEED_INDEX)
        ids = images_db.ids_by_path(conn, list(normalized.values()))
    missing = sorted({os.path.dirname(p) for p in normalized.values() if p not in ids})
    if missing:
        IndexJob(ctx.db, missing, exclude=[str(ctx.settings.cache_dir)],
                 options=extract_options(ctx.settings), workers=1).run()
        with ctx.db.read() as conn:
            ids = images_db.ids_by_path(conn, list(normalized.values()))
    out = {}
    for raw, stored in normalized.items():
        if stored not in ids:
            raise NotFound(f"{raw} could not be indexed")
        out[raw] = ids[stored]
    return out


def checked_media_path(ctx: IIBContext, raw: str) -> str:
    """The path as the index stores it, once the policy allows it and it names a media file
    inside the scanned roots."""
    real = ctx.policy.check(raw, base=ctx.sd_cwd)
    stored = normalize_path(raw if os.path.isabs(raw) else os.path.join(ctx.sd_cwd, raw))
    if not ctx.policy.under_roots(real):
        raise BadInput(NOT_IN_SCAN_PATH)
    if not os.path.isfile(real) or media_type_by_extension(real) is None:
        raise NotFound(f"{raw} is not a media file")
    return stored


def custom_tag(ctx: IIBContext, tag_id: int) -> dict:
    with ctx.db.read() as conn:
        tag = custom_tags_db.get_tag(conn, tag_id)
    if tag is None:
        raise NotFound(f"no tag with id {tag_id}")
    return tag


def create_tag(ctx: IIBContext, body: TagName) -> dict:
    if not valid_tag_name(body.tag_name):
        raise BadInput("Invalid tag name")
    with ctx.db.write() as conn:
        return tag_out(custom_tags_db.create_custom(conn, body.tag_name.strip()))


def set_color(ctx: IIBContext, body: TagUpdate) -> None:
    with ctx.db.write() as conn:
        custom_tags_db.set_color(conn, body.id, body.color)


def delete_tag(ctx: IIBContext, body: TagId) -> None:
    with ctx.db.write() as conn:
        custom_tags_db.delete_tag(conn, body.tag_id)


def tags_by_path(ctx: IIBContext, paths: List[str]) -> dict:
    with ctx.db.read() as conn:
        found = custom_tags_db.custom_tags_by_path(conn, paths)
    return {p: [tag_out(t) for t in tags] for p, tags in found.items()}


def ratings_of(ctx: IIBContext, paths: List[str]) -> dict:
    with ctx.db.read() as conn:
        return ratings_db.ratings_by_path(conn, paths)


def rename_tag(ctx: IIBContext, body: RenameBody) -> dict:
    name = body.name.strip()
    if not valid_tag_name(name):
        raise BadInput("Invalid tag name")
    tag = custom_tag(ctx, body.tag_id)
    if tag["type"] != "custom":
        raise BadInput("only custom tags can be renamed")
    with ctx.db.write() as conn:
        renamed = custom_tags_db.rename_custom(conn, body.tag_id, name)
    if renamed is None:
        raise Conflict(f"a tag named {name!r} exists already")
    return tag_out(renamed)


def check_group_request(body: TagGroupsBody) -> None:
    if not 1 <= body.limit <= MAX_GROUP_PAGE:
        raise BadInput(f"limit must be between 1 and {MAX_GROUP_PAGE}")
    if not 0 <= body.offset < 2**62:
        raise BadInput("offset must not be negative")
    if body.names is not None and len(body.names) > MAX_NAMES:
        raise BadInput(f"at most {MAX_NAMES} names")
    if body.types is not None and len(body.types) > 100:
        raise BadInput("at most 100 types")
    if len(body.query) > 255:
        raise BadInput("query longer than 255 characters")


def groups_of(ctx: IIBContext, body: TagGroupsBody) -> dict:
    check_group_request(body)
    # No tag holds a NUL character (PostgreSQL text cannot): such entries match nothing.
    query = body.query.replace("\x00", "\ufffd").strip()
    names = [n for n in body.names if "\x00" not in n] if body.names else None
    types = [x for x in body.types if "\x00" not in x] if body.types else None
    if body.types and not types:
        return {"groups": []}
    if body.names and not names and not query:
        return {"groups": []}
    with ctx.db.read() as conn:
        groups = custom_tags_db.tag_groups(conn, query=query, types=types, names=names,
                                           limit=body.limit, offset=body.offset)
    return {"groups": [{"type": g["type"], "total": g["total"], "tags": [tag_out(t) for t in g["tags"]]}
                       for g in groups]}


def toggle_tag(ctx: IIBContext, body: ToggleBody) -> dict:
    image_id = indexed_ids(ctx, [body.img_path])[body.img_path]
    custom_tag(ctx, body.tag_id)
    with ctx.db.write() as conn:
        if custom_tags_db.unlink(conn, [image_id], body.tag_id):
            return {"is_remove": 1}
        custom_tags_db.link(conn, [image_id], body.tag_id)
    return {"is_remove": 0}


def batch_tag(ctx: IIBContext, body: BatchTagBody) -> None:
    if body.action not in ("add", "remove"):
        raise BadInput("action must be 'add' or 'remove'")
    ids = indexed_ids(ctx, body.img_paths)
    custom_tag(ctx, body.tag_id)
    with ctx.db.write() as conn:
        if body.action == "add":
            custom_tags_db.link(conn, list(ids.values()), body.tag_id)
        else:
            custom_tags_db.unlink(conn, list(ids.values()), body.tag_id)


def untag_image(ctx: IIBContext, body: RemoveFromImage) -> None:
    try:
        tag_id = int(body.tag_id)
    except ValueError:
        raise BadInput("tag_id must be a number") from None
    if not -(2**63) <= tag_id < 2**63:
        raise BadInput("tag_id is out of range")
    with ctx.db.write() as conn:
        custom_tags_db.unlink(conn, [body.img_id], tag_id)


def selected_tags(ctx: IIBContext, path: str) -> List[dict]:
    try:
        indexed_ids(ctx, [path])
    except (BadInput, NotFound):
        return []
    with ctx.db.read() as conn:
        stored = custom_tags_db.custom_tags_by_path(conn, [normalize_path(path)])
    return [tag_out(t) for t in stored.get(normalize_path(path), [])]


def rate(ctx: IIBContext, body: RatingBody) -> dict:
    if body.rating is not None and not 0 <= body.rating <= 5:
        raise BadInput("rating must be 0 to 5, or null to clear it")
    image_id = indexed_ids(ctx, [body.path])[body.path]
    with ctx.db.write() as conn:
        ratings_db.set_rating(conn, image_id, body.rating or None)
    return {"path": body.path, "rating": body.rating or None}


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]

    @router.post("/db/add_custom_tag", dependencies=writable)
    def add_custom_tag(body: TagName):
        return create_tag(ctx, body)

    @router.post("/db/update_tag", dependencies=writable)
    def update_tag(body: TagUpdate):
        return set_color(ctx, body)

    @router.post("/db/rename_custom_tag", dependencies=writable)
    def rename_custom_tag(body: RenameBody):
        """Rename a custom tag (our addition); its image links stay."""
        return rename_tag(ctx, body)

    @router.post("/db/tag_groups")
    def tag_groups(body: TagGroupsBody):
        """Tags by type with their counts, most used first, paged per type (our addition:
        /db/basic_info sends every tag at once)."""
        return groups_of(ctx, body)

    @router.post("/db/remove_custom_tag", dependencies=writable)
    def remove_custom_tag(body: TagId):
        return delete_tag(ctx, body)

    @router.post("/db/toggle_custom_tag_to_img", dependencies=writable)
    def toggle(body: ToggleBody):
        return toggle_tag(ctx, body)

    @router.post("/db/batch_update_image_tag", dependencies=writable)
    def batch_update(body: BatchTagBody):
        return batch_tag(ctx, body)

    @router.post("/db/remove_custom_tag_from_img", dependencies=writable)
    def remove_from_image(body: RemoveFromImage):
        return untag_image(ctx, body)

    @router.post("/db/get_image_tags")
    def get_image_tags(body: PathsBody):
        return tags_by_path(ctx, body.paths)

    @router.get("/db/img_selected_custom_tag")
    def img_selected_custom_tag(request: Request, path: str):
        return selected_tags(ctx, query_text(request, "path", path))

    @router.post("/db/set_rating", dependencies=writable)
    def set_rating(body: RatingBody):
        return rate(ctx, body)

    @router.post("/db/get_ratings")
    def get_ratings(body: PathsBody):
        return ratings_of(ctx, body.paths)

    return router
