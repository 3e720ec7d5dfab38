"""Thumbnail generation and the disk cache, on real image files."""
import os
import threading

import pytest
from PIL import Image, UnidentifiedImageError

from iib_core.errors import BadInput
from iib_core.media.errors import UnsupportedMedia
from iib_core.media.thumbnails import SMALL_ORIGINAL, ThumbnailCache, fit_inside, parse_box, render_thumbnail

from .helpers import BRIGHT, close_to, decode, make_video, noisy_png, solid


@pytest.mark.parametrize("text,box", [(None, (256, 256)), ("512x512", (512, 512)), ("64X48", (64, 48)),
                                      (" 300x200 ", (300, 200)), ("4096x1", (4096, 1))])
def test_parse_box(text, box):
    assert parse_box(text) == box


@pytest.mark.parametrize("text", ["", "512", "512x", "x512", "abc", "0x10", "10x0", "-5x5", "4097x10",
                                  "99999999x1", "512x512x3", "1.5x2"])
def test_parse_box_refuses_garbage(text):
    with pytest.raises(BadInput) as info:
        parse_box(text)
    assert "size" in info.value.detail


def test_fit_inside_keeps_aspect_and_never_upscales():
    assert fit_inside(1024, 1536, (512, 512)) == (341, 512)
    assert fit_inside(2000, 1000, (512, 512)) == (512, 256)
    assert fit_inside(100, 50, (512, 512)) == (100, 50)
    assert fit_inside(10000, 1, (100, 100)) == (100, 1)


def test_big_png_is_reduced_to_webp_inside_the_box(tmp_path):
    src = noisy_png(tmp_path / "big.png")
    body, media_type = render_thumbnail(str(src), (512, 512))
    im = decode(body)
    assert media_type == "image/webp" and im.format == "WEBP"
    assert im.width <= 512 and im.height == 512 and abs(im.width - 341) <= 1
    assert len(body) < os.path.getsize(src) / 10


def test_jpeg_is_decoded_small_and_keeps_its_colour(tmp_path):
    src = solid(tmp_path / "wide.jpg", (2000, 1000), (200, 30, 30), quality=95)
    body, _ = render_thumbnail(str(src), (256, 256))
    im = decode(body)
    assert im.size == (256, 128)
    assert close_to(im.convert("RGB").getpixel((128, 64)), (200, 30, 30))


def test_exif_orientation_is_applied(tmp_path):
    src = tmp_path / "rotated.jpg"
    im = Image.new("RGB", (400, 200), (10, 120, 220))
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: shown rotated 90 degrees clockwise
    im.save(src, exif=exif.tobytes(), quality=90)
    body, _ = render_thumbnail(str(src), (100, 100))
    assert decode(body).size == (50, 100)


@pytest.mark.parametrize("mode,color", [("RGBA", (255, 0, 0, 0)), ("LA", (128, 0)), ("L", 77), ("P", 5),
                                        ("CMYK", (0, 255, 255, 0)), ("1", 1)])
def test_every_common_mode_gives_a_thumbnail(tmp_path, mode, color):
    src = tmp_path / f"{mode}.png" if mode != "CMYK" else tmp_path / "cmyk.jpg"
    Image.new(mode, (300, 200), color).save(src)
    im = decode(render_thumbnail(str(src), (150, 150))[0])
    assert im.size == (150, 100)
    if mode in ("RGBA", "LA"):
        assert im.mode == "RGBA" and im.getpixel((10, 10))[3] < 20  # transparency survives


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path):
    src = tmp_path / "deep.png"
    Image.new("I;16", (300, 200), 32768).save(src)
    im = decode(render_thumbnail(str(src), (150, 150))[0]).convert("L")
    assert 110 <= im.getpixel((10, 10)) <= 145  # half of the 16-bit range is mid grey


@pytest.mark.parametrize("name,content", [("garbage.png", b"not an image at all" * 10000),
                                          ("empty.jpg", b""),
                                          ("text.webp", b"RIFF\x00\x00\x00\x00WEBPjunk" * 5000)])
def test_undecodable_files_raise_unsupported_media(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnsupportedMedia) as info:
        render_thumbnail(str(path), (256, 256))
    assert info.value.status == 415 and name in info.value.detail


def test_truncated_png_is_refused_and_not_cached(tmp_path):
    src = noisy_png(tmp_path / "whole.png", (300, 300))
    cut = tmp_path / "cut.png"
    cut.write_bytes(src.read_bytes()[: os.path.getsize(src) // 2])
    cache = ThumbnailCache(tmp_path / "cache")
    with pytest.raises(UnsupportedMedia):
        cache.get(str(cut), os.stat(cut), (128, 128))
    assert not any(p.is_file() for p in (tmp_path / "cache").rglob("*"))


def test_videos_are_not_thumbnailed_as_images(tmp_path):
    video = make_video(tmp_path / "clip.mp4")
    with pytest.raises(UnsupportedMedia) as info:
        ThumbnailCache(tmp_path / "cache").get(str(video), os.stat(video), (256, 256))
    assert "video_cover" in info.value.detail


def test_small_originals_are_sent_as_they_are_with_their_true_type(tmp_path):
    png_named_jpg = solid(tmp_path / "small.JPG", (64, 64), (1, 2, 3), fmt="PNG")
    assert os.path.getsize(png_named_jpg) < SMALL_ORIGINAL
    thumb = ThumbnailCache(tmp_path / "cache").get(str(png_named_jpg), os.stat(png_named_jpg), (32, 32))
    assert thumb.source == "original" and thumb.media_type == "image/png"
    assert thumb.body == png_named_jpg.read_bytes()


def test_cache_hit_and_entry_on_disk(tmp_path):
    src = noisy_png(tmp_path / "a.png", (600, 400))
    cache = ThumbnailCache(tmp_path / "cache")
    first = cache.get(str(src), os.stat(src), (256, 256))
    second = cache.get(str(src), os.stat(src), (256, 256))
    assert (first.source, second.source) == ("generated", "cache")
    assert first.body == second.body and first.etag == second.etag
    entries = [p for p in (tmp_path / "cache" / "thumbnails").rglob("*") if p.is_file()]
    assert len(entries) == 1 and entries[0].suffix == ".webp" and entries[0].read_bytes() == first.body
    assert not any(p.name.startswith(".tmp-") for p in entries)
    other_size = cache.get(str(src), os.stat(src), (128, 128))
    assert other_size.source == "generated" and other_size.etag != first.etag


def test_a_regenerated_file_never_shows_its_old_thumbnail(tmp_path):
    src = solid(tmp_path / "a.png", (400, 400), (250, 0, 0), pad_bytes=80_000)
    cache = ThumbnailCache(tmp_path / "cache")
    red = cache.get(str(src), os.stat(src), (100, 100))
    mtime = os.stat(src).st_mtime_ns
    solid(src, (400, 400), (0, 0, 250), pad_bytes=80_000)  # same size on disk, new content
    os.utime(src, ns=(mtime + 1_000_000_000, mtime + 1_000_000_000))
    blue = cache.get(str(src), os.stat(src), (100, 100))
    assert blue.source == "generated" and blue.etag != red.etag
    assert close_to(decode(red.body).convert("RGB").getpixel((50, 50)), (250, 0, 0))
    assert close_to(decode(blue.body).convert("RGB").getpixel((50, 50)), (0, 0, 250))


def test_replaced_file_with_same_size_and_mtime_is_still_a_new_entry(tmp_path):
    """Replacing by rename (what many generators do) changes the inode even within one mtime tick."""
    src = solid(tmp_path / "a.png", (300, 300), (250, 0, 0), pad_bytes=70_000)
    cache = ThumbnailCache(tmp_path / "cache")
    st = os.stat(src)
    red = cache.get(str(src), st, (100, 100))
    new = solid(tmp_path / "new.png", (300, 300), (0, 250, 0), pad_bytes=70_000)
    os.utime(new, ns=(st.st_atime_ns, st.st_mtime_ns))
    os.replace(new, src)
    st2 = os.stat(src)
    assert st2.st_mtime_ns == st.st_mtime_ns
    green = cache.get(str(src), st2, (100, 100))
    if st2.st_size == st.st_size:
        assert green.etag != red.etag
    assert close_to(decode(green.body).convert("RGB").getpixel((50, 50)), (0, 250, 0))


def test_concurrent_requests_for_one_cold_thumbnail(tmp_path):
    src = noisy_png(tmp_path / "big.png", (1024, 1024))
    cache = ThumbnailCache(tmp_path / "cache")
    results, errors = [], []
    barrier = threading.Barrier(6)

    def worker():
        try:
            barrier.wait()
            results.append(cache.get(str(src), os.stat(src), (256, 256)))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len({r.body for r in results}) == 1 and decode(results[0].body).size == (256, 256)
    assert sorted(r.source for r in results).count("generated") == 1  # the others waited for it
    assert len(cache._locks) == 0


def test_unwritable_cache_still_serves_thumbnails(tmp_path, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    src = noisy_png(tmp_path / "a.png", (300, 300))
    thumb = ThumbnailCache(blocker).get(str(src), os.stat(src), (100, 100))
    assert thumb.source == "generated" and decode(thumb.body).size == (100, 100)
    assert "cannot write thumbnail cache entry" in caplog.text


def test_postscript_is_never_handed_to_ghostscript(tmp_path):
    """Pillow would run Ghostscript to decode EPS; we only open ordinary raster formats."""
    from iib_core.media.thumbnails import open_image

    eps = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 64 64\n" + b"% padding\n" * 8000 + b"showpage\n"
    for name in ("evil.png", "evil.eps"):
        path = tmp_path / name
        path.write_bytes(eps)
        with pytest.raises(UnsupportedMedia):
            ThumbnailCache(tmp_path / "cache").get(str(path), os.stat(path), (64, 64))
    with pytest.raises((UnsupportedMedia, UnidentifiedImageError)):  # Pillow is not allowed to identify EPS
        open_image(str(tmp_path / "evil.eps"))
    assert Image.open(str(tmp_path / "evil.eps")).format == "EPS"  # what plain Image.open would have done


# -- the optional libspng decoder (pyspng) ---------------------------------------------

def _png_variants(tmp_path):
    """PNGs of every kind the fast decoder may see, with what it should do with them."""
    from PIL import PngImagePlugin

    out = {}
    out["rgb"] = noisy_png(tmp_path / "rgb.png", (300, 450), seed=3)
    out["rgba"] = noisy_png(tmp_path / "rgba.png", (300, 450), seed=4, mode="RGBA")
    out["grey"] = noisy_png(tmp_path / "grey.png", (300, 450), seed=5, mode="L")
    pal = Image.open(out["rgb"]).convert("P", palette=Image.ADAPTIVE, colors=64)
    pal.save(tmp_path / "palette.png")
    out["palette"] = tmp_path / "palette.png"
    pal.save(tmp_path / "palette-tr.png", transparency=3)
    out["palette_transparent"] = tmp_path / "palette-tr.png"
    rotated = Image.open(out["rgb"]).copy()
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated.save(tmp_path / "rotated.png", exif=exif.tobytes())
    out["rotated"] = tmp_path / "rotated.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("parameters", "a prompt\nSteps: 20, Sampler: Euler a")
    Image.open(out["rgb"]).save(tmp_path / "with-text.png", pnginfo=info)
    out["with_text"] = tmp_path / "with-text.png"
    return out


def test_fast_png_decoder_gives_the_same_thumbnails_as_pillow(tmp_path, monkeypatch):
    pytest.importorskip("pyspng")
    from iib_core.media import thumbnails

    for name, src in _png_variants(tmp_path).items():
        for box in ((512, 512), (100, 100), (256, 90)):
            monkeypatch.setattr(thumbnails, "FAST_PNG", True)
            fast = render_thumbnail(str(src), box)
            monkeypatch.setattr(thumbnails, "FAST_PNG", False)
            slow = render_thumbnail(str(src), box)
            assert fast[1] == slow[1] == "image/webp"
            a, b = decode(fast[0]), decode(slow[0])
            assert (a.size, a.mode) == (b.size, b.mode), (name, box)
            # Same pixels in, same encoder: the very same bytes.
            assert fast[0] == slow[0], (name, box)
    # Stored sideways (EXIF orientation 6, 300x450 stored): shown 450x300, turned either way.
    assert decode(render_thumbnail(str(tmp_path / "rotated.png"), (100, 100))[0]).size == (100, 67)


def test_fast_png_decoder_takes_only_what_it_decodes_like_pillow(tmp_path, monkeypatch):
    pytest.importorskip("pyspng")
    from iib_core.media import thumbnails
    from iib_core.media.thumbnails import _fast_png, _orientation, open_image

    monkeypatch.setattr(thumbnails, "FAST_PNG", True)
    files = _png_variants(tmp_path)
    for name in ("rgb", "rgba", "grey", "palette", "rotated"):
        with open_image(str(files[name])) as im:
            fast = _fast_png(im, str(files[name]))
            assert fast is not None, name
            decoded, orientation = fast
            assert orientation == (6 if name == "rotated" else 1) == _orientation(im), name
            pillow = im.convert(decoded.mode)
            assert decoded.size == pillow.size and decoded.tobytes() == pillow.tobytes(), name
    deep = tmp_path / "deep.png"
    Image.new("I;16", (30, 20), 32768).save(deep)
    frames = [Image.new("RGB", (40, 30), c) for c in BRIGHT]
    frames[0].save(tmp_path / "anim.png", save_all=True, append_images=frames[1:])
    for path in (deep, tmp_path / "anim.png", solid(tmp_path / "x.jpg", (40, 30), (1, 2, 3)),
                 files["palette_transparent"]):
        with open_image(str(path)) as im:
            assert _fast_png(im, str(path)) is None, path.name  # left to Pillow
    # A PNG libspng refuses (a corrupt IDAT) gets whatever Pillow alone makes of it.
    data = bytearray(files["rgb"].read_bytes())
    idat = data.index(b"IDAT")
    data[idat + 40: idat + 4000] = os.urandom(3960)
    bad = tmp_path / "corrupt.png"
    bad.write_bytes(bytes(data))
    with open_image(str(bad)) as im:
        assert _fast_png(im, str(bad)) is None

    def outcome():
        try:
            return render_thumbnail(str(bad), (128, 128))
        except UnsupportedMedia as exc:
            return exc.status, exc.detail

    fast = outcome()
    monkeypatch.setattr(thumbnails, "FAST_PNG", False)
    assert outcome() == fast


def test_fast_png_decoder_reads_an_orientation_stored_after_the_pixels(tmp_path, monkeypatch):
    """An eXIf chunk may follow IDAT (the PNG spec allows it); the fast path finds it there."""
    pytest.importorskip("pyspng")
    from iib_core.media import thumbnails

    src = noisy_png(tmp_path / "plain.png", (300, 450), seed=9)
    exif = Image.Exif()
    exif[0x0112] = 8
    Image.open(src).save(tmp_path / "with-exif.png", exif=exif.tobytes())
    data = (tmp_path / "with-exif.png").read_bytes()
    start = data.index(b"eXIf") - 4
    chunk = data[start:start + 12 + int.from_bytes(data[start:start + 4], "big")]
    moved = data.replace(chunk, b"")
    iend = moved.index(b"IEND") - 4
    late = tmp_path / "late-exif.png"
    late.write_bytes(moved[:iend] + chunk + moved[iend:])
    assert late.read_bytes().index(b"eXIf") > late.read_bytes().index(b"IDAT")
    monkeypatch.setattr(thumbnails, "FAST_PNG", True)
    fast = render_thumbnail(str(late), (100, 100))[0]
    monkeypatch.setattr(thumbnails, "FAST_PNG", False)
    assert render_thumbnail(str(late), (100, 100))[0] == fast
    assert decode(fast).size == (100, 67)
