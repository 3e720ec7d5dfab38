"""The `extra_paths` table: folders the user added (scanned, walk, scanned-fixed) with aliases."""
from __future__ import annotations

from typing import List

from sqlalchemy import select
from sqlalchemy.engine import Connection

from .schema import extra_paths

VALID_TYPES = ("scanned", "walk", "scanned-fixed")


def list_all(conn: Connection) -> List[dict]:
    return [
        {"path": p, "types": [t for t in types.split(",") if t], "alias": alias}
        for p, types, alias in conn.execute(select(extra_paths.c.path, extra_paths.c.types, extra_paths.c.alias)
                                            .order_by(extra_paths.c.path))
    ]


def add(conn: Connection, path: str, types: List[str]) -> None:
    """Store `path` with `types`, merging with the types it already has."""
    row = conn.execute(select(extra_paths.c.types).where(extra_paths.c.path == path)).first()
    if row is None:
        conn.execute(extra_paths.insert().values(path=path, types=",".join(sorted(set(types))), alias=""))
    else:
        merged = sorted(set(t for t in row[0].split(",") if t) | set(types))
        conn.execute(extra_paths.update().where(extra_paths.c.path == path).values(types=",".join(merged)))


def remove_types(conn: Connection, path: str, types: List[str]) -> bool:
    """Remove these types; the entry goes when none remain. False when the path is unknown."""
    row = conn.execute(select(extra_paths.c.types).where(extra_paths.c.path == path)).first()
    if row is None:
        return False
    left = sorted(set(t for t in row[0].split(",") if t) - set(types))
    if left:
        conn.execute(extra_paths.update().where(extra_paths.c.path == path).values(types=",".join(left)))
    else:
        conn.execute(extra_paths.delete().where(extra_paths.c.path == path))
    return True


def set_alias(conn: Connection, path: str, alias: str) -> bool:
    return conn.execute(extra_paths.update().where(extra_paths.c.path == path).values(alias=alias)).rowcount > 0


def get(conn: Connection, path: str):
    row = conn.execute(select(extra_paths.c.path, extra_paths.c.types, extra_paths.c.alias)
                       .where(extra_paths.c.path == path)).first()
    if row is None:
        return None
    return {"path": row[0], "types": [t for t in row[1].split(",") if t], "alias": row[2]}
