"""Draw Things (docs/formats.md, "Generators"): XMP with ``xmp:CreatorTool`` =
Draw Things, ``exif:UserComment`` JSON (``c`` positive, ``uc`` negative, ...)
and an A1111-like ``dc:description`` whose negative line starts with ``-``."""
from __future__ import annotations

import json
from typing import Any, Dict, Optional

from .infotext import read_infotext
from .model import GenInfo
from .normalise import add_lora, finish, parse_size, put, put_extra, to_float, to_int, to_seed


def is_drawthings(fields: Dict[str, str]) -> bool:
    return fields.get("CreatorTool", "").strip().lower().startswith("draw things")


def read_drawthings(fields: Dict[str, str]) -> Optional[GenInfo]:
    obj: Dict[str, Any] = {}
    raw = fields.get("UserComment") or ""
    if raw:
        try:
            parsed = json.loads(raw)
            if isinstance(parsed, dict):
                obj = parsed
        except ValueError:
            obj = {}
    if not obj:
        desc = fields.get("description")
        if desc:
            info = read_infotext(desc, generator="Draw Things", dash_negative=True)
            if info is not None:
                info.variant = None
                info.version = None
                return info
        return None
    params: Dict[str, Any] = {}
    put(params, "steps", to_int(obj.get("steps")))
    put(params, "cfg", to_float(obj.get("scale")))
    put(params, "seed", to_seed(obj.get("seed")))
    put(params, "sampler", obj.get("sampler") if isinstance(obj.get("sampler"), str) else None)
    put(params, "model", obj.get("model") if isinstance(obj.get("model"), str) else None)
    put(params, "denoising", to_float(obj.get("strength")))
    wh = parse_size(obj.get("size"))
    if wh:
        params["width"], params["height"] = wh
    for item in obj.get("lora") or []:
        if isinstance(item, dict) and isinstance(item.get("model"), str):
            add_lora(params, item["model"], to_float(item.get("weight")), "lora")
    used = {"c", "uc", "steps", "scale", "seed", "sampler", "model", "strength", "size", "lora"}
    for k, v in obj.items():
        if k not in used:
            put_extra(params, k, v)
    return GenInfo(generator="Draw Things", positive=str(obj.get("c") or ""),
                   negative=str(obj.get("uc") or ""), params=finish(params), raw=raw)
