"""Batch-download archives: names, contents, compression, atomic naming, flat memory."""
import os
import tracemalloc
import zipfile

import pytest

from iib_core.errors import Forbidden, NotFound
from iib_core.media.zipstream import archive_names, write_zip


def test_archive_names_never_collide():
    names = archive_names(["/a/x.png", "/b/x.png", "/c/X.PNG", "/d/x (1).png", "/e/y", "/f/y"])
    assert names == ["x.png", "x (1).png", "X (2).PNG", "x (1) (1).png", "y", "y (1)"]
    assert len({n.casefold() for n in names}) == len(names)


def _files(tmp_path):
    a = tmp_path / "one" / "same.png"
    b = tmp_path / "two" / "same.png"
    c = tmp_path / "two" / "notes.txt"
    for path, data in ((a, b"A" * 5000), (b, os.urandom(3000)), (c, "héllo".encode())):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return [str(a), str(b), str(c)]


def test_stored_archive_reads_back(tmp_path):
    files = _files(tmp_path)
    archive = write_zip(files + [files[0]], tmp_path / "zips", compress=False, when=0)
    assert archive.name.startswith("iib_batch_download_") and archive.suffix == ".zip"
    with zipfile.ZipFile(archive) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == ["same.png", "same (1).png", "notes.txt"]  # the repeated path is added once
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_STORED}
        for name, path in zip(zf.namelist(), files):
            assert zf.read(name) == open(path, "rb").read()
    assert [p.name for p in (tmp_path / "zips").iterdir()] == [archive.name]  # no temporary leftovers


def test_compressed_archive_and_unique_names_in_one_second(tmp_path):
    files = _files(tmp_path)
    first = write_zip(files, tmp_path / "zips", compress=True, when=1_700_000_000)
    second = write_zip(files, tmp_path / "zips", compress=True, when=1_700_000_000)
    assert first != second and first.exists() and second.exists()
    with zipfile.ZipFile(second) as zf:
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        assert zf.getinfo("same.png").compress_size < 200  # 5000 equal bytes deflate well
        assert zf.read("notes.txt").decode() == "héllo"


def test_big_files_are_copied_in_blocks_not_loaded(tmp_path):
    big = tmp_path / "big.bin"
    with open(big, "wb") as f:
        for _ in range(24):
            f.write(os.urandom(1024 * 1024))
    tracemalloc.start()
    try:
        archive = write_zip([str(big)], tmp_path / "zips", compress=False)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 6 * 1024 * 1024, peak  # a 24 MiB member, a few MiB at most in memory
    with zipfile.ZipFile(archive) as zf:
        assert zf.getinfo("big.bin").file_size == 24 * 1024 * 1024


def test_missing_or_unreadable_member_leaves_nothing(tmp_path):
    files = _files(tmp_path)
    with pytest.raises(NotFound):
        write_zip(files + [str(tmp_path / "gone.png")], tmp_path / "zips", compress=False)
    assert list((tmp_path / "zips").iterdir()) == []
    if os.geteuid() != 0:  # root reads anything
        os.chmod(files[1], 0)
        with pytest.raises(Forbidden):
            write_zip(files, tmp_path / "zips", compress=False)
        assert list((tmp_path / "zips").iterdir()) == []
