"""InvokeAI (docs/formats.md, "Generators"): ``invokeai_metadata`` (3.x-6.x),
``sd-metadata`` (2.x) and the ``Dream`` command line (1.x-2.2)."""
from __future__ import annotations

import json
import re
import shlex
from typing import Any, Callable, Dict, List, Optional, Tuple

from .model import GenInfo
from .normalise import add_lora, finish, put, put_extra, to_float, to_int, to_seed

KEYS = ("invokeai_metadata", "invokeai_graph", "sd-metadata", "Dream")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


def split_inline_negative(prompt: str) -> Tuple[str, str]:
    """InvokeAI 1.x/2.x: ``"positive [negative words]"``."""
    negs = _BRACKETS.findall(prompt)
    pos = _BRACKETS.sub("", prompt)
    return re.sub(r"\s{2,}", " ", pos).strip(), ", ".join(n.strip() for n in negs if n.strip())


def _model_name(model: Any) -> Optional[str]:
    if isinstance(model, dict):
        for k in ("name", "model_name"):
            if isinstance(model.get(k), str):
                return model[k]
    if isinstance(model, str):
        return model
    return None


def _from_metadata(meta: Dict[str, Any], raw: str) -> GenInfo:
    params: Dict[str, Any] = {}
    positive = meta.get("positive_prompt") or ""
    negative = meta.get("negative_prompt") or ""
    put(params, "steps", to_int(meta.get("steps")))
    put(params, "cfg", to_float(meta.get("cfg_scale")))
    put(params, "seed", to_seed(meta.get("seed")))
    put(params, "scheduler", meta.get("scheduler"))
    put(params, "width", to_int(meta.get("width")))
    put(params, "height", to_int(meta.get("height")))
    put(params, "denoising", to_float(meta.get("strength")))
    put(params, "model", _model_name(meta.get("model")))
    model = meta.get("model")
    if isinstance(model, dict) and isinstance(model.get("hash"), str):
        params["model_hash"] = model["hash"]
    put(params, "vae", _model_name(meta.get("vae")))
    put(params, "clip_skip", to_int(meta.get("clip_skip")))
    for item in meta.get("loras") or []:
        if isinstance(item, dict):
            ref = item.get("model") or item.get("lora")
            name = _model_name(ref)
            if name:
                add_lora(params, name, to_float(item.get("weight")), "lora",
                         hash=ref.get("hash") if isinstance(ref, dict) else None)
    used = {"positive_prompt", "negative_prompt", "steps", "cfg_scale", "seed", "scheduler",
            "width", "height", "strength", "model", "vae", "clip_skip", "loras", "app_version"}
    for k, v in meta.items():
        if k not in used:
            put_extra(params, k, v)
    version = meta.get("app_version")
    return GenInfo(generator="InvokeAI", positive=str(positive), negative=str(negative),
                   params=finish(params), raw=raw, version=version if isinstance(version, str) else None)


def _from_sd_metadata(meta: Dict[str, Any], raw: str) -> GenInfo:
    image = meta.get("image") if isinstance(meta.get("image"), dict) else {}
    prompt = image.get("prompt")
    if isinstance(prompt, list):
        prompt = " ".join(p.get("prompt", "") for p in prompt if isinstance(p, dict))
    positive, negative = split_inline_negative(prompt if isinstance(prompt, str) else "")
    params: Dict[str, Any] = {}
    put(params, "steps", to_int(image.get("steps")))
    put(params, "cfg", to_float(image.get("cfg_scale")))
    put(params, "seed", to_seed(image.get("seed")))
    put(params, "sampler", image.get("sampler"))
    put(params, "width", to_int(image.get("width")))
    put(params, "height", to_int(image.get("height")))
    put(params, "denoising", to_float(image.get("strength")))
    put(params, "model", meta.get("model_weights"))
    put(params, "model_hash", meta.get("model_hash"))
    for k, v in image.items():
        if k not in ("prompt", "steps", "cfg_scale", "seed", "sampler", "width", "height", "strength"):
            put_extra(params, k, v)
    for k in ("model", "app_id"):
        if k in meta:
            put_extra(params, k, meta[k])
    version = meta.get("app_version")
    return GenInfo(generator="InvokeAI", positive=positive, negative=negative,
                   params=finish(params), raw=raw, version=version if isinstance(version, str) else None)


_Spec = Tuple[str, Callable[[Any], Any]]  # (parameter name, converter)
_DREAM_FLAGS: Dict[str, _Spec] = {"-s": ("steps", to_int), "-S": ("seed", to_seed), "-W": ("width", to_int),
                "-H": ("height", to_int), "-C": ("cfg", to_float), "-A": ("sampler", str),
                "-f": ("denoising", to_float)}


def _from_dream(text: str) -> GenInfo:
    try:
        tokens: List[str] = shlex.split(text)
    except ValueError:
        tokens = text.split()
    prompt_tokens, params = [], {}  # type: Tuple[List[str], Dict[str, Any]]
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.startswith("-") and len(t) > 1 and not t[1].isdigit():
            value = tokens[i + 1] if i + 1 < len(tokens) else ""
            spec = _DREAM_FLAGS.get(t)
            if spec:
                v = spec[1](value)
                if v is not None:
                    params[spec[0]] = v
            else:
                put_extra(params, t, value)
            i += 2
            continue
        prompt_tokens.append(t)
        i += 1
    positive, negative = split_inline_negative(" ".join(prompt_tokens))
    return GenInfo(generator="InvokeAI", positive=positive, negative=negative,
                   params=finish(params), raw=text)


def read_invokeai(entries: Dict[str, str], problems: List[str]) -> Optional[GenInfo]:
    for key in ("invokeai_metadata", "sd-metadata"):
        text = entries.get(key)
        if text is None:
            continue
        try:
            meta = json.loads(text)
        except ValueError as exc:
            problems.append("invalid JSON in %s: %s" % (key, str(exc)[:100]))
            continue
        if isinstance(meta, dict):
            return _from_metadata(meta, text) if key == "invokeai_metadata" else _from_sd_metadata(meta, text)
    graph = entries.get("invokeai_graph")
    if graph:
        try:
            g = json.loads(graph)
            nodes = g.get("nodes") if isinstance(g, dict) else None
            if isinstance(nodes, dict):
                for nid, node in nodes.items():
                    if str(nid).startswith("core_metadata") and isinstance(node, dict):
                        return _from_metadata(node, graph)
        except ValueError as exc:
            problems.append("invalid JSON in invokeai_graph: %s" % str(exc)[:100])
    if entries.get("Dream"):
        return _from_dream(entries["Dream"])
    return None
