"""The pure parts of the semantic layer: prompt normalisation, vectors, clustering, keyword
titles, and the HTTP client against the stub server (retries, schema checks)."""
from __future__ import annotations

import numpy as np
import pytest

from iib_core.ai import prompts, titles
from iib_core.ai.client import OpenAIClient
from iib_core.ai.cluster import cluster_vectors
from iib_core.ai.errors import ProviderError
from iib_core.ai.vectors import from_blob, to_blob, top_k
from iib_core.db import open_database
from iib_core.db import embeddings as emb_db
from iib_core.db import images as images_db
from support.openai_stub import OpenAIStub, hashing_vector


def test_extraction_and_normalisation():
    raw = "masterpiece, (red fox:1.3), <lora:snow:0.8> snowy forest BREAK pine\nNegative prompt: lowres\nSteps: 20"
    assert prompts.extract_prompt("", raw).startswith("masterpiece, (red fox:1.3)")
    assert "Negative" not in prompts.extract_prompt("", raw)
    assert prompts.extract_prompt("a cat\nNegative prompt: dog") == "a cat"
    assert prompts.normalize_prompt(prompts.extract_prompt("", raw)) == "red fox, snowy forest, pine"
    assert prompts.normalize_prompt("best quality, masterpiece") == "best quality, masterpiece"  # nothing left: kept
    themed = "a castle, cinematic lighting, depth of field, best quality"
    assert prompts.normalize_prompt(themed, mode="balanced") == "a castle, cinematic lighting, depth of field"
    assert prompts.normalize_prompt(themed, mode="theme_only") == "a castle"
    assert prompts.normalize_prompt(themed, enabled=False) == themed


def test_fingerprint_follows_the_rules():
    a = prompts.normalize_version(True, "balanced")
    assert a == prompts.normalize_version(True, "balanced") and a.startswith("balanced-")
    assert a != prompts.normalize_version(True, "theme_only") != prompts.normalize_version(False, "balanced")
    assert prompts.text_hash(a, "x") != prompts.text_hash(prompts.normalize_version(False, "balanced"), "x")
    assert len(prompts.text_hash(a, "x")) == 64


def test_blobs_and_exact_top_k():
    rng = np.random.default_rng(0)
    m = rng.normal(size=(1000, 32)).astype(np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    blob = to_blob(m[0])
    assert len(blob) == 64 and np.allclose(from_blob(blob, "f2", 32), m[0], atol=1e-3)
    q = m[17]
    idx, scores = top_k(m, q, 5)
    brute = np.argsort(-(m @ q))[:5]
    assert list(idx) == list(brute) and idx[0] == 17 and abs(scores[0] - 1) < 1e-5
    mask = np.zeros(1000, dtype=bool)
    mask[500:] = True
    idx, _ = top_k(m, q, 5, mask=mask)
    assert all(i >= 500 for i in idx)
    ties = np.tile(m[:1], (4, 1))
    idx, scores = top_k(ties, m[0], 3)
    assert list(idx) == [0, 1, 2]  # equal scores: row order, never an error
    idx, _ = top_k(m, q, 1000, min_score=0.5)
    assert all((m @ q)[i] >= 0.5 for i in idx)


def _blobs(n_per: int, centers: np.ndarray, spread: float, seed: int = 1):
    rng = np.random.default_rng(seed)
    rows, labels = [], []
    for c, center in enumerate(centers):
        pts = center + spread * rng.normal(size=(n_per, centers.shape[1]))
        rows.append(pts)
        labels += [c] * n_per
    x = np.vstack(rows).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    order = rng.permutation(len(labels))
    return x[order], np.asarray(labels)[order]


def test_online_clustering_recovers_planted_groups():
    rng = np.random.default_rng(7)
    centers = rng.normal(size=(8, 64))
    x, truth = _blobs(60, centers, 0.08)
    out = cluster_vectors(x, threshold=0.8, min_cluster_size=5, assign_noise_threshold=0.85)
    assert len(out.clusters) == 8
    for members in out.clusters:
        labels = truth[members]
        assert np.bincount(labels).max() / labels.size >= 0.99
    assert (out.labels >= 0).sum() == 480


def test_small_clusters_become_noise_or_join_a_large_one():
    rng = np.random.default_rng(3)
    centers = rng.normal(size=(2, 32))
    x, _ = _blobs(20, centers, 0.05)
    far = rng.normal(size=(1, 32)).astype(np.float32)
    far /= np.linalg.norm(far)
    near = (centers[0] / np.linalg.norm(centers[0]) + 0.05 * rng.normal(size=32)).astype(np.float32)[None]
    near /= np.linalg.norm(near)
    data = np.vstack([x, far, near])
    out = cluster_vectors(data, threshold=0.999, min_cluster_size=3, assign_noise_threshold=0.9)
    # at 0.999 almost every point is alone; noise reassignment cannot find large clusters
    assert out.labels[-2] == -1
    out = cluster_vectors(data, threshold=0.8, min_cluster_size=3, assign_noise_threshold=0.5)
    assert len(out.clusters) == 2 and out.labels[-2] == -1 and out.labels[-1] >= 0


def test_merge_joins_clusters_with_similar_directions():
    from iib_core.ai.cluster import merge_similar

    rng = np.random.default_rng(11)
    centers = rng.normal(size=(2, 64))
    x, truth = _blobs(30, centers, 0.05)
    # Split theme 0 in two clusters by arrival (as the online step may), keep theme 1 whole.
    zero = np.flatnonzero(truth == 0)
    labels = np.where(truth == 0, 0, 2)
    labels[zero[::2]] = 1
    merged = merge_similar(x, labels, threshold=0.9)
    assert len(set(merged[truth == 0])) == 1 and len(set(merged[truth == 1])) == 1
    assert merged[zero[0]] != merged[np.flatnonzero(truth == 1)[0]]
    assert set(merged) == {0, 1}  # renumbered by first appearance


def test_keyword_titles_are_distinctive():
    out = titles.keyword_titles([["red fox, snowy forest", "red fox, pine forest, snow"],
                                 ["ramen bowl, noodles", "ramen, chopsticks, noodles"]])
    assert "fox" in " ".join(out[0]["keywords"]) and "ramen" in " ".join(out[1]["keywords"])
    assert all(len(o["title"]) <= titles.TITLE_MAX and len(o["keywords"]) <= 6 for o in out)
    assert titles.language_of("zhHant") == "zh-hant" and titles.language_of("zh-TW") == "zh-hant"
    assert titles.language_of("zhHans") == "zh-hans" and titles.language_of("de-AT") == "de"
    assert titles.language_of(None) == "en" and titles.language_of("fr") == "en"


def test_client_against_the_stub():
    sleeps = []
    with OpenAIStub() as stub:
        client = OpenAIClient(stub.base_url, "k", timeout=2, max_retries=2, sleep=sleeps.append)
        vecs = client.embed(["a fox", "a dog"], "m")
        assert vecs[0] == pytest.approx(hashing_vector("a fox"))
        stub.fail("500", times=2)
        assert len(client.embed(["x"], "m")) == 1 and len(sleeps) == 2 and sleeps[0] < sleeps[1]
        stub.fail("429", times=3)
        with pytest.raises(ProviderError) as err:
            client.embed(["x"], "m")
        assert err.value.status == 429 and err.value.provider_status == 429
        args = client.call_tool("m", [{"role": "user", "content": "Language: German\nPrompts:\n- fox fox den"}],
                                titles.TITLE_TOOL)
        assert args["title"] == "de: fox den"
        stub.fail("wrong_schema")
        with pytest.raises(ProviderError, match="did not call"):
            client.call_tool("m", [{"role": "user", "content": "x"}], titles.TITLE_TOOL)
        with pytest.raises(ProviderError, match="keywords that are not"):
            # a function call with no keywords is outside the contract
            titles.llm_title(client, "m", [""], "en")
    with OpenAIStub(api_key="right") as stub:
        with pytest.raises(ProviderError) as err:
            OpenAIClient(stub.base_url, "wrong", max_retries=0).embed(["x"], "m")
        assert err.value.status == 400 and "401" in err.value.detail


def test_embedding_cache_queries(db_url):
    db = open_database(db_url)
    try:
        with db.write() as conn:
            images_db.insert_many(conn, [{
                "path": f"/lib/{d}/{i}.png", "folder": f"/lib/{d}", "name": f"{i}.png", "size": 1, "mtime": 1.0,
                "ctime": 1.0, "width": 1, "height": 1, "media_type": "image", "format": "png",
                "generator": "x", "positive": f"prompt {i}", "negative": "", "params": "{}", "params_text": "",
                "raw": "", "fingerprint": None, "indexed_at": 1.0} for d in ("a", "a/b", "c") for i in range(3)])
        with db.read() as conn:
            rows = [r for chunk in emb_db.candidates(conn, "m", ["/lib/a"]) for r in chunk]
            flat = [r for chunk in emb_db.candidates(conn, "m", ["/lib/a"], recursive=False) for r in chunk]
        assert len(rows) == 6 and len(flat) == 3 and all(r[3] is None for r in rows)
        vec = np.ones(4, dtype=np.float32) / 2
        with db.write() as conn:
            emb_db.store(conn, "m", [{"image_id": r[0], "text_hash": "h", "dim": 4, "vec": to_blob(vec)} for r in rows])
            emb_db.store(conn, "m", [{"image_id": rows[0][0], "text_hash": "h2", "dim": 4, "vec": to_blob(vec)}])
        with db.read() as conn:
            again = {r[0]: r for chunk in emb_db.candidates(conn, "m", ["/lib"]) for r in chunk}
            count, newest = emb_db.scope_state(conn, "m", ["/lib/a"])
            vecs = [r for chunk in emb_db.vectors_in_scope(conn, "m", ["/lib/a/b"]) for r in chunk]
        assert again[rows[0][0]][3] == "h2" and again[rows[1][0]][3] == "h"
        assert sum(1 for r in again.values() if r[4]) == 6 and count == 6 and newest > 0
        assert len(vecs) == 3 and np.allclose(from_blob(vecs[0][6], "f2", 4), vec)
    finally:
        db.dispose()


def test_scoped_search_reads_only_the_scope_and_matches_brute_force():
    from iib_core.ai.vectors import ModelMatrix

    rng = np.random.default_rng(4)
    folders = ["/lib/b", "/lib/a", "/lib/a/x", "/lib/a-b", "/other"]
    n = 500
    folder_of = rng.integers(0, len(folders), n).astype(np.int32)
    m = rng.normal(size=(n, 16)).astype(np.float32)
    m /= np.linalg.norm(m, axis=1, keepdims=True)
    ids = np.arange(1000, 1000 + n)
    mm = ModelMatrix.build(ids, folder_of, folders, m)
    q = m[3]
    for scope, recursive in ((["/lib/a"], True), (["/lib/a"], False), (["/lib/b", "/other"], True), ([], True)):
        idx, scores, count = mm.search(q, 7, scope, recursive)
        wanted = {i for i, f in enumerate(folders) if not scope or any(
            f == s or (recursive and f.startswith(s + "/")) for s in scope)}
        in_scope = np.flatnonzero(np.isin(folder_of, list(wanted)))
        brute = in_scope[np.argsort(-(m[in_scope] @ q), kind="stable")[:7]]
        assert count == in_scope.size
        assert sorted(mm.ids[idx].tolist()) == sorted(ids[brute].tolist())
        assert np.allclose(scores, np.sort(m[brute] @ q)[::-1], atol=1e-6)
    assert mm.search(q, 5, ["/nowhere"], True)[2] == 0
