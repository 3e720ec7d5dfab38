"""Civitai on-site generator, orchestration shape (docs/formats.md, "Generators"):
a ComfyUI API graph merged with ``extra: {"airs": [...]}``, ``resource-stack``
and ``extraMetadata`` (a JSON *string* with prompt and settings). The A1111-text
shape (``Civitai resources: [...]``) is handled by :mod:`.infotext`."""
from __future__ import annotations

import json
from typing import Any, Dict, Optional

from . import comfyui
from .infotext import add_civitai_resources
from .model import GenInfo
from .normalise import finish, put, put_extra, to_float, to_int, to_seed


def is_civitai_graph(obj: Any) -> bool:
    if not isinstance(obj, dict):
        return False
    if "extraMetadata" in obj or "resource-stack" in obj:
        return True
    extra = obj.get("extra")
    return isinstance(extra, dict) and "airs" in extra


def read_civitai(obj: Dict[str, Any], raw: str, *, all_prompts: bool = False,
                 extra_metadata: Optional[str] = None) -> GenInfo:
    meta: Dict[str, Any] = {}
    em = extra_metadata if extra_metadata is not None else obj.get("extraMetadata")
    if isinstance(em, str):
        try:
            parsed = json.loads(em)
            if isinstance(parsed, dict):
                meta = parsed
        except ValueError:
            meta = {}
    elif isinstance(em, dict):
        meta = em
    graph = {k: v for k, v in obj.items() if isinstance(v, dict) and "class_type" in v}
    info = comfyui.read_comfyui(graph, None, raw, all_prompts=all_prompts, generator="Civitai") \
        if graph else None
    if info is None:
        info = GenInfo(generator="Civitai", raw=raw)
    params = info.params
    if isinstance(meta.get("prompt"), str) and meta["prompt"]:
        info.positive = meta["prompt"]
    if isinstance(meta.get("negativePrompt"), str) and meta["negativePrompt"]:
        info.negative = meta["negativePrompt"]
    put(params, "steps", to_int(meta.get("steps")))
    put(params, "cfg", to_float(meta.get("cfgScale")))
    put(params, "seed", to_seed(meta.get("seed")))
    put(params, "sampler", meta.get("sampler") if isinstance(meta.get("sampler"), str) else None)
    put(params, "width", to_int(meta.get("width")))
    put(params, "height", to_int(meta.get("height")))
    put(params, "clip_skip", to_int(meta.get("clipSkip")))
    add_civitai_resources(params, meta.get("resources"))
    used = {"prompt", "negativePrompt", "steps", "cfgScale", "seed", "sampler", "width", "height",
            "clipSkip", "resources"}
    for k, v in meta.items():
        if k not in used:
            put_extra(params, k, v)
    extra = obj.get("extra")
    if isinstance(extra, dict) and extra.get("airs"):
        put_extra(params, "airs", extra["airs"])
    info.params = finish(params)
    return info
