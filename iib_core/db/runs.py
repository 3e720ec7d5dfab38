"""The `index_runs` table: one row per indexing run, so an interrupted run is visible."""
from __future__ import annotations

import time
from typing import Optional

from sqlalchemy import select, update
from sqlalchemy.engine import Connection

from .schema import index_runs


def start(conn: Connection) -> int:
    # A run still marked running was killed: say so.
    conn.execute(update(index_runs).where(index_runs.c.status == "running").values(status="interrupted"))
    return conn.execute(
        index_runs.insert().values(started_at=time.time(), status="running")
    ).inserted_primary_key[0]


def finish(conn: Connection, run_id: int, status: str, message: Optional[str] = None, **counts: int) -> None:
    conn.execute(
        update(index_runs).where(index_runs.c.id == run_id).values(
            finished_at=time.time(), status=status, message=message, **counts)
    )


def latest(conn: Connection) -> Optional[dict]:
    row = conn.execute(select(index_runs).order_by(index_runs.c.id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None
