"""Prompt text for embeddings: extraction, normalisation and the normalisation fingerprint.

`normalize_version` is derived from the rules themselves (a hash of the word lists,
patterns and mode), so changing a rule re-embeds what it changes and nothing can set
it by hand. `text_hash = sha256(f"{normalize_version}:{prompt_text}")` is the cache key.
"""
from __future__ import annotations

import hashlib
import re
from typing import Optional

NEGATIVE_MARK = "Negative prompt:"
RULES_REVISION = 1  # bump when the code below changes meaning without changing the lists

# Words that say how good or how large a picture is, not what it shows.
QUALITY_TERMS = (
    "masterpiece", "best quality", "high quality", "highest quality", "top quality", "amazing quality",
    "normal quality", "low quality", "worst quality", "ultra detailed", "ultra-detailed", "extremely detailed",
    "highly detailed", "very detailed", "detailed", "intricate details", "intricate", "absurdres", "highres",
    "high res", "hires", "incredibly absurdres", "8k", "4k", "16k", "uhd", "hdr", "8k uhd", "ultra high res",
    "official art", "newest", "very aesthetic", "aesthetic", "score_9", "score_8_up", "score_7_up",
    "score_6_up", "score_5_up", "score_4_up", "source_anime", "rating_safe", "sharp focus", "award winning",
    "award-winning", "beautiful", "perfect", "raw photo", "photorealistic", "realistic", "hyperrealistic",
    "best", "quality", "trending on artstation", "unreal engine", "octane render",
)
# theme_only also drops camera, lens, light and rendering vocabulary.
STYLE_TERMS = (
    "cinematic lighting", "cinematic", "dramatic lighting", "studio lighting", "volumetric lighting",
    "soft lighting", "rim lighting", "global illumination", "ray tracing", "depth of field", "bokeh",
    "film grain", "dslr", "35mm", "50mm", "85mm", "f/1.8", "wide angle", "close-up", "close up",
    "full body", "upper body", "portrait", "looking at viewer", "solo", "simple background",
    "white background", "blurry background", "blurry", "lens flare", "vignette", "hdr", "bloom",
    "depth", "focus", "lighting", "illustration", "digital art", "concept art", "wallpaper",
)

_LORA = re.compile(r"<[^<>]{1,200}>")  # <lora:name:0.8>, <hypernet:...>
_WEIGHT = re.compile(r":\s*-?\d+(?:\.\d+)?\s*(?=[)\]])")  # (word:1.2) -> (word)
_BRACKETS = re.compile(r"[()\[\]{}]")
_BREAK = re.compile(r"\bBREAK\b")
_EMBEDDING = re.compile(r"\bembedding:\S+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"\s*[,;\n|]+\s*")


def extract_prompt(positive: Optional[str], raw: Optional[str] = None) -> str:
    """The positive prompt: the parsed one, else the raw text before `Negative prompt:`."""
    text = (positive or "").strip()
    if not text and raw:
        text = raw.split(NEGATIVE_MARK, 1)[0]
        # A1111's parameter line starts with "Steps:"; it is not part of the prompt.
        text = re.split(r"\n\s*Steps:\s", "\n" + text, maxsplit=1)[0].strip()
    elif NEGATIVE_MARK in text:
        text = text.split(NEGATIVE_MARK, 1)[0].strip()
    return text


def _drop_terms(mode: str) -> frozenset:
    terms = set(QUALITY_TERMS)
    if mode == "theme_only":
        terms.update(STYLE_TERMS)
    return frozenset(t.lower() for t in terms)


def normalize_version(enabled: bool, mode: str) -> str:
    """A fingerprint of the rules in force: 'off', or '<mode>-<12 hex of the rules>'."""
    if not enabled:
        return "off"
    material = "\x1f".join([str(RULES_REVISION), mode, *sorted(_drop_terms(mode)), _LORA.pattern, _WEIGHT.pattern,
                            _BRACKETS.pattern, _BREAK.pattern, _EMBEDDING.pattern, _SEPARATORS.pattern])
    return f"{mode}-{hashlib.sha256(material.encode('utf-8')).hexdigest()[:12]}"


def normalize_prompt(text: str, enabled: bool = True, mode: str = "balanced") -> str:
    """Strip boilerplate so the text says what the picture shows. Never returns empty for a
    non-empty prompt: a prompt made only of boilerplate is kept as it was (collapsed)."""
    collapsed = _SPACES.sub(" ", text or "").strip()
    if not enabled or not collapsed:
        return collapsed
    t = _LORA.sub(" ", text)
    t = _EMBEDDING.sub(" ", t)
    t = _BREAK.sub(",", t)
    t = _WEIGHT.sub("", t)
    t = _BRACKETS.sub(" ", t)
    drop = _drop_terms(mode)
    parts = []
    seen = set()
    for part in _SEPARATORS.split(t):
        part = _SPACES.sub(" ", part).strip(" .:")
        key = part.lower()
        if not part or key in drop or key in seen:
            continue
        seen.add(key)
        parts.append(part)
    out = ", ".join(parts)
    return out or collapsed


def prompt_text(positive: Optional[str], raw: Optional[str], max_chars: int, enabled: bool, mode: str) -> str:
    """What gets embedded for one image ('' when it has no prompt)."""
    text = normalize_prompt(extract_prompt(positive, raw), enabled, mode)
    return text[:max_chars].strip()


def text_hash(version: str, text: str) -> str:
    return hashlib.sha256(f"{version}:{text}".encode()).hexdigest()
