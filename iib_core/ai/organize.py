"""Smart organisation (docs/api.md, "AI routes"): a move plan of clustered images into topic folders
under `dest_folder`; nothing moves until the plan is confirmed, and a confirmed plan can be
moved back (undo)."""
from __future__ import annotations

import os
import re
from typing import Dict, List

from .titles import TITLE_MAX

_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')
NOISE_FOLDER = "Unsorted"


def folder_name(title: str, fallback: str) -> str:
    """A title as one safe folder name (no separators, no leading dots, not empty)."""
    name = _UNSAFE.sub("_", title or "").strip().strip(".").strip()
    name = re.sub(r"\s+", " ", name)[:max(TITLE_MAX, 64)]
    return name or fallback


def make_plan(result: dict, dest_folder: str, include_noise: bool = False) -> Dict[str, object]:
    """Topics with their folder and moves ({src, dest}); `dest` is the full target path."""
    topics: List[dict] = []
    used: Dict[str, int] = {}
    entries = [(c["id"], c.get("title") or c["id"], list(c.get("paths") or [])) for c in result.get("clusters") or []]
    if include_noise and result.get("noise"):
        entries.append(("noise", NOISE_FOLDER, list(result["noise"])))
    total = 0
    for topic_id, title, paths in entries:
        base = folder_name(title, topic_id)
        key = base.lower()
        used[key] = used.get(key, 0) + 1
        name = base if used[key] == 1 else f"{base} ({used[key]})"
        folder = os.path.join(dest_folder, name)
        moves = []
        taken = set()
        for src in paths:
            target = os.path.join(folder, os.path.basename(src))
            moves.append({"src": src, "dest": target, "conflict": target in taken or os.path.lexists(target),
                          "unchanged": os.path.dirname(src) == folder})
            taken.add(target)
        total += len(moves)
        topics.append({"topic_id": topic_id, "title": title, "folder": folder, "moves": moves})
    return {"dest_folder": dest_folder, "topics": topics, "count": total}
