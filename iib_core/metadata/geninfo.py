"""The A1111-layout "geninfo" text the HTTP API sends (docs/api.md, "Generation info and send-to"), from a GenInfo."""
from __future__ import annotations

import json
from typing import Any, Dict, List

from .model import GenInfo

A1111_FAMILY = {"AUTOMATIC1111", "Forge", "SD.Next", "Civitai"}

# Normalised key -> A1111 spelling, in the order A1111 writes them.
PARAM_NAMES = (
    ("steps", "Steps"), ("sampler", "Sampler"), ("scheduler", "Schedule type"), ("cfg", "CFG scale"),
    ("seed", "Seed"), ("size", "Size"), ("model_hash", "Model hash"), ("model", "Model"),
    ("vae_hash", "VAE hash"), ("vae", "VAE"), ("denoising", "Denoising strength"), ("clip_skip", "Clip skip"),
    ("hires_upscale", "Hires upscale"), ("hires_steps", "Hires steps"), ("hires_upscaler", "Hires upscaler"),
    ("hires_denoising", "Hires denoising strength"),
)


def _quote(value: str) -> str:
    if "," in value or "\n" in value or ":" in value:
        return json.dumps(value, ensure_ascii=False)
    return value


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def params_line(generator: str, params: Dict[str, Any]) -> str:
    pairs: List[str] = []
    values = dict(params)
    if values.get("width") and values.get("height"):
        values["size"] = f"{values['width']}x{values['height']}"
    for key, name in PARAM_NAMES:
        if values.get(key) not in (None, ""):
            pairs.append(f"{name}: {_quote(_text(values[key]))}")
    extra = values.get("extra") or {}
    if isinstance(extra, dict):
        for key, value in extra.items():
            if key != "Source Identifier":
                pairs.append(f"{key}: {_quote(_text(value))}")
    pairs.append(f"Source Identifier: {generator}")
    return ", ".join(pairs)


def geninfo_text(info: GenInfo) -> str:
    """A1111-family files keep their original text; others are rendered in that layout."""
    if info.generator in A1111_FAMILY and info.raw and "Steps:" in info.raw:
        return info.raw.strip()
    return compose(info.generator, info.positive, info.negative, info.params or {})


def compose(generator: str, positive: str, negative: str, params: Dict[str, Any]) -> str:
    parts = [positive or ""]
    if negative:
        parts.append(f"Negative prompt: {negative}")
    parts.append(params_line(generator, params))
    return "\n".join(parts)
