"""User-facing tag operations: custom tags, links to images, colours, the tag list by type."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.engine import Connection

from . import tags as tags_db
from .listing import escape_like
from .schema import CUSTOM_TAG_TYPE, image_tags, images, tags


def get_tag(conn: Connection, tag_id: int) -> Optional[dict]:
    row = conn.execute(select(tags).where(tags.c.id == tag_id)).mappings().first()
    return dict(row) if row else None


def create_custom(conn: Connection, name: str) -> dict:
    """The custom tag with this name, created if needed (idempotent)."""
    tag_id = tags_db.get_or_create_custom(conn, name)
    return get_tag(conn, tag_id)


def set_color(conn: Connection, tag_id: int, color: str) -> None:
    conn.execute(update(tags).where(tags.c.id == tag_id).values(color=color))


def delete_tag(conn: Connection, tag_id: int) -> None:
    conn.execute(delete(image_tags).where(image_tags.c.tag_id == tag_id))
    conn.execute(delete(tags).where(tags.c.id == tag_id))


def _bump(conn: Connection, tag_id: int, delta: int) -> None:
    if delta:
        conn.execute(update(tags).where(tags.c.id == tag_id).values(count=tags.c.count + delta))


def link(conn: Connection, image_ids: Sequence[int], tag_id: int) -> int:
    """Add the tag to these images (existing links are kept); returns how many were added."""
    have = set(_linked(conn, image_ids, tag_id))
    new = [i for i in dict.fromkeys(image_ids) if i not in have]
    if new:
        conn.execute(image_tags.insert(), [{"image_id": i, "tag_id": tag_id} for i in new])
        _bump(conn, tag_id, len(new))
    return len(new)


def unlink(conn: Connection, image_ids: Sequence[int], tag_id: int) -> int:
    have = list(_linked(conn, image_ids, tag_id))
    if have:
        conn.execute(delete(image_tags).where(image_tags.c.tag_id == tag_id, image_tags.c.image_id.in_(have)))
        _bump(conn, tag_id, -len(have))
    return len(have)


def _linked(conn: Connection, image_ids: Sequence[int], tag_id: int) -> List[int]:
    ids = list(dict.fromkeys(image_ids))
    out: List[int] = []
    for start in range(0, len(ids), 500):
        out.extend(r[0] for r in conn.execute(select(image_tags.c.image_id).where(
            image_tags.c.tag_id == tag_id, image_tags.c.image_id.in_(ids[start:start + 500]))))
    return out


def custom_tags_by_path(conn: Connection, paths: Sequence[str]) -> Dict[str, List[dict]]:
    """{path: [custom tag rows]} for indexed paths that carry custom tags."""
    out: Dict[str, List[dict]] = {}
    stmt = (select(images.c.path, tags).join(image_tags, image_tags.c.image_id == images.c.id)
            .join(tags, tags.c.id == image_tags.c.tag_id)
            .where(images.c.path.in_(bindparam("p", expanding=True)), tags.c.type == CUSTOM_TAG_TYPE)
            .order_by(tags.c.name))
    paths = list(paths)
    for start in range(0, len(paths), 500):
        for row in conn.execute(stmt, {"p": paths[start:start + 500]}).mappings():
            row = dict(row)
            out.setdefault(row.pop("path"), []).append(row)
    return out


def tags_for_listing(conn: Connection, pos_cap: int = 4096) -> List[dict]:
    """Every non-`pos` tag plus the `pos` tags with the highest counts (`/db/basic_info`)."""
    rest = conn.execute(select(tags).where(tags.c.type != "pos").order_by(tags.c.count.desc(), tags.c.id)).mappings()
    pos = conn.execute(select(tags).where(tags.c.type == "pos").order_by(tags.c.count.desc(), tags.c.id)
                       .limit(pos_cap)).mappings()
    return [dict(r) for r in rest] + [dict(r) for r in pos]


def rename_custom(conn: Connection, tag_id: int, name: str) -> Optional[dict]:
    """Give a custom tag a new name; None when `name` is taken by another custom tag."""
    clash = conn.execute(select(tags.c.id).where(
        tags.c.name == name, tags.c.type == CUSTOM_TAG_TYPE, tags.c.id != tag_id)).first()
    if clash is not None:
        return None
    conn.execute(update(tags).where(tags.c.id == tag_id).values(name=name))
    return get_tag(conn, tag_id)


def tag_groups(conn: Connection, *, query: str = "", types: Optional[Sequence[str]] = None,
               names: Optional[Sequence[str]] = None, limit: int = 50, offset: int = 0) -> List[dict]:
    """Tags grouped by type, most used first: [{type, total, tags: [rows]}].

    Each group holds at most `limit` tags from `offset` on, and `total` is how many the
    group has in all. `query` keeps tags whose name contains it (case-insensitive);
    `names` keeps exactly those names (the client's translation table maps a typed
    translation back to names). Auto tags no image carries any more are left out;
    custom tags are always listed.
    """
    conditions = [(tags.c.count > 0) | (tags.c.type == CUSTOM_TAG_TYPE)]
    if types:
        conditions.append(tags.c.type.in_(list(types)))
    matches = []
    if query:
        matches.append(func.lower(tags.c.name).like("%" + escape_like(query.lower()) + "%", escape="\\"))
    if names:
        matches.append(tags.c.name.in_(list(names)))
    if matches:
        conditions.append(matches[0] if len(matches) == 1 else (matches[0] | matches[1]))
    order = (tags.c.count.desc(), tags.c.name, tags.c.id)
    if matches:
        # A name filter has to look at every name anyway: one pass that numbers the matches
        # within their type beats reading the rows of each type once per type.
        ranked = select(
            tags,
            func.row_number().over(partition_by=tags.c.type, order_by=order).label("rank"),
            func.count().over(partition_by=tags.c.type).label("total"),
        ).where(*conditions).subquery()
        rows = conn.execute(select(ranked).where(ranked.c.rank > offset, ranked.c.rank <= offset + limit)
                            .order_by(ranked.c.type, ranked.c.rank)).mappings()
        groups: Dict[str, dict] = {}
        for row in rows:
            row = dict(row)
            del row["rank"]
            total = row.pop("total")
            groups.setdefault(row["type"], {"type": row["type"], "total": total, "tags": []})["tags"].append(row)
        totals = conn.execute(select(tags.c.type, func.count()).where(*conditions).group_by(tags.c.type)).all() \
            if offset else []
        for type_, total in totals:  # a group whose matches all lie before `offset`
            groups.setdefault(type_, {"type": type_, "total": total, "tags": []})
        return sorted(groups.values(), key=lambda g: g["type"])
    totals = conn.execute(select(tags.c.type, func.count()).where(*conditions).group_by(tags.c.type)).all()
    out = []
    for type_, total in totals:
        rows = conn.execute(select(tags).where(*conditions, tags.c.type == type_)
                            .order_by(*order).limit(limit).offset(offset)).mappings()
        out.append({"type": type_, "total": total, "tags": [dict(r) for r in rows]})
    return out
