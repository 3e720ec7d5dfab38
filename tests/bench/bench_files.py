#!/usr/bin/env python3
"""`GET /files` benchmark. Not part of the test run.

    python tests/bench/bench_files.py [--sizes 10000,200000] [--rounds 7] [--cache DIR] [--no-orjson]

For each size: make (once, cached under --cache) a folder holding that many small
files (`.png` names, a few bytes each, plus one `.txt` sidecar per 10 files), serve
it with the real app over HTTP (uvicorn on 127.0.0.1, access control on so the
per-entry policy path is the one measured), warm up once, then time `rounds` full
requests (from sending the request to the last byte of the body; the client's JSON
decoding is reported apart). Prints one JSON line with the medians; targets:
10,000 files <= 100 ms, 200,000 files <= 2 s. The 1-minute load average is printed
too: on a busy machine the stat calls alone take longer. `--no-orjson` measures the
fallback to the json module (orjson is optional).
"""
import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

if "--no-orjson" in sys.argv:
    sys.modules["orjson"] = None  # makes `import orjson` fail, as where it is not installed

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

from iib_core.api import build_context, create_app  # noqa: E402
from iib_core.config import Settings  # noqa: E402
from support.server import LiveServer  # noqa: E402

TARGETS_MS = {10_000: 100.0, 200_000: 2000.0}


def make_folder(cache: Path, n: int) -> Path:
    """`n` entries: media files, one `.txt` sidecar per ten of them, sizes that vary."""
    folder = cache / f"flat-{n}"
    done = cache / f"flat-{n}.complete"
    if done.exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    made = 0
    i = 0
    while made < n:
        name = f"{i:07d}-{i * 7919 % 100000:05d}"
        with open(folder / (name + ".png"), "wb") as f:
            f.write(b"\x89PNG\r\n\x1a\n" + b"x" * (i % 4096))
        made += 1
        if i % 10 == 0 and made < n:
            with open(folder / (name + ".txt"), "w") as f:
                f.write("a prompt\nSteps: 20, Seed: 1")
            made += 1
        i += 1
    done.write_text("ok")
    return folder


def bench(folder: Path, rounds: int, workdir: Path) -> dict:
    settings = Settings.load(environ={"IIB_DB_URL": f"sqlite:///{workdir / 'iib.db'}",
                                      "IIB_CACHE_DIR": str(workdir / "cache"), "IIB_ACCESS_CONTROL": "enable"},
                             env_file=workdir / "no.env")
    ctx = build_context(settings, extra_paths=[str(folder.parent)])
    timings = []
    with LiveServer(create_app(ctx)) as server:
        client = server.client()
        route = ctx.base + "/files"
        entries = len(client.get(route, params={"folder_path": str(folder)}).json()["files"])  # warm-up
        decode = []
        for _ in range(rounds):
            t = time.perf_counter()
            r = client.get(route, params={"folder_path": str(folder)})
            timings.append((time.perf_counter() - t) * 1000)  # request sent .. whole body received
            t = time.perf_counter()
            files = r.json()["files"]
            decode.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200 and len(files) == entries
        client.close()
    return {"entries": entries, "bytes": len(r.content), "median_ms": round(statistics.median(timings), 1),
            "min_ms": round(min(timings), 1), "max_ms": round(max(timings), 1),
            "client_json_decode_median_ms": round(statistics.median(decode), 1),
            "load_avg_1min": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,200000")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "iib-bench-files"))
    parser.add_argument("--no-orjson", action="store_true", help="encode with the json module")
    args = parser.parse_args()
    cache = Path(args.cache)
    from iib_core.api import fs_routes

    result = {"bench": "GET /files", "rounds": args.rounds, "cpus": os.cpu_count(),
              "json_encoder": "orjson" if fs_routes.orjson is not None else "json", "results": {}}
    with tempfile.TemporaryDirectory(prefix="iib-bench-files-") as tmp:
        for n in (int(s) for s in args.sizes.split(",") if s):
            t = time.time()
            folder = make_folder(cache, n)
            made_s = round(time.time() - t, 1)
            work = Path(tmp) / str(n)
            work.mkdir()
            out = bench(folder, args.rounds, work)
            out["make_folder_s"] = made_s
            target = TARGETS_MS.get(n)
            if target is not None:
                out["target_ms"] = target
                out["meets_target"] = out["median_ms"] <= target
            result["results"][str(n)] = out
    print(json.dumps(result))


if __name__ == "__main__":
    main()
