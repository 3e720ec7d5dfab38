"""Cluster titles and keywords: from the chat model through function calling, or (without a
chat model) from class-based TF-IDF over the clusters' prompts, labelled `keywords`."""
from __future__ import annotations

import math
import re
from collections import Counter
from typing import Dict, List, Optional, Sequence

from .client import OpenAIClient
from .errors import ProviderError

TITLE_MAX = 24
KEYWORDS_MAX = 6
SAMPLE_PROMPTS = 12
SAMPLE_CHARS = 400
KEYWORDS_METHOD = "keywords"
LLM_METHOD = "llm"

LANGUAGES = {"en": "English", "zh-hans": "Simplified Chinese", "zh-hant": "Traditional Chinese", "de": "German"}

TITLE_TOOL = {
    "name": "name_topic",
    "description": "Give a group of image-generation prompts a short title and keywords.",
    "parameters": {
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": f"at most {TITLE_MAX} characters, what the images show"},
            "keywords": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": KEYWORDS_MAX,
                         "description": "up to 6 short keywords"},
        },
        "required": ["title", "keywords"],
    },
}

STOPWORDS = frozenset("""a an the and or of in on at to with without for from by into over under is are be as
this that these those it its his her their very some one two 1girl 1boy solo girl boy""".split())
_WORD = re.compile(r"[^\W\d_][\w'-]*", re.UNICODE)


def language_of(lang: Optional[str]) -> str:
    """The language mapping: zh/zhHans → zh-hans, zhHant/zh-TW/zh-HK → zh-hant, de* → de, else en."""
    key = (lang or "en").strip().lower().replace("_", "-")
    if key.startswith("zh"):
        if "hant" in key or key in ("zh-tw", "zh-hk", "zh-mo"):
            return "zh-hant"
        return "zh-hans"
    if key.startswith("de"):
        return "de"
    return "en"


def llm_title(client: OpenAIClient, model: str, prompts: Sequence[str], lang: str) -> Dict[str, object]:
    """Title and keywords from the chat model; any answer outside the schema is a ProviderError."""
    language = LANGUAGES[language_of(lang)]
    samples = "\n".join(f"- {p[:SAMPLE_CHARS]}" for p in prompts[:SAMPLE_PROMPTS])
    messages = [
        {"role": "system", "content": (
            "You name topics of AI-generated images from their prompts. Call the function with a short title "
            f"(at most {TITLE_MAX} characters) and up to {KEYWORDS_MAX} keywords, written in {language}. "
            "Describe the shared subject or theme, not quality words.")},
        {"role": "user", "content": f"Language: {language}\nPrompts of one topic:\n{samples}"},
    ]
    args = client.call_tool(model, messages, TITLE_TOOL)
    title = args.get("title")
    keywords = args.get("keywords")
    if not isinstance(title, str) or not title.strip():
        raise ProviderError(f"Chat API returned no title (model {model})")
    if (not isinstance(keywords, list) or not keywords
            or not all(isinstance(k, str) and k.strip() for k in keywords)):
        raise ProviderError(f"Chat API returned keywords that are not a list of strings (model {model})")
    return {"title": title.strip()[:TITLE_MAX].strip(), "keywords": [k.strip() for k in keywords][:KEYWORDS_MAX]}


def _terms(text: str) -> List[str]:
    """Words and short comma-separated phrases of one prompt (lower case)."""
    out: List[str] = []
    for phrase in re.split(r"[,;\n|]+", text.lower()):
        words = [w.strip("'-") for w in _WORD.findall(phrase)]
        words = [w for w in words if len(w) > 1 and w not in STOPWORDS]
        out.extend(words)
        if 2 <= len(words) <= 3:
            out.append(" ".join(words))
    return out


def keyword_titles(cluster_prompts: Sequence[Sequence[str]]) -> List[Dict[str, object]]:
    """Class-based TF-IDF: each cluster's prompts form one document; a term scores by its
    frequency in the cluster times log(1 + average terms per cluster / its frequency overall)."""
    counts = [Counter(t for p in prompts for t in _terms(p)) for prompts in cluster_prompts]
    overall: Counter = Counter()
    for c in counts:
        overall.update(c)
    avg = (sum(sum(c.values()) for c in counts) / len(counts)) if counts else 0.0
    out: List[Dict[str, object]] = []
    for c in counts:
        total = sum(c.values()) or 1
        scored = sorted(((n / total) * math.log(1 + avg / overall[t]), t) for t, n in c.items())
        scored.sort(key=lambda x: (-x[0], x[1]))
        picked: List[str] = []
        for _score, term in scored:
            if any(term in p.split() or p in term.split() or term == p for p in picked):
                continue
            if any(w in p.split() for p in picked for w in term.split()) and " " in term:
                continue
            picked.append(term)
            if len(picked) == KEYWORDS_MAX:
                break
        title = ", ".join(picked[:2]) if picked else "untitled"
        out.append({"title": title[:TITLE_MAX].strip(" ,"), "keywords": picked})
    return out
