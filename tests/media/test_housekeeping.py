"""Cache housekeeping on real files: usage per area, zip retention, the thumbnail/cover cap (LRU),
trash retention through Trash, and the safety rules (writes in progress, symlinks, vanished files)."""
import json
import os
import threading
import time
from pathlib import Path

import pytest

from iib_core.config import Settings, SettingsError
from iib_core.errors import BadInput
from iib_core.files.trash import Trash
from iib_core.media import housekeeping as hk
from iib_core.media.cache import write_atomic
from iib_core.media.thumbnails import ThumbnailCache
from iib_core.media.zipstream import write_zip

from support.files import aged_file as put

from .helpers import noisy_png

HOUR = 3600.0
DAY = 86400.0
KB = 1024


def settings_for(cache: Path, **kw) -> Settings:
    return Settings(cache_dir=cache, **kw)


def entry(cache: Path, area: str, name: str) -> Path:
    return cache / hk.AREA_DIRS[area] / name[:2] / name


def test_usage_counts_every_area_as_on_disk(tmp_path):
    cache = tmp_path / "cache"
    src = noisy_png(tmp_path / "lib" / "a.png", (600, 400))
    ThumbnailCache(cache).ensure(os.path.realpath(src), (256, 256))  # a real thumbnail entry
    put(entry(cache, "thumbnails", "ab" + "0" * 38 + ".webp"), 3000)
    put(entry(cache, "video_covers", "cd" + "1" * 38 + ".webp"), 5000)
    put(cache / "zip_temp" / "iib_batch_download_x.zip", 7000)
    doc = tmp_path / "lib" / "doc.txt"
    doc.write_bytes(b"x" * 1234)
    Trash(cache / "trash").put(str(doc))

    usage = hk.cache_usage(settings_for(cache))
    on_disk = {}
    for area, folder in hk.AREA_DIRS.items():
        files = [p for p in (cache / folder).rglob("*") if p.is_file()]
        on_disk[area] = {"bytes": sum(p.stat().st_size for p in files), "files": len(files)}
    areas = usage["areas"]
    assert {a: {"bytes": v["bytes"], "files": v["files"]} for a, v in areas.items()} == on_disk
    assert areas["thumbnails"]["files"] == 2 and areas["thumbnails"]["bytes"] > 3000
    assert areas["video_covers"] == {"bytes": 5000, "files": 1}
    assert areas["zip_temp"] == {"bytes": 7000, "files": 1}
    assert areas["trash"]["items"] == 1 and areas["trash"]["files"] == 2  # manifest + the file
    assert areas["trash"]["bytes"] > 1234
    assert usage["total_bytes"] == sum(v["bytes"] for v in on_disk.values())
    assert usage["capped_bytes"] == on_disk["thumbnails"]["bytes"] + 5000
    assert usage["limits"] == {"cache_max_mb": 10240, "zip_keep_hours": 24.0, "trash_keep_days": 30.0}


def test_usage_of_a_missing_cache_folder_is_zero(tmp_path):
    usage = hk.cache_usage(settings_for(tmp_path / "nothing-here"))
    assert usage["total_bytes"] == 0 and all(a["files"] == 0 for a in usage["areas"].values())
    result = hk.prune_cache(settings_for(tmp_path / "nothing-here"))
    assert result["freed_bytes"] == 0 and result["errors"] == []


def test_zip_archives_go_after_the_keep_time_but_never_within_an_hour(tmp_path):
    cache = tmp_path / "cache"
    z = cache / "zip_temp"
    now = time.time()
    old = put(z / "iib_batch_download_old.zip", 100, age=25 * HOUR, now=now)
    young = put(z / "iib_batch_download_young.zip", 200, age=2 * HOUR, now=now)
    stale_tmp = put(z / ".tmp-abc.zip", 300, age=2 * HOUR, now=now)
    live_tmp = put(z / ".tmp-def.zip", 400, age=10 * 60, now=now)
    other = put(z / "notes.txt", 50, age=100 * DAY, now=now)
    src = noisy_png(tmp_path / "lib" / "a.png", (64, 64))
    fresh = write_zip([str(src)], z, compress=False)

    result = hk.prune_cache(settings_for(cache), now=now)
    assert not old.exists() and not stale_tmp.exists()
    assert young.exists() and live_tmp.exists() and other.exists() and fresh.exists()
    assert result["removed"]["zip_temp"] == {"files": 2, "bytes": 400}
    assert result["freed_bytes"] == 400

    # A keep time under an hour still spares archives younger than an hour.
    forty_min = put(z / "iib_batch_download_40m.zip", 10, age=40 * 60, now=now)
    seventy_min = put(z / "iib_batch_download_70m.zip", 10, age=70 * 60, now=now)
    hk.prune_cache(settings_for(cache, zip_keep_hours=0.1), now=now)
    assert forty_min.exists() and not seventy_min.exists() and not young.exists() and fresh.exists()

    # 0 keeps archives forever; stale temporaries still go.
    ancient = put(z / "iib_batch_download_ancient.zip", 10, age=400 * DAY, now=now)
    stale2 = put(z / ".tmp-zzz.zip", 10, age=3 * HOUR, now=now)
    hk.prune_cache(settings_for(cache, zip_keep_hours=0), now=now)
    assert ancient.exists() and not stale2.exists()


def test_only_the_named_areas_are_pruned(tmp_path):
    cache = tmp_path / "cache"
    now = time.time()
    old_zip = put(cache / "zip_temp" / "iib_batch_download_a.zip", 10, age=30 * HOUR, now=now)
    thumbs = [put(entry(cache, "thumbnails", f"{i:02x}" + "e" * 38 + ".webp"), 100 * KB, age=i * DAY, now=now)
              for i in range(12)]
    s = settings_for(cache, cache_max_mb=1)
    result = hk.prune_cache(s, now=now, areas=("zip_temp",))
    assert not old_zip.exists() and all(t.exists() for t in thumbs)
    assert result["removed"]["thumbnails"]["files"] == 0
    with pytest.raises(BadInput) as err:
        hk.prune_cache(s, areas=("zip_temp", "bogus"))
    assert "bogus" in str(err.value.detail)


def test_the_cap_removes_least_recently_used_thumbnails_and_covers_down_to_90_percent(tmp_path):
    cache = tmp_path / "cache"
    now = time.time()
    files = {}
    # 16 entries of 100 KiB = 1600 KiB over both areas; last use = i days ago (i = 0 is the newest).
    for i in range(16):
        area = "thumbnails" if i % 2 else "video_covers"
        name = f"{i:02x}" + "a" * 38 + ".webp"
        files[i] = put(entry(cache, area, name), 100 * KB, age=i * DAY, now=now)
    # Recently read (atime) but written long ago: counts as recently used.
    read_lately = put(entry(cache, "thumbnails", "f0" + "b" * 38 + ".webp"), 100 * KB, age=90 * DAY,
                      atime_age=0.5 * DAY, now=now)
    # Old atime (noatime mount) but rewritten lately: counts as recently used too.
    written_lately = put(entry(cache, "video_covers", "f1" + "c" * 38 + ".webp"), 100 * KB, age=1.5 * DAY,
                         atime_age=300 * DAY, now=now)
    live_tmp = put(cache / "thumbnails" / "f2" / ".tmp-xyz.webp", 100 * KB, age=60, now=now)

    result = hk.prune_cache(settings_for(cache, cache_max_mb=1), now=now)
    # 18 counted entries (1800 KiB) > 1024 KiB; target 921.6 KiB -> 9 entries of 100 KiB are left.
    kept = sorted(i for i, p in files.items() if p.exists())
    assert kept == [0, 1, 2, 3, 4, 5, 6]  # with read_lately (0.5 d) and written_lately (1.5 d)
    assert read_lately.exists() and written_lately.exists() and live_tmp.exists()
    removed = result["removed"]
    assert removed["thumbnails"]["files"] + removed["video_covers"]["files"] == 9
    assert result["freed_bytes"] == 9 * 100 * KB
    usage = hk.cache_usage(settings_for(cache, cache_max_mb=1))
    assert usage["capped_bytes"] - 100 * KB <= 0.9 * 1024 * KB  # the live temporary is not an entry

    # Under the cap nothing goes; a cap of 0 means no cap at all.
    before = {p for p in cache.rglob("*") if p.is_file()}
    assert hk.prune_cache(settings_for(cache, cache_max_mb=1), now=now)["freed_bytes"] == 0
    for i in range(20):
        put(entry(cache, "thumbnails", f"{i:02x}" + "d" * 38 + ".webp"), 100 * KB, age=400 * DAY, now=now)
    assert hk.prune_cache(settings_for(cache, cache_max_mb=0), now=now)["freed_bytes"] == 0
    assert before <= {p for p in cache.rglob("*") if p.is_file()}


def test_stale_temporaries_go_but_writes_in_progress_are_never_touched(tmp_path):
    cache = tmp_path / "cache"
    now = time.time()
    stale = put(cache / "thumbnails" / "aa" / ".tmp-old.webp", 10, age=2 * HOUR, now=now)
    live = put(cache / "video_covers" / "bb" / ".tmp-new.webp", 10, age=30 * 60, now=now)
    hk.prune_cache(settings_for(cache), now=now)
    assert not stale.exists() and live.exists()
    hk.empty_areas(settings_for(cache), ["thumbnails", "video_covers"], now=now)
    assert live.exists()


def test_emptying_while_thumbnails_are_written_breaks_no_write(tmp_path):
    cache = tmp_path / "cache"
    s = settings_for(cache)
    errors = []
    stop = threading.Event()

    def writer():
        n = 0
        while not stop.is_set():
            try:
                write_atomic(cache / "thumbnails" / f"{n % 7:02x}" / f"{n:040x}.webp", b"w" * 2000)
            except Exception as exc:  # noqa: BLE001 - any failure is what the test looks for
                errors.append(exc)
            n += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        freed = 0
        deadline = time.time() + 1.5
        while time.time() < deadline:
            freed += hk.empty_areas(s, ["thumbnails"])["freed_bytes"]
    finally:
        stop.set()
        thread.join()
    assert errors == []
    assert freed > 0
    assert not [p for p in (cache / "thumbnails").rglob("*") if p.name.startswith(".tmp-")]


def test_empty_areas_removes_everything_but_very_young_archives(tmp_path):
    cache = tmp_path / "cache"
    now = time.time()
    thumb = put(entry(cache, "thumbnails", "aa" + "0" * 38 + ".webp"), 100, now=now)
    cover = put(entry(cache, "video_covers", "bb" + "0" * 38 + ".webp"), 100, now=now)
    two_min = put(cache / "zip_temp" / "iib_batch_download_a.zip", 100, age=120, now=now)
    just_made = put(cache / "zip_temp" / "iib_batch_download_b.zip", 100, age=5, now=now)
    result = hk.empty_areas(settings_for(cache), ["thumbnails", "zip_temp"], now=now)
    assert not thumb.exists() and cover.exists() and not two_min.exists() and just_made.exists()
    assert result["removed"]["thumbnails"] == {"files": 1, "bytes": 100}
    assert result["removed"]["zip_temp"] == {"files": 1, "bytes": 100}
    assert (cache / "thumbnails" / "aa").is_dir()  # folders stay: a writer may have just made one


def _trash_item(trash: Trash, tmp_path: Path, name: str, size: int, age_days: float):
    f = tmp_path / "lib" / name
    f.parent.mkdir(parents=True, exist_ok=True)
    f.write_bytes(b"t" * size)
    item = trash.put(str(f))
    manifest = trash.folder / item.id / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["deleted_at"] = time.time() - age_days * DAY
    manifest.write_text(json.dumps(data), encoding="utf-8")
    return item


def test_trash_items_older_than_the_keep_time_are_purged(tmp_path):
    cache = tmp_path / "cache"
    trash = Trash(cache / "trash")
    old = _trash_item(trash, tmp_path, "old.png", 5000, 40)
    recent = _trash_item(trash, tmp_path, "recent.png", 3000, 10)

    assert hk.prune_cache(settings_for(cache, trash_keep_days=0))["removed"]["trash"]["items"] == 0
    assert {i.id for i in trash.items()} == {old.id, recent.id}

    result = hk.prune_cache(settings_for(cache))  # 30 days
    assert [i.id for i in trash.items()] == [recent.id]
    assert not (cache / "trash" / old.id).exists()
    gone = result["removed"]["trash"]
    assert gone["items"] == 1 and gone["files"] == 2 and gone["bytes"] > 5000

    result = hk.prune_cache(settings_for(cache, trash_keep_days=7))
    assert trash.items() == [] and result["removed"]["trash"]["items"] == 1

    _trash_item(trash, tmp_path, "again.png", 10, 0)
    assert hk.empty_areas(settings_for(cache), ["trash"])["removed"]["trash"]["items"] == 1
    assert trash.items() == [] and hk.cache_usage(settings_for(cache))["areas"]["trash"]["bytes"] == 0


def test_symlinks_are_never_followed_out_of_the_cache(tmp_path):
    cache = tmp_path / "cache"
    outside = tmp_path / "outside"
    now = time.time()
    precious = put(outside / "precious.webp", 500 * KB, age=400 * DAY, now=now)
    deep = put(outside / "dir" / "deep.webp", 500 * KB, age=400 * DAY, now=now)
    old_zip = put(outside / "zips" / "iib_batch_download_x.zip", 10, age=400 * DAY, now=now)
    (cache / "thumbnails" / "aa").mkdir(parents=True)
    os.symlink(precious, cache / "thumbnails" / "aa" / ("a" * 40 + ".webp"))
    os.symlink(outside / "dir", cache / "thumbnails" / "bb")
    os.symlink(outside / "zips", cache / "zip_temp")  # a whole area pointing elsewhere
    # A trash item folder planted as a link to a complete-looking item outside.
    fake = outside / "20250101-000000-deadbeef"
    (fake / "files").mkdir(parents=True)
    (fake / "files" / "victim.png").write_bytes(b"v" * 100)
    (fake / "manifest.json").write_text(json.dumps({
        "version": 1, "id": fake.name, "type": "file", "name": "victim.png", "original_path": "/x/victim.png",
        "deleted_at": 0, "bytes": 100, "entries": [{"stored": "victim.png", "original_path": "/x/victim.png"}]}))
    (cache / "trash").mkdir()
    os.symlink(fake, cache / "trash" / fake.name)
    real_thumb = put(entry(cache, "thumbnails", "cc" + "0" * 38 + ".webp"), 10 * KB, age=500 * DAY, now=now)

    usage = hk.cache_usage(settings_for(cache))
    assert usage["areas"]["thumbnails"] == {"bytes": 10 * KB, "files": 1}  # links are not counted
    assert usage["areas"]["zip_temp"]["files"] == 0

    tiny = settings_for(cache, cache_max_mb=1, zip_keep_hours=1, trash_keep_days=1)
    hk.prune_cache(tiny, now=now)
    hk.empty_areas(tiny, list(hk.AREAS), now=now + 10 * DAY)
    assert precious.exists() and deep.exists() and old_zip.exists() and (fake / "files" / "victim.png").exists()
    assert not real_thumb.exists()
    assert (cache / "thumbnails" / "aa" / ("a" * 40 + ".webp")).is_symlink()


def test_a_file_that_vanished_meanwhile_is_not_an_error(tmp_path):
    cache = tmp_path / "cache"
    f = put(entry(cache, "thumbnails", "aa" + "0" * 38 + ".webp"), 10)
    st = f.stat()
    f.unlink()
    p = hk._Pass(settings_for(cache))
    assert p.remove("thumbnails", str(f), st) is False
    assert p.result() == {"removed": {**{a: {"files": 0, "bytes": 0} for a in hk.AREAS},
                                      "trash": {"files": 0, "bytes": 0, "items": 0}},
                          "freed_bytes": 0, "errors": []}


def test_prune_quietly_logs_instead_of_raising(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    s = settings_for(blocker)  # the cache "folder" is a file: every area is simply absent
    assert hk.prune_quietly(s) is not None
    assert hk.prune_quietly(s, areas=("nope",)) is None
    assert "housekeeping failed" in caplog.text


def test_start_background_prune_runs_once_in_a_daemon_thread(tmp_path):
    cache = tmp_path / "cache"
    old = put(cache / "zip_temp" / "iib_batch_download_old.zip", 10, age=48 * HOUR)
    thread = hk.start_background_prune(settings_for(cache), delay=0.05)
    assert thread.daemon
    thread.join(timeout=30)
    assert not old.exists()


@pytest.mark.parametrize("name,field,raw,value", [
    ("IIB_ZIP_KEEP_HOURS", "zip_keep_hours", "6", 6.0),
    ("IIB_ZIP_KEEP_HOURS", "zip_keep_hours", "0.5", 0.5),
    ("IIB_CACHE_MAX_MB", "cache_max_mb", "0", 0),
    ("IIB_CACHE_MAX_MB", "cache_max_mb", "512", 512),
    ("IIB_TRASH_KEEP_DAYS", "trash_keep_days", "7", 7.0),
])
def test_settings_read_the_three_variables(tmp_path, name, field, raw, value):
    s = Settings.load(environ={name: raw}, env_file=tmp_path / "none.env")
    assert getattr(s, field) == value


@pytest.mark.parametrize("name,raw", [
    ("IIB_ZIP_KEEP_HOURS", "-1"), ("IIB_ZIP_KEEP_HOURS", "soon"), ("IIB_ZIP_KEEP_HOURS", "nan"),
    ("IIB_CACHE_MAX_MB", "-5"), ("IIB_CACHE_MAX_MB", "1.5"), ("IIB_CACHE_MAX_MB", "lots"),
    ("IIB_TRASH_KEEP_DAYS", "-0.5"), ("IIB_TRASH_KEEP_DAYS", "inf"),
])
def test_bad_values_name_the_variable(tmp_path, name, raw):
    with pytest.raises(SettingsError) as err:
        Settings.load(environ={name: raw}, env_file=tmp_path / "none.env")
    assert name in str(err.value)
