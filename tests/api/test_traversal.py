"""Traversal suite: 200+ crafted paths against every path-taking route, access control on.

Nothing outside the roots may be read, listed, zipped, moved or deleted: every response is
checked for the outside markers, every write route must refuse, and the outside tree must
be byte-for-byte unchanged at the end.
"""
import base64
import io
import os
import zipfile
from pathlib import Path

import httpx
import pytest
from PIL import Image

from iib_core.api import build_context, create_app
from iib_core.config import Settings
from support.files import a1111_png
from support.server import LiveServer
from support.traversal import MARKER, hostile_paths, prepare, requests_for

CANARY = "IIB_TRAVERSAL_CANARY_7f3a9c"
FORBIDDEN_TEXT = (MARKER, CANARY, "root:x:0:0", "IIB_TRAVERSAL")


def _tiny_webp_b64() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(buf, "WEBP")
    return base64.b64encode(buf.getvalue()).decode()


def snapshot(*folders):
    state = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
            state[dirpath] = "dir"
            for name in filenames:
                p = os.path.join(dirpath, name)
                state[p] = Path(p).read_bytes() if not os.path.islink(p) else os.readlink(p)
    return state


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    os.environ[CANARY] = CANARY  # visible in /proc/self/environ of this (server) process
    tmp = tmp_path_factory.mktemp("traversal")
    root = tmp / "library"
    a1111_png(root / "inside" / "ok.png", "an allowed image")
    (root / "dest").mkdir()
    outside = tmp / "outside"
    extra = prepare(root, outside)
    env = {"IIB_DB_PATH": str(tmp / "t.db"), "IIB_CACHE_DIR": str(tmp / "cache"), "IIB_ACCESS_CONTROL": "enable"}
    ctx = build_context(Settings.load(environ=env, env_file=tmp / "none"), extra_paths=[str(root)])
    ctx.jobs.start()
    ctx.jobs.wait()
    before = snapshot(outside, extra["sibling"])
    with LiveServer(create_app(ctx)) as server, server.client() as client:
        yield {"client": client, "root": root, "outside": outside, "sibling": extra["sibling"], "before": before,
               "paths": hostile_paths(root, outside), "base": ctx.base}
    os.environ.pop(CANARY, None)


def inside_root(p: str, root: Path) -> bool:
    """Inside the root or an ancestor of it (ancestors may be navigated, not read)."""
    real = os.path.realpath(os.path.expanduser(p) if p.startswith("~") else p)
    r = os.path.realpath(root)
    return real == r or real.startswith(r + os.sep) or r.startswith(real.rstrip(os.sep) + os.sep) or real == "/"


def _all_strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _all_strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _all_strings(v)
    elif isinstance(value, str):
        yield value


def resolves_inside(p: str, root: Path) -> bool:
    """True when the path, taken literally, names something inside the root (e.g. a file
    literally called `..\\x` inside it): such requests may succeed."""
    if not p or "\x00" in p or not os.path.isabs(p):
        return False
    try:
        real = os.path.realpath(p)
    except (OSError, ValueError):
        return False
    r = os.path.realpath(root)
    return real.startswith(r + os.sep)


def check_response(r, kind, route, p, root):
    where = f"{r.request.method} {route} {p[:120]!r} -> {r.status_code}"
    if resolves_inside(p, root):
        kind = "inside"
    assert r.status_code < 500, where + " " + r.text[:300]
    body = r.content
    for text in FORBIDDEN_TEXT:
        assert text.encode() not in body, where
    if r.headers.get("content-type", "").startswith("application/zip"):
        names = zipfile.ZipFile(io.BytesIO(body)).namelist()
        raise AssertionError(f"{where}: zip with {names}")
    if kind == "inside":
        return
    if kind == "refuse":
        assert r.status_code >= 400, where
        return
    if r.status_code >= 400:
        return
    data = r.json()
    if kind == "all-false":  # true only for ancestors of the root (navigation), never outside
        assert all(v is False or inside_root(k, root) for k, v in data.items()), where
    elif kind == "neutral":
        assert data in ("", {}, [], None) or all(v in ("", None, {}) for v in data.values()), where
    elif kind in ("listing", "empty-or-inside"):
        for s in _all_strings(data):
            if s.startswith("/"):
                assert inside_root(s, root), f"{where}: leaked {s}"


def test_hostile_paths_never_reach_outside_the_roots(world):
    client, root, base = world["client"], world["root"], world["base"]
    paths = world["paths"]
    assert len(paths) >= 200
    webp = _tiny_webp_b64()
    sent = 0
    for p in paths:
        for method, route, kwargs, kind in requests_for(p, root, webp):
            try:
                r = client.request(method, base + route, **kwargs)
            except httpx.InvalidURL:  # a 100,000-character query string cannot be sent at all
                assert "params" in kwargs and len(p) > 60000
                continue
            check_response(r, kind, route, p, root)
            sent += 1
    assert sent >= 200 * 30
    # Nothing outside changed, and nothing new appeared there.
    assert snapshot(world["outside"], world["sibling"]) == world["before"]
    assert not (Path("/etc") / "newdir").exists()
    # The allowed file is still where it was (no hostile request moved it away).
    assert (root / "inside" / "ok.png").exists()


def test_the_same_routes_work_inside_the_roots(world):
    """Guard against a suite that passes because everything is refused."""
    client, root, base = world["client"], world["root"], world["base"]
    ok = str(root / "inside" / "ok.png")
    assert client.get(base + "/file", params={"path": ok, "t": "1"}).status_code == 200
    assert client.get(base + "/image-thumbnail", params={"path": ok, "t": "1", "size": "64x64"}).status_code == 200
    assert client.get(base + "/files", params={"folder_path": str(root / "inside")}).json()["files"]
    assert client.post(base + "/check_path_exists", json={"paths": [ok]}).json() == {ok: True}
    assert client.get(base + "/image_geninfo", params={"path": ok}).json().startswith("an allowed image")
    z = client.post(base + "/zip", json={"paths": [ok], "compress": False, "pack_only": False})
    assert z.status_code == 200 and zipfile.ZipFile(io.BytesIO(z.content)).namelist() == ["ok.png"]
