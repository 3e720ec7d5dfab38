"""Auto tags derived from a file's generation info: pure functions, no database.

Tag types follow the HTTP contract (the Tag shape of docs/api.md) so existing clients group
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

# <lora:name:1>, <lyco:...>, <hypernet:...>, <embed:...>, BREAK / AND keywords and line breaks
# separate words like commas do. Applied one after the other (networks first), and each only
# when the prompt can hold it: one combined pattern costs ten times as much.
_NETWORK = re.compile(r"<[^<>]*>")
_KEYWORD = re.compile(r"\b(?:BREAK|AND)\b")
# Escaped brackets (`\\(`) are literal: they hide behind private-use code points while the
# other brackets are dropped. (str.replace everywhere: str.translate with a dict costs
# 50 ns a character once the text is not ASCII.)
_BRACKETS = "()[]{}"
_PLACEHOLDERS = [("\\" + b, chr(0xE000 + i), b) for i, b in enumerate(_BRACKETS)]
# A weight at the end of a word ("word:1.2", "word: -0.5"): only the last ':' of a word can
# start one, as neither a number nor white space holds ':' or ','.
_WEIGHT = re.compile(r":\s*-?\d+(?:\.\d*)?\s*(?=,|$)")
_LONE_NUMBER = re.compile(r"-?\d+(?:\.\d*)?")


def prompt_words(prompt: str) -> List[str]:
    """The prompt's comma-separated words, lower-cased, without weights, brackets or networks.

    `(masterpiece:1.2)` -> `masterpiece`; `((a, b:1.1))` -> `a`, `b`; `\\(x\\)` keeps its
    literal brackets (`hatsune miku (vocaloid)`); underscores become spaces; runs of
    white space become one space; lone numbers and words over 64 characters are dropped.

    This runs for every indexed file, so the work is done by whole-string operations
    (C loops) rather than per word; `tests/indexer/test_prompt_words.py` checks it
    against a straightforward word-by-word version.
    """
    text = prompt
    if "<" in text:
        text = _NETWORK.sub(",", text)
    if "BREAK" in text or "AND" in text:
        text = _KEYWORD.sub(",", text)
    escaped = "\\" in text
    if escaped:
        for pair, placeholder, _ in _PLACEHOLDERS:
            text = text.replace(pair, placeholder)
    # Line breaks separate words; brackets and underscores become spaces.
    text = text.replace("\n", ",").replace("_", " ")
    for bracket in _BRACKETS:
        text = text.replace(bracket, " ")
    # Runs of white space become one space.
    text = " ".join(text.lower().split())
    if escaped or not text.isascii():  # (a prompt may hold the placeholders itself)
        for _, placeholder, bracket in _PLACEHOLDERS:
            text = text.replace(placeholder, bracket)
    # No word starts or ends with a space now (the text's ends have none either)...
    text = text.replace(" ,", ",").replace(", ", ",")
    if ":" in text:
        # ... but removing "word :1.2"'s weight leaves the space before its ':'.
        text = _WEIGHT.sub("", text).replace(" ,", ",").rstrip(" ")
    # dict.fromkeys keeps the first of equal words, in order; the filter depends on the word alone.
    lone = _LONE_NUMBER.fullmatch
    words = [p for p in dict.fromkeys(text.split(","))
             if p and len(p) <= MAX_PROMPT_TAG_LENGTH and not ((p[0] == "-" or p[0].isdecimal()) and lone(p))]
    return words[:MAX_PROMPT_TAGS] if len(words) > MAX_PROMPT_TAGS else words


def size_tag(width: Optional[int], height: Optional[int]) -> str:
    if width and height:
        return f"{width} \u00d7 {height}"
    return "Unknown Size"


def auto_tags(media_type: str, width: Optional[int], height: Optional[int], info: Optional[GenInfo]) -> List[TagKey]:
    """Every auto tag of one file, without duplicates."""
    out: List[TagKey] = [(media_type.capitalize(), "Media Type"), (size_tag(width, height), "size")]
    if info is None:
        return out
    out.append((info.generator, "Source Identifier"))
    # prompt_words are distinct and no other tag has the type "pos".
    out.extend([(w, "pos") for w in prompt_words(info.positive or "")])
    params = info.params or {}
    tail: List[TagKey] = []
    for key, tag_type in (("model", "Model"), ("sampler", "Sampler")):
        value = params.get(key)
        if isinstance(value, str) and value.strip():
            tail.append((value.strip()[:255], tag_type))
    for lora in _as_list(params.get("loras")):
        if isinstance(lora, dict) and lora.get("name"):
            if lora.get("type") == "hypernet":
                continue
            kind = "lyco" if lora.get("type") == "lyco" else "lora"
            tail.append((str(lora["name"])[:255], kind))
    if len(tail) > 1:
        tail = list(dict.fromkeys(tail))
    out.extend(tail)
    return out


def _as_list(value) -> Iterable:
    return value if isinstance(value, list) else []
