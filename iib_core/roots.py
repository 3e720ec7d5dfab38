"""Which folders IIB indexes and which it may touch: the one place roots are computed.

Index roots = SD WebUI output folders (from the host's options or a `config.json` given
with `--sd_webui_config`) + `--extra_paths` + folders stored in the `extra_paths`
table. Unlike the original, `--extra_paths` folders are indexed too. The UI offers
the same folders as starting points (`global_setting`).

Allowed roots = the folders the API may touch when access control is on: the index
roots, or the folders named by `IIB_ACCESS_CONTROL_ALLOWED_PATHS` when that is set.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Sequence

from .security import normalize_path

log = logging.getLogger("iib")

WEBUI_OUTDIR_KEYS = (
    "outdir_samples", "outdir_txt2img_samples", "outdir_img2img_samples", "outdir_extras_samples",
    "outdir_grids", "outdir_txt2img_grids", "outdir_img2img_grids", "outdir_save",
)


# Shortcuts allowed in IIB_ACCESS_CONTROL_ALLOWED_PATHS (docs/configuration.md).
ALLOWED_PATH_SHORTCUTS = {
    "txt2img": ("outdir_txt2img_samples",),
    "img2img": ("outdir_img2img_samples",),
    "extra": ("outdir_extras_samples",),
    "save": ("outdir_save",),
}


@dataclass(frozen=True)
class Roots:
    """The roots of one instance at one moment."""

    index: List[str]  # folders the indexer walks (and the UI offers as starting points)
    allowed: List[str]  # folders the API may touch when access control is on


class ConfigFileError(ValueError):
    """A config file could not be used; the message names the file."""


def read_webui_config(path: str) -> Dict[str, object]:
    """The options dict of an SD WebUI `config.json`."""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except FileNotFoundError:
        raise ConfigFileError(f"--sd_webui_config: {path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise ConfigFileError(f"--sd_webui_config: {path}: cannot read it as JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ConfigFileError(f"--sd_webui_config: {path}: expected a JSON object")
    return data


def webui_output_dirs(options: Mapping[str, object], base_dir: str) -> List[str]:
    """Existing output folders named by the options, relative ones resolved against `base_dir`."""
    out: List[str] = []
    for key in WEBUI_OUTDIR_KEYS:
        value = options.get(key)
        if not isinstance(value, str) or not value.strip():
            continue
        candidate = value if os.path.isabs(value) else os.path.join(base_dir, value)
        candidate = normalize_path(candidate)
        if os.path.isdir(candidate) and candidate not in out:
            out.append(candidate)
    return out


def webui_dirs_from_flags(sd_webui_config: Optional[str], relative_to_config: bool,
                          sd_webui_dir: Optional[str]) -> List[str]:
    if not sd_webui_config:
        return []
    options = read_webui_config(sd_webui_config)
    if relative_to_config:
        base = str(Path(sd_webui_config).resolve().parent)
    else:
        base = sd_webui_dir or os.getcwd()
    return webui_output_dirs(options, base)


def index_roots(*groups: Iterable[str], warn: bool = True) -> List[str]:
    """Existing folders from all groups, normalised, first occurrence kept.

    `warn` logs each folder that does not exist (once, at start); a running server asks
    on every request and stays quiet."""
    out: List[str] = []
    for group in groups:
        for path in group:
            p = normalize_path(path)
            if p not in out:
                if os.path.isdir(p):
                    out.append(p)
                elif warn:
                    log.warning("folder %r does not exist; skipped", path)
    return out


def allowed_roots(entries: Sequence[str], index: Sequence[str], webui_options: Mapping[str, object],
                  cwd: str) -> List[str]:
    """The access-control allow-list: `index` when `entries` (IIB_ACCESS_CONTROL_ALLOWED_PATHS)
    is empty, else the existing folders they name (shortcuts for webui output folders, relative
    paths against the webui's working directory `cwd`)."""
    if not entries:
        return list(index)
    out: List[str] = []
    for entry in entries:
        keys = ALLOWED_PATH_SHORTCUTS.get(entry)
        candidates = [webui_options.get(k) for k in keys] if keys else [entry]
        for c in candidates:
            if isinstance(c, str) and c:
                p = normalize_path(c if os.path.isabs(c) else os.path.join(cwd, c))
                if os.path.isdir(p) and p not in out:
                    out.append(p)
    return out
