"""SwarmUI (docs/formats.md, "Generators"): JSON with ``sui_image_params``
(``parameters`` chunk, EXIF UserComment, legacy EXIF Model, ``.swarm.json``,
stealth). Detected before ComfyUI because a Swarm PNG also carries the
backend's ComfyUI ``prompt`` graph."""
from __future__ import annotations

from typing import Any, Callable, Dict, Tuple

from .model import GenInfo
from .normalise import add_embedding, add_lora, add_prompt_networks, finish, put_extra, to_float, to_int, to_seed

_Spec = Tuple[str, Callable[[Any], Any]]  # (parameter name, converter)
_MAP: Dict[str, _Spec] = {"steps": ("steps", to_int), "cfgscale": ("cfg", to_float), "seed": ("seed", to_seed),
        "width": ("width", to_int), "height": ("height", to_int), "sampler": ("sampler", str),
        "scheduler": ("scheduler", str), "model": ("model", str), "vae": ("vae", str),
        "clipstopatlayer": ("clip_skip", to_int), "initimagecreativity": ("denoising", to_float),
        "refinerupscale": ("hires_upscale", to_float), "refinersteps": ("hires_steps", to_int),
        "refinercontrolpercentage": ("hires_denoising", to_float)}


def is_swarm(obj: Any) -> bool:
    return isinstance(obj, dict) and isinstance(obj.get("sui_image_params"), dict)


def _as_list(value: Any):
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return []


def read_swarm(obj: Dict[str, Any], raw: str) -> GenInfo:
    p = obj["sui_image_params"]
    params: Dict[str, Any] = {}
    for key, value in p.items():
        spec = _MAP.get(key)
        if spec is not None:
            v = spec[1](value) if spec[1] is not str else (value if isinstance(value, str) else None)
            if v is not None and v != "":
                params[spec[0]] = v
                continue
        if key in ("prompt", "negativeprompt", "loras", "loraweights", "swarm_version"):
            continue
        put_extra(params, key, value)
    positive = str(p.get("prompt") or "")
    negative = str(p.get("negativeprompt") or "")
    names, weights = _as_list(p.get("loras")), _as_list(p.get("loraweights"))
    for i, name in enumerate(names):
        add_lora(params, str(name), to_float(weights[i]) if i < len(weights) else None, "lora")
    add_prompt_networks(params, positive, negative)
    extra_data = obj.get("sui_extra_data")
    if isinstance(extra_data, dict):
        for k, v in extra_data.items():
            put_extra(params, k, v)
        for emb in _as_list(extra_data.get("used_embeddings")):
            add_embedding(params, str(emb))
    models = obj.get("sui_models")
    if isinstance(models, list):
        for m in models:
            if isinstance(m, dict) and m.get("param") == "model" and isinstance(m.get("hash"), str):
                params["model_hash"] = m["hash"]
        put_extra(params, "sui_models", models)
    version = p.get("swarm_version")
    return GenInfo(generator="SwarmUI", positive=positive, negative=negative,
                   params=finish(params), raw=raw, version=str(version) if version else None)
