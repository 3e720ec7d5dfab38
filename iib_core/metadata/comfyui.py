"""ComfyUI: prompts and settings from the node graph (docs/formats.md, "ComfyUI graphs").

The API graph (``prompt``) is ``{node_id: {"class_type", "inputs"}}`` where a
linked input is ``[source_node_id, output_slot]``. Nothing says which text is
"the prompt", so we start at every sampler-like node (anything with a
``positive`` or ``guider`` input) and walk its ``positive``/``negative`` links
backwards through whatever sits in between (conditioning transformers,
reroutes, switches, concat and primitive nodes, custom nodes) until we reach
inputs holding text. Every walk keeps a visited set and a depth limit, so
cyclic or self-referencing graphs terminate.

By default the first sampler in graph order gives positive/negative (several
samplers means several outputs and the file does not say which one it is);
``all_prompts=True`` returns the texts of every text-encode node instead.

A workflow-only file (UI graph: ``nodes`` + ``links``) is converted to the API
shape first; widget values can only be named for core nodes, so text produced
by custom or runtime nodes stays unknown (an empty prompt, not a stale one).
"""
from __future__ import annotations

import json
from typing import Any, Dict, List, Optional, Tuple

from .model import GenInfo
from .normalise import (add_embedding, add_lora, add_prompt_networks, embeddings_in_text,
                        finish, put_extra, to_float, to_int, to_seed)

_MAX_DEPTH = 64
_MAX_NODES = 20000

#: Inputs that never lead to prompt text.
_NON_TEXT_INPUTS = frozenset((
    "model", "clip", "vae", "image", "images", "pixels", "latent", "latent_image", "samples",
    "mask", "control_net", "controlnet", "upscale_model", "clip_vision", "clip_vision_output",
    "style_model", "noise", "sigmas", "sampler", "ipadapter", "insightface", "unet", "seed",
    "noise_seed", "steps", "cfg", "width", "height", "batch_size", "denoise", "sampler_name",
    "scheduler", "start_at_step", "end_at_step", "add_noise", "return_with_leftover_noise",
    "strength", "start_percent", "end_percent", "guidance", "ckpt_name", "lora_name",
    "bbox_detector", "sam_model_opt", "segm_detector_opt", "detailer_hook", "optional_vae",
))
#: Input names whose string values are prompt text.
_TEXT_INPUTS = frozenset((
    "text", "text_g", "text_l", "t5xxl", "clip_l", "llama", "prompt", "populated_text",
    "wildcard_text", "string", "value", "text_a", "text_b", "text_c", "text_d", "text1", "text2",
    "string_a", "string_b", "string1", "string2", "positive", "negative", "positive_prompt",
    "negative_prompt", "text_positive", "text_negative", "caption", "prompt_text", "Text",
    "wildcard", "input_text", "on_true", "on_false",
))
_JOIN_INPUTS = ("delimiter", "separator", "Delimiter", "separator_text")
#: Nodes whose text output is produced at run time and not stored in the file.
_RUNTIME_TEXT = frozenset(("TextGenerate", "SDPromptReader", "LoadImage"))

_MODEL_KEYS = ("ckpt_name", "unet_name", "base_ckpt_name", "model_name", "checkpoint", "ckpt")


def _is_link(value: Any) -> bool:
    return (isinstance(value, list) and len(value) == 2
            and isinstance(value[0], (str, int)) and not isinstance(value[0], bool)
            and isinstance(value[1], int) and not isinstance(value[1], bool))


def _is_text_key(key: str) -> bool:
    if key in _TEXT_INPUTS:
        return True
    low = key.lower()
    if low in _NON_TEXT_INPUTS or low in _JOIN_INPUTS:
        return False
    return "text" in low or "prompt" in low or low.startswith("string")


def _uniq(items: List[str]) -> List[str]:
    out: List[str] = []
    for s in items:
        if s not in out:
            out.append(s)
    return out


class Graph:
    """An API-format graph with cycle-safe walks."""

    def __init__(self, nodes: Dict[str, Any]) -> None:
        self.cyclic = False
        self._path: set = set()
        self.nodes: Dict[str, Dict[str, Any]] = {}
        for nid, node in nodes.items():
            if isinstance(node, dict) and isinstance(node.get("inputs", {}), dict) \
                    and isinstance(node.get("class_type"), str):
                self.nodes[str(nid)] = node

    def node(self, nid) -> Optional[Dict[str, Any]]:
        return self.nodes.get(str(nid))

    def inputs(self, nid) -> Dict[str, Any]:
        node = self.nodes.get(str(nid))
        return node.get("inputs") or {} if node else {}

    def class_of(self, nid) -> str:
        node = self.nodes.get(str(nid))
        return node["class_type"] if node else ""

    # -- text ---------------------------------------------------------------
    def texts(self, nid, slot: int = 0, seen=None, depth: int = 0) -> List[str]:
        """Prompt texts that feed output ``slot`` of node ``nid``."""
        if seen is None:
            seen = set()
        key = (str(nid), slot)
        if key in self._path or depth > _MAX_DEPTH:
            self.cyclic = True
            return []
        if key in seen:
            return []
        seen.add(key)
        self._path.add(key)
        try:
            return self._texts(nid, slot, seen, depth)
        finally:
            self._path.discard(key)

    def _texts(self, nid, slot: int, seen, depth: int) -> List[str]:
        node = self.node(nid)
        if node is None or node["class_type"] in _RUNTIME_TEXT:
            return []
        inputs = node.get("inputs") or {}
        populated = inputs.get("populated_text")
        if isinstance(populated, str) and populated.strip():
            return [populated]
        if "on_true" in inputs or "on_false" in inputs:
            switched = self._switch_texts(inputs, seen, depth)
            if switched is not None:
                return switched
        # a node with both positive and negative conditioning inputs (ControlNet apply, ...)
        # passes each through on its own output slot
        pos_in, neg_in = inputs.get("positive"), inputs.get("negative")
        if _is_link(pos_in) and _is_link(neg_in):
            chosen = pos_in if slot == 0 else neg_in
            return self.texts(chosen[0], chosen[1], seen, depth + 1)
        joined = self._text_input_texts(inputs, seen, depth)
        if joined is not None:
            return joined
        # pass-through / conditioning transformer: follow the remaining links
        pieces: List[str] = []
        for name, value in inputs.items():
            if _is_link(value) and name not in _NON_TEXT_INPUTS:
                pieces.extend(self.texts(value[0], value[1], seen, depth + 1))
        return _uniq(pieces)

    def _switch_texts(self, inputs: Dict[str, Any], seen, depth: int) -> Optional[List[str]]:
        """A switch follows the selected branch only; None when no boolean selects one."""
        flag = None
        for k in ("switch", "boolean", "condition", "select", "value"):
            if isinstance(inputs.get(k), bool):
                flag = inputs[k]
                break
        if flag is None:
            return None
        branch = inputs.get("on_true" if flag else "on_false")
        if isinstance(branch, str):
            return [branch]
        if _is_link(branch):
            return self.texts(branch[0], branch[1], seen, depth + 1)
        return []

    def _text_input_texts(self, inputs: Dict[str, Any], seen, depth: int) -> Optional[List[str]]:
        """Texts of the node's text inputs (literal or linked), joined by its delimiter input
        if it has one; None when the node has no text input at all."""
        pieces: List[str] = []
        has_text_input = False
        for name, value in inputs.items():
            if not _is_text_key(name):
                continue
            if isinstance(value, str):
                has_text_input = True
                pieces.append(value)
            elif _is_link(value):
                has_text_input = True
                pieces.extend(self.texts(value[0], value[1], seen, depth + 1))
        if not has_text_input:
            return None
        pieces = _uniq([p for p in pieces if p.strip()])
        delim = None
        for k in _JOIN_INPUTS:
            if isinstance(inputs.get(k), str):
                delim = inputs[k]
                break
        if delim is not None and len(pieces) > 1:
            return [delim.join(pieces)]
        return pieces

    # -- scalars ------------------------------------------------------------
    def scalar(self, value: Any, names: Tuple[str, ...], depth: int = 0, seen=None):
        """A literal value, or the value a linked primitive node holds."""
        if not _is_link(value):
            return value
        if seen is None:
            seen = set()
        if depth > 8 or str(value[0]) in seen:
            return None
        seen.add(str(value[0]))
        inputs = self.inputs(value[0])
        for n in names + ("value", "int", "float", "number", "seed", "Value", "string", "text"):
            if n in inputs:
                return self.scalar(inputs[n], names, depth + 1, seen)
        return None

    def find(self, nid, names: Tuple[str, ...], follow: Tuple[str, ...], depth: int = 3):
        """First value of ``names`` on node ``nid`` or on nodes linked through ``follow``."""
        todo = [(str(nid), 0)]
        seen = set()
        while todo:
            cur, d = todo.pop(0)
            if cur in seen:
                continue
            seen.add(cur)
            inputs = self.inputs(cur)
            for n in names:
                if n in inputs:
                    v = self.scalar(inputs[n], names)
                    if v is not None:
                        return v
            if d < depth:
                for f in follow:
                    v = inputs.get(f)
                    if _is_link(v):
                        todo.append((str(v[0]), d + 1))
        return None

    def samplers(self) -> List[str]:
        out = []
        for nid, node in self.nodes.items():
            inputs = node.get("inputs") or {}
            if ("positive" in inputs or "guider" in inputs) and (
                    "sampler" in node["class_type"].lower() or "seed" in inputs
                    or "noise_seed" in inputs or "guider" in inputs):
                out.append(nid)
        return out


def _guider_io(graph: Graph, sampler: str) -> Tuple[Any, Any]:
    inputs = graph.inputs(sampler)
    if "positive" in inputs:
        return inputs.get("positive"), inputs.get("negative")
    guider = inputs.get("guider")
    seen = set()
    while _is_link(guider) and str(guider[0]) not in seen:
        seen.add(str(guider[0]))
        g = graph.inputs(guider[0])
        if "positive" in g or "negative" in g:
            return g.get("positive"), g.get("negative")
        if "conditioning" in g:
            return g.get("conditioning"), None
        if "cond1" in g:
            return g.get("cond1"), g.get("negative")
        guider = g.get("guider")
    return None, None


def _texts_of(graph: Graph, link: Any) -> List[str]:
    if isinstance(link, str):
        return [link]
    if not _is_link(link):
        return []
    return [t for t in graph.texts(link[0], link[1]) if t.strip()]


def _settings(graph: Graph, sampler: str, params: Dict[str, Any]) -> None:
    follow = ("noise", "sigmas", "sampler", "guider")
    seed = graph.find(sampler, ("seed", "noise_seed"), follow)
    if seed is not None:
        params["seed"] = to_seed(seed)
    for key, names, conv in (("steps", ("steps",), to_int), ("cfg", ("cfg", "cfg_scale"), to_float),
                             ("sampler", ("sampler_name",), None), ("scheduler", ("scheduler",), None),
                             ("denoising", ("denoise",), to_float)):
        v = graph.find(sampler, names, follow)
        if v is None:
            continue
        v = conv(v) if conv else (v if isinstance(v, str) else None)
        if v is not None:
            params[key] = v
    # model: walk the model chain back to a loader
    model = graph.find(sampler, _MODEL_KEYS, ("model", "guider", "unet", "base_model"), depth=30)
    if isinstance(model, str):
        params["model"] = model
    # size: walk the latent chain back to an empty-latent node
    todo = [graph.inputs(sampler).get("latent_image")]
    seen: set = set()
    while todo:
        link = todo.pop(0)
        if not _is_link(link) or str(link[0]) in seen or len(seen) > 30:
            continue
        seen.add(str(link[0]))
        inputs = graph.inputs(link[0])
        w = to_int(graph.scalar(inputs.get("width"), ("width",)))
        h = to_int(graph.scalar(inputs.get("height"), ("height",)))
        if w and h:
            params["width"], params["height"] = w, h
            break
        for name in ("samples", "latent", "latent_image", "pixels", "image", "samples_from", "samples_to"):
            if _is_link(inputs.get(name)):
                todo.append(inputs[name])


def _loras(graph: Graph, params: Dict[str, Any]) -> None:
    for node in graph.nodes.values():
        inputs = node.get("inputs") or {}
        ct = node["class_type"]
        if isinstance(inputs.get("lora_name"), str) and inputs["lora_name"] not in ("None", ""):
            w = to_float(graph.scalar(inputs.get("strength_model", inputs.get("strength")), ("strength_model",)))
            add_lora(params, inputs["lora_name"], w, "lora",
                     strength_clip=to_float(graph.scalar(inputs.get("strength_clip"), ("strength_clip",))))
        elif "hypernetwork_name" in inputs and isinstance(inputs["hypernetwork_name"], str):
            add_lora(params, inputs["hypernetwork_name"], to_float(inputs.get("strength")), "hypernet")
        # rgthree Power Lora Loader: lora_1: {"on": true, "lora": "x", "strength": 1}
        for key, value in inputs.items():
            if (key.lower().startswith("lora_") and isinstance(value, dict)
                    and value.get("on", True) and isinstance(value.get("lora"), str) and value["lora"] != "None"):
                add_lora(params, value["lora"], to_float(value.get("strength")), "lora")
        # CR LoRA Stack: switch_1 / lora_name_1 / model_weight_1
        if "Stack" in ct or "stack" in ct:
            for i in range(1, 50):
                name = inputs.get("lora_name_%d" % i)
                if name is None:
                    if i > 3:
                        break
                    continue
                sw = inputs.get("switch_%d" % i, "On")
                if isinstance(name, str) and name != "None" and sw in ("On", True, "on"):
                    w = inputs.get("model_weight_%d" % i, inputs.get("lora_wt_%d" % i))
                    add_lora(params, name, to_float(w), "lora")


def _encoder_nodes(graph: Graph) -> List[str]:
    return [nid for nid, node in graph.nodes.items()
            if "textencode" in node["class_type"].lower().replace(" ", "")
            or node["class_type"] in ("CLIPTextEncode", "PromptStyler")]


def _sampler_prompts(graph: Graph, samplers, params: Dict[str, Any],
                     all_prompts: bool) -> Tuple[List[str], List[str]]:
    """Prompt texts of the first sampler (whose settings go to ``params``); with
    ``all_prompts`` the negatives of the other samplers are added too."""
    positive_parts: List[str] = []
    negative_parts: List[str] = []
    for sid in samplers:
        pos, neg = _guider_io(graph, sid)
        p, n = _texts_of(graph, pos), _texts_of(graph, neg)
        if not positive_parts and not negative_parts:
            positive_parts, negative_parts = p, n
            _settings(graph, sid, params)
            if all_prompts:
                continue
            break
        negative_parts.extend(x for x in n if x not in negative_parts)
    return positive_parts, negative_parts


def _add_encoder_texts(graph: Graph, positive_parts: List[str], negatives) -> None:
    """Append every text encoder's text not yet in ``positive_parts`` nor in ``negatives``."""
    for nid in _encoder_nodes(graph):
        for t in graph.texts(nid, 0):
            if t.strip() and t not in negatives and t not in positive_parts:
                positive_parts.append(t)


def _first_model(graph: Graph, params: Dict[str, Any]) -> None:
    """``params["model"]`` from the first non-upscale node naming a model."""
    for node in graph.nodes.values():
        inputs = node.get("inputs") or {}
        if "upscale" in node["class_type"].lower():
            continue
        for k in _MODEL_KEYS:
            if isinstance(inputs.get(k), str):
                params["model"] = inputs[k]
                return


_NO_TEXTS: frozenset = frozenset()


def prompts_from_graph(graph: Graph, all_prompts: bool = False) -> Tuple[str, str, Dict[str, Any]]:
    params: Dict[str, Any] = {}
    samplers = graph.samplers()
    positive_parts, negative_parts = _sampler_prompts(graph, samplers, params, all_prompts)
    if all_prompts:
        _add_encoder_texts(graph, positive_parts, set(negative_parts))
    elif not samplers:
        # no sampler (upscale-only graphs, odd custom graphs): any encoder text
        _add_encoder_texts(graph, positive_parts, _NO_TEXTS)
    if "model" not in params:
        _first_model(graph, params)
    _loras(graph, params)
    positive = "\n".join(_uniq([x.strip() for x in positive_parts])).strip()
    negative = "\n".join(_uniq([x.strip() for x in negative_parts])).strip()
    add_prompt_networks(params, positive, negative)
    for name in embeddings_in_text(positive) + embeddings_in_text(negative):
        add_embedding(params, name)
    return positive, negative, params


# ---------------------------------------------------------------------------
# UI workflow -> API graph
# ---------------------------------------------------------------------------
_WIDGETS = {
    "CLIPTextEncode": ["text"],
    "CLIPTextEncodeSDXL": ["width", "height", "crop_w", "crop_h", "target_width", "target_height",
                           "text_g", "text_l"],
    "CLIPTextEncodeSDXLRefiner": ["ascore", "width", "height", "text"],
    "CLIPTextEncodeFlux": ["clip_l", "t5xxl", "guidance"],
    "KSampler": ["seed", None, "steps", "cfg", "sampler_name", "scheduler", "denoise"],
    "KSamplerAdvanced": ["add_noise", "noise_seed", None, "steps", "cfg", "sampler_name",
                         "scheduler", "start_at_step", "end_at_step", "return_with_leftover_noise"],
    "EmptyLatentImage": ["width", "height", "batch_size"],
    "EmptySD3LatentImage": ["width", "height", "batch_size"],
    "CheckpointLoaderSimple": ["ckpt_name"],
    "UNETLoader": ["unet_name", "weight_dtype"],
    "LoraLoader": ["lora_name", "strength_model", "strength_clip"],
    "LoraLoaderModelOnly": ["lora_name", "strength_model"],
    "PrimitiveNode": ["value"],
    "PrimitiveStringMultiline": ["value"],
    "PrimitiveString": ["value"],
    "PrimitiveInt": ["value"],
    "StringConcatenate": ["string_a", "string_b", "delimiter"],
    "RandomNoise": ["noise_seed"],
    "KSamplerSelect": ["sampler_name"],
    "BasicScheduler": ["scheduler", "steps", "denoise"],
    "CFGGuider": ["cfg"],
    "FluxGuidance": ["guidance"],
}


def _workflow_links(workflow: Dict[str, Any]) -> Dict[Any, Tuple[Any, int]]:
    """Link id -> (origin node id, origin slot), from list or dict link records."""
    links: Dict[Any, Tuple[Any, int]] = {}
    for link in workflow.get("links") or []:
        if isinstance(link, list) and len(link) >= 5:
            links[link[0]] = (link[1], link[2])
        elif isinstance(link, dict) and "id" in link:
            links[link["id"]] = (link.get("origin_id"), link.get("origin_slot", 0))
    return links


def _workflow_node_inputs(node: Dict[str, Any], ctype: str,
                          links: Dict[Any, Tuple[Any, int]]) -> Dict[str, Any]:
    """API-style inputs of one UI node: known widget values, then linked inputs."""
    inputs: Dict[str, Any] = {}
    names = _WIDGETS.get(ctype)
    values = node.get("widgets_values")
    if names and isinstance(values, list):
        for name, value in zip(names, values):
            if name is not None:
                inputs[name] = value
    for inp in node.get("inputs") or []:
        if isinstance(inp, dict) and inp.get("link") is not None and inp.get("link") in links:
            src, slot = links[inp["link"]]
            if src is not None:
                inputs[str(inp.get("name"))] = [str(src), int(slot or 0)]
    return inputs


def _inline_primitives(graph: Dict[str, Any]) -> None:
    """Primitive nodes feed widgets: inline their value where they are linked."""
    for node in graph.values():
        for name, value in list(node["inputs"].items()):
            if _is_link(value):
                src = graph.get(str(value[0]))
                if src and src["class_type"] == "PrimitiveNode" and "value" in src["inputs"]:
                    node["inputs"][name] = src["inputs"]["value"]


def workflow_to_graph(workflow: Dict[str, Any]) -> Dict[str, Any]:
    """UI-format workflow -> API-format graph (best effort, core nodes only)."""
    nodes = workflow.get("nodes")
    if not isinstance(nodes, list):
        raise ValueError("workflow has no node list")
    links = _workflow_links(workflow)
    graph: Dict[str, Any] = {}
    for node in nodes[:_MAX_NODES]:
        if not isinstance(node, dict) or "id" not in node:
            continue
        if node.get("mode") in (2, 4):      # muted / bypassed
            continue
        ctype = str(node.get("type") or "")
        graph[str(node["id"])] = {"class_type": ctype, "inputs": _workflow_node_inputs(node, ctype, links)}
    _inline_primitives(graph)
    return graph


# ---------------------------------------------------------------------------

def parse_json_object(text: Optional[str], what: str, problems: List[str]) -> Optional[Dict[str, Any]]:
    if text is None:
        return None
    try:
        obj = json.loads(text.strip().strip("\0"))
    except (ValueError, RecursionError) as exc:
        problems.append("invalid JSON in ComfyUI %s: %s" % (what, str(exc)[:120]))
        return None
    if not isinstance(obj, dict):
        problems.append("ComfyUI %s is not a JSON object" % what)
        return None
    return obj


def is_api_graph(obj: Any) -> bool:
    if not isinstance(obj, dict) or not obj:
        return False
    return any(isinstance(node, dict) and "class_type" in node for node in obj.values())


def read_comfyui(prompt: Optional[Dict[str, Any]], workflow: Optional[Dict[str, Any]],
                 raw: str, *, all_prompts: bool = False, generator: str = "ComfyUI",
                 problems: Optional[List[str]] = None) -> Optional[GenInfo]:
    """GenInfo from an API graph (preferred) or a UI workflow."""
    graph_src = None
    if is_api_graph(prompt):
        graph_src = prompt
    elif isinstance(workflow, dict) and isinstance(workflow.get("nodes"), list):
        graph_src = workflow_to_graph(workflow)
    if graph_src is None:
        return None
    if len(graph_src) > _MAX_NODES:
        graph_src = dict(list(graph_src.items())[:_MAX_NODES])
    graph = Graph(graph_src)
    positive, negative, params = prompts_from_graph(graph, all_prompts=all_prompts)
    if graph.cyclic and problems is not None:
        problems.append("cyclic ComfyUI graph (a node links back to itself)")
    version = None
    if isinstance(workflow, dict):
        v = workflow.get("version")
        extra = workflow.get("extra")
        if isinstance(extra, dict) and isinstance(extra.get("frontendVersion"), str):
            version = extra["frontendVersion"]
        elif isinstance(v, (str, int, float)) and not isinstance(v, bool):
            put_extra(params, "workflow_version", v)
        if prompt is None:
            put_extra(params, "source", "workflow")
    return GenInfo(generator=generator, positive=positive, negative=negative,
                   params=finish(params), raw=raw, version=version)
