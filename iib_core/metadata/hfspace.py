"""Hugging Face Spaces (Animagine-style demos): ``parameters`` JSON with
``prompt``, ``negative_prompt``, ``resolution: "W x H"``, ``Model``,
``Model hash`` (docs/formats.md, "Generators")."""
from __future__ import annotations

from typing import Any, Dict

from .model import GenInfo
from .normalise import finish, parse_size, put, put_extra, to_float, to_int, to_seed


def is_hf_space(obj: Any) -> bool:
    return isinstance(obj, dict) and "resolution" in obj and "Model" in obj and "prompt" in obj


def read_hf_space(obj: Dict[str, Any], raw: str) -> GenInfo:
    params: Dict[str, Any] = {}
    wh = parse_size(obj.get("resolution"))
    if wh:
        params["width"], params["height"] = wh
    put(params, "cfg", to_float(obj.get("guidance_scale")))
    put(params, "steps", to_int(obj.get("num_inference_steps")))
    put(params, "seed", to_seed(obj.get("seed")))
    put(params, "sampler", obj.get("sampler") if isinstance(obj.get("sampler"), str) else None)
    put(params, "model", obj.get("Model"))
    put(params, "model_hash", obj.get("Model hash"))
    used = {"prompt", "negative_prompt", "guidance_scale", "num_inference_steps", "seed",
            "sampler", "Model", "Model hash"}
    if wh:
        used.add("resolution")
    for k, v in obj.items():
        if k not in used:
            put_extra(params, k, v)
    return GenInfo(generator="Hugging Face Space", positive=str(obj.get("prompt") or ""),
                   negative=str(obj.get("negative_prompt") or ""), params=finish(params), raw=raw)
