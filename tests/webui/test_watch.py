"""The standalone file watcher: real files, real watchfiles events, the index over HTTP."""
from __future__ import annotations

import os
import threading
import time

import pytest

from iib_core.api import build_context, create_app
from iib_core.config import Settings
from iib_core.indexer import watch
from support.files import a1111_png
from support.server import LiveServer
from webui.env import strict


@pytest.fixture(autouse=True)
def need_watchfiles():
    try:
        import watchfiles  # noqa: F401
    except ImportError:
        if strict():
            pytest.fail("watchfiles is not installed (it belongs in requirements.txt)", pytrace=False)
        pytest.skip("watchfiles is not installed")


def make_ctx(tmp_path, db_url, root, **env):
    settings = Settings.load(environ={"IIB_DB_URL": db_url, "IIB_CACHE_DIR": str(tmp_path / "cache"), **env},
                             env_file=tmp_path / "none.env")
    ctx = build_context(settings, extra_paths=[str(root)])
    ctx.jobs.start()
    ctx.jobs.wait()
    return ctx


def search(client, text):
    return client.post("/infinite_image_browsing/db/search_by_substr", json={"surstr": text}).json()["files"]


def until(predicate, seconds=3.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    return predicate()


def test_new_changed_and_deleted_files_follow_within_seconds(tmp_path, db_url):
    root = tmp_path / "library"
    a1111_png(root / "old" / "a.png", "an old watchprobe image")
    ctx = make_ctx(tmp_path, db_url, root)
    stop = watch.start_watcher(ctx, enabled=True, debounce_ms=100, recheck_ms=500)
    try:
        with LiveServer(create_app(ctx)) as server, server.client() as client:
            assert len(search(client, "watchprobe")) == 1
            time.sleep(0.3)  # the watcher is subscribed
            started = time.monotonic()
            new = a1111_png(root / "2026-11-21" / "new.png", "a brand new watchprobe image")
            assert until(lambda: len(search(client, "watchprobe")) == 2)
            assert time.monotonic() - started < 2.5
            a1111_png(new, "rewritten content changedprobe")  # modified in place
            os.utime(new, (time.time() + 5, time.time() + 5))
            assert until(lambda: search(client, "changedprobe"))
            (root / "old" / "a.png").unlink()
            assert until(lambda: [f["name"] for f in search(client, "watchprobe")] == [])
            # A folder added at run time (a new root) is watched after a short while.
            extra = tmp_path / "added"
            extra.mkdir()
            assert client.post("/infinite_image_browsing/db/extra_paths",
                               json={"path": str(extra), "types": ["scanned"]}).status_code == 200
            ctx.stored_extra_paths(refresh=True)
            time.sleep(1.2)
            a1111_png(extra / "late.png", "a latecomer addedprobe")
            assert until(lambda: search(client, "addedprobe"), seconds=4)
        names = [t.name for t in threading.enumerate()]
        assert names.count(watch.THREAD_NAME) == 1
    finally:
        stop()
        ctx.db.dispose()
    assert watch.THREAD_NAME not in [t.name for t in threading.enumerate()]


def test_iib_watch_0_switches_it_off(tmp_path, db_url):
    root = tmp_path / "library"
    root.mkdir()
    ctx = make_ctx(tmp_path, db_url, root, IIB_WATCH="0")
    try:
        before = set(threading.enumerate())
        stop = watch.start_watcher(ctx)
        assert [t for t in threading.enumerate() if t not in before and t.name == watch.THREAD_NAME] == []
        stop()
    finally:
        ctx.db.dispose()
    assert watch.watch_enabled(environ={}) is True
    assert watch.watch_enabled(environ={"IIB_WATCH": "off"}) is False
    assert watch.watch_enabled(environ={"IIB_WATCH": "1"}) is True


def test_excluded_and_outside_folders_are_left_alone(tmp_path, db_url):
    root = tmp_path / "library"
    (root / "cache-like").mkdir(parents=True)
    settings = Settings.load(environ={"IIB_DB_URL": db_url, "IIB_CACHE_DIR": str(tmp_path / "cache"),
                                      "IIB_EXCLUDE_DIRS": "cache-like"}, env_file=tmp_path / "none.env")
    ctx = build_context(settings, extra_paths=[str(root)])
    try:
        a1111_png(root / "cache-like" / "x.png", "excludedprobe")
        a1111_png(tmp_path / "elsewhere" / "y.png", "elsewhereprobe")
        import watchfiles

        watch.index_changes(ctx, {(watchfiles.Change.added, str(root / "cache-like" / "x.png")),
                                  (watchfiles.Change.added, str(tmp_path / "elsewhere" / "y.png"))})
        with LiveServer(create_app(ctx)) as server, server.client() as client:
            assert search(client, "excludedprobe") == [] and search(client, "elsewhereprobe") == []
    finally:
        ctx.db.dispose()
