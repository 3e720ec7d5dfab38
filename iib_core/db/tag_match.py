"""Images by tag sets: all of `and_tags`, any of `or_tags`, none of `not_tags` (docs/api.md, "Index")."""
from __future__ import annotations

from typing import Optional, Sequence

from sqlalchemy import exists, func, select
from sqlalchemy.engine import Connection

from .listing import LIST_COLUMNS, SearchPage, decode_cursor, folder_filter, older_than, page_of
from .schema import image_tags, images


def _with_tag(tag_ids: Sequence[int]):
    return images.c.id.in_(select(image_tags.c.image_id).where(image_tags.c.tag_id.in_(list(tag_ids))))


def match_images(
    conn: Connection,
    and_tags: Sequence[int] = (),
    or_tags: Sequence[int] = (),
    not_tags: Sequence[int] = (),
    *,
    folder_paths: Sequence[str] = (),
    limit: int = 200,
    cursor: str = "",
    random_sort: bool = False,
    min_rating: Optional[int] = None,
) -> SearchPage:
    """`min_rating` (1..5) keeps only images rated at least that many stars."""
    conditions = [_with_tag([t]) for t in dict.fromkeys(and_tags)]
    if or_tags:
        conditions.append(_with_tag(list(dict.fromkeys(or_tags))))
    if not_tags:
        conditions.append(~_with_tag(list(dict.fromkeys(not_tags))))
    if not (and_tags or or_tags or not_tags):
        conditions.append(exists().where(image_tags.c.image_id == images.c.id))
    if folder_paths:
        conditions.append(folder_filter(folder_paths))
    if min_rating:
        conditions.append(images.c.rating >= int(min_rating))
    if random_sort:
        offset = int(cursor) if cursor else 0
        if not 0 <= offset < 2**62:
            raise ValueError("offset out of range")
        stmt = select(*LIST_COLUMNS).where(*conditions).order_by(func.random()).limit(limit).offset(offset)
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        return SearchPage(rows, str(offset + len(rows)) if len(rows) == limit else "")
    after = decode_cursor(cursor)
    if after is not None:
        conditions.append(older_than(*after))
    stmt = (select(*LIST_COLUMNS).where(*conditions)
            .order_by(images.c.mtime.desc(), images.c.id.desc()).limit(limit + 1))
    rows = [dict(r) for r in conn.execute(stmt).mappings()]
    return page_of(rows, limit)
