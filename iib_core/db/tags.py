"""Queries on `tags` and `image_tags`.

Auto tags (every type but `custom`) are owned by the indexer and replaced whenever a
file is re-read; custom tags belong to the user and survive re-indexing and moves.
`count` is kept current in the same transaction as the links it counts.
"""
from __future__ import annotations

from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from .schema import CUSTOM_TAG_TYPE, image_tags, tags

TagKey = Tuple[str, str]  # (name, type)


def _insert_ignoring_conflicts(conn: Connection, table):
    if conn.dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


class TagIds:
    """A cache of (name, type) -> id, filled from the database and grown on demand."""

    def __init__(self) -> None:
        self._ids: Dict[TagKey, int] = {}
        self._loaded = False

    def resolve(self, conn: Connection, keys: Iterable[TagKey]) -> Dict[TagKey, int]:
        if not self._loaded:
            for id_, name, type_ in conn.execute(select(tags.c.id, tags.c.name, tags.c.type)):
                self._ids[(name, type_)] = id_
            self._loaded = True
        missing = sorted({k for k in keys if k not in self._ids})
        if missing:
            conn.execute(
                _insert_ignoring_conflicts(conn, tags),
                [{"name": n, "type": t, "color": "", "count": 0} for n, t in missing],
            )
            wanted = select(tags.c.id, tags.c.name, tags.c.type).where(
                tags.c.name.in_(bindparam("names", expanding=True))
            )
            names = sorted({n for n, _ in missing})
            for start in range(0, len(names), 500):
                for id_, name, type_ in conn.execute(wanted, {"names": names[start:start + 500]}):
                    self._ids[(name, type_)] = id_
        return self._ids

    def forget(self) -> None:
        """Drop the cache (after a rollback, ids handed out may not exist)."""
        self._ids.clear()
        self._loaded = False


def _apply_count_deltas(conn: Connection, deltas: Counter) -> None:
    changes = [{"b_id": k, "b_d": v} for k, v in deltas.items() if v]
    if changes:
        conn.execute(
            update(tags).where(tags.c.id == bindparam("b_id")).values(count=tags.c.count + bindparam("b_d")),
            changes,
        )


def auto_links_of(conn: Connection, image_ids: Sequence[int]) -> List[Tuple[int, int]]:
    """(image_id, tag_id) links of non-custom tags of these images."""
    out: List[Tuple[int, int]] = []
    stmt = (
        select(image_tags.c.image_id, image_tags.c.tag_id)
        .join(tags, tags.c.id == image_tags.c.tag_id)
        .where(image_tags.c.image_id.in_(bindparam("ids", expanding=True)), tags.c.type != CUSTOM_TAG_TYPE)
    )
    for start in range(0, len(image_ids), 500):
        out.extend(tuple(r) for r in conn.execute(stmt, {"ids": list(image_ids[start:start + 500])}))
    return out


def replace_auto_links(conn: Connection, image_ids: Sequence[int], new_links: List[Tuple[int, int]]) -> None:
    """Replace the auto-tag links of `image_ids` by `new_links`, keeping counts current."""
    deltas: Counter = Counter()
    old = auto_links_of(conn, image_ids) if image_ids else []
    if old:
        for _, tag_id in old:
            deltas[tag_id] -= 1
        conn.execute(
            delete(image_tags).where(
                image_tags.c.image_id == bindparam("b_image"), image_tags.c.tag_id == bindparam("b_tag")
            ),
            [{"b_image": i, "b_tag": t} for i, t in old],
        )
    add_links(conn, new_links, deltas)


def add_links(conn: Connection, links: List[Tuple[int, int]], deltas: Optional[Counter] = None) -> None:
    """Insert links (duplicates ignored) and bump the counts of the tags that gained one.

    The indexer adds tens of links per file, so this goes straight to the driver's
    executemany: SQLAlchemy's per-row parameter processing would cost more than the insert.
    """
    deltas = Counter() if deltas is None else deltas
    unique = sorted(set(links))
    if unique:
        if conn.dialect.name == "postgresql":
            sql = "INSERT INTO image_tags (image_id, tag_id) VALUES (%s, %s) ON CONFLICT DO NOTHING"
        else:
            sql = "INSERT OR IGNORE INTO image_tags (image_id, tag_id) VALUES (?, ?)"
        result = conn.exec_driver_sql(sql, unique)
        if result.rowcount == len(unique):
            for _, tag_id in unique:
                deltas[tag_id] += 1
        else:  # some existed already (or the driver cannot tell): count what is there now
            touched = {t for _, t in unique}
            _recount(conn, touched)
            deltas = Counter({k: v for k, v in deltas.items() if k not in touched})
    _apply_count_deltas(conn, deltas)


def _recount(conn: Connection, tag_ids: Iterable[int]) -> None:
    for tag_id in tag_ids:
        n = conn.execute(select(func.count()).select_from(image_tags).where(image_tags.c.tag_id == tag_id)).scalar_one()
        conn.execute(update(tags).where(tags.c.id == tag_id).values(count=n))


def drop_links_of_images(conn: Connection, image_ids: Sequence[int]) -> None:
    """Decrement counts for every link of these images (call before deleting the images)."""
    deltas: Counter = Counter()
    stmt = select(image_tags.c.tag_id, func.count()).where(
        image_tags.c.image_id.in_(bindparam("ids", expanding=True))
    ).group_by(image_tags.c.tag_id)
    for start in range(0, len(image_ids), 500):
        for tag_id, n in conn.execute(stmt, {"ids": list(image_ids[start:start + 500])}):
            deltas[tag_id] -= n
    for start in range(0, len(image_ids), 500):
        conn.execute(delete(image_tags).where(image_tags.c.image_id.in_(list(image_ids[start:start + 500]))))
    _apply_count_deltas(conn, deltas)


def custom_tags_of(conn: Connection, image_ids: Sequence[int]) -> Dict[int, List[int]]:
    out: Dict[int, List[int]] = {}
    stmt = (
        select(image_tags.c.image_id, image_tags.c.tag_id)
        .join(tags, tags.c.id == image_tags.c.tag_id)
        .where(image_tags.c.image_id.in_(bindparam("ids", expanding=True)), tags.c.type == CUSTOM_TAG_TYPE)
    )
    for start in range(0, len(image_ids), 500):
        for image_id, tag_id in conn.execute(stmt, {"ids": list(image_ids[start:start + 500])}):
            out.setdefault(image_id, []).append(tag_id)
    return out


def get_or_create_custom(conn: Connection, name: str) -> int:
    conn.execute(_insert_ignoring_conflicts(conn, tags), [{"name": name, "type": CUSTOM_TAG_TYPE, "color": "", "count": 0}])
    return conn.execute(
        select(tags.c.id).where(tags.c.name == name, tags.c.type == CUSTOM_TAG_TYPE)
    ).scalar_one()


def names_of_image(conn: Connection, image_id: int) -> List[Tuple[str, str]]:
    return [tuple(r) for r in conn.execute(
        select(tags.c.name, tags.c.type).join(image_tags, image_tags.c.tag_id == tags.c.id)
        .where(image_tags.c.image_id == image_id).order_by(tags.c.type, tags.c.name)
    )]


def all_tags(conn: Connection) -> List[dict]:
    return [dict(r) for r in conn.execute(select(tags).order_by(tags.c.count.desc(), tags.c.id)).mappings()]


def verify_counts(conn: Connection) -> List[Tuple[int, int, int]]:
    """Tags whose stored count differs from the real number of links: (id, stored, real)."""
    real = dict(conn.execute(select(image_tags.c.tag_id, func.count()).group_by(image_tags.c.tag_id)).all())
    return [(id_, stored, real.get(id_, 0)) for id_, stored in conn.execute(select(tags.c.id, tags.c.count))
            if stored != real.get(id_, 0)]
