"""Which folders IIB browses and indexes.

Roots = SD WebUI output folders (from the host's options or a `config.json` given
with `--sd_webui_config`) + `--extra_paths` + folders stored in the `extra_paths`
table. Unlike the original, `--extra_paths` folders are indexed too.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional

from .indexer.scan import normalize_path

log = logging.getLogger("iib")

WEBUI_OUTDIR_KEYS = (
    "outdir_samples", "outdir_txt2img_samples", "outdir_img2img_samples", "outdir_extras_samples",
    "outdir_grids", "outdir_txt2img_grids", "outdir_img2img_grids", "outdir_save",
)


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


def index_roots(*groups: Iterable[str]) -> List[str]:
    """Existing folders from all groups, normalised, first occurrence kept."""
    out: List[str] = []
    for group in groups:
        for path in group:
            p = normalize_path(path)
            if p not in out:
                if os.path.isdir(p):
                    out.append(p)
                else:
                    log.warning("folder %r does not exist; skipped", path)
    return out
