"""Queries of the semantic layer: the embedding cache, the title cache and the cluster cache."""
from __future__ import annotations

import json
import time
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.engine import Connection

from .listing import folder_filter
from .schema import image_embedding, images, topic_cluster_cache, topic_title_cache

CHUNK = 500


def scope_condition(folders: Sequence[str], recursive: bool = True):
    """Images in `folders` (and their sub-folders when `recursive`); None means everywhere."""
    if not folders:
        return None
    if recursive:
        return folder_filter(folders)
    return images.c.folder.in_([f.rstrip("/\\") or "/" for f in folders])


def candidates(conn: Connection, model: str, folders: Sequence[str], recursive: bool = True,
               batch: int = 5000) -> Iterator[List[tuple]]:
    """Chunks of (image_id, positive, raw, cached text_hash, has vector, error) for images in scope
    that have any prompt text, in id order."""
    emb = image_embedding
    last = None
    scope = scope_condition(folders, recursive)
    while True:
        conditions = [or_(images.c.positive != "", images.c.raw != "")]
        if scope is not None:
            conditions.append(scope)
        if last is not None:
            conditions.append(images.c.id > last)
        stmt = (select(images.c.id, images.c.positive, images.c.raw, emb.c.text_hash, emb.c.vec.isnot(None),
                       emb.c.error)
                .select_from(images.outerjoin(emb, and_(emb.c.image_id == images.c.id, emb.c.model == model)))
                .where(*conditions).order_by(images.c.id).limit(batch))
        rows = [tuple(r) for r in conn.execute(stmt)]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def store(conn: Connection, model: str, rows: Sequence[dict]) -> None:
    """Insert or replace rows {image_id, text_hash, dim, dtype, vec, error} for `model`."""
    now = time.time()
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        ids = [r["image_id"] for r in chunk]
        conn.execute(delete(image_embedding).where(image_embedding.c.model == model,
                                                   image_embedding.c.image_id.in_(ids)))
        conn.execute(image_embedding.insert(), [
            {"image_id": r["image_id"], "model": model, "text_hash": r["text_hash"], "dim": r.get("dim") or 0,
             "dtype": r.get("dtype") or "f2", "vec": r.get("vec"), "error": r.get("error"), "updated_at": now}
            for r in chunk])


def vectors_in_scope(conn: Connection, model: str, folders: Sequence[str], recursive: bool = True,
                     batch: int = 20000) -> Iterator[List[tuple]]:
    """Chunks of (image_id, path, positive, raw, dtype, dim, vec) of embedded images in scope."""
    emb = image_embedding
    scope = scope_condition(folders, recursive)
    last = None
    while True:
        conditions = [emb.c.model == model, emb.c.vec.isnot(None)]
        if scope is not None:
            conditions.append(scope)
        if last is not None:
            conditions.append(emb.c.image_id > last)
        stmt = (select(emb.c.image_id, images.c.path, images.c.positive, images.c.raw, emb.c.dtype, emb.c.dim,
                       emb.c.vec)
                .select_from(emb.join(images, images.c.id == emb.c.image_id))
                .where(*conditions).order_by(emb.c.image_id).limit(batch))
        rows = [tuple(r) for r in conn.execute(stmt)]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def all_vectors(conn: Connection, model: str, batch: int = 50000) -> Iterator[List[tuple]]:
    """Chunks of (image_id, folder, dtype, dim, vec) of every embedded image (for the search cache)."""
    emb = image_embedding
    last = None
    while True:
        conditions = [emb.c.model == model, emb.c.vec.isnot(None)]
        if last is not None:
            conditions.append(emb.c.image_id > last)
        stmt = (select(emb.c.image_id, images.c.folder, emb.c.dtype, emb.c.dim, emb.c.vec)
                .select_from(emb.join(images, images.c.id == emb.c.image_id))
                .where(*conditions).order_by(emb.c.image_id).limit(batch))
        rows = [tuple(r) for r in conn.execute(stmt)]
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def last_change(conn: Connection, model: str) -> Optional[float]:
    """Time of the newest embedding of `model` (an index lookup)."""
    return conn.execute(select(func.max(image_embedding.c.updated_at)).where(image_embedding.c.model == model)).scalar()


def scope_state(conn: Connection, model: str, folders: Sequence[str], recursive: bool = True) -> Tuple[int, float]:
    """(count, newest update) of the embedded images in scope."""
    emb = image_embedding
    conditions = [emb.c.model == model, emb.c.vec.isnot(None)]
    scope = scope_condition(folders, recursive)
    if scope is not None:
        conditions.append(scope)
    row = conn.execute(select(func.count(), func.max(emb.c.updated_at))
                       .select_from(emb.join(images, images.c.id == emb.c.image_id)).where(*conditions)).first()
    return int(row[0] or 0), float(row[1] or 0.0)


def images_by_id(conn: Connection, ids: Sequence[int]) -> Dict[int, dict]:
    out: Dict[int, dict] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = list(ids[start:start + CHUNK])
        for r in conn.execute(select(images.c.id, images.c.path, images.c.folder, images.c.positive, images.c.raw)
                              .where(images.c.id.in_(chunk))).mappings():
            out[int(r["id"])] = dict(r)
    return out


# -- title cache -------------------------------------------------------------------------
def get_title(conn: Connection, cluster_hash: str) -> Optional[dict]:
    query = select(topic_title_cache).where(topic_title_cache.c.cluster_hash == cluster_hash)
    row = conn.execute(query).mappings().first()
    if row is None:
        return None
    try:
        keywords = json.loads(row["keywords"])
    except ValueError:
        keywords = []
    return {"title": row["title"], "keywords": keywords, "model": row["model"], "lang": row["lang"],
            "method": row["method"]}


def put_title(conn: Connection, cluster_hash: str, title: str, keywords: List[str], model: str, lang: str,
              method: str) -> None:
    conn.execute(delete(topic_title_cache).where(topic_title_cache.c.cluster_hash == cluster_hash))
    conn.execute(topic_title_cache.insert().values(
        cluster_hash=cluster_hash, title=title, keywords=json.dumps(keywords, ensure_ascii=False), model=model,
        lang=lang, method=method, created_at=time.time()))


# -- cluster cache -----------------------------------------------------------------------
def get_cluster(conn: Connection, cache_key: str) -> Optional[dict]:
    query = select(topic_cluster_cache).where(topic_cluster_cache.c.cache_key == cache_key)
    row = conn.execute(query).mappings().first()
    return _cluster_row(row) if row is not None else None


def put_cluster(conn: Connection, cache_key: str, folders: List[str], params: dict, result: dict, state: dict) -> None:
    conn.execute(delete(topic_cluster_cache).where(topic_cluster_cache.c.cache_key == cache_key))
    conn.execute(topic_cluster_cache.insert().values(
        cache_key=cache_key, folders=json.dumps(folders, ensure_ascii=False), params=json.dumps(params),
        result=json.dumps(result, ensure_ascii=False), state=json.dumps(state), updated_at=time.time()))


def recent_clusters(conn: Connection, limit: int = 200) -> List[dict]:
    rows = conn.execute(select(topic_cluster_cache).order_by(topic_cluster_cache.c.updated_at.desc())
                        .limit(limit)).mappings()
    return [_cluster_row(r) for r in rows]


def _cluster_row(row) -> dict:
    out = {"cache_key": row["cache_key"], "updated_at": row["updated_at"]}
    for key in ("folders", "params", "result", "state"):
        try:
            out[key] = json.loads(row[key])
        except ValueError:
            out[key] = None
    return out
