"""Fooocus and forks (docs/formats.md, "Generators").

* fooocus scheme: ``parameters`` JSON (+ ``fooocus_scheme``), or the same JSON
  in an ASCII-typed UserComment in EXIF IFD0 with Software ``Fooocus v...``;
* a1111 scheme: ordinary infotext with ``Version: Fooocus ...``;
* RuinedFooocus: ``parameters`` JSON with ``"software": "RuinedFooocus"``;
* Fooocus-MRE: ``Comment`` JSON with ``real_prompt``.
"""
from __future__ import annotations

import ast
from typing import Any, Dict

from .model import GenInfo
from .normalise import add_lora, finish, parse_size, put, put_extra, to_float, to_int, to_seed


def _pyrepr(value: Any):
    if isinstance(value, str):
        try:
            return ast.literal_eval(value)
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            return None
    return value


def is_fooocus_json(obj: Any) -> bool:
    return isinstance(obj, dict) and "prompt" in obj and (
        "base_model" in obj or "fooocus" in str(obj.get("version", "")).lower() or "full_prompt" in obj)


def read_fooocus_json(obj: Dict[str, Any], raw: str) -> GenInfo:
    params: Dict[str, Any] = {}
    put(params, "steps", to_int(obj.get("steps")))
    put(params, "cfg", to_float(obj.get("guidance_scale")))
    put(params, "seed", to_seed(obj.get("seed")))
    put(params, "sampler", obj.get("sampler"))
    put(params, "scheduler", obj.get("scheduler"))
    put(params, "model", obj.get("base_model"))
    put(params, "model_hash", obj.get("base_model_hash"))
    put(params, "vae", obj.get("vae"))
    put(params, "clip_skip", to_int(obj.get("clip_skip")))
    wh = parse_size(obj.get("resolution")) if isinstance(obj.get("resolution"), str) else None
    if wh:
        params["width"], params["height"] = wh
    loras = obj.get("loras")
    if isinstance(loras, list):
        for item in loras:
            if isinstance(item, (list, tuple)) and item and isinstance(item[0], str):
                add_lora(params, item[0], to_float(item[1]) if len(item) > 1 else None, "lora",
                         hash=item[2] if len(item) > 2 and isinstance(item[2], str) else None)
    used = {"prompt", "negative_prompt", "steps", "guidance_scale", "seed", "sampler", "scheduler",
            "base_model", "base_model_hash", "vae", "clip_skip", "loras", "version"}
    if wh:
        used.add("resolution")
    for k, v in obj.items():
        if k not in used:
            put_extra(params, k, v)
    version = obj.get("version")
    return GenInfo(generator="Fooocus", positive=str(obj.get("prompt") or ""),
                   negative=str(obj.get("negative_prompt") or ""), params=finish(params), raw=raw,
                   version=version if isinstance(version, str) else None)


def is_ruined_fooocus(obj: Any) -> bool:
    return isinstance(obj, dict) and str(obj.get("software", "")).startswith("RuinedFooocus")


def read_ruined_fooocus(obj: Dict[str, Any], raw: str) -> GenInfo:
    params: Dict[str, Any] = {}
    put(params, "steps", to_int(obj.get("steps")))
    put(params, "cfg", to_float(obj.get("cfg")))
    put(params, "seed", to_seed(obj.get("seed")))
    put(params, "sampler", obj.get("sampler_name"))
    put(params, "scheduler", obj.get("scheduler"))
    put(params, "width", to_int(obj.get("width")))
    put(params, "height", to_int(obj.get("height")))
    put(params, "model", obj.get("base_model_name"))
    put(params, "model_hash", obj.get("base_model_hash"))
    put(params, "clip_skip", to_int(obj.get("clip_skip")))
    loras = obj.get("loras")
    if isinstance(loras, list):
        for item in loras:
            if isinstance(item, (list, tuple)) and item:
                name = item[0] if isinstance(item[0], str) else None
                w = to_float(item[1]) if len(item) > 1 else None
                if name:
                    add_lora(params, name, w, "lora")
            elif isinstance(item, dict) and isinstance(item.get("name"), str):
                add_lora(params, item["name"], to_float(item.get("weight")), "lora")
    used = {"Prompt", "Negative", "steps", "cfg", "seed", "sampler_name", "scheduler", "width",
            "height", "base_model_name", "base_model_hash", "clip_skip", "loras", "software"}
    for k, v in obj.items():
        if k not in used:
            put_extra(params, k, v)
    sw = str(obj.get("software"))
    return GenInfo(generator="RuinedFooocus", positive=str(obj.get("Prompt") or ""),
                   negative=str(obj.get("Negative") or ""), params=finish(params), raw=raw,
                   version=sw[len("RuinedFooocus"):].strip() or None)


def is_fooocus_mre(obj: Any) -> bool:
    return isinstance(obj, dict) and "real_prompt" in obj and "prompt" in obj


def read_fooocus_mre(obj: Dict[str, Any], raw: str) -> GenInfo:
    info = read_fooocus_json(obj, raw)
    put(info.params, "cfg", to_float(obj.get("cfg")))
    info.params.get("extra", {}).pop("cfg", None)
    info.variant = "Fooocus-MRE"
    return info


def styles_of(obj: Dict[str, Any]):
    return _pyrepr(obj.get("styles"))
