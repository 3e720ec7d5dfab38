"""Helpers for the request-guard tests (cross-site writes, Host names): the write routes as
the app itself lists them, a body every one of them would accept, and snapshots of the
files and the database to prove nothing changed."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Dict, List, Tuple

from sqlalchemy import inspect, select, table, text

WRITE_METHODS = ("post", "put", "patch", "delete")


def write_routes(openapi: dict, base: str) -> List[Tuple[str, str]]:
    """(METHOD, path below the base) of every state-changing route in the app's own schema."""
    out = []
    for path, operations in openapi["paths"].items():
        if not path.startswith(base + "/"):
            continue
        for method in operations:
            if method in WRITE_METHODS:
                out.append((method.upper(), path[len(base):]))
    return sorted(out)


def attack_body(victim: Path, library: Path) -> bytes:
    """JSON that every write route would act on, aimed at `victim` (deleted for good, moved,
    renamed, tagged ...): if any route ran it, the snapshots would differ."""
    body = {
        "file_paths": [str(victim)], "paths": [str(victim)], "path": str(victim), "img_path": str(victim),
        "permanent": True, "dest": str(library / "moved"), "create_dest_folder": True, "overwrite": True,
        "name": "renamed.png", "dest_folder": str(library / "made"), "ids": [], "all": True,
        "tag_id": 1, "img_paths": [str(victim)], "action": "add", "rating": 5, "value": "x", "type": "custom",
        "key": "x", "alias": "x", "add": [str(library)], "dirs": [str(library)], "exclude_dirs": [str(library)],
    }
    return json.dumps(body).encode()


def tree_snapshot(root: Path) -> Dict[str, Tuple[int, int]]:
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            p = os.path.join(folder, name)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (st.st_size, st.st_mtime_ns if name in files else 0)
    return out


def db_snapshot(db) -> Dict[str, list]:
    """Every row of every table (sorted), as text: equal snapshots mean an unchanged database."""
    out = {}
    with db.read() as conn:
        for name in sorted(inspect(conn).get_table_names()):
            rows = conn.execute(select(text("*")).select_from(table(name))).fetchall()
            out[name] = sorted(repr(tuple(r)) for r in rows)
    return out
