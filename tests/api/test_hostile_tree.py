"""Hardening suite: a hostile library through the indexer and every path-taking route.

The tree (tests/support/hostile.py) holds truncated and bomb images, huge text chunks,
looping ComfyUI graphs, zero-byte and unreadable files, FIFOs, sockets, broken and looping
symlinks, unreadable folders and hostile names. The routes are those of the traversal
suite (tests/support/traversal.py). Required, on SQLite and PostgreSQL:

- no response >= 500, no request taking 2 s or more (the client times out at 2 s);
- the indexer finishes, and indexes the ordinary files among them;
- nothing outside the tree changes (a sibling folder is compared byte for byte);
- FIFOs, sockets and broken or looping links are listed as such and never opened.

Tests run as root here, where chmod 000 stops nothing; `test_unreadable_entries_as_another_user`
starts a real server as the user `nobody` for that part.
"""
import base64
import io
import json
import os
import shutil
import stat
import time
import zipfile
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

from iib_core.api import build_context, create_app
from iib_core.config import Settings
from support.cli import AppProcess
from support.hostile import build, snapshot
from support.server import LiveServer
from support.traversal import requests_for
from support.waiting import wait_until

LIMIT_SECONDS = 2.0
# Run once per path in the destructive phase, not with the reads (they would move the entry away),
# and never at all: opening files on the server machine would start a desktop program here.
DESTRUCTIVE = {"/delete_files", "/move_files", "/db/rename"}
NEVER = {"/open_folder", "/open_with_default_app"}


def _tiny_webp_b64() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), (9, 9, 9)).save(buf, "WEBP")
    return base64.b64encode(buf.getvalue()).decode()


def wire_request(route: str, kwargs: dict):
    """Encode a request the way the UI does (README, "File names that are not UTF-8"): query
    values as their raw bytes percent-escaped, JSON with `\\udcXX` escapes for such bytes."""
    kwargs = dict(kwargs)
    params = kwargs.pop("params", None)
    if params:
        query = "&".join(f"{quote(str(k))}={quote(os.fsencode(str(v)), safe='')}" for k, v in params.items())
        route += ("&" if "?" in route else "?") + query
    if "json" in kwargs:
        kwargs["content"] = json.dumps(kwargs.pop("json"))
        kwargs["headers"] = {**(kwargs.get("headers") or {}), "Content-Type": "application/json"}
    return route, kwargs


class Checked:
    """A client that fails on a 5xx or a request over the time limit, and counts."""

    def __init__(self, url: str, base: str) -> None:
        self.client = httpx.Client(base_url=url, timeout=LIMIT_SECONDS)
        self.base = base
        self.sent = 0
        self.slowest = (0.0, "")

    def __call__(self, method: str, route: str, **kwargs) -> httpx.Response:
        where = f"{method} {route} {kwargs!r}"[:300]
        route, kwargs = wire_request(route, kwargs)
        start = time.monotonic()
        try:
            r = self.client.request(method, self.base + route, **kwargs)
        except httpx.TimeoutException:
            raise AssertionError(f"{where}: no answer within {LIMIT_SECONDS} s") from None
        took = time.monotonic() - start
        self.sent += 1
        self.slowest = max(self.slowest, (took, where))
        assert r.status_code < 500, f"{where} -> {r.status_code} {r.text[:300]}"
        assert took < LIMIT_SECONDS, f"{where} took {took:.2f} s"
        return r

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def world(tmp_path, db_url):
    root = tmp_path / "library"
    outside = tmp_path / "outside"  # a sibling of the library: must stay as it is
    made = build(root, outside)
    before = snapshot(outside)
    env = {"IIB_DB_URL": db_url, "IIB_CACHE_DIR": str(tmp_path / "cache"), "IIB_ACCESS_CONTROL": "enable"}
    ctx = build_context(Settings.load(environ=env, env_file=tmp_path / "none"), extra_paths=[str(root)])
    started = time.monotonic()
    ctx.jobs.start()
    ctx.jobs.wait(timeout=60)
    index_seconds = time.monotonic() - started
    assert not ctx.jobs.running(), "the indexer did not finish on the hostile tree"
    try:
        with LiveServer(create_app(ctx)) as server:
            client = Checked(server.url, ctx.base)
            try:
                yield {"client": client, "root": root, "outside": outside, "before": before, "ctx": ctx,
                       "paths": made["paths"], "index_seconds": index_seconds}
            finally:
                client.close()
    finally:
        for s in made["sockets"]:
            s.close()
        for p in made["locked"]:
            if os.path.lexists(p):  # the suite may have moved or deleted it
                os.chmod(p, 0o700)


def test_hostile_tree_through_every_route(world):
    client, root, paths = world["client"], world["root"], world["paths"]
    assert world["index_seconds"] < 30
    webp = _tiny_webp_b64()
    # The indexer finished and found the ordinary files among the hostile ones.
    found = client("POST", "/db/search_by_substr", json={"surstr": "named", "folder_paths": [str(root)]}).json()
    assert len(found["files"]) >= 5

    # Reading routes first, for every hostile path (the entries are still where they were).
    for p in paths:
        for method, route, kwargs, _kind in requests_for(p, root, webp):
            if route not in DESTRUCTIVE | NEVER:
                client(method, route, **kwargs)
    # The listing of every folder, as walk mode reads it.
    for folder, dirs, _files in os.walk(root / "hostile"):
        client("GET", "/files", params={"folder_path": folder})
    client("POST", "/db/update_image_data", json={})
    # One archive of every regular file among them (truncated, bombs, huge text, odd names).
    regular = [p for p in paths if os.path.isfile(p) and not os.path.islink(p)]
    r = client("POST", "/zip", json={"paths": regular, "compress": True, "pack_only": False})
    assert r.status_code == 200, r.text[:300]
    assert len(zipfile.ZipFile(io.BytesIO(r.content)).namelist()) == len(regular) > 50

    # Then the routes that change things, one entry after the other: copy, rename, move, trash,
    # restore, delete for good. Every answer below 500; what happens is up to each route.
    dest2 = str(root / "dest2")
    for p in paths:
        client("POST", "/copy_files", json={"file_paths": [p], "dest": str(root / "dest")})
        name = os.path.basename(p)
        r = client("POST", "/db/rename", json={"path": p, "name": name + ".renamed"})
        current = r.json()["new_path"] if r.status_code == 200 else p
        r = client("POST", "/move_files", json={"file_paths": [current], "dest": dest2, "create_dest_folder": True})
        if r.status_code == 200 and r.json()["paths"]:
            current = r.json()["paths"][0]
        r = client("POST", "/delete_files", json={"file_paths": [current]})
        if r.status_code == 200:
            ids = [i["trash_id"] for i in r.json()["items"] if i.get("trash_id")]
            client("POST", "/trash/restore", json={"ids": ids})
        client("POST", "/delete_files", json={"file_paths": [current], "permanent": True})
    for entry in os.listdir(root / "dest"):
        client("POST", "/delete_files", json={"file_paths": [str(root / "dest" / entry)], "permanent": True})
    client("GET", "/trash")
    client("POST", "/trash/empty", json={"all": True})

    assert snapshot(world["outside"]) == world["before"]
    assert client.sent > 2000
    print(f"hostile suite: {client.sent} requests, slowest {client.slowest[0]:.2f} s ({client.slowest[1][:120]})")


def _by_name(listing):
    return {n["name"]: n for n in listing["files"]}


def test_entries_we_do_not_follow_are_listed_as_such(world):
    client, root = world["client"], world["root"]
    hostile = str(root / "hostile")
    nodes = _by_name(client("GET", "/files", params={"folder_path": hostile}).json())
    expected = {"fifo.png": "fifo", "fifo.txt": "fifo", "fifo.mp4": "fifo", "sock.png": "socket",
                "sock.webp": "socket", "broken.png": "broken_link", "broken_dir": "broken_link",
                "loop.png": "link_loop", "loop_a.png": "link_loop", "loop_b.png": "link_loop",
                "to_fifo.png": "fifo"}
    for name, kind in expected.items():
        node = nodes[name]
        assert node["special"] == kind and node["type"] == "file" and node["reason"], node
        assert node["bytes"] == 0 and node["size"] == "0B" and node["fullpath"] == os.path.join(hostile, name)
    # Links whose target is outside the roots are not listed at all (access control), ordinary
    # entries carry no `special`.
    assert "to_outside" not in nodes and "to_outside.png" not in nodes
    assert nodes["self_dir"]["type"] == "dir" and "special" not in nodes["self_dir"] and nodes["self_dir"]["symlink"]
    assert "symlink" not in nodes["names"]
    assert "special" not in nodes["truncated.png"] and nodes["truncated.png"]["type"] == "file"
    if os.geteuid() == 0:
        assert "special" not in nodes["locked_folder"]  # root can list it: it is not unreadable
    # The same through /batch_get_files_info (walk mode refreshes nodes with it).
    info = client("POST", "/batch_get_files_info",
                  json={"paths": [os.path.join(hostile, n) for n in ("fifo.png", "broken.png", "loop.png")]}).json()
    assert [n.get("special") for n in info.values()] == ["fifo", "broken_link", "link_loop"]
    # Never opened: the file routes refuse them at once (the client's 2 s limit would catch a hang).
    for name in ("fifo.png", "sock.png", "to_fifo.png", "broken.png", "loop.png"):
        p = os.path.join(hostile, name)
        for route, params in (("/file", {"path": p, "t": "1"}), ("/stream_video", {"path": p}),
                              ("/image-thumbnail", {"path": p, "t": "1", "size": "64x64"})):
            r = client("GET", route, params=params)
            assert 400 <= r.status_code < 500, (route, name, r.status_code)
        assert client("GET", "/image_geninfo", params={"path": p}).json() in ("", None)
        r = client("POST", "/zip", json={"paths": [p], "compress": False, "pack_only": False})
        assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:200])
        r = client("POST", "/copy_files", json={"file_paths": [p], "dest": str(root / "dest")})
        assert r.status_code in (400, 404, 409), (name, r.status_code, r.text[:200])
        assert not os.path.lexists(root / "dest" / name)
    # A folder holding a FIFO is copied without it being read... or refused: never a hang or 5xx.
    fifo_dir = root / "hostile" / "with_fifo"
    fifo_dir.mkdir()
    os.mkfifo(fifo_dir / "pipe.png")
    (fifo_dir / "note.txt").write_text("x")
    r = client("POST", "/copy_files", json={"file_paths": [str(fifo_dir)], "dest": str(root / "dest")})
    assert r.status_code in (200, 400), r.text
    assert os.path.exists(fifo_dir / "pipe.png") and stat.S_ISFIFO(os.lstat(fifo_dir / "pipe.png").st_mode)


def _without_root_privileges():
    """A command prefix that runs a program without the capabilities that let root ignore
    file permissions (chmod 000 then stops it as it stops anyone), or [] when not root."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root and setpriv (util-linux) is missing: chmod 000 would stop nothing")
    caps = "-dac_override,-dac_read_search,-fowner"
    return [setpriv, "--inh-caps=" + caps, "--bounding-set=" + caps]


def test_unreadable_entries_for_a_server_without_root_privileges(tmp_path):
    """Permission-denied files and folders, through a real server process that the permissions
    apply to (as root, it runs without the capabilities that bypass them)."""
    prefix = _without_root_privileges()
    from support.files import a1111_png

    library = tmp_path / "library"
    a1111_png(library / "ok.png", "visible")
    (library / "dest").mkdir()
    locked = library / "locked_folder"
    a1111_png(locked / "hidden.png", "hidden")
    locked_file = library / "locked.png"
    a1111_png(locked_file, "locked file")
    os.symlink("locked_folder/hidden.png", library / "to_hidden.png")
    os.chmod(locked, 0)
    os.chmod(locked_file, 0)
    env = dict(os.environ, IIB_DB_PATH=str(tmp_path / "iib.db"), IIB_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("IIB_DB_URL", None)
    app = AppProcess("--extra_paths", str(library), "--update_image_index", cwd=tmp_path, env=env, prefix=prefix)
    try:
        client = Checked(app.url, "/infinite_image_browsing")
        try:
            nodes = _by_name(client("GET", "/files", params={"folder_path": str(library)}).json())
            assert nodes["locked_folder"]["special"] == "unreadable" and nodes["locked_folder"]["type"] == "dir"
            assert nodes["locked_folder"]["reason"]
            assert "special" not in nodes["ok.png"] and "special" not in nodes["locked.png"]
            assert nodes["to_hidden.png"]["special"] == "link_denied" and nodes["to_hidden.png"]["type"] == "file"
            assert client("GET", "/files", params={"folder_path": str(locked)}).status_code == 403
            info = client("POST", "/batch_get_files_info", json={"paths": [str(locked)]}).json()
            assert info[str(locked)]["special"] == "unreadable"
            # The walk went on past the locked folder and file: the readable image is indexed.
            wait_until(lambda: client("POST", "/db/search_by_substr", json={"surstr": "visible"}).json()["files"],
                       timeout=30, message="the readable image to be indexed")
            assert client("GET", "/file", params={"path": str(locked_file), "t": "1"}).status_code == 403
            assert client("GET", "/image-thumbnail",
                          params={"path": str(locked_file), "t": "1", "size": "64x64"}).status_code in (403, 404, 415)
            webp = _tiny_webp_b64()
            for p in (str(locked), str(locked / "hidden.png"), str(locked_file), str(library / "to_hidden.png")):
                for method, route, kw, _kind in requests_for(p, library, webp):
                    if route not in NEVER:
                        client(method, route, **kw)
            assert client.sent > 90
        finally:
            client.close()
    finally:
        app.stop()
        for p in (locked, locked_file):
            if os.path.lexists(p):
                os.chmod(p, 0o700)
