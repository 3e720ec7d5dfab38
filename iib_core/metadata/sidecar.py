"""Sidecar files next to an image (docs/formats.md, "Where we look").

``<stem>.txt`` is only claimed when it holds an A1111 infotext with a
parameter line (captioning ``.txt`` files share the name pattern) or Easy
Diffusion labels; ``<stem>.swarm.json`` is SwarmUI; ``<stem>.json`` counts
only when it has Easy Diffusion keys.
"""
from __future__ import annotations

import json
import os
from typing import Optional

from . import easydiffusion, swarmui
from .infotext import read_infotext
from .model import GenInfo

MAX_SIDECAR_BYTES = 1024 * 1024


def _read_small(path) -> Optional[str]:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_SIDECAR_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_SIDECAR_BYTES:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _with_suffix(path, suffix: str):
    base = os.path.splitext(path)[0]
    if isinstance(base, bytes):
        return base + os.fsencode(suffix)
    return base + suffix


def read_sidecar(path) -> Optional[GenInfo]:
    """Generation info from a sidecar of the image at ``path``, or None."""
    text = _read_small(_with_suffix(path, ".txt"))
    if text is not None:
        info = read_infotext(text)
        if info is not None and info.positive + info.negative != "":
            return info
        labels = easydiffusion.parse_label_text(text)
        if easydiffusion.is_easydiffusion(labels):
            return easydiffusion.read_easydiffusion(labels, text)
    for suffix in (".swarm.json", ".json"):
        text = _read_small(_with_suffix(path, suffix))
        if text is None:
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            continue
        if swarmui.is_swarm(obj):
            return swarmui.read_swarm(obj, text)
        if isinstance(obj, dict) and easydiffusion.is_easydiffusion(obj):
            return easydiffusion.read_easydiffusion(obj, text)
    return None
