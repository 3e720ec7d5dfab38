"""Helpers that turn generator-specific values into the normalised ``params``
keys documented in :mod:`iib_core.metadata.model`.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any, Dict, List, Optional

_EXTRA_NET_RE = re.compile(r"<(lora|lyco|hypernet):([^<>]+)>", re.I)
_EMBEDDING_RE = re.compile(r"embedding:([^\s,()\[\]{}<>:|]+)", re.I)
_MODEL_EXT_RE = re.compile(r"\.(safetensors|ckpt|pt|pth|bin|gguf)$", re.I)


def to_int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        v = value.strip()
        try:
            return int(v)
        except ValueError:
            try:
                f = float(v)
            except ValueError:
                return None
            return int(f) if math.isfinite(f) and f.is_integer() else None
    return None


def to_float(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        f = float(value)
    elif isinstance(value, str):
        try:
            f = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return f if math.isfinite(f) else None


def to_seed(value: Any):
    """Seeds stay ints (Python has no 64-bit limit); non-numeric seeds stay text."""
    n = to_int(value)
    if n is not None:
        return n
    if value is None or value == "":
        return None
    return str(value)


def as_text(value: Any) -> str:
    """Any JSON value as text for ``params["extra"]``."""
    if isinstance(value, str):
        return value
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def strip_model_ext(name: str) -> str:
    return _MODEL_EXT_RE.sub("", name)


def parse_size(value: Any):
    """``"512x768"`` / ``"512 x 768"`` / ``"(512, 768)"`` -> (w, h) or None."""
    if not isinstance(value, str):
        return None
    m = re.match(r"^\s*\(?\s*(\d+)\s*[x×,*]\s*(\d+)\s*\)?\s*$", value)
    if not m:
        return None
    return int(m.group(1)), int(m.group(2))


def extra_networks(text: str) -> List[Dict[str, Any]]:
    """LoRA/LyCORIS/hypernetwork references written as ``<lora:name:w>`` tags."""
    out: List[Dict[str, Any]] = []
    if not text or "<" not in text:
        return out
    for m in _EXTRA_NET_RE.finditer(text):
        kind = m.group(1).lower()
        parts = m.group(2).split(":")
        name = parts[0].strip()
        if not name:
            continue
        weight: Optional[float] = None
        for part in parts[1:]:
            part = part.strip()
            if "=" in part:
                k, _, v = part.partition("=")
                if k.strip().lower() in ("unet", "te") and weight is None:
                    weight = to_float(v)
                continue
            weight = to_float(part)
            if weight is not None:
                break
        if weight is None:
            weight = 1.0
        out.append({"name": name, "weight": weight, "type": kind})
    return out


def embeddings_in_text(text: str) -> List[str]:
    """ComfyUI-style ``embedding:NAME`` references."""
    if not text or "embedding:" not in text.lower():
        return []
    return [strip_model_ext(m.group(1)) for m in _EMBEDDING_RE.finditer(text)]


def add_lora(params: Dict[str, Any], name: str, weight: Optional[float], kind: str = "lora",
             **more: Any) -> None:
    """Add a LoRA reference, merging with one of the same name and type."""
    loras = params.setdefault("loras", [])
    for item in loras:
        if item["name"] == name and item["type"] == kind:
            if item.get("weight") is None and weight is not None:
                item["weight"] = weight
            for k, v in more.items():
                if v is not None and k not in item:
                    item[k] = v
            return
    entry: Dict[str, Any] = {"name": name, "weight": weight, "type": kind}
    for k, v in more.items():
        if v is not None:
            entry[k] = v
    loras.append(entry)


def add_embedding(params: Dict[str, Any], name: str) -> None:
    embs = params.setdefault("embeddings", [])
    if name and name not in embs:
        embs.append(name)


def add_prompt_networks(params: Dict[str, Any], *texts: str) -> None:
    for text in texts:
        for ref in extra_networks(text):
            add_lora(params, ref["name"], ref["weight"], ref["type"])


def put(params: Dict[str, Any], key: str, value: Any) -> None:
    """Set a normalised key unless the value is missing."""
    if value is None or value == "":
        return
    params[key] = value


def put_extra(params: Dict[str, Any], key: str, value: Any) -> None:
    if value is None:
        return
    params.setdefault("extra", {})[key] = as_text(value)


def loads_json(text: str):
    """json.loads for metadata: tolerates trailing NULs/whitespace; raises ValueError."""
    if text is None:
        raise ValueError("no text")
    text = text.strip().strip("\0").strip()
    return json.loads(text)


def looks_like_json_object(text: Optional[str]) -> bool:
    return text is not None and text.lstrip()[:1] == "{"


def finish(params: Dict[str, Any]) -> Dict[str, Any]:
    """Drop empty containers so that absent means absent."""
    for key in ("loras", "embeddings", "extra"):
        if key in params and not params[key]:
            del params[key]
    return params
