"""Easy Diffusion (docs/formats.md, "Generators"): one PNG text chunk per
request key (request names like ``use_stable_diffusion_model`` or, when the
txt sidecar is also enabled, UI labels like ``Stable Diffusion model``), a JSON
UserComment in JPEG/WEBP, or ``.txt``/``.json`` sidecars. Values are Python
``str()`` output. Note its ``prompt`` key is plain text, not ComfyUI JSON."""
from __future__ import annotations

from typing import Any, Dict, Optional

from .model import GenInfo
from .normalise import add_embedding, add_lora, finish, put_extra, to_float, to_int, to_seed

MARKERS = ("use_stable_diffusion_model", "Stable Diffusion model")

#: request key / UI label -> normalised key
_FIELDS = {
    "prompt": "positive", "Prompt": "positive",
    "negative_prompt": "negative", "Negative Prompt": "negative",
    "seed": "seed", "Seed": "seed",
    "use_stable_diffusion_model": "model", "Stable Diffusion model": "model",
    "clip_skip": "clip_skip", "Clip Skip": "clip_skip",
    "use_vae_model": "vae", "VAE model": "vae",
    "sampler_name": "sampler", "Sampler": "sampler",
    "width": "width", "Width": "width", "height": "height", "Height": "height",
    "num_inference_steps": "steps", "Steps": "steps",
    "guidance_scale": "cfg", "Guidance Scale": "cfg",
    "prompt_strength": "denoising", "Prompt Strength": "denoising",
}
_CONVERT = {"seed": to_seed, "clip_skip": to_int, "width": to_int, "height": to_int,
            "steps": to_int, "cfg": to_float, "denoising": to_float}
_LORA = ("use_lora_model", "LoRA model")
_LORA_W = ("lora_alpha", "LoRA Strength")
_HYPER = ("use_hypernetwork_model", "Hypernetwork model")
_HYPER_W = ("hypernetwork_strength", "Hypernetwork Strength")
_EMB = ("use_embeddings_model", "Embedding models")


def is_easydiffusion(entries: Dict[str, Any]) -> bool:
    return any(k in entries for k in MARKERS)


def _listish(value: Any):
    if value is None or value == "None" or value == "":
        return []
    if isinstance(value, list):
        return value
    s = str(value).strip()
    if s.startswith("[") and s.endswith("]"):
        import ast
        try:
            v = ast.literal_eval(s)
            return v if isinstance(v, list) else [v]
        except (ValueError, SyntaxError):
            pass
    return [p.strip() for p in s.split(",") if p.strip()]


def read_easydiffusion(entries: Dict[str, Any], raw: str) -> Optional[GenInfo]:
    params: Dict[str, Any] = {}
    positive = negative = ""
    for key, value in entries.items():
        norm = _FIELDS.get(key)
        if norm == "positive":
            positive = str(value)
        elif norm == "negative":
            negative = str(value) if value not in (None, "None") else ""
        elif norm is not None:
            conv = _CONVERT.get(norm)
            v = conv(value) if conv else (None if value in (None, "None") else str(value))
            if v is not None:
                params[norm] = v
            else:
                put_extra(params, key, value)
        elif key in _LORA + _LORA_W + _HYPER + _HYPER_W + _EMB:
            continue
        else:
            put_extra(params, key, value)
    for names, weights, kind in ((_LORA, _LORA_W, "lora"), (_HYPER, _HYPER_W, "hypernet")):
        for nk, wk in zip(names, weights):
            models = _listish(entries.get(nk))
            alphas = _listish(entries.get(wk))
            for i, m in enumerate(models):
                add_lora(params, str(m), to_float(alphas[i]) if i < len(alphas) else None, kind)
    for ek in _EMB:
        for e in _listish(entries.get(ek)):
            add_embedding(params, str(e))
    return GenInfo(generator="Easy Diffusion", positive=positive, negative=negative,
                   params=finish(params), raw=raw)


def parse_label_text(text: str) -> Dict[str, str]:
    """The txt sidecar: one ``Label: value`` line per key."""
    out: Dict[str, str] = {}
    for line in text.replace("\r\n", "\n").split("\n"):
        key, sep, value = line.partition(":")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out
