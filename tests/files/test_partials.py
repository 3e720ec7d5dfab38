"""Partial copies left by a killed process are swept at the next start.

The sweep itself on a real folder, then a real server process killed with SIGKILL in the
middle of `/copy_files` of a big file and started again.
"""
import hashlib
import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path

import httpx
import pytest

from iib_core.db import open_database
from iib_core.files.disk import PARTIAL_MARK, copy_entry, temp_name_beside
from iib_core.files.partials import GRACE_SECONDS, PartialLedger, is_partial_name, sweep_folder
from support.cli import AppProcess
from support.waiting import wait_until

OLD = time.time() - 2 * GRACE_SECONDS


def _age(path, when=OLD):
    os.utime(path, (when, when), follow_symlinks=False)


def test_partial_names_are_ours_only():
    assert is_partial_name(os.path.basename(temp_name_beside("/x/a.png")))
    assert is_partial_name(".a\nb.png" + PARTIAL_MARK + "0123abcd")
    for name in ("a.png" + PARTIAL_MARK + "0123abcd", ".a.png" + PARTIAL_MARK + "0123abcz",
                 ".a.png" + PARTIAL_MARK + "0123abcd.png", ".a.png.iib-partial", "." + PARTIAL_MARK + "0123abcd"):
        assert not is_partial_name(name), name


def test_sweep_removes_old_partials_only(tmp_path):
    folder = tmp_path / "dest"
    folder.mkdir()
    old_file = folder / (".a.png" + PARTIAL_MARK + "00000001")
    old_file.write_bytes(b"half")
    _age(old_file)
    young_file = folder / (".b.png" + PARTIAL_MARK + "00000002")  # another process copying right now
    young_file.write_bytes(b"half")
    old_dir = folder / (".album" + PARTIAL_MARK + "00000003")
    (old_dir / "sub").mkdir(parents=True)
    (old_dir / "sub" / "x.png").write_bytes(b"x")
    for p in (old_dir / "sub" / "x.png", old_dir / "sub", old_dir):
        _age(p)
    busy_dir = folder / (".busy" + PARTIAL_MARK + "00000004")  # old folder, but a file inside is being written
    busy_dir.mkdir()
    (busy_dir / "big.png").write_bytes(b"growing")
    _age(busy_dir)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.png").write_bytes(b"keep")
    link = folder / (".link" + PARTIAL_MARK + "00000005")  # a link is removed as a link, never followed
    os.symlink(outside, link)
    _age(link)
    lookalike = folder / (".c.png" + PARTIAL_MARK + "nothex00")
    lookalike.write_bytes(b"not ours")
    _age(lookalike)
    user_file = folder / "a.png"
    user_file.write_bytes(b"user")
    _age(user_file)

    removed, young = sweep_folder(str(folder))
    assert sorted(removed) == sorted(map(str, (old_file, old_dir, link)))
    assert young == 2
    assert sorted(os.listdir(folder)) == sorted([young_file.name, busy_dir.name, lookalike.name, "a.png"])
    assert (outside / "keep.png").read_bytes() == b"keep"
    assert sweep_folder(str(tmp_path / "missing")) == ([], 0)


def test_ledger_records_folders_and_forgets_swept_ones(tmp_path):
    db = open_database(f"sqlite:///{tmp_path}/iib.db")
    try:
        ledger = PartialLedger(db)
        src = tmp_path / "a.png"
        src.write_bytes(b"png")
        for name in ("d1", "d2", "bad\udcffdir"):
            (tmp_path / name).mkdir()
            copy_entry(str(src), str(tmp_path / name / "a.png"), record=ledger.record)
        assert ledger.folders() == [str(tmp_path / n) for n in ("d1", "d2", "bad\udcffdir")]
        young = tmp_path / "d2" / (".z.png" + PARTIAL_MARK + "0000000a")
        young.write_bytes(b"")
        old = tmp_path / "bad\udcffdir" / (".z.png" + PARTIAL_MARK + "0000000b")
        old.write_bytes(b"")
        _age(old)
        assert PartialLedger(db).sweep() == [str(old)]
        assert ledger.folders() == [str(tmp_path / "d2")]  # still holds a young partial
        assert young.exists() and (tmp_path / "d1" / "a.png").read_bytes() == b"png"
    finally:
        db.dispose()


def _sha(path: Path) -> str:
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


class Server(AppProcess):
    def __init__(self, tmp_path: Path, db_url: str, library: Path) -> None:
        env = dict(os.environ, IIB_DB_URL=db_url, IIB_CACHE_DIR=str(tmp_path / "cache"))
        super().__init__("--extra_paths", str(library), cwd=tmp_path, env=env)


def _kill_during_copy(tmp_path, db_url, library, src, dest):
    """Start a server, ask it to copy `src` into `dest`, and SIGKILL it (after freezing it
    with SIGSTOP) while the partial copy exists. Returns the partial's path, or None when the
    copy finished before it could be caught."""
    server = Server(tmp_path, db_url, library)
    errors = []

    def copy():
        try:
            httpx.post(server.base + "/copy_files", json={"file_paths": [str(src)], "dest": str(dest)}, timeout=120)
        except httpx.HTTPError as exc:  # the server dies under the request
            errors.append(exc)

    thread = threading.Thread(target=copy, daemon=True)
    thread.start()
    partial = None
    deadline = time.time() + 60
    try:
        while partial is None and thread.is_alive() and time.time() < deadline:
            partial = next((dest / n for n in os.listdir(dest) if is_partial_name(n)), None)
        if partial is not None:
            os.kill(server.proc.pid, signal.SIGSTOP)  # frozen: the copy cannot finish now
            if not partial.exists():
                partial = None
    finally:
        server.kill()
        thread.join(timeout=30)
    return partial


def test_a_copy_killed_half_way_leaves_a_partial_that_the_next_start_removes(tmp_path, db_url):
    library = tmp_path / "library"
    dest = library / "dest"
    dest.mkdir(parents=True)
    src = library / "big.bin"
    size = 256 << 20
    partial = None
    for _attempt in range(4):  # a big enough file makes the copy slow enough to be caught
        with open(src, "wb") as f:
            f.write(b"head")
            f.truncate(size)
            f.seek(size - 4)
            f.write(b"tail")
        digest = _sha(src)
        partial = _kill_during_copy(tmp_path, db_url, library, src, dest)
        if partial is not None:
            break
        for name in os.listdir(dest):
            os.unlink(dest / name)
        size *= 2
    assert partial is not None, "every copy finished before it could be killed"
    assert partial.exists() and partial.stat().st_size < src.stat().st_size

    # An hour later (as far as the sweep can tell), a second process is copying into the same folder.
    _age(partial)
    other = dest / (".other.png" + PARTIAL_MARK + "0123abcd")
    other.write_bytes(b"in progress")
    server = Server(tmp_path, db_url, library)
    try:
        wait_until(lambda: not partial.exists(), timeout=30, message="the partial copy to be swept after the restart")
        assert other.exists(), "a young partial (another process's copy in progress) must stay"
        assert not (dest / "big.bin").exists()
        assert _sha(src) == digest and src.stat().st_size == size
        # The server still copies normally afterwards, and leaves nothing behind.
        small = library / "small.txt"
        small.write_text("hello")
        r = httpx.post(server.base + "/copy_files", json={"file_paths": [str(small)], "dest": str(dest)}, timeout=30)
        assert r.status_code == 200, r.text
        assert sorted(os.listdir(dest)) == sorted([other.name, "small.txt"])
    finally:
        server.stop()


def test_moves_across_file_systems_and_the_trash_record_their_folders(tmp_path):
    """Only a copy creates a temporary name: a rename records nothing, a move to another file
    system (here the trash on /dev/shm) records the folder it copied into."""
    from iib_core.files.disk import move_entry
    from iib_core.files.trash import Trash

    shm = "/dev/shm"
    if not os.path.isdir(shm) or os.stat(shm).st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("no second file system at /dev/shm")
    db = open_database(f"sqlite:///{tmp_path}/iib.db")
    other = tempfile.mkdtemp(prefix="iib-partials-", dir=shm)
    try:
        ledger = PartialLedger(db)
        (tmp_path / "a.png").write_bytes(b"a")
        move_entry(str(tmp_path / "a.png"), str(tmp_path / "b.png"), record=ledger.record)  # a rename
        assert ledger.folders() == []
        item = Trash(Path(other) / "trash", ledger.record).put(str(tmp_path / "b.png"))
        payload = str(Path(other) / "trash" / item.id / "files")
        assert ledger.folders() == [payload] and os.listdir(payload) == ["b.png"]
    finally:
        db.dispose()
        shutil.rmtree(other, ignore_errors=True)
