"""Auto tags derived from a file's generation info: pure functions, no database.

Tag types follow the HTTP contract (api-contract.md §2.5) so existing clients group
them as before: `pos` (prompt words), `lora`, `lyco`, `Model`, `Sampler`,
`Source Identifier` (the generator), `size` ("W × H" of the pixels) and `Media Type`.
"""
from __future__ import annotations

import re
from typing import Iterable, List, Optional, Tuple

from ..metadata.model import GenInfo

TagKey = Tuple[str, str]

MAX_PROMPT_TAG_LENGTH = 64
MAX_PROMPT_TAGS = 200

# <lora:name:1>, <lyco:...>, <hypernet:...>, <embed:...>, BREAK / AND keywords: all separators.
_SEPARATORS = re.compile(r"<[^<>]*>|\bBREAK\b|\bAND\b|\n")
_ESCAPED_BRACKET = re.compile(r"\\([()\[\]{}])")
_PLACEHOLDER = {b: chr(0xE000 + i) for i, b in enumerate("()[]{}")}  # private-use code points
_RESTORE = {ord(v): k for k, v in _PLACEHOLDER.items()}
_DROP_BRACKETS = {ord(b): " " for b in "()[]{}"}
_DROP_BRACKETS[ord("_")] = " "
# A trailing ":1.2" weight (after brackets have been removed).
_WEIGHT = re.compile(r"\s*:\s*-?\d+(?:\.\d*)?\s*$")
_LONE_NUMBER = re.compile(r"-?\d+(?:\.\d*)?")


def prompt_words(prompt: str) -> List[str]:
    """The prompt's comma-separated words, lower-cased, without weights, brackets or networks.

    `(masterpiece:1.2)` -> `masterpiece`; `((a, b:1.1))` -> `a`, `b`; `\\(x\\)` keeps its
    literal brackets (`hatsune miku (vocaloid)`); underscores become spaces.
    """
    text = _SEPARATORS.sub(",", prompt)
    if "\\" in text:
        text = _ESCAPED_BRACKET.sub(lambda m: _PLACEHOLDER[m.group(1)], text)
    text = text.translate(_DROP_BRACKETS).lower()
    words: List[str] = []
    seen = set()
    for part in text.split(","):
        if ":" in part:
            part = _WEIGHT.sub("", part)
        part = " ".join(part.split()).translate(_RESTORE)
        if not part or len(part) > MAX_PROMPT_TAG_LENGTH or part in seen or _LONE_NUMBER.fullmatch(part):
            continue
        seen.add(part)
        words.append(part)
        if len(words) >= MAX_PROMPT_TAGS:
            break
    return words


def size_tag(width: Optional[int], height: Optional[int]) -> str:
    if width and height:
        return f"{width} \u00d7 {height}"
    return "Unknown Size"


def auto_tags(media_type: str, width: Optional[int], height: Optional[int], info: Optional[GenInfo]) -> List[TagKey]:
    """Every auto tag of one file, without duplicates."""
    out: List[TagKey] = [(media_type.capitalize(), "Media Type"), (size_tag(width, height), "size")]
    if info is not None:
        out.append((info.generator, "Source Identifier"))
        out.extend((w, "pos") for w in prompt_words(info.positive or ""))
        params = info.params or {}
        for key, tag_type in (("model", "Model"), ("sampler", "Sampler")):
            value = params.get(key)
            if isinstance(value, str) and value.strip():
                out.append((value.strip()[:255], tag_type))
        for lora in _as_list(params.get("loras")):
            if isinstance(lora, dict) and lora.get("name"):
                kind = "lyco" if lora.get("type") == "lyco" else "lora"
                if lora.get("type") == "hypernet":
                    continue
                out.append((str(lora["name"])[:255], kind))
    return _unique(out)


def _as_list(value) -> Iterable:
    return value if isinstance(value, list) else []


def _unique(tags: List[TagKey]) -> List[TagKey]:
    seen = set()
    out = []
    for t in tags:
        if t not in seen:
            seen.add(t)
            out.append(t)
    return out
