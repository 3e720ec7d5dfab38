"""iib_core.files without HTTP: safe moves across file systems, the trash, listings."""
import json
import os
import shutil
import tempfile
import time

import pytest

from iib_core.errors import BadInput, Conflict, NotFound
from iib_core.files.disk import PARTIAL_MARK, copy_entry, move_entry, sidecar_of
from iib_core.files.listing import DateFormatter, human_size, list_folder, top_media
from iib_core.files.operations import validate_name
from iib_core.files.trash import Trash

SHM = "/dev/shm"


def other_filesystem(tmp_path):
    """A folder on another file system than tmp_path, or skip."""
    if not os.path.isdir(SHM) or not os.access(SHM, os.W_OK):
        pytest.skip("/dev/shm is missing or not writable: no second file system to move across")
    if os.stat(SHM).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("/dev/shm is on the same file system as the temporary folder")
    folder = tempfile.mkdtemp(prefix="iib-test-", dir=SHM)
    return folder


@pytest.fixture
def shm(tmp_path):
    folder = other_filesystem(tmp_path)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def tree(root):
    out = {}
    for folder, dirs, names in os.walk(root):
        for n in dirs + names:
            p = os.path.join(folder, n)
            st = os.lstat(p)
            out[os.path.relpath(p, root)] = (0 if os.path.isdir(p) else st.st_size, st.st_mode)
    return out


def test_human_size_and_dates():
    assert human_size(0) == "0B"
    assert human_size(343) == "343.00 B"
    assert human_size(1923702) == "1.83 MB"
    assert human_size(5 * 1024 ** 4) == "5.00 TB"
    fmt = DateFormatter()
    stamp = time.mktime((2026, 2, 8, 21, 44, 21, 0, 0, -1)) + 0.9
    assert fmt(stamp) == "2026-02-08 21:44:21"


def test_move_across_file_systems_leaves_one_copy(tmp_path, shm):
    src = tmp_path / "a.png"
    src.write_bytes(b"png-bytes" * 100)
    os.utime(src, (1_700_000_000, 1_700_000_000))
    target = os.path.join(shm, "a.png")
    move_entry(str(src), target)
    assert not src.exists()
    assert open(target, "rb").read() == b"png-bytes" * 100
    assert int(os.stat(target).st_mtime) == 1_700_000_000  # times kept
    assert not [n for n in os.listdir(shm) if PARTIAL_MARK in n]


def test_folder_move_across_file_systems(tmp_path, shm):
    src = tmp_path / "album"
    (src / "deep").mkdir(parents=True)
    (src / "x.png").write_bytes(b"x")
    (src / "deep" / "y.png").write_bytes(b"yy")
    os.symlink("x.png", src / "link.png")
    expected = tree(src)
    target = os.path.join(shm, "album")
    move_entry(str(src), target)
    assert not src.exists()
    assert tree(target) == expected
    assert os.readlink(os.path.join(target, "link.png")) == "x.png"


def test_failed_copy_across_file_systems_leaves_nothing_behind(tmp_path, shm):
    src = tmp_path / "album"
    src.mkdir()
    (src / "x.png").write_bytes(b"x")
    os.mkfifo(src / "pipe")  # copytree cannot copy a named pipe
    before = tree(src)
    with pytest.raises(OSError):
        move_entry(str(src), os.path.join(shm, "album"))
    assert tree(src) == before  # the source is untouched
    assert os.listdir(shm) == []  # and the partial copy is gone


def test_refuses_to_overwrite_unless_asked(tmp_path):
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    a.write_bytes(b"A")
    b.write_bytes(b"B")
    with pytest.raises(Conflict) as exc:
        move_entry(str(a), str(b))
    assert str(b) in exc.value.detail
    with pytest.raises(Conflict):
        copy_entry(str(a), str(b))
    assert a.read_bytes() == b"A" and b.read_bytes() == b"B"
    move_entry(str(a), str(b), overwrite=True)
    assert not a.exists() and b.read_bytes() == b"A"
    (tmp_path / "folder").mkdir()
    with pytest.raises(Conflict):
        copy_entry(str(b), str(tmp_path / "folder"), overwrite=True)


def test_sidecar_only_for_media_files(tmp_path):
    (tmp_path / "a.png").write_bytes(b"")
    (tmp_path / "a.txt").write_text("prompt")
    (tmp_path / "notes.md").write_text("")
    (tmp_path / "notes.txt").write_text("")
    assert sidecar_of(str(tmp_path / "a.png")) == str(tmp_path / "a.txt")
    assert sidecar_of(str(tmp_path / "a.txt")) is None
    assert sidecar_of(str(tmp_path / "notes.md")) is None


@pytest.mark.parametrize("name", ["", "  ", "a/b.png", "a\\b.png", "..", "../x.png", "x..png", ".", "a\x00b"])
def test_bad_names_are_refused(name):
    with pytest.raises(BadInput):
        validate_name(name)


def test_good_names_pass():
    for name in ("b.png", ".hidden.png", "名前.webp", "a b.png"):
        assert validate_name(name) == name


def test_trash_roundtrip_with_sidecar(tmp_path):
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / "a.png").write_bytes(b"A")
    (folder / "a.txt").write_text("prompt")
    trash = Trash(tmp_path / "trash")
    item = trash.put(str(folder / "a.png"), [str(folder / "a.txt")])
    assert os.listdir(folder) == []
    [listed] = trash.items()
    assert listed.id == item.id and listed.original_path == str(folder / "a.png") and listed.bytes == 1
    manifest = json.loads((tmp_path / "trash" / item.id / "manifest.json").read_text())
    assert manifest["entries"][1] == {"stored": "a.txt", "original_path": str(folder / "a.txt")}
    (folder / "a.png").write_bytes(b"new")
    with pytest.raises(Conflict):
        trash.restore(trash.get(item.id))
    assert trash.items()[0].id == item.id  # still there after the refusal
    os.unlink(folder / "a.png")
    assert trash.restore(trash.get(item.id)) == [str(folder / "a.png"), str(folder / "a.txt")]
    assert (folder / "a.png").read_bytes() == b"A" and (folder / "a.txt").read_text() == "prompt"
    assert trash.items() == []
    with pytest.raises(NotFound):
        trash.get(item.id)


def test_trash_restores_into_a_folder_that_is_gone(tmp_path):
    folder = tmp_path / "gone" / "deeper"
    folder.mkdir(parents=True)
    (folder / "a.png").write_bytes(b"A")
    trash = Trash(tmp_path / "trash")
    item = trash.put(str(folder / "a.png"))
    shutil.rmtree(tmp_path / "gone")
    trash.restore(item)
    assert (folder / "a.png").read_bytes() == b"A"


def test_trash_ignores_half_items_and_bad_ids(tmp_path):
    trash = Trash(tmp_path / "trash")
    half = tmp_path / "trash" / "20260101-000000-0123abcd"
    half.mkdir(parents=True)
    (half / "manifest.json").write_text(json.dumps({
        "id": half.name, "type": "file", "name": "x.png", "original_path": "/x.png", "deleted_at": 1,
        "entries": [{"stored": "x.png", "original_path": "/x.png"}]}))
    assert trash.items() == []  # the file never arrived
    (half / "files").mkdir()
    (half / "files" / "x.png").write_bytes(b"")
    assert [i.id for i in trash.items()] == [half.name]
    for bad in ("../etc", "20260101-000000-0123abcd/..", "x"):
        with pytest.raises(BadInput):
            trash.get(bad)
    evil = tmp_path / "trash" / "20260101-000000-deadbeef"
    (evil / "files").mkdir(parents=True)
    (evil / "manifest.json").write_text(json.dumps({
        "id": evil.name, "type": "file", "name": "x", "original_path": "/x", "deleted_at": 1,
        "entries": [{"stored": "../../x", "original_path": "/x"}]}))
    assert [i.id for i in trash.items()] == [half.name]  # a manifest naming paths outside is ignored


def test_trash_moves_across_file_systems(tmp_path, shm):
    (tmp_path / "a.png").write_bytes(b"A")
    trash = Trash(os.path.join(shm, "trash"))
    item = trash.put(str(tmp_path / "a.png"))
    assert not (tmp_path / "a.png").exists()
    trash.restore(item)
    assert (tmp_path / "a.png").read_bytes() == b"A"


def test_listing_filters_symlinks_and_marks_broken_ones(tmp_path):
    inside = tmp_path / "root"
    inside.mkdir()
    (inside / "a.png").write_bytes(b"abc")
    (inside / "sub").mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"s")
    os.symlink(outside / "secret.png", inside / "to-secret.png")
    os.symlink(inside / "a.png", inside / "to-a.png")
    os.symlink(outside, inside / "to-outside")
    os.symlink(tmp_path / "missing", inside / "broken.png")
    allowed = lambda real: real == str(inside) or real.startswith(str(inside) + os.sep)  # noqa: E731
    nodes = {n["name"]: n for n in list_folder(str(inside), str(inside), under_scanned=True, allowed=allowed)}
    assert set(nodes) == {"a.png", "sub", "to-a.png"}  # the broken link points outside: not shown
    assert nodes["sub"]["type"] == "dir" and nodes["sub"]["size"] == "-" and "bytes" not in nodes["sub"]
    assert nodes["to-a.png"]["bytes"] == 3
    everything = {n["name"]: n for n in list_folder(str(inside), "/shown", under_scanned=False)}
    assert set(everything) == {"a.png", "sub", "to-a.png", "to-secret.png", "to-outside", "broken.png"}
    assert everything["broken.png"]["special"] == "broken_link" and everything["broken.png"]["type"] == "file"
    assert not any("special" in n for name, n in everything.items() if name != "broken.png")


def test_top_media_newest_created_first(tmp_path):
    for i, name in enumerate(["1.png", "2.mp4", "3.mp3", "4.webp", "5.jpg", "notes.txt"]):
        (tmp_path / name).write_bytes(b"x")
        time.sleep(0.02)  # distinct creation (inode change) times
    (tmp_path / "folder.png").mkdir()
    items = top_media(str(tmp_path), str(tmp_path))
    assert [i["name"] for i in items] == ["5.jpg", "4.webp", "3.mp3", "2.mp4"]
    assert [i["media_type"] for i in items] == ["image", "image", "image", "video"]
    assert set(items[0]) == {"fullpath", "media_type", "type", "date", "created_time", "name"}
