"""Without a host: loading an image for "send to" (policy, secret, slot) and the on_image_saved
worker (new files searchable over HTTP within 2 s), on SQLite and PostgreSQL."""
from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import pytest

from iib_core.api import build_context, create_app
from iib_core.config import Settings
from iib_core.security import secret_cookie_value
from iib_core.webui import lifecycle, saved_hook
from iib_core.webui.send import credentials, load_for_send, parse_request
from support.files import a1111_png, plain_png
from support.server import LiveServer


def make_ctx(tmp_path, db_url, env=None, **options):
    outputs = tmp_path / "outputs"
    outputs.mkdir(exist_ok=True)
    environ = {"IIB_DB_URL": db_url, "IIB_CACHE_DIR": str(tmp_path / "cache")}
    environ.update(env or {})
    settings = Settings.load(environ=environ, env_file=tmp_path / "none.env")
    return build_context(settings, launch_mode="sd", webui_dirs=[str(outputs)], sd_cwd=str(tmp_path), **options)


@pytest.fixture
def outputs(tmp_path):
    day = tmp_path / "outputs" / "2026-11-21"
    a1111_png(day / "00001-1.png", "a red fox in the snow", seed=7)
    plain_png(day / "plain.png")
    (tmp_path / "private").mkdir()
    plain_png(tmp_path / "private" / "secret.png")
    return day


def test_load_for_send_gives_the_image_and_its_infotext(tmp_path, db_url, outputs):
    ctx = make_ctx(tmp_path, db_url)
    try:
        image, text, status = load_for_send(ctx, '{"id": 3, "path": "%s", "target": "img2img"}' % (outputs / "00001-1.png"))
        assert image.size == (16, 24)
        assert text.startswith("a red fox in the snow\nNegative prompt: lowres\nSteps: 20")
        assert status == {"id": 3, "target": "img2img", "ok": True, "path": str(outputs / "00001-1.png"),
                          "has_info": True}
        image, text, status = load_for_send(ctx, {"path": str(outputs / "plain.png"), "target": "txt2img"})
        assert image.size == (8, 8) and text == "" and status["has_info"] is False
        # Relative paths are taken against the host's working directory.
        _, _, status = load_for_send(ctx, {"path": "outputs/2026-11-21/plain.png"})
        assert status["ok"] is True
    finally:
        ctx.db.dispose()


def test_load_for_send_refuses_with_reasons(tmp_path, db_url, outputs):
    ctx = make_ctx(tmp_path, db_url, exposed=True)  # access control on: outputs only
    try:
        assert ctx.access_control
        for raw, reason in [
            ({"path": str(tmp_path / "private" / "secret.png")}, "secret.png"),
            ({"path": str(outputs / "missing.png")}, "no such file"),
            ({}, "No image was named"),
            ("not json", "No image was named"),
        ]:
            image, text, status = load_for_send(ctx, raw)
            assert image is None and text == "" and status["ok"] is False and reason in status["error"], raw
        (outputs / "clip.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 64)
        _, _, status = load_for_send(ctx, {"path": str(outputs / "clip.mp4")})
        assert status["ok"] is False and "cannot be opened as an image" in status["error"]
        assert load_for_send(None, {"path": "x"})[2]["error"].startswith("Infinite image browsing is not running")
    finally:
        ctx.db.dispose()


def test_load_for_send_needs_the_secret_when_one_is_set(tmp_path, db_url, outputs):
    ctx = make_ctx(tmp_path, db_url, env={"IIB_SECRET_KEY": "k3y"})
    path = {"path": str(outputs / "00001-1.png")}
    try:
        assert "secret key" in load_for_send(ctx, path)[2]["error"]
        assert load_for_send(ctx, path, {"IIB_S": secret_cookie_value("k3y")})[2]["ok"] is True
        assert load_for_send(ctx, path, None, "Bearer k3y")[2]["ok"] is True
        ctx.secret_required = True
        assert "IIB_SECRET_KEY" in load_for_send(ctx, path, {"IIB_S": secret_cookie_value("k3y")})[2]["error"]
    finally:
        ctx.db.dispose()


def test_load_for_send_takes_the_slot_of_the_original_flow(tmp_path, db_url, outputs):
    """POST /send_img_path stores a path; a request without one takes it (docs/api.md)."""
    ctx = make_ctx(tmp_path, db_url)
    try:
        with LiveServer(create_app(ctx)) as server, server.client() as client:
            r = client.post("/infinite_image_browsing/send_img_path", params={"path": str(outputs / "00001-1.png")})
            assert r.status_code == 200
            image, text, status = load_for_send(ctx, {"target": "txt2img"})
            assert status["ok"] is True and "red fox" in text
            assert client.get("/infinite_image_browsing/gen_info_completed").json() is True  # the slot is empty
    finally:
        ctx.db.dispose()


def test_credentials_from_gradio_request_shapes():
    class Obj:  # gradio 3.41's queue rebuilds headers as an object iterating (key, value)
        def __init__(self, d):
            self.__dict__.update(d)

        def __iter__(self):
            return iter(self.__dict__.items())

    queued = SimpleNamespace(headers=Obj({"cookie": "IIB_S=abc; other=1", "authorization": "Bearer t"}))
    assert credentials(queued) == ({"IIB_S": "abc", "other": "1"}, "Bearer t")
    plain = SimpleNamespace(headers={"Authorization": "Bearer z"}, cookies={"IIB_S": "q"})
    assert credentials(plain) == ({"IIB_S": "q"}, "Bearer z")
    assert credentials(None) == ({}, None)
    assert parse_request("[1]") == {} and parse_request('{"a": 1}') == {"a": 1}


def search(client, text):
    return client.post("/infinite_image_browsing/db/search_by_substr", json={"surstr": text}).json()["files"]


def test_saved_images_are_searchable_within_two_seconds(tmp_path, db_url, outputs, monkeypatch):
    ctx = make_ctx(tmp_path, db_url)
    indexer = saved_hook.SavedImageIndexer(lambda: ctx)
    monkeypatch.chdir(tmp_path)
    try:
        with LiveServer(create_app(ctx)) as server, server.client() as client:
            day = tmp_path / "outputs" / "2026-11-22"  # a new date folder, as the first image of a day
            names = []
            started = time.monotonic()
            for i in range(4):
                path = a1111_png(day / f"0000{i}-{i}.png", f"a lighthouse savedprobe {i}", seed=i)
                names.append(str(path))
                t0 = time.monotonic()
                indexer.submit(f"outputs/2026-11-22/{path.name}")  # relative, as hosts pass it
                assert time.monotonic() - t0 < 0.05  # the generation thread only queues
            found = []
            while time.monotonic() - started < 2.0 and len(found) < 4:
                found = search(client, "savedprobe")
                time.sleep(0.05)
            elapsed = time.monotonic() - started
            assert sorted(f["fullpath"] for f in found) == sorted(names), f"after {elapsed:.2f} s"
            assert elapsed < 2.0
            # A file outside IIB's roots is ignored (not indexed, no error).
            a1111_png(tmp_path / "private" / "x.png", "outsideprobe")
            indexer.submit(str(tmp_path / "private" / "x.png"))
            deadline = time.monotonic() + 5
            while not indexer.idle() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert search(client, "outsideprobe") == []
        assert [t.name for t in threading.enumerate()].count(saved_hook.THREAD_NAME) == 1
        indexer.stop()
        assert not indexer.alive()
    finally:
        indexer.stop()
        ctx.db.dispose()


def test_on_image_saved_uses_one_process_wide_worker_and_the_current_context(tmp_path, db_url, outputs,
                                                                            monkeypatch):
    ctx = make_ctx(tmp_path, db_url)
    monkeypatch.setattr(lifecycle, "_ctx", ctx)
    try:
        with LiveServer(create_app(ctx)) as server, server.client() as client:
            for round_ in range(3):  # as after "Reload UI": the same worker, never a second thread
                path = a1111_png(tmp_path / "outputs" / "2026-11-23" / f"r{round_}.png", f"roundprobe{round_} sea")
                saved_hook.on_image_saved(SimpleNamespace(filename=str(path), image=None, p=None, pnginfo={}))
                deadline = time.monotonic() + 2
                while time.monotonic() < deadline and not search(client, f"roundprobe{round_}"):
                    time.sleep(0.05)
                assert [f["fullpath"] for f in search(client, f"roundprobe{round_}")] == [str(path)]
                names = [t.name for t in threading.enumerate()]
                assert names.count(saved_hook.THREAD_NAME) == 1
                if round_ == 1:
                    saved_hook.stop()  # on_before_reload: the thread ends; the next save starts it again
                    assert not saved_hook.indexer().alive()
            saved_hook.on_image_saved(SimpleNamespace(filename=None))  # tolerated
    finally:
        saved_hook.stop()
        ctx.db.dispose()
