#!/usr/bin/env python3
"""Substring search latency at large row counts (goal: p95 <= 100 ms at 1,000,000 rows).

    python tests/bench/bench_search.py --rows 1000000 [--db URL]

Rows are synthesised from a synthetic-corpus manifest (tests/support/synthetic.py) (prompts, negatives and parameters of
real-looking A1111/ComfyUI files) with distinct paths and times, written through the
same insert path the indexer uses (so the FTS5 / pg_trgm index is the real one). The
SQLite file is kept under --cache and reused. Prints one JSON line.
"""
import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

from iib_core.db import open_database  # noqa: E402
from iib_core.db import images as images_db  # noqa: E402
from iib_core.db.query import search_text  # noqa: E402
from iib_core.indexer.extract import search_text_of_params  # noqa: E402
from support.corpus import make_corpus  # noqa: E402

QUERIES = ["masterpiece", "1girl", "best quality", "hair", "holding", "smile", "outdoors", "red eyes", "sitting",
           "night", "flower", "Euler", "DPM++", "zzzzqqq", "blue sky", "looking at viewer", "<lora:", "dreamshaper",
           "00042", "cat ears", "ab", "simple background", "watercolor", "hires"]


def build(db, manifest, rows: int, batch: int = 5000) -> float:
    files = [f for f in manifest["files"] if f["positive"] is not None]
    rng = random.Random(7)
    t = time.perf_counter()
    base_time = 1_700_000_000.0
    for start in range(0, rows, batch):
        chunk = []
        for i in range(start, min(rows, start + batch)):
            f = files[i % len(files)]
            params = {k.lower(): v for k, v in f["params"].items()} if isinstance(f["params"], dict) else {}
            folder = f"/bench/library/{i // 2000:05d}"
            name = f"{i:07d}-{os.path.basename(f['path'])}"
            chunk.append({
                "path": f"{folder}/{name}", "folder": folder, "name": name, "size": 10_000 + i % 5000,
                "mtime": base_time + i * 7 + rng.random(), "ctime": base_time, "width": f["width"],
                "height": f["height"], "media_type": "image", "format": f["format"], "generator": "AUTOMATIC1111",
                "positive": f["positive"], "negative": f["negative"] or "", "params": json.dumps(params),
                "params_text": search_text_of_params(params), "raw": "", "fingerprint": None,
                "indexed_at": base_time,
            })
        with db.write() as conn:
            images_db.insert_many(conn, chunk)
        done = min(rows, start + batch)
        if done % 100_000 == 0:
            print(f"  {done} rows ({done / (time.perf_counter() - t):,.0f} rows/s)", file=sys.stderr, flush=True)
    return time.perf_counter() - t


def percentile(values, q):
    values = sorted(values)
    return values[max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--db", default="", help="a SQLAlchemy URL (default: a cached SQLite file)")
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "iib-bench-corpora"))
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    cache = Path(args.cache)
    manifest = make_corpus(cache / "corpus-20000", 20000, seed=1)
    url = args.db or f"sqlite:///{cache / f'search-{args.rows}.db'}"
    db = open_database(url)
    result = {"rows": args.rows, "db": db.engine.dialect.name}
    try:
        with db.read() as conn:
            have = images_db.count(conn)
        if have != args.rows:
            if have:
                raise SystemExit(f"{url} holds {have} rows, not {args.rows}: delete it first")
            result["build_s"] = round(build(db, manifest, args.rows), 1)
        for q in QUERIES:  # warm the page cache
            search_text(db, q, limit=200)
        lat = []
        cpu = []
        per_query = {}
        load_before = os.getloadavg()[0]
        for _ in range(args.rounds):
            for q in QUERIES:
                t, c = time.perf_counter(), time.process_time()
                search_text(db, q, limit=200)
                ms = (time.perf_counter() - t) * 1000
                cpu.append((time.process_time() - c) * 1000)
                lat.append(ms)
                per_query.setdefault(q, []).append(ms)
        # On a shared machine the CPU time of this process (SQLite runs in it) says more than
        # the wall clock, which includes waiting for a core.
        result.update(search_ms_p50=round(percentile(lat, 50), 2), search_ms_p95=round(percentile(lat, 95), 2),
                      search_ms_max=round(max(lat), 2), queries=len(lat),
                      cpu_ms_p50=round(percentile(cpu, 50), 2), cpu_ms_p95=round(percentile(cpu, 95), 2),
                      load=[round(load_before, 2), round(os.getloadavg()[0], 2)],
                      slowest=sorted(((round(statistics.median(v), 1), k) for k, v in per_query.items()),
                                     reverse=True)[:4])
    finally:
        db.dispose()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
