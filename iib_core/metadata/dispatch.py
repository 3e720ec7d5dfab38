"""Which generator wrote this? The order of docs/formats.md, "Detection order".

Input is the flat entry map of :class:`~.source.Found`; tools that embed other
tools' formats are checked first (NovelAI and Draw Things, then unique keys,
then SwarmUI, then JSON ``parameters``, then ComfyUI, then A1111 text).
"""
from __future__ import annotations

import enum
import json
import re
from typing import Any, Dict, List, Optional, Union

from . import civitai, comfyui, drawthings, easydiffusion, fooocus, hfspace, invokeai
from . import midjourney, novelai, stability_matrix, swarmui, tensorart
from .infotext import read_infotext
from .model import GenInfo
from .source import Found
from .xmp import xmp_fields

_EXIF_COMFY_RE = re.compile(r"^\s*([A-Za-z_][\w\-]*)\s*:\s*([\[{].*)$", re.S)
_EXIF_TEXT_TAGS = ("Model", "Make", "ImageDescription", "DocumentName", "Software", "Artist")


def _json_object(text: Optional[str]) -> Optional[Dict[str, Any]]:
    """Parse text that looks like a JSON object; None when it is not one."""
    if not text:
        return None
    s = text.strip().strip("\0").strip()
    if not s.startswith("{"):
        return None
    try:
        obj = json.loads(s)
    except (ValueError, RecursionError):
        return None
    return obj if isinstance(obj, dict) else None


def _comfy_entries(found: Found, usercomment_obj: Optional[Dict[str, Any]]) -> Dict[str, Any]:
    """``prompt``/``workflow`` texts or objects wherever ComfyUI savers put them."""
    out: Dict[str, Any] = {}
    for key in ("prompt", "workflow"):
        if key in found.text:
            out[key] = found.text[key]
    for tag in _EXIF_TEXT_TAGS:
        value = found.exif.get(tag)
        if value and ":" in value[:40]:
            m = _EXIF_COMFY_RE.match(value)
            if m:
                key = m.group(1).lower()
                if key in ("prompt", "workflow") and key not in out:
                    out[key] = m.group(2)
    if usercomment_obj is not None:
        if "prompt" in usercomment_obj or "workflow" in usercomment_obj:
            for key in ("prompt", "workflow"):
                v = usercomment_obj.get(key)
                if isinstance(v, (dict, str)) and key not in out:
                    out[key] = v
        elif comfyui.is_api_graph(usercomment_obj) and "prompt" not in out:
            out["prompt"] = usercomment_obj
    return out


def _comfy_object(value: Any, what: str, problems: List[str]) -> Optional[Dict[str, Any]]:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        s = value.strip().strip("\0")
        if not s.startswith(("{", "[")):
            return None
        return comfyui.parse_json_object(s, what, problems)
    return None


def _read_comfy(entries: Dict[str, Any], found: Found, problems: List[str], all_prompts: bool,
                generator: str = "ComfyUI") -> Optional[GenInfo]:
    prompt = _comfy_object(entries.get("prompt"), "prompt", problems)
    workflow = _comfy_object(entries.get("workflow"), "workflow", problems)
    if prompt is None and workflow is None:
        return None
    raw_src = entries.get("prompt") if prompt is not None else entries.get("workflow")
    raw = raw_src if isinstance(raw_src, str) else json.dumps(raw_src, ensure_ascii=False)
    return comfyui.read_comfyui(prompt, workflow, raw, all_prompts=all_prompts, generator=generator,
                                problems=problems)


def _novelai_from_exif(found: Found, uc_obj: Optional[Dict[str, Any]]) -> Optional[GenInfo]:
    entries: Dict[str, str] = {}
    if uc_obj is not None:
        for k, v in uc_obj.items():
            entries[k] = v if isinstance(v, str) else json.dumps(v)
    if "Description" not in entries and found.exif.get("ImageDescription"):
        entries["Description"] = found.exif["ImageDescription"].strip("\0")
    entries.setdefault("Source", found.exif.get("Software", ""))
    entries.setdefault("Software", "NovelAI")
    if found.exif.get("DocumentName"):
        entries.setdefault("Title", found.exif["DocumentName"])
    return novelai.read_novelai(entries)


def _merge_graph(info: GenInfo, graph_info: Optional[GenInfo]) -> GenInfo:
    """A1111 text from a ComfyUI saver + the graph: text wins, graph fills gaps."""
    if graph_info is None:
        return info
    for k, v in graph_info.params.items():
        if k not in info.params:
            info.params[k] = v
    if info.generator in ("AUTOMATIC1111",):
        info.generator = "ComfyUI"
    return info


class _Next(enum.Enum):
    """Marker of a detection step that did not decide; the next step runs."""

    NEXT = 0


_NEXT = _Next.NEXT
# A step's answer: generation info, None (decided: nothing readable) or _NEXT.
_Step = Union[GenInfo, None, _Next]


def _novelai_step(found: Found, software: str, uc_obj: Optional[Dict[str, Any]]) -> _Step:
    """2. NovelAI in PNG text, or in EXIF (Software tag / UserComment JSON)."""
    if novelai.is_novelai(found.text):
        return novelai.read_novelai(found.text)
    if software.startswith("NovelAI") or (uc_obj is not None and str(uc_obj.get("Software", "")).startswith("NovelAI")):
        return _novelai_from_exif(found, uc_obj)
    return _NEXT


def _unique_key_step(t: Dict[str, str], problems: List[str], all_prompts: bool) -> _Step:
    """4. Text keys unique to one tool (InvokeAI, Tensor.Art, Stability Matrix, Civitai)."""
    if any(k in t for k in invokeai.KEYS):
        info = invokeai.read_invokeai(t, problems)
        if info is not None:
            return info
    if "generation_data" in t:
        obj = _json_object(t["generation_data"])
        if obj is not None:
            return tensorart.read_tensorart(obj, t["generation_data"])
        problems.append("invalid JSON in generation_data")
    if "parameters-json" in t or "smproj" in t:
        info = stability_matrix.read_stability_matrix(t, problems)
        if info is not None:
            return info
    if "extraMetadata" in t:
        graph = _json_object(t.get("prompt")) or {}
        return civitai.read_civitai(graph, t.get("prompt") or t["extraMetadata"],
                                    all_prompts=all_prompts, extra_metadata=t["extraMetadata"])
    return _NEXT


def _fooocus_text(t: Dict[str, str], uc: Optional[str]) -> Optional[GenInfo]:
    """4. Fooocus: its JSON scheme or its own infotext, in ``parameters`` or UserComment."""
    text = t.get("parameters") or uc or ""
    obj = _json_object(text)
    if obj is not None:
        return fooocus.read_fooocus_json(obj, text)
    info = read_infotext(text, generator="Fooocus")
    if info is not None:
        info.variant = None
    return info


def _swarm_step(ex: Dict[str, str], params_obj: Optional[Dict[str, Any]], params_text: Optional[str],
                uc_obj: Optional[Dict[str, Any]], uc: Optional[str]) -> Optional[GenInfo]:
    """5. SwarmUI JSON in ``parameters``, UserComment or the EXIF Model tag."""
    if params_obj is not None and swarmui.is_swarm(params_obj):
        return swarmui.read_swarm(params_obj, params_text)
    if uc_obj is not None and swarmui.is_swarm(uc_obj):
        return swarmui.read_swarm(uc_obj, uc)
    model_tag = ex.get("Model")
    if model_tag and model_tag.lstrip()[:1] == "{":
        obj = _json_object(model_tag)
        if obj is not None and swarmui.is_swarm(obj):
            return swarmui.read_swarm(obj, model_tag)
    return None


def _json_params(obj: Dict[str, Any], raw: str) -> _Step:
    """6. One JSON ``parameters`` object: Ruined Fooocus, HF space, Fooocus, Easy Diffusion."""
    if fooocus.is_ruined_fooocus(obj):
        return fooocus.read_ruined_fooocus(obj, raw)
    if hfspace.is_hf_space(obj):
        return hfspace.read_hf_space(obj, raw)
    if fooocus.is_fooocus_json(obj):
        return fooocus.read_fooocus_json(obj, raw)
    if easydiffusion.is_easydiffusion(obj):
        return easydiffusion.read_easydiffusion(obj, raw)
    return _NEXT


def _json_step(t: Dict[str, str], params_obj: Optional[Dict[str, Any]], params_text: Optional[str],
               uc_obj: Optional[Dict[str, Any]], uc: Optional[str], all_prompts: bool) -> _Step:
    """6. JSON parameters, Fooocus MRE in Comment, a Civitai graph in UserComment."""
    if params_obj is not None:
        step = _json_params(params_obj, params_text)
        if step is not _NEXT:
            return step
    if uc_obj is not None:
        step = _json_params(uc_obj, uc)
        if step is not _NEXT:
            return step
    comment_obj = _json_object(t.get("Comment")) if "Comment" in t else None
    if comment_obj is not None and fooocus.is_fooocus_mre(comment_obj):
        return fooocus.read_fooocus_mre(comment_obj, t["Comment"])
    if uc_obj is not None and civitai.is_civitai_graph(uc_obj):
        return civitai.read_civitai(uc_obj, uc, all_prompts=all_prompts)
    return _NEXT


def _comfy_step(found: Found, uc_obj: Optional[Dict[str, Any]], params_text: Optional[str],
                params_obj: Optional[Dict[str, Any]], all_prompts: bool) -> Optional[GenInfo]:
    """7. ComfyUI (and 8. A1111 text written by ComfyUI savers next to the graph)."""
    comfy = _comfy_entries(found, uc_obj)
    if not comfy:
        return None
    graph_info = _read_comfy(comfy, found, found.problems, all_prompts)
    if params_text and params_obj is None:
        text_info = read_infotext(params_text)
        if text_info is not None:
            return _merge_graph(text_info, graph_info)
    return graph_info


def _infotext_step(params_text: Optional[str], params_obj: Optional[Dict[str, Any]], uc: Optional[str],
                   xf: Dict[str, str], found: Found) -> Optional[GenInfo]:
    """8. A1111-style text in ``parameters`` (unless JSON), UserComment, XMP or the file comment."""
    for text in (params_text, uc, xf.get("description"), found.comment):
        if text and (text is not params_text or params_obj is None):
            info = read_infotext(text)
            if info is not None:
                return info
    return None


def detect(found: Found, *, all_prompts: bool = False) -> Optional[GenInfo]:
    """Generation info from the collected entries, or None."""
    t = found.text
    ex = found.exif
    uc = ex.get("UserComment")
    uc_obj = _json_object(uc) if uc and uc.lstrip()[:1] == "{" else None
    software = ex.get("Software", "")
    step = _novelai_step(found, software, uc_obj)
    if step is not _NEXT:
        return step

    # 3. Draw Things
    packet = found.xmp or t.get("XML:com.adobe.xmp")
    xf = xmp_fields(packet) if packet else {}
    if xf and drawthings.is_drawthings(xf):
        info = drawthings.read_drawthings(xf)
        if info is not None:
            return info

    if t:
        step = _unique_key_step(t, found.problems, all_prompts)
        if step is not _NEXT:
            return step
    if "fooocus_scheme" in t or software.startswith("Fooocus"):
        info = _fooocus_text(t, uc)
        if info is not None:
            return info
    if t and easydiffusion.is_easydiffusion(t):
        return easydiffusion.read_easydiffusion(t, json.dumps(t, ensure_ascii=False))

    params_text = t.get("parameters")
    params_obj = _json_object(params_text) if params_text else None
    info = _swarm_step(ex, params_obj, params_text, uc_obj, uc)
    if info is not None:
        return info
    step = _json_step(t, params_obj, params_text, uc_obj, uc, all_prompts)
    if step is not _NEXT:
        return step
    info = _comfy_step(found, uc_obj, params_text, params_obj, all_prompts)
    if info is not None:
        return info
    info = _infotext_step(params_text, params_obj, uc, xf, found)
    if info is not None:
        return info

    # 9. Midjourney
    if "Description" in t and midjourney.is_midjourney(t, xf):
        return midjourney.read_midjourney(t, xf)
    return None


def detect_payload(text: str, *, all_prompts: bool = False) -> Optional[GenInfo]:
    """Generation info from a stealth payload (infotext, NovelAI map or Swarm JSON)."""
    obj = _json_object(text)
    found = Found("stealth")
    if obj is not None and (isinstance(obj.get("Software"), str) or "Comment" in obj or "Description" in obj):
        found.text = {k: (v if isinstance(v, str) else json.dumps(v)) for k, v in obj.items()}
        return detect(found, all_prompts=all_prompts)
    found.text = {"parameters": text}
    return detect(found, all_prompts=all_prompts)
