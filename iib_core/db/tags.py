"""Queries on `tags` and `image_tags`.

Auto tags (every type but `custom`) are owned by the indexer and replaced whenever a
file is re-read; custom tags belong to the user and survive re-indexing and moves.
`count` is kept current in the same transaction as the links it counts.
"""
from __future__ import annotations

import json
from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from .images import _has_json
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
            if conn.dialect.name == "postgresql":
                sql = "INSERT INTO tags (name, type, color, count) VALUES (%s, %s, '', 0) ON CONFLICT DO NOTHING"
                ph = "%s"
            else:
                sql = "INSERT OR IGNORE INTO tags (name, type, color, count) VALUES (?, ?, '', 0)"
                ph = "?"
            conn.exec_driver_sql(sql, missing)
            names = sorted({n for n, _ in missing})
            for start in range(0, len(names), 500):
                chunk = tuple(names[start:start + 500])
                for id_, name, type_ in conn.exec_driver_sql(
                        "SELECT id, name, type FROM tags WHERE name IN (%s)" % ", ".join([ph] * len(chunk)), chunk):
                    self._ids[(name, type_)] = id_
        return self._ids

    def ids_of(self, conn: Connection, keys: Sequence[TagKey]) -> List[int]:
        """The ids of `keys`, in order, creating the tags that do not exist yet."""
        known = self._ids
        if self._loaded:
            try:
                return [known[k] for k in keys]
            except KeyError:
                pass
        self.resolve(conn, keys)
        return [known[k] for k in keys]

    def forget(self) -> None:
        """Drop the cache (after a rollback, ids handed out may not exist)."""
        self._ids.clear()
        self._loaded = False


def _apply_count_deltas(conn: Connection, deltas: Counter) -> None:
    changes = [(v, k) for k, v in deltas.items() if v]
    if changes:
        ph = "%s" if conn.dialect.name == "postgresql" else "?"
        conn.exec_driver_sql(f"UPDATE tags SET count = count + {ph} WHERE id = {ph}", changes)


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
    """Replace the auto-tag links of `image_ids` by `new_links`, keeping counts current.

    Only the difference is written: a file that was touched or re-saved with the same
    generation info (the common case of a rescan) keeps its links as they are.
    """
    old = set(auto_links_of(conn, image_ids)) if image_ids else set()
    new = set(new_links)
    deltas: Counter = Counter()
    gone = sorted(old - new)
    if gone:
        for _, tag_id in gone:
            deltas[tag_id] -= 1
        ph = "%s" if conn.dialect.name == "postgresql" else "?"
        conn.exec_driver_sql(f"DELETE FROM image_tags WHERE image_id = {ph} AND tag_id = {ph}", gone)
    add_links(conn, sorted(new - old), deltas)


def link_new_images(conn: Connection, image_ids: Sequence[int], tag_ids: Sequence[Sequence[int]]) -> None:
    """Link images that were just inserted to their tags (`tag_ids[i]` for `image_ids[i]`,
    without duplicates), keeping the counts current.

    The indexer's hot path: ~30 links per file. On SQLite the links go in as one
    INSERT ... SELECT over a JSON document (`json_each`), which costs a third less than
    an executemany of the pairs, and sorted by image so the primary key is appended to.
    """
    if not image_ids:
        return
    if conn.dialect.name != "sqlite" or not _has_json(conn):
        add_links(conn, [(i, t) for i, ts in zip(image_ids, tag_ids) for t in ts])
        return
    deltas: Counter = Counter()
    expected = 0
    for ts in tag_ids:
        deltas.update(ts)
        expected += len(ts)
    if not expected:
        return
    first = image_ids[0]
    if image_ids[-1] - first == len(image_ids) - 1 and all(b - a == 1 for a, b in zip(image_ids, image_ids[1:])):
        result = conn.exec_driver_sql(
            "INSERT OR IGNORE INTO image_tags (image_id, tag_id) "
            "SELECT ? + o.key, t.value FROM json_each(?) AS o, json_each(o.value) AS t",
            (first, json.dumps(tag_ids, separators=(",", ":"))))
    else:
        result = conn.exec_driver_sql(
            "INSERT OR IGNORE INTO image_tags (image_id, tag_id) "
            "SELECT json_extract(o.value, '$[0]'), t.value FROM json_each(?) AS o, json_each(o.value, '$[1]') AS t",
            (json.dumps(list(zip(image_ids, tag_ids)), separators=(",", ":")),))
    if result.rowcount != expected:  # some existed already: count what is there now
        _recount(conn, deltas)
        return
    _apply_count_deltas(conn, deltas)


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
    conn.execute(_insert_ignoring_conflicts(conn, tags),
                 [{"name": name, "type": CUSTOM_TAG_TYPE, "color": "", "count": 0}])
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
    real: Dict[int, int] = dict(
        conn.execute(select(image_tags.c.tag_id, func.count()).group_by(image_tags.c.tag_id)).all())
    return [(id_, stored, real.get(id_, 0)) for id_, stored in conn.execute(select(tags.c.id, tags.c.count))
            if stored != real.get(id_, 0)]
