#!/usr/bin/env python3
"""Indexer and substring-search benchmark. Not part of the test run.

    python tests/bench/bench_index.py --n 20000 [--n 100000] [--db sqlite|URL] [--workers 2]

For each N: generate (once, cached under --cache) a synthetic corpus with
tests/support/synthetic.py, warm the page cache, then measure a cold index, a
no-change rescan, a rescan after touching 1% of the files (and check that exactly
those were re-read), and substring search latency at that size. Prints one JSON
line per N.
"""
import argparse
import json
import os
import random
import resource
import shutil
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
from iib_core.indexer import IndexJob  # noqa: E402
from support.corpus import make_corpus  # noqa: E402

QUERIES = ["masterpiece", "1girl", "best quality", "hair", "holding", "smile", "outdoors", "lora",
           "red eyes", "sitting", "night", "flower", "Euler", "DPM++", "zzzzqqq", "blue sky",
           "looking at viewer", "00001", "ComfyUI", "<lora:"]


def warm(root: Path) -> None:
    for dirpath, _, names in os.walk(root):
        for n in names:
            with open(os.path.join(dirpath, n), "rb") as f:
                while f.read(1 << 20):
                    pass


def children_cpu() -> float:
    """CPU seconds of finished child processes: the extraction workers, which are children
    (or, in frozen builds, grandchildren through the fork server, reaped by it)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = usage.ru_utime + usage.ru_stime
    try:
        from multiprocessing import forkserver

        pid = forkserver._forkserver._forkserver_pid
        if pid:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")
    except (OSError, AttributeError, IndexError, ValueError):
        pass
    return total


def percentile(values, q):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def bench_one(n: int, cache: Path, db_arg: str, workers: int, search_rounds: int) -> dict:
    corpus = cache / f"corpus-{n}"
    t = time.time()
    manifest = make_corpus(corpus, n, seed=1)
    gen_s = time.time() - t
    warm(corpus)
    tmp = Path(tempfile.mkdtemp(prefix="iib-bench-"))
    url = f"sqlite:///{tmp / 'iib.db'}" if db_arg == "sqlite" else db_arg
    db = open_database(url)
    result = {"n": n, "db": db.engine.dialect.name, "workers": workers, "cpus": os.cpu_count()}
    try:
        t = time.perf_counter()
        cpu, wcpu = time.process_time(), children_cpu()
        job = IndexJob(db, [str(corpus)], workers=workers)
        s = job.run()
        cold = time.perf_counter() - t
        assert s.progress.written == n, s.progress.as_dict()
        main_cpu = time.process_time() - cpu
        wcpu = children_cpu() - wcpu
        # CPU per file in the indexing process and in the workers: what the throughput on a
        # quiet machine with C cores is bounded by (~C / (main + workers) files per second),
        # and a measure that other load on a shared machine disturbs less than wall time.
        result.update(cold_index_s=round(cold, 3), cold_images_per_s=round(n / cold),
                      cold_main_cpu_us_per_file=round(main_cpu / n * 1e6),
                      cold_workers_cpu_us_per_file=round(wcpu / n * 1e6),
                      cold_write_s=round(getattr(job, "write_seconds", 0.0), 2),
                      cold_write_cpu_us_per_file=round(getattr(job, "write_cpu_seconds", 0.0) / n * 1e6))

        times = []
        for _ in range(3):
            t = time.perf_counter()
            s = IndexJob(db, [str(corpus)], workers=workers).run()
            times.append(time.perf_counter() - t)
            assert s.progress.parsed == 0
        result.update(rescan_nochange_s_median=round(statistics.median(times), 3))

        rng = random.Random(5)
        touched = rng.sample(manifest["files"], max(1, n // 100))
        for f in touched:
            p = corpus / f["path"]
            st = p.stat()
            os.utime(p, (st.st_atime, st.st_mtime + 1))
        t = time.perf_counter()
        s = IndexJob(db, [str(corpus)], workers=workers).run()
        result.update(rescan_touch1pct_s=round(time.perf_counter() - t, 3),
                      touched=len(touched), reread=s.progress.parsed)
        for f in touched:  # restore, so the cached corpus stays as generated
            p = corpus / f["path"]
            os.utime(p, (f["mtime"], f["mtime"]))

        # The plain substring search as the API runs it (`syntax: "substr"`), and the
        # direct FTS5 query of the test oracle (support/substring_oracle.py) for comparison.
        try:
            from support.substring_oracle import search_substring
        except ImportError:  # an older tree: the oracle still lived in iib_core.db.images
            search_substring = images_db.search_substring  # type: ignore[attr-defined]
        try:
            from iib_core.db.query import search_text
        except ImportError:  # an older tree
            search_text = search_substring
        for prefix, search in (("search", search_text), ("search_fts_direct", search_substring)):
            lat = []
            for _ in range(search_rounds):
                for q in QUERIES:
                    t = time.perf_counter()
                    search(db, q, limit=200)
                    lat.append((time.perf_counter() - t) * 1000)
            result.update({f"{prefix}_ms_p50": round(percentile(lat, 50), 2),
                           f"{prefix}_ms_p95": round(percentile(lat, 95), 2),
                           f"{prefix}_ms_max": round(max(lat), 2)})
        result["search_queries"] = len(QUERIES) * search_rounds
        result["corpus_generation_s"] = round(gen_s, 1)
    finally:
        db.dispose()
        shutil.rmtree(tmp, ignore_errors=True)
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, action="append", help="corpus sizes (default 20000 and 100000)")
    ap.add_argument("--db", default="sqlite", help="'sqlite' (temp file) or a SQLAlchemy URL")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "iib-bench-corpora"))
    ap.add_argument("--search-rounds", type=int, default=10)
    args = ap.parse_args()
    cache = Path(args.cache)
    cache.mkdir(parents=True, exist_ok=True)
    for n in args.n or [20000, 100000]:
        print(json.dumps(bench_one(n, cache, args.db, args.workers, args.search_rounds)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
