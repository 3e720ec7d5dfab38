#!/usr/bin/env python3
"""Media delivery benchmark (thumbnails, /file). Not part of the test run.

    python tests/bench/bench_media.py [--rounds 40] [--cache DIR]

Makes (once, cached under --cache) a corpus with the project's generator, tests/support/synthetic.py
(n=10, big=5: five noisy 1024x1536 PNGs, like real renders), then measures

* in-process: Pillow's PNG decode alone (and pyspng's, when installed), a cold 512-px
  thumbnail (`render_thumbnail`; with pyspng also with Pillow's decoder, back to back),
  a cold `ThumbnailCache.get` (render + atomic write), a cached get, and the WebP vs JPEG
  encoding of the final 341x512 image;
* over HTTP against a real uvicorn server in a separate process (so client and server
  do not share a GIL): cold thumbnail, cached thumbnail, 304 revalidation, /file for a
  small and a 2.9 MB PNG, and a 1 KiB range of the big one.

Prints one JSON line: medians (`*_p50_ms`), 90th percentiles and minimums in ms.
"""
import argparse
import io
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT))
sys.path.insert(0, str(PROJECT / "tests"))

BASE = "/infinite_image_browsing"


def percentile(values, q):
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q / 100 * (len(values) - 1)))))
    return values[k]


def summary(name, samples_s):
    ms = [s * 1000 for s in samples_s]
    return {f"{name}_p50_ms": round(statistics.median(ms), 2), f"{name}_p90_ms": round(percentile(ms, 90), 2),
            f"{name}_min_ms": round(min(ms), 2)}


def timed(fn, rounds, before=None):
    out = []
    for i in range(rounds):
        if before is not None:
            before(i)
        t = time.perf_counter()
        fn(i)
        out.append(time.perf_counter() - t)
    return out


def make_corpus(folder: Path) -> list:
    big_dir = folder / "outputs" / "txt2img-images" / "big"
    if not big_dir.is_dir():
        from support.synthetic import generate

        generate(folder, 10, seed=1, big=5)
    return sorted(str(p) for p in big_dir.glob("*.png"))


def small_file(folder: Path) -> str:
    smalls = sorted(p for p in folder.rglob("*.png") if "big" not in p.parts)
    return str(smalls[0])


def in_process(bigs, rounds, scratch: Path) -> dict:
    from PIL import Image

    from iib_core.media.thumbnails import ThumbnailCache, render_thumbnail

    out = {}
    pick = lambda i: bigs[i % len(bigs)]  # noqa: E731
    for p in bigs:  # page cache warm
        Path(p).read_bytes()
    out.update(summary("decode_png_only", timed(lambda i: Image.open(pick(i)).load(), rounds)))
    from iib_core.media import thumbnails

    out["fast_png"] = thumbnails._spng is not None and thumbnails.FAST_PNG  # pyspng installed and used
    if thumbnails._spng is not None:
        datas = {p: Path(p).read_bytes() for p in bigs}
        out.update(summary("decode_png_pyspng", timed(lambda i: thumbnails._spng.load(datas[pick(i)], "RGB"), rounds)))
        # Back to back: the same thumbnail with Pillow's decoder (what runs without pyspng).
        thumbnails.FAST_PNG = False
        out.update(summary("cold_thumbnail_512_pillow_decoder",
                           timed(lambda i: render_thumbnail(pick(i), (512, 512)), rounds)))
        thumbnails.FAST_PNG = True
    out.update(summary("cold_thumbnail_512", timed(lambda i: render_thumbnail(pick(i), (512, 512)), rounds)))

    cache_dir = scratch / "inproc-cache"
    cache = ThumbnailCache(cache_dir)
    sts = {p: os.stat(p) for p in bigs}
    out.update(summary("cold_cache_get_512", timed(
        lambda i: cache.get(pick(i), sts[pick(i)], (512, 512)), rounds,
        before=lambda i: shutil.rmtree(cache_dir, ignore_errors=True))))
    cache.get(bigs[0], sts[bigs[0]], (512, 512))
    out.update(summary("cached_get_512", timed(lambda i: cache.get(bigs[0], sts[bigs[0]], (512, 512)), rounds * 5)))

    im = Image.open(bigs[0])
    im = im.reduce(3)

    def enc(fmt, **kw):
        return lambda i: im.save(io.BytesIO(), fmt, **kw)

    from iib_core.media.thumbnails import WEBP_METHOD, WEBP_QUALITY

    out.update(summary("encode_webp_512", timed(enc("WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD), rounds)))
    out.update(summary("encode_jpeg_512", timed(enc("JPEG", quality=85), rounds)))
    webp, jpeg = io.BytesIO(), io.BytesIO()
    im.save(webp, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD)
    im.save(jpeg, "JPEG", quality=85)
    out["webp_512_bytes"], out["jpeg_512_bytes"] = len(webp.getvalue()), len(jpeg.getvalue())
    return out


def serve(root: str, cache: str, port: int) -> None:
    """Child process: a real uvicorn server on 127.0.0.1:port."""
    import logging

    import uvicorn

    from iib_core.api import build_context, create_app
    from iib_core.config import Settings

    logging.disable(logging.WARNING)
    settings = Settings.load(environ={"IIB_DB_PATH": os.path.join(cache, "iib.db"), "IIB_CACHE_DIR": cache},
                             env_file=os.path.join(cache, "no.env"))
    ctx = build_context(settings, extra_paths=[root])
    uvicorn.run(create_app(ctx), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def over_http(corpus: Path, bigs, rounds, scratch: Path) -> dict:
    import httpx

    cache = scratch / "http-cache"
    cache.mkdir()
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(corpus), str(cache), str(port)])
    out = {}
    try:
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60)
        deadline = time.time() + 30
        while True:
            try:
                client.get(BASE + "/hello")
                break
            except httpx.TransportError:
                if time.time() > deadline or proc.poll() is not None:
                    raise RuntimeError("server did not start") from None
                time.sleep(0.05)

        def thumb(path, headers=None):
            r = client.get(BASE + "/image-thumbnail", params={"path": path, "t": "1", "size": "512x512"},
                           headers=headers)
            assert r.status_code in (200, 304), r.text
            return r

        thumb(bigs[0])  # first request: imports, thread pool start
        shutil.rmtree(cache / "thumbnails", ignore_errors=True)
        out.update(summary("http_cold_thumbnail_512", timed(
            lambda i: thumb(bigs[i % len(bigs)]), rounds,
            before=lambda i: shutil.rmtree(cache / "thumbnails", ignore_errors=True))))
        etag = thumb(bigs[0]).headers["etag"]
        out.update(summary("http_cached_thumbnail_512", timed(lambda i: thumb(bigs[0]), rounds * 5)))
        out.update(summary("http_thumbnail_304", timed(lambda i: thumb(bigs[0], {"If-None-Match": etag}), rounds * 5)))

        def file(path, headers=None):
            r = client.get(BASE + "/file", params={"path": path, "t": "1"}, headers=headers)
            assert r.status_code in (200, 206), r.text
            return r

        small = small_file(corpus)
        out["small_file_bytes"] = os.path.getsize(small)
        out.update(summary("http_file_small", timed(lambda i: file(small), rounds * 5)))
        out["big_file_bytes"] = os.path.getsize(bigs[0])
        out.update(summary("http_file_big", timed(lambda i: file(bigs[0]), rounds)))
        out.update(summary("http_file_range_1k", timed(lambda i: file(bigs[0], {"Range": "bytes=0-1023"}),
                                                       rounds * 5)))
        out.update(summary("http_hello", timed(lambda i: client.get(BASE + "/hello"), rounds * 5)))
        client.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
    return out


def main() -> None:
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--cache", default=os.path.join(tempfile.gettempdir(), "iib-bench-media"))
    args = ap.parse_args()
    corpus = Path(args.cache) / "corpus"
    bigs = make_corpus(corpus)
    scratch = Path(tempfile.mkdtemp(prefix="iib-bench-media-"))
    try:
        result = {"cpus": os.cpu_count(), "rounds": args.rounds, "big_png": "1024x1536 noisy", "box": "512x512"}
        result.update(in_process(bigs, args.rounds, scratch))
        result.update(over_http(corpus, bigs, args.rounds, scratch))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
