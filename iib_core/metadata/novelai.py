"""NovelAI (docs/formats.md, "Generators"): ``Description`` + ``Comment`` JSON in
PNG text chunks, the same map as JSON in WEBP EXIF UserComment, or as an
alpha-stealth gzip JSON payload."""
from __future__ import annotations

import json
from typing import Any, Dict, Optional

from .model import GenInfo
from .normalise import finish, put, put_extra, to_float, to_int, to_seed

_USED = {"prompt", "uc", "steps", "scale", "seed", "sampler", "noise_schedule", "width",
         "height", "strength", "v4_prompt", "v4_negative_prompt"}


def is_novelai(entries: Dict[str, str]) -> bool:
    sw = entries.get("Software") or ""
    return sw.startswith("NovelAI")


def _caption(obj: Any):
    if isinstance(obj, dict):
        cap = obj.get("caption")
        if isinstance(cap, dict):
            return cap.get("base_caption"), cap.get("char_captions")
    return None, None


def read_novelai(entries: Dict[str, str]) -> Optional[GenInfo]:
    """``entries``: the PNG chunk map (Description, Comment, Source, Software, ...)."""
    comment: Dict[str, Any] = {}
    raw_comment = entries.get("Comment")
    if raw_comment:
        try:
            obj = json.loads(raw_comment)
            if isinstance(obj, str):
                obj = json.loads(obj)
            if isinstance(obj, dict):
                comment = obj
        except ValueError:
            comment = {}
    base, chars = _caption(comment.get("v4_prompt"))
    positive = base if isinstance(base, str) and base else (
        comment.get("prompt") if isinstance(comment.get("prompt"), str) else entries.get("Description") or "")
    if isinstance(chars, list):
        extra_lines = [c.get("char_caption") for c in chars
                       if isinstance(c, dict) and isinstance(c.get("char_caption"), str) and c.get("char_caption")]
        if extra_lines:
            positive = "\n".join([positive] + extra_lines) if positive else "\n".join(extra_lines)
    nbase, _ = _caption(comment.get("v4_negative_prompt"))
    negative = nbase if isinstance(nbase, str) and nbase else (comment.get("uc") or "")
    params: Dict[str, Any] = {}
    put(params, "steps", to_int(comment.get("steps")))
    put(params, "cfg", to_float(comment.get("scale")))
    put(params, "seed", to_seed(comment.get("seed")))
    put(params, "sampler", comment.get("sampler") if isinstance(comment.get("sampler"), str) else None)
    put(params, "scheduler", comment.get("noise_schedule") if isinstance(comment.get("noise_schedule"), str) else None)
    put(params, "width", to_int(comment.get("width")))
    put(params, "height", to_int(comment.get("height")))
    source = entries.get("Source")
    put(params, "model", source)
    for k, v in comment.items():
        if k not in _USED:
            put_extra(params, k, v)
    if isinstance(chars, list):
        put_extra(params, "characters", chars)
    for k in ("Title", "Generation time"):
        if entries.get(k):
            put_extra(params, k, entries[k])
    if "strength" in comment:
        put_extra(params, "strength", comment["strength"])
    raw = json.dumps({k: entries[k] for k in ("Description", "Comment", "Source", "Software")
                      if k in entries}, ensure_ascii=False)
    return GenInfo(generator="NovelAI", positive=positive or "", negative=str(negative),
                   params=finish(params), raw=raw, version=source)
