"""Tensor.Art (docs/formats.md, "Generators"): ``generation_data`` JSON (raw
UTF-8, trailing NULs possible) next to a ComfyUI-like ``prompt`` graph."""
from __future__ import annotations

from typing import Any, Dict

from .model import GenInfo
from .normalise import add_lora, finish, put, put_extra, to_float, to_int, to_seed


def read_tensorart(obj: Dict[str, Any], raw: str) -> GenInfo:
    params: Dict[str, Any] = {}
    put(params, "steps", to_int(obj.get("steps")))
    put(params, "cfg", to_float(obj.get("cfgScale")))
    put(params, "seed", to_seed(obj.get("seed")))
    put(params, "width", to_int(obj.get("width")))
    put(params, "height", to_int(obj.get("height")))
    put(params, "clip_skip", to_int(obj.get("clipSkip")))
    put(params, "sampler", obj.get("ksamplerName") if isinstance(obj.get("ksamplerName"), str) else None)
    put(params, "scheduler", obj.get("schedule") if isinstance(obj.get("schedule"), str) else None)
    put(params, "vae", obj.get("sdVae") if isinstance(obj.get("sdVae"), str) else None)
    put(params, "denoising", to_float(obj.get("denoisingStrength")))
    base = obj.get("baseModel")
    if isinstance(base, dict):
        put(params, "model", base.get("modelFileName") or base.get("label"))
        put(params, "model_hash", base.get("hash"))
    for item in obj.get("models") or obj.get("loras") or []:
        if isinstance(item, dict) and (item.get("modelFileName") or item.get("label")):
            add_lora(params, str(item.get("modelFileName") or item.get("label")),
                     to_float(item.get("weight")), "lora", hash=item.get("hash"))
    used = {"prompt", "negativePrompt", "steps", "cfgScale", "seed", "width", "height", "clipSkip",
            "ksamplerName", "schedule", "sdVae", "denoisingStrength"}
    for k, v in obj.items():
        if k not in used:
            put_extra(params, k, v)
    return GenInfo(generator="Tensor.Art", positive=str(obj.get("prompt") or ""),
                   negative=str(obj.get("negativePrompt") or ""), params=finish(params), raw=raw)
