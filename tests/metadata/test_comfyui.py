"""ComfyUI graph walks: intermediaries, custom nodes, guiders, switches, workflow-only."""
from __future__ import annotations

import json

from iib_core.metadata import read_generation_info
from iib_core.metadata.comfyui import Graph, prompts_from_graph, read_comfyui, workflow_to_graph

from .helpers import png_bytes, text_chunk, write


def _walk(graph, all_prompts=False):
    return prompts_from_graph(Graph(graph), all_prompts=all_prompts)


def _ks(pos, neg, **kw):
    inputs = {"seed": 1, "steps": 20, "cfg": 7.0, "sampler_name": "euler", "scheduler": "normal",
              "denoise": 1.0, "model": ["4", 0], "positive": pos, "negative": neg, "latent_image": ["5", 0]}
    inputs.update(kw)
    return {"class_type": "KSampler", "inputs": inputs}


BASE = {
    "4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": "base.safetensors"}},
    "5": {"class_type": "EmptyLatentImage", "inputs": {"width": 832, "height": 1216, "batch_size": 1}},
}


def test_through_reroute_primitive_concat_and_custom_nodes():
    g = dict(BASE)
    g.update({
        "10": {"class_type": "PrimitiveStringMultiline", "inputs": {"value": "a castle"}},
        "11": {"class_type": "DF_Text_Box", "inputs": {"Text": "at night"}},
        "12": {"class_type": "StringConcatenate", "inputs": {"string_a": ["10", 0], "string_b": ["11", 0],
                                                             "delimiter": ", "}},
        "13": {"class_type": "Reroute", "inputs": {"": ["12", 0]}},
        "14": {"class_type": "MyCustomPromptNode", "inputs": {"prompt_in": ["13", 0], "seed": 3}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": ["14", 0], "clip": ["4", 1]}},
        "20": {"class_type": "SomeConditioningTweak", "inputs": {"conditioning": ["6", 0], "strength": 1.0}},
        "21": {"class_type": "FluxGuidance", "inputs": {"conditioning": ["20", 0], "guidance": 3.5}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "ugly", "clip": ["4", 1]}},
        "22": {"class_type": "ConditioningZeroOut", "inputs": {"conditioning": ["7", 0]}},
        "3": _ks(["21", 0], ["22", 0]),
    })
    pos, neg, params = _walk(g)
    assert pos == "a castle, at night" and neg == "ugly"
    assert params["model"] == "base.safetensors" and (params["width"], params["height"]) == (832, 1216)


def test_controlnet_apply_advanced_routes_by_slot_and_combine():
    g = dict(BASE)
    g.update({
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "pos one"}},
        "8": {"class_type": "CLIPTextEncode", "inputs": {"text": "pos two"}},
        "9": {"class_type": "ConditioningCombine", "inputs": {"conditioning_1": ["6", 0], "conditioning_2": ["8", 0]}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "neg"}},
        "30": {"class_type": "ControlNetApplyAdvanced", "inputs": {"positive": ["9", 0], "negative": ["7", 0],
                                                                   "control_net": ["31", 0], "image": ["32", 0]}},
        "3": _ks(["30", 0], ["30", 1]),
    })
    pos, neg, _ = _walk(g)
    assert pos == "pos one\npos two" and neg == "neg"


def test_sampler_custom_advanced_with_guider_and_linked_seed():
    g = {
        "1": {"class_type": "UNETLoader", "inputs": {"unet_name": "flux1-dev.safetensors"}},
        "2": {"class_type": "CLIPTextEncodeFlux", "inputs": {"clip_l": "flux prompt", "t5xxl": "flux prompt", "guidance": 3.5}},
        "3": {"class_type": "BasicGuider", "inputs": {"model": ["1", 0], "conditioning": ["2", 0]}},
        "4": {"class_type": "KSamplerSelect", "inputs": {"sampler_name": "euler"}},
        "5": {"class_type": "BasicScheduler", "inputs": {"scheduler": "simple", "steps": 28, "denoise": 1.0, "model": ["1", 0]}},
        "6": {"class_type": "PrimitiveInt", "inputs": {"value": 2 ** 64 - 1}},
        "7": {"class_type": "RandomNoise", "inputs": {"noise_seed": ["6", 0]}},
        "8": {"class_type": "EmptySD3LatentImage", "inputs": {"width": 1024, "height": 768, "batch_size": 1}},
        "9": {"class_type": "SamplerCustomAdvanced", "inputs": {"noise": ["7", 0], "guider": ["3", 0], "sampler": ["4", 0],
                                                               "sigmas": ["5", 0], "latent_image": ["8", 0]}},
    }
    pos, neg, p = _walk(g)
    assert pos == "flux prompt" and neg == ""
    assert p["seed"] == 2 ** 64 - 1 and p["steps"] == 28 and p["sampler"] == "euler"
    assert p["scheduler"] == "simple" and p["model"] == "flux1-dev.safetensors" and p["width"] == 1024


def test_switch_wildcard_and_runtime_nodes():
    g = dict(BASE)
    g.update({
        "10": {"class_type": "ImpactWildcardProcessor", "inputs": {"wildcard_text": "__animal__", "populated_text": "a fox"}},
        "11": {"class_type": "ComfySwitchNode", "inputs": {"switch": False, "on_true": "never", "on_false": ["10", 0]}},
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": ["11", 0]}},
        "12": {"class_type": "TextGenerate", "inputs": {"prompt": "write a prompt"}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": ["12", 0]}},
        "3": _ks(["6", 0], ["7", 0]),
    })
    pos, neg, _ = _walk(g)
    assert pos == "a fox" and neg == ""


def test_all_prompts_mode_and_first_sampler_default():
    g = dict(BASE)
    g.update({
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "first"}},
        "7": {"class_type": "CLIPTextEncode", "inputs": {"text": "negative"}},
        "8": {"class_type": "CLIPTextEncode", "inputs": {"text": "second pass"}},
        "9": {"class_type": "CLIPTextEncode", "inputs": {"text": "unused encoder"}},
        "3": _ks(["6", 0], ["7", 0]),
        "13": _ks(["8", 0], ["7", 0], seed=2),
    })
    pos, neg, p = _walk(g)
    assert (pos, neg, p["seed"]) == ("first", "negative", 1)
    pos, neg, _ = _walk(g, all_prompts=True)
    assert pos.split("\n") == ["first", "second pass", "unused encoder"] and neg == "negative"


def test_lora_loaders_stacks_and_power_lora():
    g = dict(BASE)
    g.update({
        "6": {"class_type": "CLIPTextEncode", "inputs": {"text": "x embedding:EasyNegative.pt"}},
        "40": {"class_type": "LoraLoader", "inputs": {"lora_name": "a.safetensors", "strength_model": 0.7,
                                                      "strength_clip": 1.0, "model": ["4", 0]}},
        "41": {"class_type": "Power Lora Loader (rgthree)", "inputs": {
            "lora_1": {"on": True, "lora": "b.safetensors", "strength": 0.5},
            "lora_2": {"on": False, "lora": "off.safetensors", "strength": 1}, "model": ["40", 0]}},
        "42": {"class_type": "CR LoRA Stack", "inputs": {"switch_1": "On", "lora_name_1": "c.safetensors",
                                                         "model_weight_1": 0.3, "switch_2": "Off",
                                                         "lora_name_2": "d.safetensors", "model_weight_2": 1}},
        "3": _ks(["6", 0], ["6", 0], model=["41", 0]),
    })
    _, _, p = _walk(g)
    assert {l["name"]: l["weight"] for l in p["loras"]} == {"a.safetensors": 0.7, "b.safetensors": 0.5,
                                                            "c.safetensors": 0.3}
    assert p["embeddings"] == ["EasyNegative"] and p["model"] == "base.safetensors"


def test_cyclic_and_self_referencing_graphs_terminate():
    g = {
        "1": {"class_type": "Loop", "inputs": {"conditioning": ["2", 0]}},
        "2": {"class_type": "Loop", "inputs": {"conditioning": ["1", 0], "seed": ["2", 0]}},
        "3": {"class_type": "Self", "inputs": {"text": ["3", 0]}},
        "4": {"class_type": "KSampler", "inputs": {"seed": ["4", 0], "positive": ["1", 0], "negative": ["3", 0],
                                                   "model": ["4", 0], "latent_image": ["4", 0]}},
    }
    graph = Graph(g)
    pos, neg, _ = prompts_from_graph(graph)
    assert (pos, neg) == ("", "") and graph.cyclic


def test_workflow_only_ui_graph_with_primitive_node():
    wf = {"nodes": [
        {"id": 1, "type": "PrimitiveNode", "widgets_values": ["from primitive"], "outputs": [{"links": [1]}]},
        {"id": 2, "type": "CLIPTextEncode", "widgets_values": ["stale"],
         "inputs": [{"name": "text", "link": 1, "widget": {"name": "text"}}]},
        {"id": 3, "type": "CLIPTextEncode", "widgets_values": ["ui negative"], "inputs": []},
        {"id": 4, "type": "KSampler", "widgets_values": [77, "randomize", 12, 5.5, "dpmpp_2m", "karras", 1],
         "inputs": [{"name": "positive", "link": 2}, {"name": "negative", "link": 3}]},
        {"id": 5, "type": "CLIPTextEncode", "mode": 4, "widgets_values": ["bypassed"], "inputs": []}],
        "links": [[1, 1, 0, 2, 1, "STRING"], [2, 2, 0, 4, 1, "CONDITIONING"],
                  {"id": 3, "origin_id": 3, "origin_slot": 0, "target_id": 4, "target_slot": 2}],
        "version": 0.4}
    graph = workflow_to_graph(wf)
    assert "5" not in graph
    info = read_comfyui(None, wf, json.dumps(wf))
    assert (info.positive, info.negative) == ("from primitive", "ui negative")
    assert (info.params["seed"], info.params["steps"], info.params["cfg"]) == (77, 12, 5.5)


def test_comfy_png_with_nan_and_group_node_ids(tmp_path):
    prompt = ('{"4:1": {"class_type": "CLIPTextEncode", "inputs": {"text": "grouped"}}, '
              '"3": {"class_type": "KSampler", "inputs": {"seed": 1, "cfg": NaN, "positive": ["4:1", 0]}}}')
    p = write(tmp_path / "c.png", png_bytes(before=[text_chunk("prompt", prompt)]))
    info = read_generation_info(p)
    assert info.positive == "grouped" and "cfg" not in info.params


def test_embedders_are_detected_before_comfyui(tmp_path):
    graph = json.dumps({"6": {"class_type": "CLIPTextEncode", "inputs": {"text": "graph text"}},
                        "3": {"class_type": "KSampler", "inputs": {"seed": 1, "positive": ["6", 0]}}})
    cases = {
        "SwarmUI": text_chunk("parameters", json.dumps({"sui_image_params": {"prompt": "swarm"}})),
        "Tensor.Art": text_chunk("generation_data", json.dumps({"prompt": "ta", "seed": "-1"}) + "\0\0"),
        "Stability Matrix": text_chunk("parameters-json", json.dumps({"PositivePrompt": "sm", "Seed": 4})),
        "Civitai": text_chunk("extraMetadata", json.dumps({"prompt": "cv", "steps": 3})),
    }
    for generator, chunk in cases.items():
        p = write(tmp_path / ("%s.png" % generator.replace(" ", "")),
                  png_bytes(before=[chunk, text_chunk("prompt", graph)]))
        info = read_generation_info(p)
        assert info.generator == generator
        assert info.positive != "graph text"


def test_easydiffusion_plain_prompt_chunk_is_not_comfy(tmp_path):
    chunks = [text_chunk("prompt", "plain text prompt"), text_chunk("negative_prompt", "bad"),
              text_chunk("seed", "5"), text_chunk("use_stable_diffusion_model", "sd-v1-5"),
              text_chunk("num_inference_steps", "25"), text_chunk("use_lora_model", "None")]
    info = read_generation_info(write(tmp_path / "ed.png", png_bytes(before=chunks)))
    assert (info.generator, info.positive, info.negative, info.params["seed"]) == \
        ("Easy Diffusion", "plain text prompt", "bad", 5)
    assert "loras" not in info.params
