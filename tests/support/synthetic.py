"""The project's synthetic corpus: many small "AI-generated" images, deterministic by seed.

    python tests/support/synthetic.py OUT_DIR --n 20000 --seed 1 [--big 5]

Used by the indexer, UI, webui-harness tests and the benchmarks (through
``support.corpus.make_corpus``). Only Pillow and the standard library are used,
and the same arguments always give the same bytes, names, mtimes and manifest.

Speed: pixels are encoded once into a small pool per size, and each file is put
together from bytes (PNG chunks, a JPEG APP1 segment, WebP RIFF chunks), so tens
of thousands of files take seconds, not minutes.

What is made (of ``n`` small files, 64..96 px on the long side):
  ~80%  PNG   A1111 infotext in a ``parameters`` tEXt chunk (iTXt if not latin-1)
  ~5%   JPEG  the same text in EXIF UserComment ("UNICODE\\0" + UTF-16-BE, big-endian TIFF)
  ~5%   WebP  the same, EXIF chunk (little-endian TIFF: both byte orders are covered)
  ~5%   PNG   ComfyUI ``prompt`` (API graph) and ``workflow`` (UI graph) tEXt chunks
  ~5%   PNG   no metadata at all
``big`` adds noisy 1024x1536 A1111 PNGs in outputs/txt2img-images/big/ (thumbnail work).

Layout (about ``per_folder`` files a folder, as real output folders look):
  outputs/txt2img-images/YYYY-MM-DD/NNNNN-SEED.png|jpg|webp
  outputs/img2img-images/YYYY-MM-DD/NNNNN-SEED.png|jpg|webp
  ComfyUI/output/YYYY-MM-DD/ComfyUI_NNNNN_.png
  misc/pictures-NNN/IMG_NNNNN.png
The first txt2img folder is the start date (2026-01-01 by default).

Manifest ``OUT_DIR/corpus.json``: ``{"format": "synthetic-corpus/1", "generator":
"iib-synthetic", "seed", "n", "big", "per_folder", "start_date", "files": [...]}``; each
file has ``path`` (relative, POSIX), ``kind`` ("a1111" | "comfyui" | "none"),
``format`` ("png" | "jpeg" | "webp"), ``width``, ``height``, ``mtime`` (int),
``positive`` / ``negative`` (exactly as stored; null for "none"), ``params``
(a1111: the last line as an ordered ``{key: value}`` with A1111's quoting removed;
comfyui: the KSampler / loader / latent settings with JSON types), ``loras``
(names), ``tags`` (the prompt's tags, lower case, weights and brackets removed)
and, for a1111, ``raw`` (the exact text written).
"""
from __future__ import annotations

import argparse
import calendar
import hashlib
import io
import json
import os
import random
import struct
import sys
import time
import zlib
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from PIL import Image

FORMAT = "synthetic-corpus/1"

# --------------------------------------------------------------------------- vocabulary
# Word lists are fixed (never depend on the seed), so a tag's popularity rank is stable.
_SUBJECTS = ["1girl", "1boy", "solo", "2girls", "multiple girls", "cat", "dog", "fox", "robot", "knight",
             "witch", "dragon", "owl", "rabbit", "astronaut", "samurai", "mermaid", "elf", "android", "maid"]
_HAIR = ["long hair", "short hair", "ponytail", "twintails", "braid", "bangs", "hair ornament", "messy hair"]
_QUALITY = ["masterpiece", "best quality", "high quality", "absurdres", "highres", "ultra detailed",
            "very aesthetic", "detailed", "illustration", "sharp focus"]
_PONY = ["score_9", "score_8_up", "score_7_up", "source_anime", "rating_safe"]
_COLOURS = ["red", "blue", "green", "yellow", "purple", "pink", "white", "black", "silver", "gold",
            "orange", "brown", "teal", "blonde", "pastel"]
_THINGS = ["hair", "eyes", "dress", "jacket", "ribbon", "hat", "scarf", "flower", "background", "theme",
           "umbrella", "boots", "gloves", "cape", "kimono", "sky", "lantern", "necktie", "skirt", "bow"]
_SCENES = ["outdoors", "indoors", "night sky", "sunset", "forest", "beach", "city street", "library",
           "rooftop", "snowfield", "waterfall", "train station", "flower field", "castle", "cafe",
           "ruins", "desert", "underwater", "mountain", "festival"]
_POSES = ["standing", "sitting", "walking", "running", "looking at viewer", "looking back", "arms up",
          "smile", "open mouth", "closed eyes", "upper body", "full body", "cowboy shot", "from above",
          "from below", "profile", "head tilt", "crossed arms", "peace sign", "waving"]
_STYLES = ["watercolor \\(medium\\)", "oil painting \\(medium\\)", "sketch", "lineart", "cel shading",
           "cinematic lighting", "soft lighting", "rim lighting", "depth of field", "bokeh", "film grain",
           "pixel art", "flat color", "concept art", "ukiyo-e", "vaporwave", "steampunk", "gothic",
           "monochrome", "lens flare"]
_UNICODE = ["猫耳", "桜", "夜空", "café", "naïve", "✨", "🌸", "東方", "Ümlaut", "渋谷"]
_NEGATIVE = ["lowres", "bad anatomy", "bad hands", "text", "error", "missing fingers", "cropped",
             "worst quality", "low quality", "jpeg artifacts", "signature", "watermark", "blurry",
             "(worst quality:1.4)", "(low quality:1.4)", "easynegative", "badhandv4", "extra digits",
             "deformed", "ugly", "duplicate", "out of frame", "mutated hands", "poorly drawn face"]
_EMBEDDINGS = ("easynegative", "badhandv4")
_LORAS = ["add_detail", "more_details", "film_grain_v2", "flat2", "watercolor_v1", "lineart_v2",
          "chibi_v1", "neon_palette", "starry_sky_v1", "sakura_petals", "detailed_eyes_v3", "hands_fix_xl",
          "retro_anime_v2", "inkpunk_v2", "papercut_v1", "isometric_room", "stained_glass_v1", "pony_style_a",
          "contrast_fix", "aesthetic_boost"]
_MODELS_SD15 = ["v1-5-pruned-emaonly", "dreamshaper_8", "meinamix_v11", "counterfeit_v30", "anything_v5",
                "realistic_vision_v51", "rev_animated_v122", "deliberate_v3"]
_MODELS_XL = ["sd_xl_base_1.0", "animagine_xl_v31", "pony_diffusion_v6_xl", "juggernaut_xl_v9",
              "illustrious_xl_v01", "realvis_xl_v4", "dreamshaper_xl_v21"]
_SIZES_SD15 = [(512, 512), (512, 768), (768, 512), (640, 960), (576, 768)]
_SIZES_XL = [(1024, 1024), (832, 1216), (1216, 832), (896, 1152), (768, 1344)]
_SAMPLERS = [("Euler a", None), ("Euler", None), ("DPM++ 2M", "Karras"), ("DPM++ SDE", "Karras"),
             ("DPM++ 2M SDE", "Exponential"), ("DDIM", None), ("UniPC", None), ("Heun", None)]
_VERSIONS = ["v1.6.0", "v1.7.0", "v1.8.0", "v1.9.4", "v1.10.0", "v1.10.1",
             "f2.0.1v1.10.1-previous-519-g44eb4ea8"]
_VAES = ["vae-ft-mse-840000-ema-pruned.safetensors", "sdxl_vae.safetensors", "kl-f8-anime2.ckpt"]
_UPSCALERS = ["R-ESRGAN 4x+ Anime6B", "4x-UltraSharp", "Latent", "ESRGAN_4x"]
_COMFY_SAMPLERS = ["euler", "euler_ancestral", "dpmpp_2m", "dpmpp_2m_sde", "uni_pc", "ddim", "lcm"]
_COMFY_SCHEDULERS = ["normal", "karras", "exponential", "simple"]


def _vocabulary() -> List[str]:
    """About a thousand distinct tags in a fixed order; earlier tags are drawn more often."""
    words = _SUBJECTS + _HAIR + _POSES + _SCENES
    words += ["%s %s" % (c, t) for t in _THINGS for c in _COLOURS]
    words += _STYLES
    words += ["holding %s" % t for t in ("umbrella", "book", "sword", "cup", "flower", "lantern", "phone")]
    r = random.Random(0x1B1B)
    head, tail = words[:48], words[48:]
    r.shuffle(tail)
    seen, out = set(), []
    for w in head + tail:
        if w not in seen:
            seen.add(w)
            out.append(w)
    return out


VOCAB = _vocabulary()
_CUM: List[float] = []
_acc = 0.0
for _rank in range(len(VOCAB)):
    _acc += 1.0 / (_rank + 5) ** 1.1
    _CUM.append(_acc)
_RANK = {t: i for i, t in enumerate(VOCAB)}


def plain_tag(tag: str) -> str:
    """A tag as a search word: escaped brackets unescaped, lower case."""
    return tag.replace("\\(", "(").replace("\\)", ")").lower()


def _quote(value: str) -> str:
    """A1111 quotes a value holding ',', ':' or a newline as a JSON string."""
    if any(ch in value for ch in ",:\n"):
        return json.dumps(value, ensure_ascii=False)
    return value


def _short_hash(name: str, n: int = 10) -> str:
    return hashlib.sha1(name.encode("utf-8")).hexdigest()[:n]


# --------------------------------------------------------------------------- prompts
def _positive(rng: random.Random, pony: bool, with_loras: bool) -> Tuple[str, List[str], List[str]]:
    picked: List[str] = []
    for t in rng.choices(VOCAB, cum_weights=_CUM, k=rng.randint(6, 30)):
        if t not in picked:
            picked.append(t)
    picked.sort(key=lambda t: _RANK[t] * rng.uniform(0.5, 2.0))
    if rng.random() < 0.04:
        picked.append(rng.choice(_UNICODE))
    head = (_PONY[:rng.randint(2, 5)] if pony else []) + \
        (rng.sample(_QUALITY, rng.randint(1, 4)) if rng.random() < 0.8 else [])
    tags = [plain_tag(t) for t in head + picked]
    words = list(head)
    for t in picked:
        x = rng.random()
        words.append("(%s:%s)" % (t, rng.choice(["0.8", "1.1", "1.2", "1.3"])) if x < 0.12 else
                     "((%s))" % t if x < 0.16 else "[%s]" % t if x < 0.18 else t)
    loras: List[str] = []
    if with_loras and rng.random() < 0.5:
        for name in rng.sample(_LORAS, rng.choice([1, 1, 2, 3])):
            loras.append(name)
            words.insert(rng.randint(len(words) // 2, len(words)),
                         "<lora:%s:%s>" % (name, rng.choice(["0.5", "0.6", "0.8", "1"])))
    if len(words) >= 6 and rng.random() < 0.4:
        cut = rng.randrange(2, len(words) - 2)
        sep = "\nBREAK\n" if rng.random() < 0.2 else ",\n"
        text = ", ".join(words[:cut]) + sep + ", ".join(words[cut:])
    else:
        text = ", ".join(words)
    return text, loras, tags


def _negative(rng: random.Random) -> Tuple[str, List[str]]:
    if rng.random() < 0.1:
        return "", []
    words = rng.sample(_NEGATIVE, rng.randint(3, 14))
    return ", ".join(words), [w for w in words if w in _EMBEDDINGS]


def _a1111(rng: random.Random, img2img: bool) -> Dict[str, Any]:
    xl = rng.random() < 0.45
    model = rng.choice(_MODELS_XL if xl else _MODELS_SD15)
    w, h = rng.choice(_SIZES_XL if xl else _SIZES_SD15)
    positive, loras, tags = _positive(rng, pony="pony" in model, with_loras=True)
    negative, embeddings = _negative(rng)
    seed = rng.randrange(0, 2 ** 32)
    sampler, schedule = rng.choice(_SAMPLERS)
    p: List[Tuple[str, str]] = [("Steps", str(rng.choice([20, 25, 28, 30, 40]))), ("Sampler", sampler)]
    if schedule:
        p.append(("Schedule type", schedule))
    p += [("CFG scale", rng.choice(["4.5", "5", "6", "7", "7.5", "9"])), ("Seed", str(seed)),
          ("Size", "%dx%d" % (w, h)), ("Model hash", _short_hash(model)), ("Model", model)]
    if rng.random() < 0.35:
        vae = rng.choice(_VAES)
        p += [("VAE hash", _short_hash(vae)), ("VAE", vae)]
    hires = not img2img and rng.random() < 0.25
    if img2img or hires:
        p.append(("Denoising strength", rng.choice(["0.35", "0.4", "0.5", "0.6"])))
    if not xl and rng.random() < 0.5:
        p.append(("Clip skip", "2"))
    if hires:
        p += [("Hires upscale", rng.choice(["1.5", "2"])), ("Hires steps", str(rng.choice([10, 15]))),
              ("Hires upscaler", rng.choice(_UPSCALERS))]
    if rng.random() < 0.1:
        p.append(("ENSD", "31337"))
    if loras:
        p.append(("Lora hashes", ", ".join("%s: %s" % (n, _short_hash(n, 12)) for n in loras)))
    if embeddings:
        p.append(("TI hashes", ", ".join("%s: %s" % (n, _short_hash(n, 12)) for n in embeddings)))
    p.append(("Version", rng.choice(_VERSIONS)))
    raw = positive + ("\nNegative prompt: " + negative if negative else "") + "\n" + \
        ", ".join("%s: %s" % (k, _quote(v)) for k, v in p)
    return {"positive": positive, "negative": negative, "params": dict(p), "loras": loras, "tags": tags,
            "raw": raw, "seed": seed, "size": (w, h)}


def _comfy(rng: random.Random) -> Dict[str, Any]:
    xl = rng.random() < 0.6
    model = rng.choice(_MODELS_XL if xl else _MODELS_SD15) + ".safetensors"
    w, h = rng.choice(_SIZES_XL if xl else _SIZES_SD15)
    positive, _, tags = _positive(rng, pony="pony" in model, with_loras=False)
    negative, _ = _negative(rng)
    params = {"seed": rng.randrange(0, 2 ** 50), "steps": rng.choice([20, 25, 30]),
              "cfg": rng.choice([4.0, 5.5, 7.0, 8.0]), "sampler_name": rng.choice(_COMFY_SAMPLERS),
              "scheduler": rng.choice(_COMFY_SCHEDULERS), "denoise": 1.0, "ckpt_name": model,
              "width": w, "height": h}
    loras = rng.sample(_LORAS, rng.randint(1, 2)) if rng.random() < 0.4 else []
    graph: Dict[str, Any] = {"4": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": model}}}
    model_out, clip_out = ["4", 0], ["4", 1]
    for k, name in enumerate(loras):
        nid = str(20 + k)
        graph[nid] = {"class_type": "LoraLoader",
                      "inputs": {"lora_name": name + ".safetensors", "strength_model": 0.7, "strength_clip": 0.7,
                                 "model": model_out, "clip": clip_out}}
        model_out, clip_out = [nid, 0], [nid, 1]
    graph["5"] = {"class_type": "EmptyLatentImage", "inputs": {"width": w, "height": h, "batch_size": 1}}
    graph["6"] = {"class_type": "CLIPTextEncode", "inputs": {"text": positive, "clip": clip_out}}
    graph["7"] = {"class_type": "CLIPTextEncode", "inputs": {"text": negative, "clip": clip_out}}
    graph["3"] = {"class_type": "KSampler",
                  "inputs": {k: params[k] for k in ("seed", "steps", "cfg", "sampler_name", "scheduler", "denoise")}}
    graph["3"]["inputs"].update(model=model_out, positive=["6", 0], negative=["7", 0], latent_image=["5", 0])
    graph["8"] = {"class_type": "VAEDecode", "inputs": {"samples": ["3", 0], "vae": ["4", 2]}}
    graph["9"] = {"class_type": "SaveImage", "inputs": {"filename_prefix": "ComfyUI", "images": ["8", 0]}}
    return {"positive": positive, "negative": negative, "params": params, "loras": loras, "tags": tags,
            "graph": graph, "workflow": ui_workflow(graph), "size": (w, h)}


def ui_workflow(graph: Dict[str, Any]) -> Dict[str, Any]:
    """A ComfyUI UI-format workflow (``nodes`` + ``links``) that matches an API graph:
    links for every ``[node, slot]`` input, the other inputs as widget values."""
    nodes, links = [], []
    ids = sorted(graph, key=int)
    out_links: Dict[Tuple[str, int], List[int]] = {}
    for order, nid in enumerate(ids):
        node = graph[nid]
        inputs, widgets = [], []
        for name, value in node["inputs"].items():
            if isinstance(value, list) and len(value) == 2 and isinstance(value[0], str):
                link = len(links) + 1
                links.append([link, int(value[0]), value[1], int(nid), len(inputs), "*"])
                out_links.setdefault((value[0], value[1]), []).append(link)
                inputs.append({"name": name, "type": "*", "link": link})
            else:
                widgets.append(value)
        nodes.append({"id": int(nid), "type": node["class_type"], "order": order, "mode": 0,
                      "pos": [80 + 300 * (order % 4), 80 + 240 * (order // 4)], "inputs": inputs,
                      "outputs": [], "properties": {"Node name for S&R": node["class_type"]},
                      "widgets_values": widgets})
    for node in nodes:
        slots = sorted({s for (n, s) in out_links if n == str(node["id"])})
        node["outputs"] = [{"name": "out%d" % s, "type": "*", "links": out_links[(str(node["id"]), s)],
                            "slot_index": s} for s in slots]
    return {"last_node_id": max(int(i) for i in ids), "last_link_id": len(links), "nodes": nodes,
            "links": links, "groups": [], "config": {}, "extra": {}, "version": 0.4}


# --------------------------------------------------------------------------- bytes
def png_chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)


def png_text(key: str, value: str) -> bytes:
    """tEXt when the value is latin-1, else an uncompressed iTXt chunk (as Pillow does)."""
    try:
        return png_chunk(b"tEXt", key.encode("latin-1") + b"\0" + value.encode("latin-1"))
    except UnicodeEncodeError:
        return png_chunk(b"iTXt", key.encode("latin-1") + b"\0\0\0\0\0" + value.encode("utf-8"))


def exif_user_comment(text: str, byte_order: str = "MM") -> bytes:
    """A TIFF block (no "Exif\\0\\0" prefix): IFD0 -> Exif IFD -> UserComment, UNICODE text.
    The UTF-16 follows the TIFF byte order, as writers that do it right do."""
    bo = ">" if byte_order == "MM" else "<"
    payload = b"UNICODE\0" + text.encode("utf-16-be" if bo == ">" else "utf-16-le")
    exif_ifd_at = 8 + 2 + 12 + 4
    data_at = exif_ifd_at + 2 + 12 + 4
    return (byte_order.encode() + struct.pack(bo + "HI", 42, 8)
            + struct.pack(bo + "H", 1) + struct.pack(bo + "HHII", 0x8769, 4, 1, exif_ifd_at) + struct.pack(bo + "I", 0)
            + struct.pack(bo + "H", 1) + struct.pack(bo + "HHII", 0x9286, 7, len(payload), data_at)
            + struct.pack(bo + "I", 0) + payload)


def jpeg_with_exif(jpeg: bytes, tiff: bytes) -> bytes:
    body = b"Exif\0\0" + tiff
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(body) + 2) + body + jpeg[2:]


def _riff(ctype: bytes, body: bytes) -> bytes:
    return ctype + struct.pack("<I", len(body)) + body + (b"\0" if len(body) & 1 else b"")


def webp_with_exif(webp: bytes, size: Tuple[int, int], tiff: bytes) -> bytes:
    """A simple (VP8/VP8L) WebP turned extended: VP8X with the EXIF flag, then an EXIF chunk."""
    w, h = size
    chunks = webp[12:]
    if chunks[:4] == b"VP8X":
        n = struct.unpack("<I", chunks[4:8])[0]
        chunks = chunks[8 + n + (n & 1):]
    vp8x = _riff(b"VP8X", bytes([0x08, 0, 0, 0]) + (w - 1).to_bytes(3, "little") + (h - 1).to_bytes(3, "little"))
    payload = b"WEBP" + vp8x + chunks + _riff(b"EXIF", tiff)
    return b"RIFF" + struct.pack("<I", len(payload)) + payload


class _PixelPool:
    """Encoded pixels, a few variants per (size, format), made once and reused."""

    VARIANTS = 24

    def __init__(self, seed: int):
        self.seed = seed
        self.cache: Dict[Tuple[Tuple[int, int], str, int], Any] = {}

    def _image(self, size: Tuple[int, int], variant: int) -> Image.Image:
        r = random.Random("pix:%d:%d:%d:%d" % (self.seed, size[0], size[1], variant))
        w, h = size
        a = Image.new("RGB", size, tuple(r.randrange(256) for _ in range(3)))
        b = Image.new("RGB", size, tuple(r.randrange(256) for _ in range(3)))
        mask = Image.linear_gradient("L").rotate(90 * r.randrange(4)).resize(size)
        sw, sh = max(2, w // 6), max(2, h // 6)
        noise = Image.frombytes("RGB", (sw, sh), r.randbytes(sw * sh * 3)).resize(size, Image.BILINEAR)
        return Image.blend(Image.composite(a, b, mask), noise, 0.3)

    def get(self, size: Tuple[int, int], fmt: str, index: int):
        variant = index % self.VARIANTS
        key = (size, fmt, variant)
        hit = self.cache.get(key)
        if hit is None:
            img = self._image(size, variant)
            buf = io.BytesIO()
            if fmt == "png":
                img.save(buf, "PNG", compress_level=1)
                data = buf.getvalue()
                iend = data.rindex(b"IEND") - 4
                ihdr_end = 8 + 25
                hit = (data[:ihdr_end], data[ihdr_end:iend], data[iend:])
            elif fmt == "jpeg":
                img.save(buf, "JPEG", quality=80)
                hit = buf.getvalue()
            else:
                img.save(buf, "WEBP", quality=75)
                hit = buf.getvalue()
            self.cache[key] = hit
        return hit


def small_size(size: Tuple[int, int]) -> Tuple[int, int]:
    """The file's pixel size: the generation size scaled to 96 px on the long side."""
    sw, sh = size
    scale = 96.0 / max(sw, sh)
    return max(8, round(sw * scale)), max(8, round(sh * scale))


# --------------------------------------------------------------------------- plan
def _day(start: int, n: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(start + 86400 * n))


def _plan(n: int, seed: int, per_folder: int, start: int) -> List[Tuple[int, str, str, str, int, int]]:
    """(index, kind, format, folder, number in folder, mtime) for every small file."""
    rng = random.Random("plan:%d" % seed)
    five = round(n * 0.05)
    kinds = ([("a1111", "jpeg")] * five + [("a1111", "webp")] * five + [("comfyui", "png")] * five
             + [("none", "png")] * five)
    kinds = [("a1111", "png")] * (n - len(kinds)) + kinds
    rng.shuffle(kinds)
    groups: Dict[str, List[Tuple[int, str, str]]] = {"txt2img": [], "img2img": [], "comfyui": [], "none": []}
    for i, (kind, fmt) in enumerate(kinds):
        group = kind if kind != "a1111" else ("img2img" if rng.random() < 0.15 else "txt2img")
        groups[group].append((i, kind, fmt))
    plan: List[Any] = [None] * n
    for group, items in groups.items():
        pos = folder_no = 0
        while pos < len(items):
            chunk = items[pos:pos + rng.randint(max(1, per_folder * 4 // 5), max(1, per_folder * 6 // 5))]
            if group == "txt2img":
                day, folder = folder_no, "outputs/txt2img-images/%s" % _day(start, folder_no)
            elif group == "img2img":
                day = 3 * folder_no + 1
                folder = "outputs/img2img-images/%s" % _day(start, day)
            elif group == "comfyui":
                day = 2 * folder_no
                folder = "ComfyUI/output/%s" % _day(start, day)
            else:
                day, folder = 5 * folder_no, "misc/pictures-%03d" % (folder_no + 1)
            t0 = start + 86400 * day + 9 * 3600
            for number, (i, kind, fmt) in enumerate(chunk, start=1):
                plan[i] = (i, kind, fmt, folder, number, t0 + 37 * number + i % 5)
            pos += len(chunk)
            folder_no += 1
    return plan


def _write(path: str, data: bytes, mtime: int) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
    os.utime(path, (mtime, mtime))


def _big_png(rng: random.Random, text: str, w: int = 1024, h: int = 1536) -> bytes:
    a = Image.new("RGB", (w, h), tuple(rng.randrange(256) for _ in range(3)))
    noise = Image.frombytes("RGB", (w // 8, h // 8), rng.randbytes(w * h * 3 // 64)).resize((w, h), Image.BICUBIC)
    grain = Image.frombytes("RGB", (w, h), rng.randbytes(w * h * 3))
    img = Image.blend(Image.blend(a, noise, 0.4), grain, 0.06)
    buf = io.BytesIO()
    img.save(buf, "PNG", compress_level=1)
    data = buf.getvalue()
    return data[:33] + png_text("parameters", text) + data[33:]


def _small_file(rng: random.Random, kind: str, fmt: str, folder: str, number: int) -> Tuple[str, Dict[str, Any]]:
    """File name and content description of one small file."""
    if kind == "a1111":
        meta = _a1111(rng, img2img="img2img" in folder)
        return "%05d-%d.%s" % (number, meta["seed"], {"png": "png", "jpeg": "jpg", "webp": "webp"}[fmt]), meta
    if kind == "comfyui":
        return "ComfyUI_%05d_.png" % number, _comfy(rng)
    w, h = rng.choice(_SIZES_SD15 + _SIZES_XL)
    return "IMG_%05d.png" % number, {"positive": None, "negative": None, "params": {}, "loras": [], "tags": [],
                                     "size": (w, h)}


def _small_bytes(pool: _PixelPool, index: int, kind: str, fmt: str, meta: Dict[str, Any],
                 size: Tuple[int, int]) -> bytes:
    pixels = pool.get(size, fmt, index)
    if fmt == "jpeg":
        return jpeg_with_exif(pixels, exif_user_comment(meta["raw"], "MM"))
    if fmt == "webp":
        return webp_with_exif(pixels, size, exif_user_comment(meta["raw"], "II"))
    head, idat, tail = pixels
    extra = b""
    if kind == "a1111":
        extra = png_text("parameters", meta["raw"])
    elif kind == "comfyui":
        extra = png_text("prompt", json.dumps(meta["graph"])) + png_text("workflow", json.dumps(meta["workflow"]))
    return head + extra + idat + tail


def _entry(path: str, kind: str, fmt: str, size: Tuple[int, int], mtime: int, meta: Dict[str, Any]) -> Dict[str, Any]:
    entry = {"path": path, "kind": kind, "format": fmt, "width": size[0], "height": size[1], "mtime": mtime,
             "positive": meta["positive"], "negative": meta["negative"], "params": meta["params"],
             "loras": meta["loras"], "tags": meta["tags"]}
    if kind == "a1111":
        entry["raw"] = meta["raw"]
    return entry


def _big_files(out: Path, seed: int, big: int, start: int, newest: Dict[str, int]) -> List[Dict[str, Any]]:
    folder = "outputs/txt2img-images/big"
    (out / folder).mkdir(parents=True, exist_ok=True)
    t0 = start - 10 * 86400 + 9 * 3600
    files = []
    for k in range(big):
        rng = random.Random("big:%d:%d" % (seed, k))
        meta = _a1111(rng, img2img=False)
        meta["raw"] = meta["raw"].replace("Size: %dx%d" % meta["size"], "Size: 1024x1536", 1)
        meta["params"]["Size"] = "1024x1536"
        name = "%05d-%d.png" % (k + 1, meta["seed"])
        mtime = t0 + 97 * k
        _write(str(out / folder / name), _big_png(rng, meta["raw"]), mtime)
        newest[folder] = max(newest.get(folder, 0), mtime)
        files.append(_entry("%s/%s" % (folder, name), "a1111", "png", (1024, 1536), mtime, meta))
    return files


def _set_folder_times(out: Path, newest: Dict[str, int]) -> int:
    """A folder is as new as the newest file below it; returns the newest time of all."""
    for folder in list(newest):
        parts = folder.split("/")
        for k in range(1, len(parts)):
            parent = "/".join(parts[:k])
            newest[parent] = max(newest.get(parent, 0), newest[folder])
    for folder in sorted(newest, key=lambda f: -f.count("/")):
        os.utime(out / folder, (newest[folder], newest[folder]))
    return max(newest.values())


def generate(out_dir, n: int, seed: int = 1, *, big: int = 0, per_folder: int = 500,
             start_date: str = "2026-01-01") -> Dict[str, Any]:
    """Write the corpus into ``out_dir`` (created; must be empty) and return the manifest,
    also written as ``out_dir/corpus.json``."""
    out = Path(out_dir).resolve()
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError("%s is not empty" % out)
    start = calendar.timegm(time.strptime(start_date, "%Y-%m-%d"))
    pool = _PixelPool(seed)
    newest: Dict[str, int] = {}
    files: List[Dict[str, Any]] = []
    for i, kind, fmt, folder, number, mtime in _plan(n, seed, per_folder, start):
        if folder not in newest:
            (out / folder).mkdir(parents=True, exist_ok=True)
        newest[folder] = max(newest.get(folder, 0), mtime)
        name, meta = _small_file(random.Random("file:%d:%d" % (seed, i)), kind, fmt, folder, number)
        size = small_size(meta["size"])
        _write(str(out / folder / name), _small_bytes(pool, i, kind, fmt, meta, size), mtime)
        files.append(_entry("%s/%s" % (folder, name), kind, fmt, size, mtime, meta))
    if big:
        files += _big_files(out, seed, big, start, newest)
    manifest = {"format": FORMAT, "generator": "iib-synthetic", "seed": seed, "n": n, "big": big,
                "per_folder": per_folder, "start_date": start_date, "files": files}
    mpath = out / "corpus.json"
    mpath.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    top = _set_folder_times(out, newest) if newest else start
    os.utime(mpath, (top, top))
    os.utime(out, (top, top))
    return manifest


def main(argv: Optional[List[str]] = None) -> None:
    ap = argparse.ArgumentParser(description="Write the project's synthetic corpus (deterministic by seed).")
    ap.add_argument("out_dir")
    ap.add_argument("--n", type=int, default=20000, help="number of small images")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--big", type=int, default=0, help="extra noisy 1024x1536 A1111 PNGs")
    ap.add_argument("--per-folder", type=int, default=500)
    ap.add_argument("--start-date", default="2026-01-01")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    manifest = generate(args.out_dir, args.n, args.seed, big=args.big, per_folder=args.per_folder,
                        start_date=args.start_date)
    counts: Dict[str, int] = {}
    for f in manifest["files"]:
        counts["%s/%s" % (f["kind"], f["format"])] = counts.get("%s/%s" % (f["kind"], f["format"]), 0) + 1
    print(json.dumps({"out_dir": os.path.abspath(args.out_dir), "files": len(manifest["files"]),
                      "by_kind": counts, "seconds": round(time.perf_counter() - t0, 2)}))


if __name__ == "__main__":
    sys.exit(main())
