"""Queries on `folders`: what each indexed folder looked like at its last scan."""
from __future__ import annotations

from typing import Dict, List, Sequence, Tuple

from sqlalchemy import bindparam, delete, func, or_, select, update
from sqlalchemy.engine import Connection

from .pathtext import to_db
from .schema import folders


def states_under(conn: Connection, root: str) -> Dict[str, Tuple[float, int]]:
    """{path: (mtime, file_count)} for `root` and every recorded folder below it."""
    prefix = to_db(root.rstrip("/") + "/")  # compared with stored text below (pathtext)
    rows = conn.execute(
        select(folders.c.path, folders.c.mtime, folders.c.file_count).where(
            or_(folders.c.path == root, func.substr(folders.c.path, 1, len(prefix)) == prefix)
        )
    )
    return {p: (m, n) for p, m, n in rows}


def all_states(conn: Connection) -> Dict[str, Tuple[float, int]]:
    return {p: (m, n) for p, m, n in conn.execute(select(folders.c.path, folders.c.mtime, folders.c.file_count))}


def record(conn: Connection, rows: List[dict]) -> None:
    """Upsert rows of {path, mtime, file_count, last_scan}."""
    if not rows:
        return
    existing: set = set()
    paths = [r["path"] for r in rows]
    stmt = select(folders.c.path).where(folders.c.path.in_(bindparam("p", expanding=True)))
    for start in range(0, len(paths), 500):
        existing.update(r[0] for r in conn.execute(stmt, {"p": paths[start:start + 500]}))
    new = [r for r in rows if r["path"] not in existing]
    old = [r for r in rows if r["path"] in existing]
    if new:
        conn.execute(folders.insert(), new)
    if old:
        conn.execute(
            update(folders).where(folders.c.path == bindparam("b_path")).values(
                mtime=bindparam("b_mtime"), file_count=bindparam("b_count"), last_scan=bindparam("b_scan")),
            [{"b_path": r["path"], "b_mtime": r["mtime"], "b_count": r["file_count"], "b_scan": r["last_scan"]}
             for r in old],
        )


def forget(conn: Connection, paths: Sequence[str]) -> None:
    paths = list(paths)
    for start in range(0, len(paths), 500):
        conn.execute(delete(folders).where(folders.c.path.in_(paths[start:start + 500])))


def forget_all(conn: Connection) -> None:
    conn.execute(delete(folders))
