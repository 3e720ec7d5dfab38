"""Prompt words and auto tags: the fast whole-string `prompt_words` against a plain
word-by-word statement of the same rules (the first implementation), on hand-picked
prompts, on every prompt of a generated corpus and on random text."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from iib_core.indexer.tagging import MAX_PROMPT_TAG_LENGTH, MAX_PROMPT_TAGS, auto_tags, prompt_words
from iib_core.metadata.model import GenInfo

# --- the rules, one word at a time ------------------------------------------------------
_SEPARATORS = re.compile(r"<[^<>]*>|\bBREAK\b|\bAND\b|\n")
_ESCAPED_BRACKET = re.compile(r"\\([()\[\]{}])")
_PLACEHOLDER = {b: chr(0xE000 + i) for i, b in enumerate("()[]{}")}
_RESTORE = {ord(v): k for k, v in _PLACEHOLDER.items()}
_DROP_BRACKETS = {ord(b): " " for b in "()[]{}_"}
_WEIGHT = re.compile(r"\s*:\s*-?\d+(?:\.\d*)?\s*$")
_LONE_NUMBER = re.compile(r"-?\d+(?:\.\d*)?")


def reference_prompt_words(prompt):
    text = _SEPARATORS.sub(",", prompt)
    text = _ESCAPED_BRACKET.sub(lambda m: _PLACEHOLDER[m.group(1)], text)
    text = text.translate(_DROP_BRACKETS).lower()
    words, seen = [], set()
    for part in text.split(","):
        part = _WEIGHT.sub("", part)
        part = " ".join(part.split()).translate(_RESTORE)
        if not part or len(part) > MAX_PROMPT_TAG_LENGTH or part in seen or _LONE_NUMBER.fullmatch(part):
            continue
        seen.add(part)
        words.append(part)
        if len(words) >= MAX_PROMPT_TAGS:
            break
    return words


EXAMPLES = {
    "masterpiece, (red hair:1.2), <lora:detail_v2:0.7>": ["masterpiece", "red hair"],
    "((a, b:1.1)), [c], {d}": ["a", "b", "c", "d"],
    "hatsune miku \\(vocaloid\\), 1girl": ["hatsune miku (vocaloid)", "1girl"],
    "long_hair,  blue   eyes ,\tsmile": ["long hair", "blue eyes", "smile"],
    "cat BREAK dog AND bird, BREAKING news, ANDROID": ["cat", "dog", "bird", "breaking news", "android"],
    "a :1.5, b: -0.5 , c:x, d:1:2, e : 3.": ["a", "b", "c:x", "d:1", "e"],
    "12, -3.5, 1girl, 4k, 2.": ["1girl", "4k"],
    "x" * 65 + ", ok, OK, Ok": ["ok"],
    "line one\nline two\r\nthree": ["line one", "line two", "three"],
    ",,, ,": [],
    "": [],
    "\u0661\u0662, \u00a0wide\u3000space\u00a0": ["wide space"],
    "<unclosed, (paren": ["<unclosed", "paren"],
    "\\\\(double\\\\)": ["\\(double\\)"],
}


def test_examples():
    for prompt, words in EXAMPLES.items():
        assert prompt_words(prompt) == words, prompt
        assert reference_prompt_words(prompt) == words, prompt


def test_at_most_max_words():
    prompt = ", ".join(f"word{i}" for i in range(MAX_PROMPT_TAGS + 50))
    assert prompt_words(prompt) == [f"word{i}" for i in range(MAX_PROMPT_TAGS)]


def test_same_words_as_the_reference_for_a_generated_corpus(tmp_path_factory):
    from support.corpus import make_corpus

    manifest = make_corpus(tmp_path_factory.mktemp("words"), 600, seed=5)
    prompts = [f.get("positive") or "" for f in manifest["files"]]
    assert sum(1 for p in prompts if p) > 300
    for prompt in prompts:
        assert prompt_words(prompt) == reference_prompt_words(prompt), prompt


_PIECES = st.sampled_from([
    "a", "b", "x y", " ", "  ", "\t", "\n", "\r", "\u00a0", "\u3000", ",", ", ", " ,", ":", ": ", " :", "1", "-2",
    "0.5", "3.", ".", "(", ")", "[", "]", "{", "}", "\\(", "\\)", "\\[", "\\}", "\\", "_", "<", ">", "<lora:x:1>",
    "BREAK", "AND", "ANDY", "xBREAK", "\u0661", "\ue000", "\ue003", "\u0130", "\u00df", "A", "Z",
])


@settings(max_examples=3000, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_same_words_as_the_reference_for_random_text(prompt):
    assert prompt_words(prompt) == reference_prompt_words(prompt)


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=200))
def test_same_words_as_the_reference_for_any_text(prompt):
    assert prompt_words(prompt) == reference_prompt_words(prompt)


def test_auto_tags_are_unique_and_typed():
    info = GenInfo(generator="AUTOMATIC1111", positive="cat, (cat:1.1), dog",
                   params={"model": " sdxl ", "sampler": "Euler a",
                           "loras": [{"name": "a", "type": "lora"}, {"name": "a", "type": "lora"},
                                     {"name": "b", "type": "lyco"}, {"name": "h", "type": "hypernet"}]})
    tags = auto_tags("image", 512, 768, info)
    assert tags == [("Image", "Media Type"), ("512 \u00d7 768", "size"), ("AUTOMATIC1111", "Source Identifier"),
                    ("cat", "pos"), ("dog", "pos"), ("sdxl", "Model"), ("Euler a", "Sampler"), ("a", "lora"),
                    ("b", "lyco")]
    assert auto_tags("video", None, None, None) == [("Video", "Media Type"), ("Unknown Size", "size")]
    # Two equal LoRAs and nothing else: still one tag.
    twice = GenInfo(generator="ComfyUI", params={"loras": [{"name": "z"}, {"name": "z"}]})
    assert auto_tags("image", 1, 1, twice)[-1:] == [("z", "lora")] and len(auto_tags("image", 1, 1, twice)) == 4
