"""`orphaned_marks`: custom tags and ratings of files that left the index, by fingerprint."""
from __future__ import annotations

import time
from typing import Dict, List, Optional, Sequence, Tuple

from sqlalchemy import bindparam, delete, select
from sqlalchemy.engine import Connection

from .schema import orphaned_marks


def stash(conn: Connection, marks: Dict[str, Tuple[List[int], Optional[int]]]) -> None:
    """Remember {fingerprint: (custom tag ids, rating)}, merging with what is stored."""
    if not marks:
        return
    known = take(conn, list(marks), remove=True)
    rows = []
    for fp, (tag_ids, rating) in marks.items():
        old_tags, old_rating = known.get(fp, ([], None))
        merged = sorted(set(tag_ids) | set(old_tags))
        rows.append({"fingerprint": fp, "tag_ids": ",".join(map(str, merged)),
                     "rating": rating if rating is not None else old_rating, "orphaned_at": time.time()})
    conn.execute(orphaned_marks.insert(), rows)


def take(conn: Connection, fingerprints: Sequence[str],
         remove: bool = True) -> Dict[str, Tuple[List[int], Optional[int]]]:
    """The stored marks for these fingerprints, removed from the table when `remove`."""
    out: Dict[str, Tuple[List[int], Optional[int]]] = {}
    stmt = select(orphaned_marks).where(orphaned_marks.c.fingerprint.in_(bindparam("fps", expanding=True)))
    fps = list(fingerprints)
    for start in range(0, len(fps), 500):
        chunk = fps[start:start + 500]
        for row in conn.execute(stmt, {"fps": chunk}).mappings():
            ids = [int(x) for x in row["tag_ids"].split(",") if x]
            out[row["fingerprint"]] = (ids, row["rating"])
        if remove and out:
            conn.execute(delete(orphaned_marks).where(orphaned_marks.c.fingerprint.in_(chunk)))
    return out
