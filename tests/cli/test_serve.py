"""`python app.py --port ...` serves the API over HTTP; library entry points exist."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

PROJECT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_app_serves_the_indexed_corpus_and_the_guide_examples_work(shared_dir, tmp_path):
    port = free_port()
    env = dict(os.environ, IIB_DB_PATH=str(tmp_path / "iib.db"), IIB_CACHE_DIR=str(tmp_path / "cache"))
    proc = subprocess.Popen([sys.executable, str(PROJECT / "app.py"), "--port", str(port), "--extra_paths",
                             str(shared_dir / "corpus"), "--update_image_index"], cwd=str(tmp_path), env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}/infinite_image_browsing"
    try:
        deadline = time.time() + 60
        while True:
            try:
                if httpx.get(base + "/hello", timeout=1).json() == "hello":
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.time() < deadline, "server did not come up"
            time.sleep(0.2)
        # The guide's substring search example.
        resp = httpx.post(base + "/db/search_by_substr", json={
            "surstr": "duck", "cursor": "", "regexp": "", "size": 100, "folder_paths": [], "media_type": "image"})
        result = resp.json()
        assert [os.path.basename(f["fullpath"]) for f in result["files"]] and all(
            "size" in f for f in result["files"])
        # The guide's regexp example (no folder_paths: allowed by §8.3).
        resp = httpx.post(base + "/db/search_by_substr", json={"surstr": "", "cursor": "",
                                                               "regexp": r"masterpiece.*1girl", "size": 100})
        assert resp.status_code == 200 and len(resp.json()["files"]) >= 5
        g = httpx.get(base + "/global_setting").json()
        assert g["export_fe_fn"] is True and g["launch_mode"] == "server"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_library_entry_points(tmp_path):
    sys.path.insert(0, str(PROJECT))
    import app
    from fastapi import FastAPI
    from iib_core.config import Settings
    from support.files import a1111_png
    from support.server import LiveServer

    a1111_png(tmp_path / "imgs" / "a.png", "wrapped app image")
    settings = Settings.load(environ={"IIB_DB_PATH": str(tmp_path / "w.db"), "IIB_CACHE_DIR": str(tmp_path / "c")},
                             env_file=tmp_path / "none")
    host_app = FastAPI()

    @host_app.get("/own")
    def own():
        return "mine"

    utils = app.AppUtils(extra_paths=[str(tmp_path / "imgs")], allow_cors=True, settings=settings)
    utils.wrap_app(host_app)
    utils.ctx.jobs.start()
    utils.ctx.jobs.wait()
    with LiveServer(host_app) as server, server.client() as client:
        assert client.get("/own").json() == "mine"
        found = client.post("/infinite_image_browsing/db/search_by_substr", json={"surstr": "wrapped"}).json()
        assert [f["name"] for f in found["files"]] == ["a.png"]
        pre = client.options("/infinite_image_browsing/hello", headers={
            "Origin": "http://example.test", "Access-Control-Request-Method": "GET"})
        assert pre.headers.get("access-control-allow-origin") in ("*", "http://example.test")
    assert callable(app.launch_app) and callable(app.async_launch_app)
