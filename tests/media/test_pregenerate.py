"""Bulk pre-generation: finds the files, fills the same cache the routes read, reports progress."""
import os
import threading

from iib_core.media.pregenerate import find_media, pregenerate_thumbnails, pregenerate_video_covers
from iib_core.media.thumbnails import ThumbnailCache
from iib_core.media.video import VideoCoverCache

from .helpers import make_video, noisy_png, solid


def _tree(tmp_path):
    root = tmp_path / "root"
    noisy_png(root / "a" / "one.png", (300, 300))
    noisy_png(root / "a" / "b" / "two.png", (200, 300))
    solid(root / "tiny.png", (16, 16), (1, 1, 1))  # small original: nothing to store
    (root / "broken.png").write_bytes(b"garbage" * 20000)
    noisy_png(root / ".hidden" / "skip.png", (100, 100))
    make_video(root / "clip.mp4")
    outside = noisy_png(tmp_path / "outside" / "secret.png", (100, 100))
    os.symlink(outside, root / "link.png")
    return root


def test_find_media_walks_roots_only(tmp_path):
    root = _tree(tmp_path)
    images = find_media([str(root), str(root / "a")], "image")
    names = sorted(os.path.basename(p) for p in images)
    assert names == ["broken.png", "one.png", "tiny.png", "two.png"]  # no hidden, no link to outside, no repeats
    assert [os.path.basename(p) for p in find_media([str(root)], "video")] == ["clip.mp4"]


def test_pregenerate_thumbnails_fills_the_route_cache(tmp_path):
    root = _tree(tmp_path)
    calls = []
    main = threading.get_ident()

    def progress(done, total, path):
        calls.append((done, total, os.path.basename(path), threading.get_ident() == main))

    report = pregenerate_thumbnails(tmp_path / "cache", [str(root)], (128, 128), workers=2, progress=progress)
    assert (report.total, report.generated, report.original, report.failed) == (4, 2, 1, 1)
    assert report.errors[0][0].endswith("broken.png") and "cannot" in report.errors[0][1].lower()
    assert [c[0] for c in calls] == [1, 2, 3, 4] and all(c[1] == 4 and c[3] for c in calls)
    cache = ThumbnailCache(tmp_path / "cache")
    one = str(root / "a" / "one.png")
    assert cache.get(one, os.stat(one), (128, 128)).source == "cache"
    again = pregenerate_thumbnails(tmp_path / "cache", [str(root)], (128, 128), workers=2)
    assert (again.generated, again.cached, again.original, again.failed) == (0, 2, 1, 1)
    assert again.as_dict()["total"] == 4


def test_pregenerate_video_covers_and_cancel(tmp_path):
    root = _tree(tmp_path)
    make_video(root / "a" / "second.mp4", black=0)
    report = pregenerate_video_covers(tmp_path / "cache", [str(root)], workers=1)
    assert (report.total, report.generated, report.failed) == (2, 2, 0)
    clip = str(root / "clip.mp4")
    assert VideoCoverCache(tmp_path / "cache").get(clip, os.stat(clip)).source == "cache"
    stopped = pregenerate_thumbnails(tmp_path / "cache2", [str(root)], workers=1, should_stop=lambda: True)
    assert stopped.cancelled and stopped.generated + stopped.original + stopped.failed < stopped.total
