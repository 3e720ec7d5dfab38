"""Whole-index operations."""
from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from .schema import CUSTOM_TAG_TYPE, folders, image_tags, images, tags


def prepare_rebuild(conn: Connection) -> None:
    """Drop every auto tag and its links, forget folder states and make every file look
    changed, so the next index run re-reads all files. Custom tags, ratings and ids stay."""
    auto = select(tags.c.id).where(tags.c.type != CUSTOM_TAG_TYPE)
    conn.execute(delete(image_tags).where(image_tags.c.tag_id.in_(auto)))
    conn.execute(delete(tags).where(tags.c.type != CUSTOM_TAG_TYPE))
    conn.execute(delete(folders))
    conn.execute(update(images).values(size=-1))
