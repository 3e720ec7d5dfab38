"""Stability Matrix, Inference tab (docs/formats.md, "Generators"): A1111
``parameters`` text (CRLF), ``parameters-json``, ``smproj`` and a ComfyUI graph.
``parameters-json`` is the most exact source; the infotext fills gaps."""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional

from .infotext import read_infotext
from .model import GenInfo
from .normalise import finish, put, put_extra, to_float, to_int, to_seed

KEYS = ("parameters-json", "smproj")


def read_stability_matrix(entries: Dict[str, str], problems: List[str]) -> Optional[GenInfo]:
    obj: Dict[str, Any] = {}
    text = entries.get("parameters-json")
    if text:
        try:
            parsed = json.loads(text)
            if isinstance(parsed, dict):
                obj = parsed
        except ValueError as exc:
            problems.append("invalid JSON in parameters-json: %s" % str(exc)[:100])
    base = read_infotext(entries["parameters"]) if entries.get("parameters") else None
    params: Dict[str, Any] = dict(base.params) if base else {}
    put(params, "steps", to_int(obj.get("Steps")))
    put(params, "cfg", to_float(obj.get("CfgScale")))
    put(params, "seed", to_seed(obj.get("Seed")))
    put(params, "sampler", obj.get("Sampler") if isinstance(obj.get("Sampler"), str) else None)
    put(params, "scheduler", obj.get("Scheduler") if isinstance(obj.get("Scheduler"), str) else None)
    put(params, "width", to_int(obj.get("Width")))
    put(params, "height", to_int(obj.get("Height")))
    put(params, "model", obj.get("ModelName") if isinstance(obj.get("ModelName"), str) else None)
    put(params, "model_hash", obj.get("ModelHash") if isinstance(obj.get("ModelHash"), str) else None)
    used = {"PositivePrompt", "NegativePrompt", "Steps", "CfgScale", "Seed", "Sampler", "Scheduler",
            "Width", "Height", "ModelName", "ModelHash"}
    for k, v in obj.items():
        if k not in used:
            put_extra(params, k, v)
    positive = obj.get("PositivePrompt") if isinstance(obj.get("PositivePrompt"), str) else (
        base.positive if base else "")
    negative = obj.get("NegativePrompt") if isinstance(obj.get("NegativePrompt"), str) else (
        base.negative if base else "")
    # kept as written (Stability Matrix uses CRLF inside prompts)
    positive = positive.strip()
    negative = negative.strip()
    if not obj and base is None:
        return None
    return GenInfo(generator="Stability Matrix", positive=positive, negative=negative,
                   params=finish(params), raw=text or entries.get("parameters") or "",
                   version=base.version if base else None)
