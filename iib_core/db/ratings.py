"""Star ratings (0..5; none stored as NULL) of indexed images, by id or by path."""
from __future__ import annotations

from typing import Dict, Optional, Sequence

from sqlalchemy import bindparam, select, update
from sqlalchemy.engine import Connection

from .schema import images


def ratings_of(conn: Connection, ids: Sequence[int]) -> Dict[int, int]:
    out: Dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start:start + 500])
        for id_, rating in conn.execute(
            select(images.c.id, images.c.rating).where(images.c.id.in_(chunk), images.c.rating.is_not(None))
        ):
            out[id_] = rating
    return out


def set_ratings(conn: Connection, ratings: Dict[int, Optional[int]]) -> None:
    if ratings:
        conn.execute(
            update(images).where(images.c.id == bindparam("b_id")).values(rating=bindparam("b_rating")),
            [{"b_id": k, "b_rating": v} for k, v in ratings.items()],
        )


def set_rating(conn: Connection, image_id: int, rating: Optional[int]) -> None:
    conn.execute(update(images).where(images.c.id == image_id).values(rating=rating))


def ratings_by_path(conn: Connection, paths: Sequence[str]) -> Dict[str, Optional[int]]:
    out: Dict[str, Optional[int]] = {}
    stmt = select(images.c.path, images.c.rating).where(images.c.path.in_(bindparam("p", expanding=True)))
    paths = list(paths)
    for start in range(0, len(paths), 500):
        out.update(conn.execute(stmt, {"p": paths[start:start + 500]}).all())
    return out
