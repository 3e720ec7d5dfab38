"""A run killed with SIGKILL half-way leaves a consistent index that the next run completes."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from iib_core.db import open_database
from iib_core.db import images as images_db
from iib_core.db import tags as tags_db
from iib_core.db.schema import image_tags, images
from support.corpus import make_corpus

PROJECT = Path(__file__).resolve().parents[2]
N = 6000


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("killcorpus")
    manifest = make_corpus(root, N, seed=11)
    return root, manifest


_TOKEN = f"iib-kill-test-{os.getpid()}-{time.time_ns()}"


def _env(db_url):
    env = dict(os.environ)
    env["IIB_KILL_TEST_TOKEN"] = _TOKEN  # marks the processes of these runs, workers included
    env["IIB_DB_URL"] = db_url
    env["IIB_CACHE_DIR"] = str(Path(db_url.split("///")[-1]).parent / "cache") if db_url.startswith("sqlite") else "/tmp/iib-kill-cache"
    return env


def _start_index(db_url, root):
    return subprocess.Popen(
        [sys.executable, str(PROJECT / "app.py"), "--extra_paths", str(root), "--update_image_index", "--index_only",
         "--workers", "2"],
        cwd=str(PROJECT), env=_env(db_url), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )


def _kill_when(proc, db, predicate, timeout=60.0):
    """SIGKILL the run as soon as `predicate(conn)` holds; fail if it finished first."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        assert proc.poll() is None, "the run finished before it could be killed: make the corpus larger"
        try:
            with db.read() as conn:
                if predicate(conn):
                    break
        except Exception:
            pass  # the schema may not exist yet
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL
    # Its extraction workers notice (end of their input) and exit: none is left behind.
    deadline = time.time() + 20
    while _leftover_workers() and time.time() < deadline:
        time.sleep(0.1)
    assert _leftover_workers() == []


def _leftover_workers():
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/environ", "rb") as f:
                if _TOKEN.encode() not in f.read():
                    continue
            with open(f"/proc/{entry}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue  # exited, waiting to be reaped
        except OSError:
            continue
        found.append(int(entry))
    return found


def _assert_consistent(db):
    with db.read() as conn:
        if db.is_sqlite:
            assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").first() is None
            # The FTS index agrees with the table it indexes.
            conn.exec_driver_sql("INSERT INTO images_fts(images_fts, rank) VALUES ('integrity-check', 1)")
        orphans = conn.execute(
            select(func.count()).select_from(image_tags).where(image_tags.c.image_id.not_in(select(images.c.id)))
        ).scalar_one()
        assert orphans == 0
        assert tags_db.verify_counts(conn) == []


def _count(conn):
    return images_db.count(conn)


def test_sigkill_half_way_then_next_run_completes_and_keeps_custom_tags(db_url, corpus, tmp_path):
    root, manifest = corpus
    # Index on a copy we may rename folders in (hard links keep it cheap).
    work = tmp_path / "lib"
    subprocess.run(["cp", "-al", str(root), str(work)], check=True)
    db = open_database(db_url)
    try:
        # 1. A cold run killed after its first batches were committed.
        proc = _start_index(db_url, work)
        _kill_when(proc, db, lambda c: _count(c) >= 1000)
        _assert_consistent(db)
        with db.read() as conn:
            partial = _count(conn)
        assert 1000 <= partial < N

        # 2. The next run completes the index.
        done = subprocess.run([sys.executable, str(PROJECT / "app.py"), "--extra_paths", str(work),
                               "--update_image_index", "--index_only"], cwd=str(PROJECT), env=_env(db_url),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        _assert_consistent(db)
        with db.read() as conn:
            assert _count(conn) == N

        # 3. Tag files, move their folders, and kill the run that applies the moves.
        with db.write() as conn:
            like = tags_db.get_or_create_custom(conn, "like")
            tagged = conn.execute(select(images.c.id, images.c.fingerprint).order_by(images.c.id)
                                  .where(images.c.id % 7 == 0)).all()
            tags_db.add_links(conn, [(i, like) for i, _ in tagged])
        tagged_fps = sorted(fp for _, fp in tagged)
        assert len(tagged_fps) > 500
        folders = sorted({os.path.dirname(p) for p in (str(work / f["path"]) for f in manifest["files"])})
        for folder in folders:
            os.rename(folder, folder + "-moved")
        proc = _start_index(db_url, work)
        _kill_when(proc, db, lambda c: c.execute(
            select(func.count()).select_from(images).where(images.c.path.like("%-moved/%"))).scalar_one() >= 200)
        _assert_consistent(db)
        done = subprocess.run([sys.executable, str(PROJECT / "app.py"), "--extra_paths", str(work),
                               "--update_image_index", "--index_only"], cwd=str(PROJECT), env=_env(db_url),
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        _assert_consistent(db)
        with db.read() as conn:
            assert _count(conn) == N
            assert conn.execute(select(func.count()).select_from(images)
                                .where(images.c.path.not_like("%-moved/%"))).scalar_one() == 0
            still_tagged = sorted(fp for (fp,) in conn.execute(
                select(images.c.fingerprint).join(image_tags, image_tags.c.image_id == images.c.id)
                .where(image_tags.c.tag_id == like)))
        assert still_tagged == tagged_fps
    finally:
        db.dispose()
