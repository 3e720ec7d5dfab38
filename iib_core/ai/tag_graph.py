"""The tag relation graph of a clustering result: clusters → their keywords (tags) →
abstract groups of tags named by the chat model (`/db/cluster_tag_graph` in docs/api.md)."""
from __future__ import annotations

import hashlib
import json
from typing import Dict, List, Optional

from .client import OpenAIClient
from .errors import ProviderError
from .titles import LANGUAGES, language_of

MAX_TAGS_SENT = 500
MIN_TAGS_FOR_ABSTRACTION = 4

GROUP_TOOL = {
    "name": "group_tags",
    "description": "Group related tags under short abstract category names.",
    "parameters": {
        "type": "object",
        "properties": {
            "groups": {"type": "array", "items": {
                "type": "object",
                "properties": {"name": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}}},
                "required": ["name", "tags"]}},
        },
        "required": ["groups"],
    },
}


def tag_weights(clusters: List[dict]) -> Dict[str, dict]:
    """{tag: {label, size (images), clusters: [cluster ids]}} over every cluster's keywords."""
    tags: Dict[str, dict] = {}
    for c in clusters:
        for kw in dict.fromkeys(k.strip() for k in c.get("keywords") or [] if isinstance(k, str) and k.strip()):
            entry = tags.setdefault(kw.lower(), {"label": kw, "size": 0, "clusters": []})
            entry["size"] += int(c.get("size") or 0)
            entry["clusters"].append(c["id"])
    return tags


def abstraction_key(tags: List[str], lang: str, model: str) -> str:
    material = json.dumps({"tags": sorted(tags), "lang": language_of(lang), "model": model}, ensure_ascii=False)
    return "ai_tag_groups:" + hashlib.md5(material.encode("utf-8")).hexdigest()


def llm_groups(client: OpenAIClient, model: str, tags: List[str], lang: str) -> List[dict]:
    language = LANGUAGES[language_of(lang)]
    messages = [
        {"role": "system", "content": (
            "You organise tags of image topics into 3 to 12 broader categories. Call the function; every group "
            f"name is short and written in {language}; use only the tags given, each at most once.")},
        {"role": "user", "content": "Tags:\n" + "\n".join(tags)},
    ]
    args = client.call_tool(model, messages, GROUP_TOOL)
    groups = args.get("groups")
    if not isinstance(groups, list) or not groups:
        raise ProviderError(f"Chat API returned no tag groups (model {model})")
    known = {t.lower() for t in tags}
    out = []
    for g in groups:
        if not isinstance(g, dict) or not isinstance(g.get("name"), str) or not g["name"].strip():
            raise ProviderError("Chat API returned a tag group without a name")
        members = g.get("tags")
        if not isinstance(members, list) or not all(isinstance(t, str) for t in members):
            raise ProviderError("Chat API returned a tag group whose tags are not a list of strings")
        unknown = [t for t in members if t.lower() not in known]
        if unknown:
            raise ProviderError(f"Chat API put unknown tags into group {g['name']!r}: {unknown[:5]}")
        out.append({"name": g["name"].strip(), "tags": list(dict.fromkeys(t.lower() for t in members))})
    return out


def build_graph(result: dict, cache_key: str, groups: Optional[List[dict]]) -> dict:
    clusters = [c for c in result.get("clusters") or [] if isinstance(c, dict) and "id" in c]
    tags = tag_weights(clusters)
    cluster_nodes = [{"id": f"cluster_{c['id']}", "label": c.get("title") or c["id"], "size": float(c.get("size") or 0),
                      "metadata": {"type": "cluster", "image_count": int(c.get("size") or 0), "cluster_id": c["id"]}}
                     for c in clusters]
    tag_nodes = [{"id": f"tag_{key}", "label": t["label"], "size": float(t["size"]),
                  "metadata": {"type": "tag", "cluster_count": len(t["clusters"]), "image_count": t["size"]}}
                 for key, t in tags.items()]
    links = [{"source": f"cluster_{cid}", "target": f"tag_{key}",
              "weight": float(next(c.get("size") or 0 for c in clusters if c["id"] == cid))}
             for key, t in tags.items() for cid in t["clusters"]]
    layers = [{"level": 0, "name": "Clusters", "nodes": cluster_nodes},
              {"level": 1, "name": "Tags", "nodes": tag_nodes}]
    if groups:
        abstract_nodes = []
        for i, g in enumerate(groups, start=1):
            members = [t for t in g["tags"] if t in tags]
            if not members:
                continue
            size = float(sum(tags[t]["size"] for t in members))
            node_id = f"abstract_l1_c{i}"
            abstract_nodes.append({"id": node_id, "label": g["name"], "size": size,
                                   "metadata": {"type": "abstract", "level": 1}})
            links += [{"source": f"tag_{t}", "target": node_id, "weight": float(tags[t]["size"])} for t in members]
        if abstract_nodes:
            layers.append({"level": 2, "name": "Abstract-1", "nodes": abstract_nodes})
    stats = {"total_clusters": len(clusters), "selected_clusters": len(clusters), "total_tags": len(tags),
             "selected_tags": len(tags), "abstraction_layers": len(layers) - 2, "total_links": len(links),
             "topic_cluster_cache_key": cache_key}
    return {"layers": layers, "links": links, "stats": stats}
