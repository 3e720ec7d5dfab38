#!/usr/bin/env python3
"""Query-language latency benchmark. Not part of the test run.

    python tests/bench/bench_query.py [--n 100000] [--corpus DIR] [--url URL] [--rounds 15]

Uses the project's synthetic corpus, tests/support/synthetic.py (generated into
/tmp/iib-bench-corpora/corpus-N when missing), indexes it with IndexJob into a SQLite
file (kept next to the corpus and reused while the corpus is unchanged; or --url for
another database, e.g. PostgreSQL), then times a first page (200 rows, newest first)
of typical queries. Prints one JSON line: overall and per-query p50/p95 in ms.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

from iib_core.db import images as images_db  # noqa: E402
from iib_core.db import open_database  # noqa: E402
from iib_core.db.query import search_images  # noqa: E402
from iib_core.indexer import IndexJob  # noqa: E402

QUERIES = [
    "1girl",                                   # very common word
    'smile "blue eyes"',                       # two terms, one a phrase
    "red eyes -smile",                         # negation
    'masterpiece OR "best quality"',           # OR of terms
    "hair (blonde OR silver) -hat",            # group
    "zzzzqqq",                                 # no match
    "-1girl",                                  # negation only
    "model:dreamshaper",                       # params text filters
    "sampler:euler",
    "lora:neon_palette",                       # tags
    "tag:smile",
    "steps>30",                                # numeric
    "cfg:7",
    "seed:3786358249",                         # one seed (at most one file): a full scan
    "size:832x1216",
    "date:2026-03-05",                         # mtime index
    "date>2026-05 ext:webp",
    "generator:comfy",
    "1girl steps>30 model:dreamshaper",        # text narrowed by filters
    "night sky -lora:neon date<2026-04",
]


def percentile(values, q):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def ensure_corpus(corpus: Path, n: int) -> Path:
    if not (corpus / "corpus.json").exists():
        from support.synthetic import generate

        generate(corpus, n, seed=1)
    return corpus


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100000)
    ap.add_argument("--corpus", type=Path, default=None, help="default /tmp/iib-bench-corpora/corpus-N")
    ap.add_argument("--url", default="", help="database URL (default: a SQLite file beside the corpus)")
    ap.add_argument("--rounds", type=int, default=15)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()

    corpus = ensure_corpus(args.corpus or Path(f"/tmp/iib-bench-corpora/corpus-{args.n}"), args.n)
    url = args.url or f"sqlite:///{corpus.parent / f'query-bench-{corpus.name}.db'}"
    db = open_database(url)
    result = {"n": args.n, "db": db.engine.dialect.name, "cpus": os.cpu_count(), "fts": db.has_fts}
    try:
        t = time.perf_counter()
        summary = IndexJob(db, [str(corpus)], workers=args.workers).run()  # a no-op when already indexed
        result["index_s"] = round(time.perf_counter() - t, 1)
        result["indexed_now"] = summary.progress.written
        with db.read() as conn:
            result["rows"] = images_db.count(conn)

        times = {q: [] for q in QUERIES}
        hits = {}
        for q in QUERIES:  # warm the caches once
            hits[q] = len(search_images(db, q).rows)
        rng = random.Random(7)
        for _ in range(args.rounds):
            order = QUERIES[:]
            rng.shuffle(order)
            for q in order:
                t = time.perf_counter()
                search_images(db, q)
                times[q].append((time.perf_counter() - t) * 1000)
        every = [x for v in times.values() for x in v]
        result.update(
            rounds=args.rounds,
            p50_ms=round(statistics.median(every), 1),
            p95_ms=round(percentile(every, 95), 1),
            max_ms=round(max(every), 1),
            queries={q: {"p50_ms": round(statistics.median(v), 1), "p95_ms": round(percentile(v, 95), 1),
                         "rows": hits[q]} for q, v in times.items()},
        )
    finally:
        db.dispose()
    result["loadavg_1m"] = round(os.getloadavg()[0], 2)  # other work on the machine skews the figures
    print(json.dumps(result))


if __name__ == "__main__":
    main()
