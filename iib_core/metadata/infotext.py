"""The A1111 "infotext" grammar (docs/formats.md, "The A1111 text").

::

    <positive prompt, any number of lines>
    Negative prompt: <negative prompt, any number of lines>     (optional)
    Key: value, Key: "json \\"quoted\\", value", Hashes: {...}, Flag, ...
    Template: ...                                              (optional, sd-dynamic-prompts)
    Negative Template: ...

The parameter line is the *last* line holding at least three ``Key: value``
pairs including a well-known key (Steps, Sampler, Seed, Size, CFG scale); what
follows it is kept as extension blocks. Values may be JSON strings (quoted
because they contain ``,``, ``:`` or a newline), raw JSON objects/arrays
appended by extensions (``Hashes: {...}``, ``Civitai resources: [...]``) or
plain text up to the next comma; a segment without a colon is a bare flag.

Used by A1111, the Forge family, SD.Next, Civitai, Fooocus (a1111 scheme),
ComfyUI saver nodes, Stability Matrix, Draw Things and sidecar ``.txt`` files.
"""
from __future__ import annotations

import json
import re
from typing import Any, Callable, Dict, List, Optional, Tuple

from .model import GenInfo
from .normalise import (add_embedding, add_lora, add_prompt_networks, finish, parse_size,
                        strip_model_ext, to_float, to_int, to_seed)

KNOWN_KEYS = ("Steps", "Sampler", "Seed", "Size", "CFG scale", "CFG Scale")
_KEY_RE = re.compile(r"([^,:\n]+?)[ \t]*:[ \t]*")
_QUOTED_RE = re.compile(r'"(?:\\.|[^\\"])*"')
_BLOCK_RE = re.compile(r"^([A-Za-z][\w \-/]*?):[ \t]?(.*)$")
_decoder = json.JSONDecoder()

#: A1111 key -> (normalised key, converter)
_Spec = Tuple[str, Callable[[Any], Any]]  # (parameter name, converter)
_SCALARS: Dict[str, _Spec] = {
    "Steps": ("steps", to_int),
    "Sampler": ("sampler", str),
    "Schedule type": ("scheduler", str),
    "Scheduler": ("scheduler", str),
    "CFG scale": ("cfg", to_float),
    "CFG Scale": ("cfg", to_float),
    "Guidance Scale": ("cfg", to_float),
    "Seed": ("seed", to_seed),
    "Model hash": ("model_hash", str),
    "Model": ("model", str),
    "VAE": ("vae", str),
    "VAE hash": ("vae_hash", str),
    "Denoising strength": ("denoising", to_float),
    "Clip skip": ("clip_skip", to_int),
    "Hires upscaler": ("hires_upscaler", str),
    "Hires upscale": ("hires_upscale", to_float),
    "Hires steps": ("hires_steps", to_int),
    "Hires denoising strength": ("hires_denoising", to_float),
    "Hires denoising": ("hires_denoising", to_float),
}
_SIZES = {"Size": ("width", "height"), "Hires resize": ("hires_width", "hires_height")}
#: Keys whose content we also turn into loras/embeddings (their text stays in extra).
_NETWORK_KEYS = ("Lora hashes", "LoRA hashes", "TI hashes", "Hashes", "Civitai resources",
                 "LoRA networks")


def _value_end_ok(line: str, pos: int) -> bool:
    n = len(line)
    while pos < n and line[pos] in " \t":
        pos += 1
    return pos >= n or line[pos] == ","


def parse_params_line(line: str) -> Tuple[List[Tuple[str, Any]], List[str]]:
    """``Key: value, ...`` -> ([(key, value)], [bare flags]).

    Quoted values are JSON-decoded; raw ``{...}``/``[...]`` values are kept as
    their JSON text.
    """
    pairs: List[Tuple[str, Any]] = []
    flags: List[str] = []
    pos = 0
    n = len(line)
    while pos < n:
        while pos < n and line[pos] in " \t,":
            pos += 1
        if pos >= n:
            break
        m = _KEY_RE.match(line, pos)
        if m is None:
            end = line.find(",", pos)
            if end < 0:
                end = n
            flag = line[pos:end].strip()
            if flag:
                flags.append(flag)
            pos = end + 1
            continue
        key = m.group(1).strip()
        vpos = m.end()
        c = line[vpos:vpos + 1]
        if c == '"':
            q = _QUOTED_RE.match(line, vpos)
            if q is not None and _value_end_ok(line, q.end()):
                raw = q.group(0)
                try:
                    value = json.loads(raw)
                except (ValueError, RecursionError):
                    value = raw
                pairs.append((key, value))
                pos = q.end()
                continue
        elif c == "{" or c == "[":
            try:
                _obj, end = _decoder.raw_decode(line, vpos)
            except (ValueError, RecursionError):
                end = -1
            if end > 0 and _value_end_ok(line, end):
                pairs.append((key, line[vpos:end]))
                pos = end
                continue
        end = line.find(",", vpos)
        if end < 0:
            end = n
        pairs.append((key, line[vpos:end].strip()))
        pos = end
    return pairs, flags


def _as_params_line(line: str):
    if ": " not in line and ":" not in line:
        return None
    if not any(k in line for k in KNOWN_KEYS):
        return None
    pairs, flags = parse_params_line(line)
    if len(pairs) < 3:
        return None
    for k, _v in pairs:
        if k in KNOWN_KEYS:
            return pairs, flags
    return None


class Infotext:
    """The parts of one infotext; ``pairs`` keep their order and spelling."""

    __slots__ = ("positive", "negative", "pairs", "flags", "blocks")

    def __init__(self, positive: str, negative: str, pairs, flags, blocks) -> None:
        self.positive = positive
        self.negative = negative
        self.pairs: List[Tuple[str, Any]] = pairs
        self.flags: List[str] = flags
        self.blocks: Dict[str, str] = blocks

    def get(self, key: str, default=None):
        for k, v in self.pairs:
            if k == key:
                return v
        return default


def split_infotext(text: str, *, dash_negative: bool = False) -> Optional[Infotext]:
    """Split an infotext, or None when it has no recognisable parameter line.

    ``dash_negative``: Draw Things starts the negative prompt with a line that
    begins with ``-`` instead of ``Negative prompt:``.
    """
    if not text:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip().strip("\0")
    lines = text.split("\n")
    found = None
    idx = -1
    for i in range(len(lines) - 1, -1, -1):
        found = _as_params_line(lines[i])
        if found is not None:
            idx = i
            break
    if found is None:
        return None
    pairs, flags = found
    before = lines[:idx]
    neg_at = -1
    for i, line in enumerate(before):
        s = line.lstrip()
        if s.startswith("Negative prompt:"):
            neg_at = i
            before[i] = s[len("Negative prompt:"):]
            break
        if dash_negative and i > 0 and s.startswith("-"):
            neg_at = i
            before[i] = s[1:]
            break
    if neg_at >= 0:
        positive = "\n".join(before[:neg_at]).strip()
        negative = "\n".join(before[neg_at:]).strip()
    else:
        positive = "\n".join(before).strip()
        negative = ""
    blocks: Dict[str, str] = {}
    current = None
    for line in lines[idx + 1:]:
        m = _BLOCK_RE.match(line)
        if m is not None and (m.group(1) in ("Template", "Negative Template") or current is None):
            current = m.group(1)
            blocks[current] = m.group(2)
        elif current is not None:
            blocks[current] += "\n" + line
        elif line.strip():
            blocks["Trailing text"] = (blocks.get("Trailing text", "") + "\n" + line).strip("\n")
    return Infotext(positive, negative, pairs, flags, blocks)


def _hash_list(text: str) -> List[Tuple[str, str]]:
    """``"name: hash, other: hash"`` -> [(name, hash)]."""
    out = []
    for part in text.split(","):
        name, sep, h = part.rpartition(":")
        if sep and name.strip():
            out.append((name.strip(), h.strip()))
    return out


def _json_value(text: Any):
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return None


_ADDNET_KEY_RE = re.compile(r"AddNet (Model|Weight A|Weight B|Module) (\d+)$")
_NAME_HASH_RE = re.compile(r"^(.*?)(?:\(([0-9a-fA-F]+)\))?$")


def _sort_pairs(pairs, params: Dict[str, Any], extra: Dict[str, str],
                addnet: Dict[str, Dict[str, Any]]) -> None:
    """Known scalar and size pairs into ``params``, the rest into ``extra`` (AddNet slots
    also into ``addnet``). Kept as one loop: it runs for every pair of every file."""
    for key, value in pairs:
        if key == "Version":
            continue
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        spec = _SCALARS.get(key)
        if spec is not None:
            conv = spec[1](text) if spec[1] is not str else text.strip()
            if conv is not None and conv != "":
                params[spec[0]] = conv
                continue
        sizes = _SIZES.get(key)
        if sizes is not None:
            wh = parse_size(text)
            if wh is not None:
                params[sizes[0]], params[sizes[1]] = wh
                continue
        extra[key] = text
        if key.startswith("AddNet "):
            m = _ADDNET_KEY_RE.match(key)
            if m:
                addnet.setdefault(m.group(2), {})[m.group(1)] = text


def _legacy_hypernet(params: Dict[str, Any], extra: Dict[str, str]) -> None:
    """Hypernetworks written the legacy way (``Hypernet: name(hash)``)."""
    hm = _NAME_HASH_RE.match(extra["Hypernet"].strip())
    if hm and hm.group(1).strip():
        add_lora(params, hm.group(1).strip(), to_float(extra.get("Hypernet strength")), "hypernet",
                 hash=hm.group(2))


def _lora_hashes(params: Dict[str, Any], text: str) -> None:
    for name, h in _hash_list(text):
        add_lora(params, name, None, "lora", hash=h)


def _lora_networks(params: Dict[str, Any], text: str) -> None:
    for name in text.split(","):
        if name.strip():
            add_lora(params, name.strip(), None, "lora")


def _ti_hashes(params: Dict[str, Any], text: str) -> None:
    for name, _h in _hash_list(text):
        add_embedding(params, name)


def _hashes_json(params: Dict[str, Any], text: str) -> None:
    """``Hashes: {"model": .., "lora:name": .., "embed:name": ..}``."""
    obj = _json_value(text)
    if not isinstance(obj, dict):
        return
    for hk, hv in obj.items():
        if not isinstance(hk, str):
            continue
        if hk.startswith("lora:"):
            add_lora(params, hk[5:], None, "lora", hash=str(hv))
        elif hk.startswith("embed:"):
            add_embedding(params, hk[6:])
        elif hk == "model" and "model_hash" not in params:
            params["model_hash"] = str(hv)


def _civitai_resources_text(params: Dict[str, Any], text: str) -> None:
    add_civitai_resources(params, _json_value(text))


# Readers of the network-listing keys, in the order of _NETWORK_KEYS.
_NETWORK_READERS = {
    "Lora hashes": _lora_hashes,
    "LoRA hashes": _lora_hashes,
    "TI hashes": _ti_hashes,
    "Hashes": _hashes_json,
    "Civitai resources": _civitai_resources_text,
    "LoRA networks": _lora_networks,
}


def _add_addnet(params: Dict[str, Any], addnet: Dict[str, Dict[str, Any]]) -> None:
    """Additional Networks extension slots (``AddNet Model 1`` ...), in slot order."""
    for slot in sorted(addnet, key=lambda s: int(s)):
        item = addnet[slot]
        model = item.get("Model")
        if not model:
            continue
        am = _NAME_HASH_RE.match(model.strip())
        name = am.group(1).strip() if am else model
        module = (item.get("Module") or "LoRA").lower()
        add_lora(params, name, to_float(item.get("Weight A")),
                 "lyco" if "lycoris" in module else "lora", hash=am.group(2) if am else None)


def params_from_pairs(pairs, flags=(), positive: str = "", negative: str = "") -> Dict[str, Any]:
    """Normalised ``params`` from infotext pairs; unknown keys go to ``extra``."""
    params: Dict[str, Any] = {}
    extra: Dict[str, str] = {}
    addnet: Dict[str, Dict[str, Any]] = {}
    _sort_pairs(pairs, params, extra, addnet)
    for flag in flags:
        extra.setdefault(flag, flag)
    add_prompt_networks(params, positive, negative)
    if "Hypernet" in extra:
        _legacy_hypernet(params, extra)
    for key in _NETWORK_KEYS:
        if key in extra:
            _NETWORK_READERS[key](params, extra[key])
    if addnet:
        _add_addnet(params, addnet)
    if extra:
        params["extra"] = extra
    return finish(params)


def add_civitai_resources(params: Dict[str, Any], resources) -> None:
    """Civitai ``resources`` lists (A1111 text or orchestration JSON)."""
    if not isinstance(resources, list):
        return
    for res in resources:
        if not isinstance(res, dict):
            continue
        rtype = str(res.get("type") or "").lower()
        name = res.get("modelName") or res.get("name")
        if not name and res.get("modelVersionId") is not None:
            name = "civitai:%s" % res.get("modelVersionId")
        if not name:
            continue
        name = str(name)
        weight = to_float(res.get("weight", res.get("strength")))
        if rtype in ("lora", "locon", "lycoris", "dora"):
            add_lora(params, name, weight, "lyco" if rtype in ("locon", "lycoris") else "lora",
                     version=res.get("modelVersionName"), civitai_version_id=res.get("modelVersionId"))
        elif rtype in ("embed", "embedding", "textualinversion"):
            add_embedding(params, name)
        elif rtype == "checkpoint" and "model" not in params:
            params["model"] = name
        elif rtype == "hypernet" or rtype == "hypernetwork":
            add_lora(params, name, weight, "hypernet")


_REFORGE = re.compile(r"^f\d+(?:\.\d+)*v\d+-v")
_EASYREFORGE = re.compile(r"^f\d+(?:\.\d+)*-v")
_FORGE = re.compile(r"^f\d")


def generator_of(info: Infotext) -> Tuple[str, Optional[str]]:
    """(generator family, variant) from ``App:``/``Version:``/Civitai keys (docs/formats.md, "Generators")."""
    app = info.get("App")
    if isinstance(app, str) and "sd.next" in app.lower():
        return "SD.Next", None
    if info.get("Civitai resources") is not None or info.get("Civitai metadata") is not None:
        return "Civitai", None
    version = info.get("Version")
    if isinstance(version, str):
        v = version.strip()
        lv = v.lower()
        if _REFORGE.match(v):
            return "Forge", "reForge"
        if _EASYREFORGE.match(v):
            return "Forge", "EasyReforge"
        if _FORGE.match(v):
            return "Forge", "Forge"
        if lv.startswith("classic"):
            return "Forge", "Forge Classic"
        if lv.startswith("neo"):
            return "Forge", "Forge Neo"
        if lv.startswith("fooocus"):
            return "Fooocus", None
        if lv.startswith("comfyui"):
            return "ComfyUI", None
    return "AUTOMATIC1111", None


def read_infotext(text: str, *, generator: Optional[str] = None, dash_negative: bool = False
                  ) -> Optional[GenInfo]:
    """A :class:`GenInfo` from infotext, or None when it is not one."""
    info = split_infotext(text, dash_negative=dash_negative)
    if info is None:
        return _postprocess_only(text)
    params = params_from_pairs(info.pairs, info.flags, info.positive, info.negative)
    if info.blocks:
        extra = params.setdefault("extra", {})
        extra.update(info.blocks)
    family, variant = generator_of(info)
    version = info.get("Version")
    return GenInfo(generator=generator or family, positive=info.positive, negative=info.negative,
                   params=params, raw=text,
                   version=version if isinstance(version, str) else None,
                   variant=variant)


def _postprocess_only(text: str) -> Optional[GenInfo]:
    """A1111 Extras output: a single ``Postprocess ...: ...`` line, no prompt."""
    if not text:
        return None
    s = text.strip()
    if not s.startswith("Postprocess") or "\n" in s:
        return None
    pairs, flags = parse_params_line(s)
    if not pairs:
        return None
    return GenInfo(generator="AUTOMATIC1111", params=params_from_pairs(pairs, flags), raw=text)


def model_name(name: str) -> str:
    return strip_model_ext(name)
