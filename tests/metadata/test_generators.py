"""Formats without a real sample in the corpus: built synthetically per the spec."""
from __future__ import annotations

import json

from iib_core.metadata import read_generation_info

from .helpers import itxt_chunk, png_bytes, text_chunk, write

XMP_TEMPLATE = ('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
                '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:exif="http://ns.adobe.com/exif/1.0/" %s>'
                '%s</rdf:Description></rdf:RDF></x:xmpmeta>')


def _xmp_png(tmp_path, name, attrs, body, extra=()):
    packet = XMP_TEMPLATE % (attrs, body)
    return write(tmp_path / name, png_bytes(before=[itxt_chunk("XML:com.adobe.xmp", packet)] + list(extra)))


def test_draw_things_json_user_comment(tmp_path):
    dt = {"c": "a \"quoted\" astronaut", "uc": "blurry", "steps": 8, "scale": 3.5, "seed": 99,
          "sampler": "Euler A Trailing", "size": "768x1024", "model": "flux_1_dev_q8p.ckpt",
          "lora": [{"model": "x.ckpt", "weight": 0.80000001192092896}]}
    esc = json.dumps(dt).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    body = ('<xmp:CreatorTool>Draw Things</xmp:CreatorTool>'
            '<exif:UserComment><rdf:Alt><rdf:li xml:lang="x-default">%s</rdf:li></rdf:Alt></exif:UserComment>' % esc)
    info = read_generation_info(_xmp_png(tmp_path, "dt.png", "", body))
    assert (info.generator, info.positive, info.negative) == ("Draw Things", 'a "quoted" astronaut', "blurry")
    assert (info.params["width"], info.params["height"], info.params["seed"]) == (768, 1024, 99)
    assert info.params["loras"][0]["name"] == "x.ckpt"


def test_draw_things_description_with_dash_negative(tmp_path):
    desc = "a cat&#xA;-ugly&#xA;Steps: 8, Sampler: Euler A, Guidance Scale: 3.5, Seed: 5, Size: 512x512"
    body = ('<dc:description><rdf:Alt><rdf:li xml:lang="x-default">%s</rdf:li></rdf:Alt></dc:description>' % desc)
    info = read_generation_info(_xmp_png(tmp_path, "dt2.png", 'xmp:CreatorTool="Draw Things"', body))
    assert (info.generator, info.positive, info.negative, info.params["cfg"]) == ("Draw Things", "a cat", "ugly", 3.5)


def test_editor_xmp_is_not_draw_things(tmp_path):
    body = '<xmp:CreatorTool>Adobe Photoshop</xmp:CreatorTool><dc:description><rdf:Alt><rdf:li>holiday</rdf:li></rdf:Alt></dc:description>'
    assert read_generation_info(_xmp_png(tmp_path, "ps.png", "", body)) is None


def test_midjourney_description_and_xmp(tmp_path):
    desc = ("https://s.mj.run/abc a lighthouse in a storm --ar 4:5 --v 6.1 --stylize 250 --no boats, people "
            "Job ID: 0f3c1a2b-1111-2222-3333-444455556666")
    xmp = text_chunk("Author", "someone")
    p = _xmp_png(tmp_path, "mj.png", 'iptcExt:DigImageGUID="0f3c1a2b-1111-2222-3333-444455556666" '
                 'xmlns:iptcExt="http://iptc.org/std/Iptc4xmpExt/2008-02-29/"', "",
                 extra=[text_chunk("Description", desc), xmp])
    info = read_generation_info(p)
    assert (info.generator, info.positive, info.negative) == ("Midjourney", "a lighthouse in a storm", "boats, people")
    assert info.params["extra"]["ar"] == "4:5" and info.version == "6.1"
    assert info.params["extra"]["Job ID"].startswith("0f3c1a2b")


def test_stray_description_is_not_a_prompt(tmp_path):
    p = write(tmp_path / "d.png", png_bytes(before=[text_chunk("Description", "My holiday photo")]))
    assert read_generation_info(p) is None


def test_invokeai_dream_and_v3_loras(tmp_path):
    dream = '"a knight [blurry, bad] in armor" -s 30 -S 1234 -W 512 -H 640 -C 7.5 -A k_euler'
    info = read_generation_info(write(tmp_path / "d.png", png_bytes(before=[text_chunk("Dream", dream)])))
    assert (info.generator, info.positive, info.negative) == ("InvokeAI", "a knight in armor", "blurry, bad")
    assert (info.params["steps"], info.params["seed"], info.params["height"], info.params["sampler"]) == \
        (30, 1234, 640, "k_euler")
    meta = {"positive_prompt": "p", "negative_prompt": "n", "seed": 1, "app_version": "3.4.0",
            "model": {"model_name": "sdxl", "base_model": "sdxl"},
            "loras": [{"lora": {"model_name": "l3", "base_model": "sdxl"}, "weight": 0.6},
                      {"model": {"key": "k", "hash": "blake3:ab", "name": "l4"}, "weight": 0.4}]}
    info = read_generation_info(write(tmp_path / "v3.png", png_bytes(before=[text_chunk("invokeai_metadata", json.dumps(meta))])))
    assert info.params["model"] == "sdxl" and info.version == "3.4.0"
    assert [(l["name"], l["weight"]) for l in info.params["loras"]] == [("l3", 0.6), ("l4", 0.4)]


def test_easydiffusion_ui_labels(tmp_path):
    chunks = [text_chunk("Prompt", "labelled"), text_chunk("Negative Prompt", "no"), text_chunk("Seed", "8"),
              text_chunk("Stable Diffusion model", "sd.ckpt"), text_chunk("Steps", "20"),
              text_chunk("Guidance Scale", "7.5"), text_chunk("LoRA model", "['a', 'b']"),
              text_chunk("LoRA Strength", "[0.5, 0.6]")]
    info = read_generation_info(write(tmp_path / "l.png", png_bytes(before=chunks)))
    assert (info.generator, info.positive, info.params["cfg"], info.params["model"]) == \
        ("Easy Diffusion", "labelled", 7.5, "sd.ckpt")
    assert [(l["name"], l["weight"]) for l in info.params["loras"]] == [("a", 0.5), ("b", 0.6)]


def test_fooocus_mre_comment_and_hf_space(tmp_path):
    mre = {"prompt": "mre", "negative_prompt": "neg", "real_prompt": ["mre, styled"], "cfg": 7, "seed": 3}
    info = read_generation_info(write(tmp_path / "m.png", png_bytes(before=[text_chunk("Comment", json.dumps(mre))])))
    assert (info.generator, info.variant, info.positive, info.params["cfg"]) == ("Fooocus", "Fooocus-MRE", "mre", 7.0)
    hf = {"prompt": "hf", "negative_prompt": "", "resolution": "896 x 1152", "guidance_scale": 5,
          "num_inference_steps": 28, "seed": 9, "Model": "animagine", "Model hash": "ab"}
    info = read_generation_info(write(tmp_path / "h.png", png_bytes(before=[text_chunk("parameters", json.dumps(hf))])))
    assert (info.generator, info.params["width"], info.params["steps"]) == ("Hugging Face Space", 896, 28)


def test_prompt_starting_with_brace_is_still_infotext(tmp_path):
    text = "{red|blue} hair\nSteps: 20, Sampler: Euler, Seed: 1, Size: 64x64"
    info = read_generation_info(write(tmp_path / "b.png", png_bytes(before=[text_chunk("parameters", text)])))
    assert info.generator == "AUTOMATIC1111" and info.positive == "{red|blue} hair"
