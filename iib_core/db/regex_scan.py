"""The regular-expression search: index rows, newest first, matched one by one against a
compiled pattern within a time budget and a cap on rows examined (SQL cannot run the
`regex` module's patterns, so the rows are fed to Python in chunks from one snapshot)."""
from __future__ import annotations

import time
from typing import Any, List, Optional, Sequence, Tuple

from sqlalchemy.engine import Connection

from . import listing


class RegexTooSlow(Exception):
    """The time budget ran out; the caller answers 400 and asks for a more specific pattern."""


def _texts(row: Any, path_only: bool) -> List[str]:
    if path_only:
        return [row["path"]]
    return [row["path"], row["positive"], row["negative"], row["params_text"]]


def _hit(compiled: Any, texts: List[str], deadline: float) -> bool:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RegexTooSlow()
    try:
        return any(t and compiled.search(t, timeout=remaining) for t in texts)
    except TimeoutError:
        raise RegexTooSlow() from None


def scan(conn: Connection, compiled: Any, *, folder_paths: Sequence[str], media_type: Optional[str],
         size: int, cursor: str, path_only: bool, budget: float, cap: int) -> Tuple[List[Any], str]:
    """One page of rows matching `compiled` and the cursor to continue from ("" at the end).

    A page ends early (with a cursor) after `cap` rows examined; raises ValueError for a bad
    cursor and RegexTooSlow when `budget` seconds of matching are spent."""
    after = listing.decode_cursor(cursor)
    deadline = time.monotonic() + budget
    found: List[Any] = []
    scanned = 0
    for chunk in listing.rows_newest_first(conn, folder_paths=folder_paths, media_type=media_type, after=after):
        for row in chunk:
            scanned += 1
            if _hit(compiled, _texts(row, path_only), deadline):
                found.append(row)
                if len(found) == size:
                    return found, listing.encode_cursor(row["mtime"], row["id"])
            if scanned >= cap:
                return found, listing.encode_cursor(row["mtime"], row["id"])
    return found, ""
