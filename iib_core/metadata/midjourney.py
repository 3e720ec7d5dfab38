"""Midjourney web downloads (docs/formats.md, "Generators"): ``Description`` =
the full command (image URLs, prompt, ``--flags``) ending in `` Job ID: <uuid>``,
``Author``, ``Creation Time``, and XMP ``iptcExt:DigImageGUID``."""
from __future__ import annotations

import re
from typing import Any, Dict, Optional

from .model import GenInfo
from .normalise import finish, put, put_extra, to_float, to_seed

_JOB_RE = re.compile(r"\s*Job ID:\s*([0-9a-fA-F-]{8,}\S*)\s*$")
_URL_RE = re.compile(r"^(?:<?https?://\S+>?\s+)+")
_FLAG_RE = re.compile(r"\s--([a-zA-Z]+)((?:\s+(?!--)[^\s-][^\s]*)*)")


def is_midjourney(entries: Dict[str, str], xmp_fields: Dict[str, str]) -> bool:
    desc = entries.get("Description") or ""
    return bool(_JOB_RE.search(desc)) or "DigImageGUID" in xmp_fields and "Description" in entries


def read_midjourney(entries: Dict[str, str], xmp_fields: Dict[str, str]) -> Optional[GenInfo]:
    desc = entries.get("Description") or ""
    params: Dict[str, Any] = {}
    m = _JOB_RE.search(desc)
    text = desc[:m.start()] if m else desc
    if m:
        put_extra(params, "Job ID", m.group(1))
    elif xmp_fields.get("DigImageGUID"):
        put_extra(params, "Job ID", xmp_fields["DigImageGUID"])
    urls = _URL_RE.match(text)
    if urls:
        put_extra(params, "image prompts", urls.group(0).strip())
        text = text[urls.end():]
    negative = ""
    first_flag = text.find(" --")
    prompt = text if first_flag < 0 else text[:first_flag]
    version = None
    for fm in _FLAG_RE.finditer(" " + text[first_flag:] if first_flag >= 0 else ""):
        flag, value = fm.group(1), fm.group(2).strip()
        if flag == "no":
            negative = value
        elif flag == "seed":
            put(params, "seed", to_seed(value))
        elif flag in ("v", "version", "niji"):
            version = ("niji " if flag == "niji" else "") + value
            put_extra(params, flag, value or flag)
        elif flag in ("ar", "aspect"):
            put_extra(params, "ar", value)
        elif flag == "stylize" or flag == "s":
            put_extra(params, "stylize", value)
            if to_float(value) is not None:
                pass
        else:
            put_extra(params, flag, value or flag)
    for k in ("Author", "Creation Time"):
        if entries.get(k):
            put_extra(params, k, entries[k])
    return GenInfo(generator="Midjourney", positive=prompt.strip(), negative=negative,
                   params=finish(params), raw=desc, version=version)
