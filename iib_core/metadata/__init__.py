"""Generation info from AI-generated images: pure functions, stdlib + Pillow.

Public API::

    read_generation_info(path, *, stealth=None, comfyui_all_prompts=False, sidecar=True)
        -> GenInfo | None
    inspect_file(path, *, stealth=None, comfyui_all_prompts=False, sidecar=True)
        -> FileFacts | None

One call reads the file once: the first 64 KiB, then only the byte ranges of
metadata structures further on (pixel data is skipped by offset). Damage
(unreadable, truncated, oversized text chunks, decompression bombs, invalid
JSON, ...) never raises: the call logs exactly one warning on the
``iib.metadata`` logger naming the file and the reason(s), and returns what it
could still read. A plain image without metadata returns silently.

``stealth``: None ("auto", the default) tries the alpha-channel LSB payload only
on lossless images (PNG, lossless WEBP) that have an alpha channel, and only when
nothing else matched; True also tries RGB mode on any lossless image; False never
decodes pixels. Measurements behind the default are in :mod:`.stealth`.

``comfyui_all_prompts``: return the texts of every ComfyUI text-encode node
instead of the prompts of the first sampler.

``sidecar``: look for ``<stem>.txt`` / ``<stem>.swarm.json`` / ``<stem>.json``
when the image itself holds nothing.

Generator family names and their variants are listed in :mod:`.model`. What is read
where, per container and per generator: docs/formats.md.
"""
from __future__ import annotations

import logging
import os
from typing import List, Optional

from .containers import read_container, sniff
from .dispatch import detect, detect_payload
from .model import FileFacts, GenInfo
from .sidecar import read_sidecar
from .source import HEAD_SIZE, Source, display_name
from .stealth import read_stealth

__all__ = ["FileFacts", "GenInfo", "inspect_file", "read_generation_info"]

log = logging.getLogger("iib.metadata")


def _warn(path, problems: List[str]) -> str:
    reason = "; ".join(dict.fromkeys(problems))
    if len(reason) > 500:
        reason = reason[:497] + "..."
    log.warning("%s: %s", display_name(path), reason)
    return reason


def _inspect(path, stealth: Optional[bool], all_prompts: bool, sidecar: bool,
             problems: List[str]) -> Optional[FileFacts]:
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed by the `with fh:` below, after the open error is handled
    except OSError as exc:
        problems.append("cannot open: %s" % (exc.strerror or exc.__class__.__name__))
        return None
    with fh:
        try:
            head = fh.read(HEAD_SIZE)
            size = os.fstat(fh.fileno()).st_size
        except OSError as exc:
            problems.append("cannot read: %s" % (exc.strerror or exc.__class__.__name__))
            return None
        kind = sniff(head)
        if kind is None:
            return None
        media_type, fmt = kind
        facts = FileFacts(media_type=media_type, format=fmt)
        src = Source(fh, max(size, len(head)), head)
        try:
            found = read_container(src, media_type, fmt)
        except Exception as exc:       # never let a reader bug escape
            problems.append("cannot parse %s: %s: %s" % (fmt, exc.__class__.__name__, exc))
            return facts
        problems.extend(found.problems)
        facts.width, facts.height = found.width, found.height
        if media_type != "image":
            return facts
        found.problems = problems
        try:
            info = detect(found, all_prompts=all_prompts)
        except Exception as exc:
            problems.append("cannot interpret metadata: %s: %s" % (exc.__class__.__name__, exc))
            info = None
        if info is None and stealth is not False and found.lossless \
                and fmt in ("png", "webp") and (found.has_alpha or stealth is True) \
                and not any(p.startswith("truncated") for p in problems):
            try:
                payload = read_stealth(fh, rgb=stealth is True)
                if payload is not None:
                    info = detect_payload(payload[1], all_prompts=all_prompts)
            except Exception as exc:
                problems.append("cannot read stealth info: %s: %s" % (exc.__class__.__name__, exc))
        if info is None and sidecar:
            try:
                info = read_sidecar(path)
            except Exception as exc:
                problems.append("cannot read sidecar: %s: %s" % (exc.__class__.__name__, exc))
        facts.info = info
        return facts


def inspect_file(path, *, stealth: Optional[bool] = None, comfyui_all_prompts: bool = False,
                 sidecar: bool = True) -> Optional[FileFacts]:
    """Media type, sniffed format, size and generation info from one read of ``path``.

    Returns None for files that are not images or videos (by magic bytes) and
    for files that cannot be opened.
    """
    problems: List[str] = []
    try:
        facts = _inspect(path, stealth, comfyui_all_prompts, sidecar, problems)
    except Exception as exc:    # pragma: no cover - last line of defence
        problems.append("unexpected error: %s: %s" % (exc.__class__.__name__, exc))
        facts = None
    if problems:
        reason = _warn(path, problems)
        if facts is not None:
            facts.warning = reason
    return facts


def read_generation_info(path, *, stealth: Optional[bool] = None, comfyui_all_prompts: bool = False,
                         sidecar: bool = True) -> Optional[GenInfo]:
    """Generation info of the image at ``path`` (str, bytes or PathLike), or None."""
    facts = inspect_file(path, stealth=stealth, comfyui_all_prompts=comfyui_all_prompts, sidecar=sidecar)
    return facts.info if facts is not None else None
