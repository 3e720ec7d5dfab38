"""Wire shapes shared by several routes (docs/api.md, "Shared shapes")."""
from __future__ import annotations

import os
import time
from typing import Any, Dict, Optional

from ..files.listing import human_size

def iib_date(epoch: Optional[float]) -> str:
    """`YYYY-MM-DD HH:MM:SS` in the server's local time."""
    if epoch is None:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(int(epoch // 1)))


def indexed_file(row: Dict[str, Any]) -> Dict[str, Any]:
    """`IndexedFile` from an `images` row; extra keys help our own UI."""
    date = iib_date(row.get("mtime"))
    return {
        "type": "file",
        "id": row["id"],
        "name": row.get("name") or os.path.basename(row["path"]),
        "fullpath": row["path"],
        "size": human_size(row.get("size")),
        "bytes": row.get("size") or 0,
        "date": date,
        "created_date": date,
        "is_under_scanned_path": True,
        "media_type": row.get("media_type"),
        "width": row.get("width"),
        "height": row.get("height"),
    }
