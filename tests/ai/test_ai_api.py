"""The semantic layer over real HTTP (uvicorn), on SQLite and PostgreSQL, against the
OpenAI-protocol stub server (tests/support/openai_stub.py)."""
from __future__ import annotations

import os
import random
import time
from collections import Counter
from pathlib import Path

import pytest

from support.files import a1111_png

from .conftest import THEMES, purity


def lib_root(themed_library) -> Path:
    return Path(next(iter(themed_library))).parents[1]


def test_incremental_embedding(make_ai_api, stub, themed_library):
    root = lib_root(themed_library)
    api = make_ai_api(root, stub=stub)
    r = api.post("/db/build_iib_output_embeddings", json={"folder": str(root), "batch_size": 16})
    assert r.status_code == 200, r.text
    first = r.json()
    assert first["count"] == 60 and first["updated"] == 60 and first["skipped"] == 0
    assert first["model"] == "stub-embed" and first["folders"] == [str(root)]
    texts = stub.embedded_texts()
    assert len(texts) == 60 and len(stub.calls("/embeddings")) == 4  # batches of 16
    assert not any("masterpiece" in t or "best quality" in t for t in texts)  # boilerplate normalised away

    stub.clear()
    second = api.post("/db/build_iib_output_embeddings", json={"folder": str(root)}).json()
    assert second["updated"] == 0 and second["skipped"] == 60 and stub.embedded_texts() == []

    changed = next(p for p, t in themed_library.items() if t == "fox")
    a1111_png(Path(changed), "a purple submarine under the arctic ice", seed=999)
    os.utime(changed, (time.time() + 5, time.time() + 5))
    assert api.post("/db/update_image_data").status_code == 200
    third = api.post("/db/build_iib_output_embeddings", json={"folder": str(root)}).json()
    assert third["updated"] == 1 and third["skipped"] == 59
    assert stub.embedded_texts() == ["a purple submarine under the arctic ice"]

    forced = api.post("/db/build_iib_output_embeddings", json={"folder": str(root), "force": True}).json()
    assert forced["updated"] == 60

    sub = api.post("/db/build_iib_output_embeddings",
                   json={"folder": str(root / "batch1"), "recursive": False}).json()
    assert sub["count"] == 20 and sub["skipped"] == 20


def test_planted_themes_cluster_titles_and_cache(make_ai_api, stub, themed_library):
    root = lib_root(themed_library)
    api = make_ai_api(root, stub=stub)
    body = {"folder_paths": [str(root)], "threshold": 0.5, "min_cluster_size": 3, "lang": "de"}
    r = api.post("/db/cluster_iib_output_job_start", json=body)
    assert r.status_code == 200, r.text
    job = api.wait_job(r.json()["job_id"])
    assert job["status"] == "completed", job
    assert job["stage"] == "done" and job["cache_hit"] is False
    assert job["progress"]["items_total"] == 60 and job["progress"]["items_done"] == 60
    assert job["progress"]["clusters_total"] == 5 == job["progress"]["clusters_done"]
    result = job["result"]
    clusters = result["clusters"]
    assert len(clusters) == 5, [(c["title"], c["size"]) for c in clusters]
    assert min(purity(clusters, themed_library)) >= 0.9
    majority = {Counter(themed_library[p] for p in c["paths"]).most_common(1)[0][0] for c in clusters}
    assert majority == set(THEMES)
    assert sum(c["size"] for c in clusters) + len(result["noise"]) == 60 == result["count"]
    assert [c["size"] for c in clusters] == sorted((c["size"] for c in clusters), reverse=True)
    for c in clusters:
        assert c["title_method"] == "llm" and c["title"].startswith("de: ") and len(c["title"]) <= 24
        assert 1 <= len(c["keywords"]) <= 6 and len(c["sample_prompt"]) <= 200
        # the stub titles from the most frequent words of the prompts it was sent: the theme's words
        theme = Counter(themed_library[p] for p in c["paths"]).most_common(1)[0][0]
        assert set(c["keywords"]) <= set(THEMES[theme])
    assert len(stub.calls("/chat/completions")) == 5

    # Same parameters: the cluster cache answers (embeddings unchanged), no new call.
    stub.clear()
    again = api.wait_job(api.post("/db/cluster_iib_output_job_start", json=body).json()["job_id"])
    assert again["cache_hit"] is True and again["result"] == result and stub.calls("/chat/completions") == []
    # Another noise threshold: a new cluster-cache key, the same clusters: titles from the title cache.
    body2 = dict(body, assign_noise_threshold=0.99)
    third = api.wait_job(api.post("/db/cluster_iib_output_job_start", json=body2).json()["job_id"])
    assert third["cache_hit"] is False and third["progress"]["title_cache_hits"] == 5
    assert stub.calls("/chat/completions") == []
    assert [c["title"] for c in third["result"]["clusters"]] == [c["title"] for c in clusters]
    # force_title asks the model again; another language is another cache entry.
    forced = api.wait_job(api.post("/db/cluster_iib_output_job_start", json=dict(body2, force_title=True)
                                   ).json()["job_id"])
    assert forced["status"] == "completed" and len(stub.calls("/chat/completions")) == 5
    en = api.wait_job(api.post("/db/cluster_iib_output_job_start", json=dict(body, lang="en")).json()["job_id"])
    assert all(c["title"].startswith("en: ") for c in en["result"]["clusters"])

    cached = api.post("/db/cluster_iib_output_cached", json=body).json()
    assert cached["cache_hit"] is True and cached["stale"] is False and cached["result"] == result
    assert cached["stale_reason"]["embeddings_count"] == 60
    miss = api.post("/db/cluster_iib_output_cached", json=dict(body, threshold=0.7)).json()
    assert miss["cache_hit"] is False and miss["result"] is None and miss["cached_at"] == ""

    # tag graph from the cached result, and the paths of one cluster node
    graph = api.post("/db/cluster_tag_graph", json={"folder_paths": [str(root)], "lang": "de"})
    assert graph.status_code == 200, graph.text
    g = graph.json()
    names = [layer["name"] for layer in g["layers"]]
    assert names[:2] == ["Clusters", "Tags"] and "Abstract-1" in names
    tag_labels = {n["label"] for n in g["layers"][1]["nodes"]}
    assert tag_labels == {k for c in clusters for k in c["keywords"]}
    key = g["stats"]["topic_cluster_cache_key"]
    node = g["layers"][0]["nodes"][0]
    paths = api.post("/db/cluster_tag_graph_cluster_paths",
                     json={"topic_cluster_cache_key": key, "cluster_id": node["metadata"]["cluster_id"]}).json()
    assert len(paths["paths"]) == node["metadata"]["image_count"]
    assert api.post("/db/cluster_tag_graph_cluster_paths",
                    json={"topic_cluster_cache_key": key, "cluster_id": "topic_99"}).status_code == 404
    assert api.post("/db/cluster_tag_graph_cluster_paths",
                    json={"topic_cluster_cache_key": "nope", "cluster_id": "topic_0"}).status_code == 404
    other = api.post("/db/cluster_tag_graph", json={"folder_paths": [str(root / "batch1")]})
    assert other.status_code == 400 and "run clustering first" in other.json()["detail"]


def test_semantic_search_returns_the_theme_first(make_ai_api, stub, themed_library):
    root = lib_root(themed_library)
    api = make_ai_api(root, stub=stub)
    r = api.post("/db/search_iib_output_by_prompt",
                 json={"query": "a red fox walking through the snowy pine forest", "folder_paths": [str(root)],
                       "top_k": 12})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["count"] == 60 and out["model"] == "stub-embed" and len(out["results"]) == 12
    assert [themed_library[x["path"]] for x in out["results"]] == ["fox"] * 12
    scores = [x["score"] for x in out["results"]]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0.3
    high = api.post("/db/search_iib_output_by_prompt",
                    json={"query": "ramen noodles", "folder_paths": [str(root)], "min_score": 0.2,
                          "ensure_embed": False}).json()
    assert high["results"] and all(themed_library[x["path"]] == "ramen" and x["score"] >= 0.2
                                   for x in high["results"])
    narrow = api.post("/db/search_iib_output_by_prompt",
                      json={"query": "neon city", "folder_paths": [str(root / "batch0")], "recursive": False}).json()
    assert narrow["count"] == 20 and all(os.path.dirname(x["path"]) == str(root / "batch0")
                                         for x in narrow["results"])
    blank = api.post("/db/search_iib_output_by_prompt", json={"query": "  ", "folder_paths": [str(root)]})
    assert blank.status_code == 400 and blank.json()["detail"] == "query is required"
    missing = api.post("/db/search_iib_output_by_prompt", json={"query": "x", "folder_paths": [str(root / "nope")]})
    assert missing.status_code == 400 and missing.json()["detail"].startswith("Folder not found")


def test_scoped_search_follows_files_moved_outside_iib(make_ai_api, stub, themed_library):
    """A file moved by hand keeps its embedding (found again by content); a search scoped to
    its new folder finds it once the index has seen the move."""
    root = lib_root(themed_library)
    api = make_ai_api(root, stub=stub)
    first = api.post("/db/search_iib_output_by_prompt", json={"query": "fox", "folder_paths": [str(root)]})
    assert first.status_code == 200 and first.json()["count"] == len(themed_library)
    src = Path(sorted(p for p, t in themed_library.items() if t == "fox")[0])
    dest = root / "hand-sorted" / src.name
    dest.parent.mkdir()
    os.rename(src, dest)
    assert api.post("/db/update_image_data", json={}).status_code == 200
    found = api.post("/db/search_iib_output_by_prompt",
                     json={"query": "a red fox in the snow", "folder_paths": [str(dest.parent)],
                           "ensure_embed": False}).json()
    assert found["count"] == 1 and [x["path"] for x in found["results"]] == [str(dest)]


def test_identical_prompts_tie_without_failing(make_ai_api, stub, tmp_path):
    root = tmp_path / "twins"
    for i in range(4):
        a1111_png(root / f"{i}.png", "lonely tree on a hill", seed=i)
    api = make_ai_api(root, stub=stub)
    out = api.post("/db/search_iib_output_by_prompt", json={"query": "tree hill", "folder_paths": [str(root)]})
    assert out.status_code == 200 and len(out.json()["results"]) == 4
    assert len({x["score"] for x in out.json()["results"]}) == 1


@pytest.mark.parametrize("kind,times,status,text", [
    ("429", 3, 429, "HTTP 429"),
    ("500", 3, 502, "HTTP 500"),
    ("401", 1, 400, "HTTP 401"),
    ("malformed", 1, 502, "not JSON"),
    ("wrong_schema", 1, 502, "empty vector"),
    ("slow", 1, 504, "timeout"),
])
def test_embedding_provider_failures_are_errors(make_ai_api, stub, tmp_path, kind, times, status, text):
    root = tmp_path / "lib"
    a1111_png(root / "a.png", "a red fox in the snow")
    stub.slow_seconds = 3
    api = make_ai_api(root, stub=stub, env={"IIB_AI_TIMEOUT": "1"})
    stub.fail(kind, times=times, endpoint="/embeddings")
    r = api.post("/db/build_iib_output_embeddings", json={"folder": str(root)})
    assert r.status_code == status, r.text
    assert text.lower() in r.json()["detail"].lower()
    stub.clear()  # the provider recovers: nothing was stored, so everything is embedded now
    ok = api.post("/db/build_iib_output_embeddings", json={"folder": str(root)}).json()
    assert ok["updated"] == 1


def test_retries_absorb_a_short_rate_limit(make_ai_api, stub, tmp_path):
    root = tmp_path / "lib"
    a1111_png(root / "a.png", "a red fox in the snow")
    api = make_ai_api(root, stub=stub)
    stub.fail("429", times=2, endpoint="/embeddings")  # IIB_AI_MAX_RETRIES=2 in the fixture
    r = api.post("/db/build_iib_output_embeddings", json={"folder": str(root)})
    assert r.status_code == 200 and r.json()["updated"] == 1
    assert len(stub.calls("/embeddings")) == 3


def test_rejected_batches_are_remembered(make_ai_api, stub, tmp_path):
    root = tmp_path / "lib"
    a1111_png(root / "a.png", "a red fox in the snow")
    api = make_ai_api(root, stub=stub)
    stub.fail("400", endpoint="/embeddings")
    first = api.post("/db/build_iib_output_embeddings", json={"folder": str(root)}).json()
    assert first["failed"] == 1 and first["updated"] == 0
    second = api.post("/db/build_iib_output_embeddings", json={"folder": str(root)}).json()
    assert second["skipped_failed"] == 1 and second["updated"] == 0
    third = api.post("/db/build_iib_output_embeddings", json={"folder": str(root), "force": True}).json()
    assert third["updated"] == 1


@pytest.mark.parametrize("kind,text", [("wrong_schema", "did not call"), ("malformed", "not json"),
                                       ("500", "http 500")])
def test_title_failures_end_the_job_with_an_error(make_ai_api, stub, themed_library, kind, text):
    root = lib_root(themed_library)
    api = make_ai_api(root, stub=stub)
    stub.fail(kind, times=3, endpoint="/chat/completions")
    job = api.wait_job(api.post("/db/cluster_iib_output_job_start",
                                json={"folder_paths": [str(root)], "threshold": 0.5}).json()["job_id"])
    assert job["status"] == "error" and job["result"] is None
    assert text in job["error"].lower()


def test_connection_failure_and_missing_configuration(make_ai_api, tmp_path):
    root = tmp_path / "lib"
    a1111_png(root / "a.png", "a red fox in the snow")
    api = make_ai_api(root, env={"OPENAI_BASE_URL": "http://127.0.0.1:9/v1", "OPENAI_API_KEY": "k",
                                 "IIB_AI_MAX_RETRIES": "0"})
    r = api.post("/db/build_iib_output_embeddings", json={"folder": str(root)})
    assert r.status_code == 502 and "connection failed" in r.json()["detail"]
    chat = api.post("/ai-chat", json={"messages": [{"role": "user", "content": "hi"}]})
    assert chat.status_code == 502


def test_keyword_titles_are_labelled(make_ai_api, stub, themed_library):
    root = lib_root(themed_library)
    api = make_ai_api(root, stub=stub)
    job = api.wait_job(api.post("/db/cluster_iib_output_job_start", json={
        "folder_paths": [str(root)], "threshold": 0.5, "min_cluster_size": 3, "title_model": "keywords"}
    ).json()["job_id"])
    assert job["status"] == "completed", job
    result = job["result"]
    assert result["title_method"] == "keywords" and result["title_model"] == "keywords"
    assert stub.calls("/chat/completions") == []
    for c in result["clusters"]:
        theme = Counter(themed_library[p] for p in c["paths"]).most_common(1)[0][0]
        assert c["title_method"] == "keywords" and c["keywords"]
        assert set(w for k in c["keywords"] for w in k.split()) <= set(THEMES[theme])


def test_ai_chat_is_forwarded_verbatim(make_ai_api, stub, tmp_path):
    root = tmp_path / "lib"
    a1111_png(root / "a.png", "x")
    api = make_ai_api(root, stub=stub)
    r = api.post("/ai-chat", json={"messages": [{"role": "user", "content": "hello there"}], "max_tokens": 5})
    assert r.status_code == 200
    body = r.json()
    assert body["object"] == "chat.completion" and body["choices"][0]["message"]["content"] == "stub reply to: hello there"
    sent = stub.calls("/chat/completions")[-1]
    assert sent["model"] == "stub-chat" and sent["max_tokens"] == 5
    assert api.post("/ai-chat", json={"messages": [], "stream": True}).status_code == 400
    stub.fail("500", times=3)
    assert api.post("/ai-chat", json={"messages": [{"role": "user", "content": "x"}]}).status_code == 502


def test_organise_plan_then_confirm_then_undo(make_ai_api, stub, themed_library):
    root = lib_root(themed_library)
    sidecar = Path(next(p for p, t in themed_library.items() if t == "space")).with_suffix(".txt")
    sidecar.write_text("notes")
    api = make_ai_api(root, stub=stub)
    dest = root / "sorted"
    # A search before the moves: the vectors are now held in memory with each image's folder.
    before = api.post("/db/search_iib_output_by_prompt", json={"query": "space station", "folder_paths": [str(root)]})
    assert before.status_code == 200 and before.json()["count"] == len(themed_library)
    r = api.post("/db/organize_files_start", json={"folder_paths": [str(root)], "dest_folder": str(dest),
                                                   "threshold": 0.5, "min_cluster_size": 3, "lang": "en"})
    assert r.status_code == 200, r.text
    job = api.wait_job(r.json()["job_id"])
    assert job["status"] == "completed", job
    plan = job["plan"]
    planned = {m["src"]: m["dest"] for t in plan["topics"] for m in t["moves"]}
    assert len(plan["topics"]) == 5 and plan["count"] == len(planned) > 0
    assert all(os.path.exists(src) for src in planned) and not dest.exists()  # nothing moved yet
    assert all(os.path.dirname(d) == t["folder"] and os.path.dirname(t["folder"]) == str(dest)
               for t in plan["topics"] for d in [m["dest"] for m in t["moves"]])

    done = api.post("/db/organize_files_confirm", json={"job_id": job["job_id"]})
    assert done.status_code == 200, done.text
    out = done.json()
    assert out["moved"] == len(planned) and out["failed"] == 0
    assert {x["src"]: x["dest"] for x in out["results"]} == planned
    for src, target in planned.items():
        assert not os.path.exists(src) and os.path.exists(target)
    moved_space = planned[str(sidecar.with_suffix(".png"))]
    assert Path(moved_space).with_suffix(".txt").read_text() == "notes" and not sidecar.exists()
    unplanned = set(themed_library) - set(planned)
    assert all(os.path.exists(p) for p in unplanned)  # noise stays where it was
    again = api.post("/db/organize_files_confirm", json={"job_id": job["job_id"]})
    assert again.status_code == 400
    # A search scoped to a topic folder finds exactly the files just moved there (the
    # in-memory vectors follow the moves), and their old folder no longer holds them.
    topic = max(plan["topics"], key=lambda t: len(t["moves"]))
    inside = api.post("/db/search_iib_output_by_prompt",
                      json={"query": "anything", "folder_paths": [topic["folder"]], "top_k": 100,
                            "ensure_embed": False}).json()
    assert sorted(x["path"] for x in inside["results"]) == sorted(m["dest"] for m in topic["moves"])
    assert inside["count"] == len(topic["moves"])

    undo = api.post("/db/organize_files_undo", json={"job_id": job["job_id"]}).json()
    assert undo["restored"] == len(planned) and undo["failed"] == 0
    assert all(os.path.exists(src) for src in planned) and sidecar.exists()


def test_seed_guide_clustering_example(make_ai_api, stub, tmp_path):
    """The original API guide's "AI Semantic Clustering" example, run as written (plus a time limit on the loop)."""
    import requests

    rng = random.Random(3)
    root = tmp_path / "images"
    for theme in ("fox", "ramen", "space"):
        base = THEMES[theme]
        for i in range(5):
            a1111_png(root / theme / f"{i}.png", ", ".join(base[:8] + [rng.choice(["calm", "vivid", "soft"])]),
                      seed=i)
    api = make_ai_api(root, stub=stub)
    BASE_URL = api.url + "/infinite_image_browsing"

    start_resp = requests.post(f"{BASE_URL}/db/cluster_iib_output_job_start", json={
        "folder_paths": [str(root)],
        "threshold": 0.85,
        "min_cluster_size": 3,
        "lang": "en",
        "recursive": True
    })
    job_id = start_resp.json()["job_id"]
    deadline = time.time() + 240
    seen = []
    while True:
        status = requests.get(f"{BASE_URL}/db/cluster_iib_output_job_status",
                              params={"job_id": job_id}).json()
        if status.get("status") == "completed":
            clusters = status["result"]["clusters"]
            for c in clusters:
                print(f"Topic: {c['title']}, Count: {c['size']}")
                print(f"  Keywords: {c['keywords']}")
                print(f"  Files: {c['paths'][:3]}...")
                seen.append(c)
            break
        assert status.get("status") != "error", status
        assert time.time() < deadline
        time.sleep(0.2)
    assert sorted(c["size"] for c in seen) == [5, 5, 5]
    for c in seen:
        folders = {os.path.basename(os.path.dirname(p)) for p in c["paths"]}
        assert len(folders) == 1 and c["title"].startswith("en: ") and c["keywords"]


def test_permissions_paths_and_secret(make_ai_api, stub, tmp_path, themed_library):
    root = lib_root(themed_library)
    outside = tmp_path / "outside"
    a1111_png(outside / "o.png", "secret fox")
    ro = make_ai_api(root, stub=stub, env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"})
    for route in ("/db/build_iib_output_embeddings", "/db/cluster_iib_output_job_start",
                  "/db/search_iib_output_by_prompt", "/ai-chat", "/db/organize_files_start",
                  "/db/organize_files_confirm"):
        assert ro.post(route, json={}).status_code == 403, route
    # reading job status needs read permission only (docs/api.md, "AI routes")
    assert ro.get("/db/cluster_iib_output_job_status", params={"job_id": "f" * 32}).status_code == 404

    guarded = make_ai_api(root, stub=stub, env={"IIB_ACCESS_CONTROL": "enable", "IIB_SECRET_KEY": "s3"})
    r = guarded.post("/db/search_iib_output_by_prompt", json={"query": "fox"})
    assert r.status_code == 401
    auth = {"Authorization": "Bearer s3"}
    r = guarded.post("/db/search_iib_output_by_prompt", json={"query": "fox", "folder_paths": [str(outside)]},
                     headers=auth)
    assert r.status_code == 403
    r = guarded.post("/db/organize_files_start", json={"folder_paths": [str(root)], "dest_folder": str(outside)},
                     headers=auth)
    assert r.status_code == 403
    # omitted folder_paths: every scanned root
    r = guarded.post("/db/search_iib_output_by_prompt", json={"query": "fox snowy forest"}, headers=auth)
    assert r.status_code == 200 and r.json()["folders"] == [str(root)] and r.json()["count"] == 60


def test_organise_honours_the_folders_excluded_on_the_index_page(make_ai_api, stub, themed_library):
    """Files the plan moves into a folder excluded on the index page leave the index, as a move
    through the file routes does."""
    root = lib_root(themed_library)
    api = make_ai_api(root, stub=stub)
    dest = root / "sorted"
    assert api.post("/db/index_exclusions", json={"dirs": ["sorted"]}).status_code == 200
    r = api.post("/db/organize_files_start", json={"folder_paths": [str(root)], "dest_folder": str(dest),
                                                   "threshold": 0.5, "min_cluster_size": 3, "lang": "en"})
    assert r.status_code == 200, r.text
    job = api.wait_job(r.json()["job_id"])
    assert job["status"] == "completed", job
    done = api.post("/db/organize_files_confirm", json={"job_id": job["job_id"]}).json()
    assert done["moved"] > 0 and done["failed"] == 0
    found = api.post("/db/search_by_substr", json={"surstr": "sorted", "path_only": True}).json()
    assert found["files"] == []
