"""`python app.py --port ...` serves the API over HTTP; library entry points exist."""
import os
import sys
from pathlib import Path

import httpx
from support.cli import AppProcess

PROJECT = Path(__file__).resolve().parents[2]


def test_app_serves_the_indexed_corpus_and_the_guide_examples_work(fixture_corpus, tmp_path):
    env = dict(os.environ, IIB_DB_PATH=str(tmp_path / "iib.db"), IIB_CACHE_DIR=str(tmp_path / "cache"))
    with AppProcess("--extra_paths", str(fixture_corpus), "--update_image_index", cwd=tmp_path, env=env) as app:
        run_guide_examples(app.base, fixture_corpus)


def run_guide_examples(BASE_URL, corpus):
    """The examples of the original tool's API guide, as written there, with the fixture corpus's
    paths (tests/fixtures/make_fixtures.py) filled in."""
    import requests

    resp = requests.post(f"{BASE_URL}/db/search_by_substr", json={
        "surstr": "landscape", "cursor": "", "regexp": "", "size": 100, "folder_paths": [], "media_type": "image"})
    result = resp.json()
    for file in result["files"]:
        print(file["fullpath"], file["size"])
    resp = requests.post(f"{BASE_URL}/db/search_by_substr", json={
        "surstr": "duck", "cursor": "", "regexp": "", "size": 1, "folder_paths": [], "media_type": "image"})
    result = resp.json()
    assert result["files"] and result["files"][0]["fullpath"].endswith("png-text.png")  # the only duck
    if result["cursor"]["has_next"]:
        next_resp = requests.post(f"{BASE_URL}/db/search_by_substr", json={
            "surstr": "duck", "cursor": result["cursor"]["next"], "regexp": "", "size": 100})
        assert next_resp.status_code == 200 and next_resp.json()["files"]
    resp = requests.post(f"{BASE_URL}/db/search_by_substr", json={
        "surstr": "", "cursor": "", "regexp": r"^\d+.*\.png$", "size": 100})
    assert resp.status_code == 200
    resp = requests.post(f"{BASE_URL}/db/search_by_substr", json={
        "surstr": "", "cursor": "", "regexp": r"masterpiece.*1girl.*blue eyes", "size": 100})
    assert resp.status_code == 200 and isinstance(resp.json()["files"], list)
    tags_resp = requests.get(f"{BASE_URL}/db/basic_info")
    all_tags = tags_resp.json()["tags"]
    assert all({"id", "name", "type"} <= set(t) for t in all_tags)
    resp = requests.post(f"{BASE_URL}/db/match_images_by_tags", json={
        "and_tags": [1, 2], "or_tags": [3], "not_tags": [4], "cursor": "", "size": 100, "folder_paths": [],
        "random_sort": False})
    assert resp.status_code == 200
    resp = requests.get(f"{BASE_URL}/files", params={"folder_path": str(corpus / "comfyui")})
    files = resp.json()["files"]
    assert any(f["type"] == "file" and f["name"] == "prompt-workflow.png" and f["size"] for f in files)
    random_images = requests.get(f"{BASE_URL}/db/random_images").json()
    assert 0 < len(random_images) <= 128
    tag = requests.post(f"{BASE_URL}/db/add_custom_tag", json={"tag_name": "favorites"}).json()
    imgs = [str(corpus / "a1111" / "png-text.png"), str(corpus / "forge" / "forge.png")]
    r = requests.post(f"{BASE_URL}/db/batch_update_image_tag", json={
        "img_paths": imgs, "action": "add", "tag_id": tag["id"]})
    assert r.status_code == 200
    got = requests.post(f"{BASE_URL}/db/get_image_tags", json={"paths": imgs}).json()
    assert all(got[p][0]["name"] == "favorites" for p in imgs)
    geninfo = requests.get(f"{BASE_URL}/image_geninfo", params={"path": imgs[0]}).text
    assert geninfo.startswith('"photo of a duck, masterpiece')  # a JSON string, as the original answers
    batch_info = requests.post(f"{BASE_URL}/image_geninfo_batch", json={"paths": imgs}).json()
    assert [batch_info[p].split(",")[0] for p in imgs] == ["photo of a duck", "photo of a lynx"]
    # Clustering with no provider and no local model configured: an honest 400 (tests/ai runs the
    # guide's clustering flow against a provider).
    start_resp = requests.post(f"{BASE_URL}/db/cluster_iib_output_job_start", json={
        "folder_paths": [str(corpus)], "threshold": 0.85, "min_cluster_size": 3, "lang": "en", "recursive": True})
    from iib_core.ai.local import local_model_available

    if local_model_available():  # no key needed: the local model embeds
        assert start_resp.status_code == 200 and len(start_resp.json()["job_id"]) == 32
    else:
        assert start_resp.status_code == 400 and "not configured" in start_resp.json()["detail"]


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


def test_non_loopback_host_turns_access_control_on_and_says_so(tmp_path):
    from support.files import a1111_png

    lib = tmp_path / "lib"
    a1111_png(lib / "a.png", "inside")
    outside = tmp_path / "outside"
    a1111_png(outside / "b.png", "outside")
    env = dict(os.environ, IIB_DB_PATH=str(tmp_path / "iib.db"), IIB_CACHE_DIR=str(tmp_path / "cache"))
    env.pop("IIB_SECRET_KEY", None)
    app = AppProcess("--host", "0.0.0.0", "--extra_paths", str(lib), cwd=tmp_path, env=env)
    try:
        base = app.base
        assert httpx.get(base + "/global_setting").json()["enable_access_control"] is True
        assert httpx.get(base + "/file", params={"path": str(outside / "b.png"), "t": "1"}).status_code == 403
        assert httpx.get(base + "/file", params={"path": str(lib / "a.png"), "t": "1"}).status_code == 200
        # No key on an open bind: read-only, and the answer says how to change that.
        r = httpx.post(base + "/mkdirs", json={"dest_folder": str(lib / "new")})
        assert r.status_code == 403 and "IIB_SECRET_KEY" in r.json()["detail"] and not (lib / "new").exists()
    finally:
        text = app.stop()
    assert "access control is ON" in text and "without IIB_SECRET_KEY" in text
    assert "read-only" in text


def test_allow_cors_takes_origins_and_allowed_hosts_take_names():
    from iib_core.cli import build_parser

    p = build_parser()
    assert p.parse_args([]).allow_cors is None
    assert p.parse_args(["--allow_cors"]).allow_cors == []
    args = p.parse_args(["--allow_cors", "https://a.example:8443", "--allowed_hosts", "iib.lan"])
    assert args.allow_cors == ["https://a.example:8443"] and args.allowed_hosts == ["iib.lan"]
