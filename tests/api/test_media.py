"""Media delivery over real HTTP (docs/api.md, "Media"), on SQLite and PostgreSQL."""
import base64
import email.utils
import io
import os
import threading
import time
import zipfile

import httpx
import pytest
from PIL import Image

from media.helpers import BRIGHT, close_to, decode, make_video, noisy_png, solid

ONE_YEAR = 31536000


@pytest.fixture
def media(api):
    """The default server plus media files in its library."""
    lib = api.library
    noisy_png(lib / "big" / "render.png", (1024, 1536))
    make_video(lib / "videos" / "clip.mp4", frames=10, black=3)
    (lib / "notes.txt").write_text("some notes")
    (lib / "blob.bin").write_bytes(bytes(range(256)) * 8)
    return api


def _q(**params):
    return {"params": params}


# -- /file --------------------------------------------------------------------------
def test_file_sends_bytes_with_validators_and_long_cache(media):
    path = media.library / "big" / "render.png"
    r = media.get("/file", **_q(path=str(path), t="2026-01-01 10:00:00"))
    assert r.status_code == 200 and r.content == path.read_bytes()
    h = r.headers
    assert h["content-type"] == "image/png" and h["accept-ranges"] == "bytes"
    assert int(h["content-length"]) == path.stat().st_size
    assert h["etag"].startswith('"') and h["last-modified"].endswith("GMT")
    assert h["cache-control"] == "public, max-age=31536000"
    expires = email.utils.parsedate_to_datetime(h["expires"])
    assert h["expires"].endswith(" GMT") and abs(expires.timestamp() - (time.time() + ONE_YEAR)) < 120
    # Conditional requests.
    assert media.get("/file", **_q(path=str(path), t="x"), headers={"If-None-Match": h["etag"]}).status_code == 304
    not_modified = media.get("/file", **_q(path=str(path), t="x"), headers={"If-Modified-Since": h["last-modified"]})
    assert not_modified.status_code == 304 and not_modified.content == b""
    older = email.utils.formatdate(path.stat().st_mtime - 86400, usegmt=True)
    assert media.get("/file", **_q(path=str(path), t="x"), headers={"If-Modified-Since": older}).status_code == 200
    assert media.get("/file", **_q(path=str(path), t="x"), headers={"If-None-Match": '"nope"'}).status_code == 200


def test_file_types_cache_rules_and_disposition(media, tmp_path):
    notes = media.library / "notes.txt"
    r = media.get("/file", **_q(path=str(notes), t="1"))
    assert r.text == "some notes" and r.headers["content-type"] == "text/plain; charset=utf-8"
    assert r.headers["cache-control"] == "no-cache" and "expires" not in r.headers  # not a media file
    outside = solid(tmp_path / "elsewhere" / "pic.png", (8, 8), (1, 2, 3))  # access control off: readable
    r = media.get("/file", **_q(path=str(outside), t="1"))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-cache"  # not under the roots
    r = media.get("/file", **_q(path=str(media.library / "big" / "render.png"), t="1", disposition="猫 1.png"))
    assert r.headers["content-disposition"] == "attachment; filename*=UTF-8''%E7%8C%AB%201.png"
    clip = media.get("/file", **_q(path=str(media.library / "videos" / "clip.mp4"), t="1"))
    assert clip.headers["content-type"] == "video/mp4"


def test_file_errors(media):
    missing_t = media.get("/file", **_q(path=str(media.library / "notes.txt")))
    assert missing_t.status_code == 422
    folder = media.get("/file", **_q(path=str(media.library / "big"), t="1"))
    assert folder.status_code == 400 and folder.json() == {"detail": f"{media.library / 'big'} is not a file"}
    missing = media.get("/file", **_q(path=str(media.library / "nope.png"), t="1"))
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    below_file = media.get("/file", **_q(path=str(media.library / "notes.txt" / "x"), t="1"))
    assert below_file.status_code == 404
    assert media.get("/file", **_q(path="", t="1")).status_code == 400


FILE_RANGES = [
    ("bytes=0-0", (0, 0)),
    ("bytes=-5", (2043, 2047)),
    ("bytes=5-", (5, 2047)),
    ("bytes=100-199", (100, 199)),
    ("bytes=2000-99999", (2000, 2047)),  # end clamped
    ("bytes=0-1,5-6", (0, 1)),  # first range only
    ("bytes=2048-", None),  # starts at the end
    ("bytes=9-3", None),
    ("bytes=-0", None),
    ("bytes=abc", None),
    ("pages=1-2", None),
]


def test_file_ranges(media):
    path = media.library / "blob.bin"
    data = path.read_bytes()
    for header, expected in FILE_RANGES:
        r = media.get("/file", **_q(path=str(path), t="1"), headers={"Range": header})
        if expected is None:
            assert r.status_code == 416, header
            assert r.json() == {"detail": f"Invalid request range (Range:'{header}')"}
            assert r.headers["content-range"] == "bytes */2048"
        else:
            start, end = expected
            assert r.status_code == 206 and r.content == data[start:end + 1], header
            assert r.headers["content-range"] == f"bytes {start}-{end}/2048"
            assert int(r.headers["content-length"]) == end - start + 1


def test_file_if_range_and_large_streamed_bodies(media):
    big = media.library / "big" / "render.png"
    data = big.read_bytes()
    assert len(data) > 1024 * 1024  # streamed in chunks, not read at once
    etag = media.get("/file", **_q(path=str(big), t="1")).headers["etag"]
    r = media.get("/file", **_q(path=str(big), t="1"), headers={"Range": "bytes=1000-1600000", "If-Range": etag})
    assert r.status_code == 206 and r.content == data[1000:1600001]
    stale = media.get("/file", **_q(path=str(big), t="1"), headers={"Range": "bytes=0-9", "If-Range": '"old"'})
    assert stale.status_code == 200 and stale.content == data  # the file changed: send it whole


# -- /image-thumbnail ---------------------------------------------------------------
def test_thumbnail_of_a_big_png(media):
    path = str(media.library / "big" / "render.png")
    r = media.get("/image-thumbnail", **_q(path=path, t="1", size="512x512"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    assert r.headers["cache-control"] == "max-age=31536000"
    im = decode(r.content)
    assert im.format == "WEBP" and im.height == 512 and im.width <= 512 and abs(im.width - 341) <= 1
    etag = r.headers["etag"]
    assert etag.endswith('512x512"') and len(etag) == len('"') + 32 + len('512x512"')
    again = media.get("/image-thumbnail", **_q(path=path, t="2", size="512x512"))
    assert again.content == r.content and again.headers["etag"] == etag
    cached = media.get("/image-thumbnail", **_q(path=path, t="1", size="512x512"), headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b""
    default = media.get("/image-thumbnail", **_q(path=path, t="1"))
    assert decode(default.content).height == 256  # size defaults to 256x256
    entries = list((media.ctx.settings.cache_dir / "thumbnails").rglob("*.webp"))
    assert len(entries) == 2


def test_thumbnail_of_a_small_original_has_a_real_mime_type(media):
    small = solid(media.library / "small.JPG", (40, 40), (5, 6, 7), fmt="JPEG")
    r = media.get("/image-thumbnail", **_q(path=str(small), t="1", size="512x512"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"  # not "image/JPG"
    assert r.content == small.read_bytes() and r.headers["cache-control"] == "max-age=31536000"


def test_thumbnail_size_validation(media):
    for size in ("", "big", "512", "0x512", "5000x5000", "512x512x2", "-1x4", "9" * 30 + "x1"):
        r = media.get("/image-thumbnail", **_q(path=str(media.library / "big" / "render.png"), t="1", size=size))
        assert r.status_code == 400 and "size" in r.json()["detail"], size


def test_thumbnail_errors(media):
    lib = media.library
    assert media.get("/image-thumbnail", **_q(path=str(lib / "misc" / "plain.png"))).status_code == 422  # no t
    missing = media.get("/image-thumbnail", **_q(path=str(lib / "gone.png"), t="1"))
    assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    folder = media.get("/image-thumbnail", **_q(path=str(lib / "big"), t="1"))
    assert folder.status_code == 400 and folder.json()["detail"].endswith("is not a file")
    video = media.get("/image-thumbnail", **_q(path=str(lib / "videos" / "clip.mp4"), t="1"))
    assert video.status_code == 415 and "not an image" in video.json()["detail"]
    (lib / "fake.png").write_bytes(b"this is not a png" * 10000)
    fake = media.get("/image-thumbnail", **_q(path=str(lib / "fake.png"), t="1"))
    assert fake.status_code == 415 and "fake.png" in fake.json()["detail"]
    (lib / "tiny-fake.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    assert media.get("/image-thumbnail", **_q(path=str(lib / "tiny-fake.png"), t="1")).status_code == 415


def test_thumbnail_follows_the_file_when_it_changes(media):
    path = solid(media.library / "changing.png", (300, 300), (250, 0, 0), pad_bytes=80_000)
    params = _q(path=str(path), t="same-token", size="64x64")
    red = media.get("/image-thumbnail", **params)
    assert close_to(decode(red.content).convert("RGB").getpixel((32, 32)), (250, 0, 0))
    st = path.stat()
    solid(path, (300, 300), (0, 0, 250), pad_bytes=80_000)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    blue = media.get("/image-thumbnail", **params)
    assert blue.headers["etag"] != red.headers["etag"]
    assert close_to(decode(blue.content).convert("RGB").getpixel((32, 32)), (0, 0, 250))
    stale = media.get("/image-thumbnail", **params, headers={"If-None-Match": red.headers["etag"]})
    assert stale.status_code == 200  # the old ETag no longer matches


def test_concurrent_cold_thumbnail_requests(media):
    path = str(media.library / "big" / "render.png")
    results, errors = [], []
    barrier = threading.Barrier(5)

    def fetch():
        try:
            with httpx.Client(base_url=media.url, timeout=30) as client:
                barrier.wait()
                results.append(client.get(media.path("/image-thumbnail"),
                                          params={"path": path, "t": "1", "size": "300x300"}))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and [r.status_code for r in results] == [200] * 5
    assert len({r.content for r in results}) == 1 and decode(results[0].content).size == (200, 300)
    cache = media.ctx.settings.cache_dir / "thumbnails"
    assert [p.name for p in cache.rglob("*") if p.is_file() and p.name.startswith(".tmp-")] == []


# -- /stream_video ------------------------------------------------------------------
def test_stream_video_whole_and_ranges(media):
    path = media.library / "videos" / "clip.mp4"
    data = path.read_bytes()
    size = len(data)
    whole = media.get("/stream_video", **_q(path=str(path)))
    assert whole.status_code == 200 and whole.content == data
    h = whole.headers
    assert h["content-type"] == "video/mp4" and h["accept-ranges"] == "bytes"
    assert h["content-encoding"] == "identity" and int(h["content-length"]) == size
    assert h["access-control-expose-headers"] == \
        "content-type, accept-ranges, content-length, content-range, content-encoding"
    assert "cache-control" not in h and "etag" not in h
    for header, (start, end) in (("bytes=0-0", (0, 0)), ("bytes=-5", (size - 5, size - 1)),
                                 ("bytes=5-", (5, size - 1)), ("bytes=10-20, 30-40", (10, 20))):
        r = media.get("/stream_video", **_q(path=str(path)), headers={"Range": header})
        assert r.status_code == 206 and r.content == data[start:end + 1], header
        assert r.headers["content-range"] == f"bytes {start}-{end}/{size}"
        assert r.headers["content-encoding"] == "identity"
    for header in (f"bytes={size}-", "bytes=junk", "bytes=-0"):
        r = media.get("/stream_video", **_q(path=str(path)), headers={"Range": header})
        assert r.status_code == 416 and r.json() == {"detail": f"Invalid request range (Range:'{header}')"}
    assert media.get("/stream_video", **_q(path=str(path) + ".gone")).status_code == 404
    assert media.get("/stream_video", **_q(path=str(media.library / "videos"))).status_code == 400


# -- /video_cover and /set_target_frame_as_video_cover ------------------------------
def test_video_cover(media, tmp_path):
    path = str(media.library / "videos" / "clip.mp4")
    r = media.get("/video_cover", **_q(path=path, mt="2026-01-01 00:00:00"))
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp"
    assert r.headers["cache-control"] == "no-store"
    im = decode(r.content).convert("RGB")
    assert im.size == (64, 48) and close_to(im.getpixel((32, 24)), BRIGHT[0])  # black frames skipped
    assert media.get("/video_cover", **_q(path=path)).status_code == 422  # mt required
    plain = str(media.library / "misc" / "plain.png")
    image = media.get("/video_cover", **_q(path=plain, mt="1"))
    assert image.status_code == 400 and image.json() == {"detail": f"{plain} is not a video file"}
    gone = media.get("/video_cover", **_q(path=str(media.library / "videos" / "gone.mp4"), mt="1"))
    assert gone.status_code == 404
    (media.library / "videos" / "broken.mp4").write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x01" * 5000)
    broken = media.get("/video_cover", **_q(path=str(media.library / "videos" / "broken.mp4"), mt="1"))
    assert broken.status_code == 415 and broken.json()["detail"].startswith("Failed to generate video cover: ")


def _data_url(color, fmt="PNG") -> str:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, fmt)
    return f"data:image/{fmt.lower()};base64," + base64.b64encode(buf.getvalue()).decode()


def test_set_target_frame_as_video_cover(media):
    path = str(media.library / "videos" / "clip.mp4")
    body = {"base64_img": _data_url((20, 220, 20)), "path": path, "updated_time": "2026-01-01 00:00:00"}
    r = media.post("/set_target_frame_as_video_cover", json=body)
    assert r.status_code == 200 and r.headers["content-type"] == "image/webp" and r.headers["etag"]
    assert close_to(decode(r.content).convert("RGB").getpixel((32, 24)), (20, 220, 20))
    cover = media.get("/video_cover", **_q(path=path, mt="2026-01-01 00:00:00"))
    assert cover.content == r.content
    webp_bare = _data_url((200, 200, 0), "WEBP").split(",", 1)[1]
    r = media.post("/set_target_frame_as_video_cover", json={**body, "base64_img": webp_bare})
    assert r.status_code == 200 and r.content == base64.b64decode(webp_bare)  # WebP stored as sent
    bad = media.post("/set_target_frame_as_video_cover", json={**body, "base64_img": "%%% not base64"})
    assert bad.status_code == 400 and "base64" in bad.json()["detail"]
    not_image = media.post("/set_target_frame_as_video_cover",
                           json={**body, "base64_img": base64.b64encode(b"plain text").decode()})
    assert not_image.status_code == 400 and "image" in not_image.json()["detail"]
    gone = media.post("/set_target_frame_as_video_cover", json={**body, "path": path + ".gone"})
    assert gone.status_code == 404
    assert media.post("/set_target_frame_as_video_cover", json={"path": path}).status_code == 422


# -- /zip ---------------------------------------------------------------------------
def test_zip_download_and_pack_only(media):
    lib = media.library
    paths = [str(lib / "2026-11-20" / "00001-1.png"), str(lib / "misc" / "plain.png"), str(lib / "notes.txt")]
    solid(lib / "other" / "plain.png", (8, 8), (9, 9, 9))
    paths.append(str(lib / "other" / "plain.png"))
    r = media.post("/zip", json={"paths": paths, "compress": False, "pack_only": False})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"].startswith("attachment; filename*=UTF-8''iib_batch_download_")
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert zf.namelist() == ["00001-1.png", "plain.png", "notes.txt", "plain (1).png"]
        for name, path in zip(zf.namelist(), paths):
            assert zf.read(name) == open(path, "rb").read()
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
    packed = media.post("/zip", json={"paths": paths[:2], "compress": True, "pack_only": True})
    assert packed.status_code == 200 and packed.json() is None
    archives = list((media.ctx.settings.cache_dir / "zip_temp").glob("iib_batch_download_*.zip"))
    assert len(archives) == 2  # both stay on the server
    (kept,) = [a for a in archives if len(zipfile.ZipFile(a).namelist()) == 2]
    with zipfile.ZipFile(kept) as zf:
        assert zf.namelist() == ["00001-1.png", "plain.png"]
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        assert zf.read("plain.png") == open(paths[1], "rb").read()


def test_zip_errors(media):
    lib = media.library
    ok = str(lib / "notes.txt")
    for bad in (str(lib / "misc"), str(lib / "missing.png")):
        r = media.post("/zip", json={"paths": [ok, bad], "compress": False, "pack_only": False})
        assert r.status_code == 400 and r.json() == {"detail": "The corresponding path must be a file."}
    too_many = media.post("/zip", json={"paths": [ok] * 10001, "compress": False, "pack_only": True})
    assert too_many.status_code == 413 and "10000" in too_many.json()["detail"]
    assert media.post("/zip", json={"paths": [], "compress": False, "pack_only": True}).status_code == 400
    assert media.post("/zip", json={"paths": [ok], "compress": False}).status_code == 422
    assert list((media.ctx.settings.cache_dir).rglob("*.zip")) == []  # nothing was packed


def test_zip_prepare_then_download_by_ticket(media):
    lib = media.library
    paths = [str(lib / "2026-11-20" / "00001-1.png"), str(lib / "notes.txt")]
    prepared = media.post("/zip_prepare", json={"paths": paths})
    assert prepared.status_code == 200
    info = prepared.json()
    assert info["name"].startswith("iib_batch_download_") and info["name"].endswith(".zip")
    archive = media.ctx.settings.cache_dir / "zip_temp" / info["name"]
    assert info["bytes"] == archive.stat().st_size
    r = media.get("/zip_download", params={"ticket": info["ticket"]})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == "attachment; filename*=UTF-8''" + info["name"]
    assert int(r.headers["content-length"]) == info["bytes"]
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        assert zf.namelist() == ["00001-1.png", "notes.txt"]
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}  # compress defaults on
        assert zf.read("notes.txt") == open(paths[1], "rb").read()
    # A browser resuming the download asks for a range.
    tail = media.get("/zip_download", params={"ticket": info["ticket"]}, headers={"Range": "bytes=10-"})
    assert tail.status_code == 206 and tail.content == r.content[10:]
    # Unknown tickets, and archives gone from the cache, are a clear 404.
    for ticket in ("nope", info["ticket"][:-1]):
        gone = media.get("/zip_download", params={"ticket": ticket})
        assert gone.status_code == 404 and "pack the files again" in gone.json()["detail"]
    archive.unlink()
    gone = media.get("/zip_download", params={"ticket": info["ticket"]})
    assert gone.status_code == 404 and "pack the files again" in gone.json()["detail"]
    # The same checks as /zip guard what goes in.
    bad = media.post("/zip_prepare", json={"paths": [str(lib / "misc")], "compress": False})
    assert bad.status_code == 400 and bad.json() == {"detail": "The corresponding path must be a file."}
    assert media.post("/zip_prepare", json={"paths": []}).status_code == 400
    assert media.post("/zip_prepare", json={"compress": True}).status_code == 422


# -- permissions and access control -------------------------------------------------
def test_read_only_server(make_api):
    api = make_api(env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"})
    plain = str(api.library / "misc" / "plain.png")
    make_video(api.library / "clip.mp4")
    assert api.get("/file", **_q(path=plain, t="1")).status_code == 200
    assert api.get("/image-thumbnail", **_q(path=plain, t="1")).status_code == 200  # not write-gated
    assert api.get("/video_cover", **_q(path=str(api.library / "clip.mp4"), mt="1")).status_code == 200
    denied = api.post("/zip", json={"paths": [plain], "compress": False, "pack_only": True})
    assert denied.status_code == 403 and "read-write" in denied.json()["detail"]
    denied = api.post("/zip_prepare", json={"paths": [plain]})
    assert denied.status_code == 403 and "read-write" in denied.json()["detail"]
    cover = api.post("/set_target_frame_as_video_cover",
                     json={"base64_img": _data_url((1, 1, 1)), "path": str(api.library / "clip.mp4")})
    assert cover.status_code == 403


def test_access_control_never_reads_outside_the_roots(make_api, tmp_path):
    outside = tmp_path / "outside"
    secret = noisy_png(outside / "secret.png", (200, 200))
    secret_video = make_video(outside / "secret.mp4")
    api = make_api(env={"IIB_ACCESS_CONTROL": "enable"})
    lib = api.library
    os.symlink(secret, lib / "link.png")
    os.symlink(secret_video, lib / "link.mp4")
    os.symlink(outside, lib / "linked-folder")
    inside = str(lib / "misc" / "plain.png")
    assert api.get("/file", **_q(path=inside, t="1")).status_code == 200
    cache_before = sorted(p.name for p in (tmp_path / "cache").rglob("*")) if (tmp_path / "cache").exists() else []
    refused = [
        api.get("/file", **_q(path=str(secret), t="1")),
        api.get("/file", **_q(path=str(lib / "link.png"), t="1")),
        api.get("/file", **_q(path=str(lib / "linked-folder" / "secret.png"), t="1")),
        api.get("/file", **_q(path=str(lib / ".." / "outside" / "secret.png"), t="1")),
        api.get("/file", **_q(path=str(outside / "does-not-exist.png"), t="1")),  # no existence leak
        api.get("/image-thumbnail", **_q(path=str(secret), t="1")),
        api.get("/image-thumbnail", **_q(path=str(lib / "link.png"), t="1", size="junk")),
        api.get("/stream_video", **_q(path=str(secret_video))),
        api.get("/stream_video", **_q(path=str(lib / "link.mp4")), headers={"Range": "bytes=0-10"}),
        api.get("/video_cover", **_q(path=str(lib / "link.mp4"), mt="1")),
        api.post("/set_target_frame_as_video_cover",
                 json={"base64_img": _data_url((1, 1, 1)), "path": str(secret_video)}),
        api.post("/zip", json={"paths": [inside, str(lib / "link.png")], "compress": False, "pack_only": False}),
        api.post("/zip", json={"paths": [str(secret)], "compress": False, "pack_only": True}),
        api.post("/zip_prepare", json={"paths": [inside, str(lib / "link.png")]}),
    ]
    assert [r.status_code for r in refused] == [403] * len(refused)
    assert all(r.json() == {"detail": "Forbidden"} for r in refused)
    cache_after = sorted(p.name for p in (tmp_path / "cache").rglob("*")) if (tmp_path / "cache").exists() else []
    assert [n for n in cache_after if n not in cache_before] == []  # nothing was generated or packed
