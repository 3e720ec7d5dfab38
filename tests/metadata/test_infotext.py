"""The A1111 infotext grammar: every quirk of docs/formats.md, "The A1111 text"."""
from __future__ import annotations

from iib_core.metadata.infotext import parse_params_line, read_infotext, split_infotext

PARAMS = "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 123, Size: 512x768"


def test_basic_three_parts():
    info = read_infotext("a cat\nNegative prompt: dog\n" + PARAMS + ", Model: m, Version: v1.10.1")
    assert (info.generator, info.positive, info.negative) == ("AUTOMATIC1111", "a cat", "dog")
    p = info.params
    assert p["steps"] == 20 and p["sampler"] == "Euler a" and p["cfg"] == 7.0
    assert p["seed"] == 123 and (p["width"], p["height"]) == (512, 768)
    assert p["model"] == "m" and info.version == "v1.10.1"
    assert "Version" not in p.get("extra", {})


def test_no_negative_and_empty_negative():
    assert read_infotext("a cat\n" + PARAMS).negative == ""
    info = read_infotext("a cat\n\nNegative prompt: \n\n" + PARAMS + ", App: SD.Next")
    assert info.positive == "a cat" and info.negative == "" and info.generator == "SD.Next"


def test_quoted_values_with_commas_colons_and_escapes():
    line = (PARAMS + ', Hires prompt: "a, b: c \\"q\\"\\nnext", Lora hashes: "x: 111111111111, y: 222222222222"'
            ', ControlNet 0: "Module: canny, Model: cn, Weight: 1"')
    info = read_infotext("p <lora:x:0.5>\n" + line)
    extra = info.params["extra"]
    assert extra["Hires prompt"] == 'a, b: c "q"\nnext'
    assert extra["ControlNet 0"] == "Module: canny, Model: cn, Weight: 1"
    loras = {l["name"]: l for l in info.params["loras"]}
    assert loras["x"]["weight"] == 0.5 and loras["x"]["hash"] == "111111111111"
    assert loras["y"]["weight"] is None and loras["y"]["hash"] == "222222222222"


def test_unquoted_json_values_hashes_and_civitai_resources():
    line = (PARAMS + ', Hashes: {"model": "45a21ea00a", "lora:foo": "aaa", "embed:EasyNegative": "bbb"}, '
            'Civitai resources: [{"type":"lora","weight":0.8,"modelName":"Detail, more"}, '
            '{"type":"checkpoint","modelName":"Ckpt"}], Civitai metadata: {}, Clip skip: 2')
    info = read_infotext("p\n" + line)
    assert info.generator == "Civitai"
    p = info.params
    assert p["clip_skip"] == 2 and p["model_hash"] == "45a21ea00a" and p["model"] == "Ckpt"
    assert p["embeddings"] == ["EasyNegative"]
    names = {l["name"]: l["weight"] for l in p["loras"]}
    assert names == {"foo": None, "Detail, more": 0.8}
    assert p["extra"]["Hashes"].startswith("{") and p["extra"]["Civitai metadata"] == "{}"


def test_template_lines_after_params_line():
    text = ("a {red|blue} cat\nNegative prompt: bad\n" + PARAMS +
            "\nTemplate: a {red|blue}\ncat\nNegative Template: bad")
    info = read_infotext(text)
    assert info.positive == "a {red|blue} cat" and info.negative == "bad"
    assert info.params["extra"]["Template"] == "a {red|blue}\ncat"
    assert info.params["extra"]["Negative Template"] == "bad"
    assert info.params["seed"] == 123


def test_multiline_prompts_crlf_and_blank_lines():
    text = "line one,\r\nline two\r\n\r\nNegative prompt: n1,\r\nn2\r\n\r\n" + PARAMS + "\r\n"
    info = read_infotext(text)
    assert info.positive == "line one,\nline two"
    assert info.negative == "n1,\nn2"
    assert info.raw == text


def test_bare_flags_and_size_keys():
    info = read_infotext("p\n" + PARAMS + ", Hires fix, Hires resize: 1024x1536, Seed resize from: 64x64")
    p = info.params
    assert p["extra"]["Hires fix"] == "Hires fix"
    assert (p["hires_width"], p["hires_height"]) == (1024, 1536)
    assert p["extra"]["Seed resize from"] == "64x64"


def test_prompt_that_looks_like_params_needs_known_key():
    assert read_infotext("style: anime, mood: calm, light: soft") is None
    info = read_infotext("style: anime, mood: calm, light: soft\n" + PARAMS)
    assert info.positive == "style: anime, mood: calm, light: soft"


def test_captions_and_plain_text_are_not_infotext():
    assert read_infotext("a photo of a cat sitting on a table") is None
    assert read_infotext("") is None


def test_extra_network_syntaxes():
    text = ("<lora:2新画风焦茶(缩小):1> <lyco:ly:0.3> <hypernet:hn:0.6> <lora:plain> "
            "<lora:te:0.4:0.9> <lora:named:unet=0.2:te=1>\n" + PARAMS)
    loras = {(l["type"], l["name"]): l["weight"] for l in read_infotext(text).params["loras"]}
    assert loras == {("lora", "2新画风焦茶(缩小)"): 1.0, ("lyco", "ly"): 0.3, ("hypernet", "hn"): 0.6,
                     ("lora", "plain"): 1.0, ("lora", "te"): 0.4, ("lora", "named"): 0.2}


def test_ti_hashes_addnet_and_legacy_hypernet():
    text = ("p\n" + PARAMS + ', TI hashes: "EasyNegative: c74b4e810b03, bad-hands: 111", '
            "AddNet Enabled: True, AddNet Module 1: LoRA, AddNet Model 1: old_lora(ab12cd34), "
            "AddNet Weight A 1: 0.65, AddNet Weight B 1: 0.65, Hypernet: anime(1a2b3c4d), Hypernet strength: 0.5")
    p = read_infotext(text).params
    assert p["embeddings"] == ["EasyNegative", "bad-hands"]
    loras = {l["name"]: l for l in p["loras"]}
    assert loras["old_lora"]["weight"] == 0.65 and loras["old_lora"]["hash"] == "ab12cd34"
    assert loras["anime"]["type"] == "hypernet" and loras["anime"]["weight"] == 0.5


def test_version_patterns_map_to_family_and_variant():
    cases = {
        "v1.10.1": ("AUTOMATIC1111", None),
        "f2.0.1v1.10.1-previous-669-gdfdcbab6": ("Forge", "Forge"),
        "f1.0.0v2-v1.10.1RC-latest-2498-g5120e679": ("Forge", "reForge"),
        "f1.2.3-v1.10.1": ("Forge", "EasyReforge"),
        "classic": ("Forge", "Forge Classic"),
        "neo": ("Forge", "Forge Neo"),
        "Fooocus v2.5.0": ("Fooocus", None),
        "ComfyUI": ("ComfyUI", None),
    }
    for version, expected in cases.items():
        info = read_infotext("p\n" + PARAMS + ", Version: " + version)
        assert (info.generator, info.variant) == expected, version
        assert info.version == version


def test_normalised_values_and_unparseable_numbers_stay_in_extra():
    line = ("Steps: x, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5, Seed: 18446744073709551615, "
            "Size: 64x64, Denoising strength: 0.4, Clip skip: 2, VAE: v.pt, VAE hash: 99, Hires upscaler: Latent, "
            "Hires upscale: 2, Hires steps: 10, Model hash: 12")
    p = read_infotext("p\n" + line).params
    assert p["extra"]["Steps"] == "x" and "steps" not in p
    assert p["seed"] == 2 ** 64 - 1 and p["scheduler"] == "Karras" and p["denoising"] == 0.4
    assert (p["vae"], p["vae_hash"], p["hires_upscaler"], p["hires_upscale"], p["hires_steps"]) == \
        ("v.pt", "99", "Latent", 2.0, 10)


def test_postprocess_only_text():
    info = read_infotext("Postprocess upscale by: 4, Postprocess upscaler: R-ESRGAN 4x+")
    assert info.generator == "AUTOMATIC1111" and info.positive == ""
    assert info.params["extra"]["Postprocess upscaler"] == "R-ESRGAN 4x+"


def test_parse_params_line_falls_back_on_broken_quotes_and_json():
    pairs, flags = parse_params_line('A: "unterminated, B: {"x": 1, C: [1, 2')
    keys = [k for k, _ in pairs]
    assert keys[0] == "A" and "C" in keys


def test_draw_things_dash_negative():
    info = split_infotext("a dog\n-ugly, blurry\nSteps: 8, Sampler: Euler A Trailing, Guidance Scale: 3.5, "
                          "Seed: 1, Size: 768x1024", dash_negative=True)
    assert info.positive == "a dog" and info.negative == "ugly, blurry"
