"""Cache housekeeping over real HTTP: GET /cache/usage, POST /cache/clean, the prune after /zip and
the one at start-up, and the permission / secret-key rules. These routes never touch the database,
so they run on SQLite only."""
import os
import time
from pathlib import Path

import pytest
from PIL import Image

from iib_core.files.trash import Trash
from support.files import aged_file as put

HOUR = 3600.0
DAY = 86400.0
KB = 1024


@pytest.fixture
def db_url(tmp_path):  # overrides the SQLite + PostgreSQL pair: nothing here reads the database
    return f"sqlite:///{tmp_path}/iib.db"


def on_disk(folder: Path) -> dict:
    files = [p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()] if folder.is_dir() else []
    return {"bytes": sum(p.stat().st_size for p in files), "files": len(files)}


def images(library: Path):
    """The library's PNGs, plus two noisy ones big enough to get real thumbnail entries."""
    for n in (1, 2):
        big = library / "big" / f"noise{n}.png"
        if not big.exists():
            big.parent.mkdir(parents=True, exist_ok=True)
            Image.frombytes("RGB", (400, 300), os.urandom(400 * 300 * 3)).save(big)
    return sorted(str(p) for p in library.rglob("*.png"))


def make_thumbnails(api, paths):
    for p in paths:
        r = api.get("/image-thumbnail", params={"path": p, "t": "1", "size": "64x64"})
        assert r.status_code == 200


def test_usage_matches_what_is_on_disk(api, library, tmp_path):
    cache = tmp_path / "cache"
    paths = images(library)
    make_thumbnails(api, paths)
    put(cache / "video_covers" / "ab" / ("ab" + "0" * 38 + ".webp"), 4321)
    assert api.post("/zip", json={"paths": paths[:2], "compress": False, "pack_only": True}).status_code == 200
    assert api.post("/delete_files", json={"file_paths": [paths[-1]]}).status_code == 200

    r = api.get("/cache/usage")
    assert r.status_code == 200
    usage = r.json()
    for area, folder in (("thumbnails", "thumbnails"), ("video_covers", "video_covers"), ("zip_temp", "zip_temp"),
                         ("trash", "trash")):
        got = usage["areas"][area]
        assert {"bytes": got["bytes"], "files": got["files"]} == on_disk(cache / folder), area
    assert usage["areas"]["thumbnails"]["files"] == 2  # small originals are sent as they are
    assert usage["areas"]["zip_temp"]["files"] == 1 and usage["areas"]["trash"]["items"] == 1
    assert usage["total_bytes"] == sum(a["bytes"] for a in usage["areas"].values())
    assert usage["cache_dir"] == str(cache)
    assert usage["limits"] == {"cache_max_mb": 10240, "zip_keep_hours": 24.0, "trash_keep_days": 30.0}


def test_zip_removes_archives_past_their_keep_time(api, library, tmp_path):
    z = tmp_path / "cache" / "zip_temp"
    old = put(z / "iib_batch_download_2020-01-01-00-00-00.zip", 1000, age=30 * HOUR)
    stale_tmp = put(z / ".tmp-killed.zip", 1000, age=2 * HOUR)
    kept = put(z / "iib_batch_download_2020-01-02-00-00-00.zip", 1000, age=3 * HOUR)
    r = api.post("/zip", json={"paths": images(library)[:1], "compress": False, "pack_only": False})
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert not old.exists() and not stale_tmp.exists() and kept.exists()
    assert len([p for p in z.iterdir() if p.suffix == ".zip" and not p.name.startswith(".")]) == 2


def test_clean_without_a_body_applies_the_rules(make_api, library, tmp_path):
    api = make_api(env={"IIB_CACHE_MAX_MB": "1", "IIB_TRASH_KEEP_DAYS": "5"})
    cache = tmp_path / "cache"
    thumbs = [put(cache / "thumbnails" / f"{i:02x}" / (f"{i:02x}" + "a" * 38 + ".webp"), 100 * KB, age=i * DAY)
              for i in range(14)]
    old_zip = put(cache / "zip_temp" / "iib_batch_download_old.zip", 10, age=2 * DAY)
    r = api.post("/delete_files", json={"file_paths": [images(library)[0]]})
    assert r.status_code == 200
    trash_id = r.json()["items"][0]["trash_id"]

    r = api.post("/cache/clean")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mode"] == "rules"
    assert [i for i, p in enumerate(thumbs) if p.exists()] == list(range(9))  # 900 KiB <= 90 % of 1 MiB
    assert body["removed"]["thumbnails"] == {"files": 5, "bytes": 5 * 100 * KB}
    assert not old_zip.exists() and body["removed"]["zip_temp"]["files"] == 1
    assert body["removed"]["trash"]["items"] == 0  # deleted just now: kept for 5 days
    assert [i.id for i in Trash(cache / "trash").items()] == [trash_id]
    assert body["usage"]["areas"]["thumbnails"] == on_disk(cache / "thumbnails")
    assert body["freed_bytes"] == 5 * 100 * KB + 10
    assert api.post("/cache/clean", json={}).json()["freed_bytes"] == 0  # same with an empty body


def test_clean_named_areas_empties_them(api, library, tmp_path):
    cache = tmp_path / "cache"
    make_thumbnails(api, images(library))
    cover = put(cache / "video_covers" / "cd" / ("cd" + "1" * 38 + ".webp"), 2000)
    r = api.post("/delete_files", json={"file_paths": images(library)[:2]})
    assert r.status_code == 200
    before = api.get("/cache/usage").json()["areas"]
    assert before["trash"]["items"] == 2

    r = api.post("/cache/clean", json={"areas": ["thumbnails", "trash"]})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["mode"] == "empty"
    assert on_disk(cache / "thumbnails")["files"] == 0 and cover.exists()
    assert body["removed"]["thumbnails"] == {"files": before["thumbnails"]["files"],
                                             "bytes": before["thumbnails"]["bytes"]}
    assert body["removed"]["trash"]["items"] == 2 and Trash(cache / "trash").items() == []
    assert api.get("/trash").json()["items"] == []
    after = body["usage"]["areas"]
    assert after["thumbnails"] == {"bytes": 0, "files": 0}
    assert after["video_covers"] == {"bytes": 2000, "files": 1}
    assert after["trash"] == {"bytes": 0, "files": 0, "items": 0}
    # Thumbnails come back on demand.
    make_thumbnails(api, images(library)[2:])


def test_bad_clean_requests_are_4xx_and_change_nothing(api, tmp_path):
    cache = tmp_path / "cache"
    thumb = put(cache / "thumbnails" / "aa" / ("aa" + "0" * 38 + ".webp"), 100)
    r = api.post("/cache/clean", json={"areas": ["thumbnails", "everything"]})
    assert r.status_code == 400 and "everything" in r.json()["detail"]
    r = api.post("/cache/clean", json={"areas": []})
    assert r.status_code == 400 and "areas" in r.json()["detail"]
    assert api.post("/cache/clean", json={"areas": "thumbnails"}).status_code == 422
    assert api.post("/cache/clean", json={"areas": [1, {"a": 2}]}).status_code in (400, 422)
    assert thumb.exists()


def test_read_only_mode_may_look_but_not_clean(make_api, tmp_path):
    api = make_api(env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"}, index=False)
    thumb = put(tmp_path / "cache" / "thumbnails" / "aa" / ("aa" + "0" * 38 + ".webp"), 100)
    usage = api.get("/cache/usage")
    assert usage.status_code == 200 and usage.json()["areas"]["thumbnails"] == {"bytes": 100, "files": 1}
    for body in (None, {"areas": ["thumbnails"]}):
        r = api.post("/cache/clean", json=body)
        assert r.status_code == 403 and "read-write" in r.json()["detail"]
    assert thumb.exists()


def test_both_routes_need_the_secret_key(make_api, tmp_path):
    api = make_api(env={"IIB_SECRET_KEY": "s3cret"}, index=False)
    thumb = put(tmp_path / "cache" / "thumbnails" / "aa" / ("aa" + "0" * 38 + ".webp"), 100)
    assert api.get("/cache/usage").status_code == 401
    r = api.post("/cache/clean", json={"areas": ["thumbnails"]})
    assert r.status_code == 401 and r.json() == {"detail": {"type": "secret_verification_failed"}}
    assert thumb.exists()
    key = {"Authorization": "Bearer s3cret"}
    assert api.get("/cache/usage", headers=key).json()["areas"]["thumbnails"]["files"] == 1
    assert api.post("/cache/clean", json={"areas": ["thumbnails"]}, headers=key).status_code == 200
    assert not thumb.exists()


def test_the_rules_run_once_shortly_after_start(make_api, tmp_path):
    z = tmp_path / "cache" / "zip_temp"
    old = put(z / "iib_batch_download_old.zip", 10, age=3 * DAY)
    young = put(z / "iib_batch_download_young.zip", 10, age=HOUR / 2)
    make_api(index=False)
    deadline = time.time() + 60
    while old.exists() and time.time() < deadline:
        time.sleep(0.2)
    assert not old.exists() and young.exists()
