"""Data types returned by the metadata readers.

`GenInfo.params` holds normalised, typed keys so that search and tagging do not
have to know each generator's spelling. Keys that have no normalised meaning
are kept verbatim, as text, under ``params["extra"]``.

Normalised keys (all optional; absent when the file does not say):

    steps: int            sampler: str        scheduler: str
    cfg: float            seed: int | str     width: int          height: int
    model: str            model_hash: str     vae: str            vae_hash: str
    denoising: float      clip_skip: int
    hires_upscaler: str   hires_upscale: float  hires_steps: int
    hires_denoising: float  hires_width: int  hires_height: int
    loras: list[{"name": str, "weight": float | None, "type": "lora"|"lyco"|"hypernet"}]
    embeddings: list[str]
    extra: dict[str, str]  every other key of the source, value as text

LoRA entries may carry more optional keys when the source has them: ``hash``,
``strength_clip`` (ComfyUI), ``version``/``civitai_version_id`` (Civitai).

``GenInfo.generator`` is a family name, one of: "AUTOMATIC1111", "Forge",
"SD.Next", "ComfyUI", "NovelAI", "InvokeAI", "Fooocus", "RuinedFooocus",
"SwarmUI", "Civitai", "Tensor.Art", "Stability Matrix", "Draw Things",
"Easy Diffusion", "Midjourney", "Hugging Face Space". Forks of a family are
named in ``variant``: the Forge family ("Forge", "Forge Classic", "Forge Neo",
"reForge", "EasyReforge") all have generator "Forge"; ``version`` is the
generator's own version string (A1111 ``Version:``, ``app_version``, ...).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Optional


@dataclass
class GenInfo:
    """Generation parameters found in one file."""

    generator: str
    positive: str = ""
    negative: str = ""
    params: Dict[str, Any] = field(default_factory=dict)
    raw: str = ""
    version: Optional[str] = None
    variant: Optional[str] = None


@dataclass
class FileFacts:
    """Everything the indexer needs from one read of a media file.

    ``media_type`` is "image" or "video"; ``format`` the sniffed container
    ("png", "jpeg", "webp", "avif", "gif", "bmp", "mp4", "webm", ...).
    ``warning`` is set when the file could not be read completely; the
    reader has already logged it.
    """

    media_type: str
    format: str
    width: Optional[int] = None
    height: Optional[int] = None
    info: Optional[GenInfo] = None
    warning: Optional[str] = None
