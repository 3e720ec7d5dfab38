"""Keep the index in step with files moved, renamed, copied or deleted through IIB.

A moved file keeps its row (same id), so its custom tags and rating follow it; a
moved folder carries every row below it, compared by whole path components
(`/a/b` moves `/a/b/x.png`, never `/a/bc/x.png`). Rows of deleted files leave the
index the way the indexer removes vanished files: their custom tags and rating are
stashed by content fingerprint (`orphans`), so a file restored from the trash gets
them back when it is indexed again, and tag counts stay current.
"""
from __future__ import annotations

import os
import secrets
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

from sqlalchemy import Text, delete, func, literal, select, update
from sqlalchemy.engine import Connection

from . import images as images_db
from . import kv
from . import orphans as orphans_db
from . import ratings as ratings_db
from . import tags as tags_db
from .pathtext import strip_separators, to_db, under
from .schema import folders, images

CHUNK = 500


def remove_ids(conn: Connection, ids: Sequence[int], stash: bool = True) -> int:
    """Delete rows with their tag links (counts kept current); stash their marks first.

    Stashing keeps custom tags and rating under the content fingerprint, exactly as the
    indexer does for vanished files, so the file gets them back if it comes back.
    """
    ids = sorted(set(ids))
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        if stash:
            custom = tags_db.custom_tags_of(conn, chunk)
            ratings = ratings_db.ratings_of(conn, chunk)
            marked = sorted(set(custom) | set(ratings))
            if marked:
                fps = dict(conn.execute(
                    select(images.c.id, images.c.fingerprint).where(images.c.id.in_(marked))).all())
                marks: Dict[str, Tuple[List[int], Optional[int]]] = {}
                for id_ in marked:
                    fp = fps.get(id_)
                    if fp:
                        old_tags, old_rating = marks.get(fp, ([], None))
                        rating = ratings.get(id_)
                        marks[fp] = (sorted(set(old_tags) | set(custom.get(id_, []))),
                                     rating if rating is not None else old_rating)
                orphans_db.stash(conn, marks)
        tags_db.drop_links_of_images(conn, chunk)
        images_db.delete_many(conn, chunk)
    return len(ids)


def remove_files(conn: Connection, paths: Iterable[str], stash: bool = True) -> int:
    """Rows of these exact paths leave the index (see `remove_ids`)."""
    return remove_ids(conn, list(images_db.ids_by_path(conn, paths).values()), stash)


def remove_under(conn: Connection, folder: str, stash: bool = True) -> int:
    """Rows of every file in `folder` or below leave the index; its folder states too."""
    n = remove_ids(conn, images_db.ids_under(conn, folder), stash)
    conn.execute(delete(folders).where(under(folders.c.path, folder)))
    return n


PATHS_STATE_KEY = "image_paths_state"


def touch_paths(conn: Connection) -> None:
    """Record that indexed images changed folders: whoever keeps images' folders in memory (the
    semantic search's vector matrix) compares `paths_state` and reloads when it changed."""
    kv.put(conn, PATHS_STATE_KEY, secrets.token_hex(8))


def paths_state(conn: Connection) -> Optional[str]:
    return kv.get(conn, PATHS_STATE_KEY)


def move_file(conn: Connection, old_paths: Sequence[str], new_path: str) -> Optional[int]:
    """Point the row of the file (found under the first of `old_paths` that is indexed) at
    `new_path`, keeping its id. A row already at `new_path` (a file that was overwritten,
    or a stale row) is removed first. Returns the id, or None when the file was not indexed.
    """
    found = images_db.ids_by_path(conn, old_paths)
    old_id = next((found[p] for p in old_paths if p in found), None)
    if old_id is None:
        return None
    stale = images_db.ids_by_path(conn, [new_path]).get(new_path)
    if stale is not None and stale != old_id:
        remove_ids(conn, [stale], stash=True)
    conn.execute(update(images).where(images.c.id == old_id).values(
        path=new_path, folder=os.path.dirname(new_path), name=os.path.basename(new_path)))
    touch_paths(conn)
    return old_id


def move_folder(conn: Connection, old_folder: str, new_folder: str) -> int:
    """Rows of every file in `old_folder` or below now live under `new_folder` (same ids),
    and so do the recorded folder states. Rows already under `new_folder` are stale (the
    caller made sure the folder did not exist) and are removed first. Returns the number
    of files moved.
    """
    old_folder, new_folder = strip_separators(old_folder), strip_separators(new_folder)
    if old_folder == new_folder:
        return 0
    remove_under(conn, new_folder, stash=True)
    keep = len(to_db(old_folder)) + 1  # 1-based position of what follows the old folder (stored form)

    def moved(column):
        return literal(to_db(new_folder), Text()).concat(func.substr(column, keep))

    result = conn.execute(
        update(images).where(under(images.c.folder, old_folder)).values(
            path=moved(images.c.path), folder=moved(images.c.folder))
    )
    conn.execute(update(folders).where(under(folders.c.path, old_folder)).values(path=moved(folders.c.path)))
    if result.rowcount:
        touch_paths(conn)
    return result.rowcount or 0


def copy_marks(conn: Connection, pairs: Sequence[Tuple[str, str]]) -> int:
    """Give each copy (dst path) the custom tags and rating of its original (src path).

    Both must be indexed; returns how many copies received something.
    """
    ids = images_db.ids_by_path(conn, [p for pair in pairs for p in pair])
    pairs_ids = [(ids[s], ids[d]) for s, d in pairs if s in ids and d in ids and ids[s] != ids[d]]
    if not pairs_ids:
        return 0
    custom = tags_db.custom_tags_of(conn, [s for s, _ in pairs_ids])
    ratings = ratings_db.ratings_of(conn, [s for s, _ in pairs_ids])
    links = [(d, t) for s, d in pairs_ids for t in custom.get(s, [])]
    if links:
        tags_db.add_links(conn, links)
    ratings_db.set_ratings(conn, {d: ratings[s] for s, d in pairs_ids if s in ratings})
    return len({d for s, d in pairs_ids if s in custom or s in ratings})
