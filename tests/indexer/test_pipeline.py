"""The cold-index pipeline: worker processes, the writer thread and the bulk write path.

Real files, real worker processes and real SQLite / PostgreSQL databases.
"""
import os
import signal
import threading
import time

import pytest
from sqlalchemy import func, select

from iib_core.db import images as images_db
from iib_core.db import open_database
from iib_core.db import tags as tags_db
from iib_core.db.migrations import FTS_SETTINGS
from iib_core.db.schema import image_tags, images, index_runs
from iib_core.indexer import IndexJob
from iib_core.indexer.workers import WorkerFailed
from support.corpus import make_corpus
from support.substring_oracle import search_substring

N = 2500  # enough for the worker pool (more than INLINE_THRESHOLD) and a run of a few seconds


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("pipeline")
    make_corpus(root, N, seed=23)
    return root


def snapshot(db):
    """Every row (without ids and times) and the tag names of every file, by path."""
    skip = {"id", "indexed_at"}
    with db.read() as conn:
        rows = {r["path"]: {k: v for k, v in r.items() if k not in skip}
                for r in conn.execute(select(images)).mappings()}
        tags = {}
        for path, name, type_ in conn.execute(
                select(images.c.path, tags_db.tags.c.name, tags_db.tags.c.type)
                .join(image_tags, image_tags.c.image_id == images.c.id)
                .join(tags_db.tags, tags_db.tags.c.id == image_tags.c.tag_id)):
            tags.setdefault(path, set()).add((name, type_))
    return rows, tags


def assert_consistent(db):
    with db.read() as conn:
        assert tags_db.verify_counts(conn) == []
        dangling = conn.execute(select(func.count()).select_from(image_tags)
                                .where(image_tags.c.image_id.not_in(select(images.c.id)))).scalar_one()
        assert dangling == 0
        if db.is_sqlite:
            assert conn.exec_driver_sql("PRAGMA foreign_key_check").first() is None
            conn.exec_driver_sql("INSERT INTO images_fts(images_fts, rank) VALUES ('integrity-check', 1)")


def worker_pids():
    """Our live extraction workers (children of this process)."""
    me = str(os.getpid())
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = f.read().rsplit(")", 1)[1].split()[1]
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except OSError:
            continue
        if ppid == me and b"iib_core.indexer.workers" in cmdline:
            pids.append(int(entry))
    return pids


def run_in_thread(job):
    outcome = {}

    def target():
        try:
            outcome["summary"] = job.run()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome["error"] = exc

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def wait_for(predicate, timeout=60.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_worker_pool_gives_the_same_index_as_inline_extraction(db, corpus, tmp_path):
    pooled = IndexJob(db, [str(corpus)], workers=2).run()
    assert pooled.progress.written == N and pooled.progress.parsed == N
    reference = open_database(f"sqlite:///{tmp_path / 'inline.db'}")
    try:
        IndexJob(reference, [str(corpus)], workers=1).run()
        expected_rows, expected_tags = snapshot(reference)
    finally:
        reference.dispose()
    rows, tags = snapshot(db)
    assert rows.keys() == expected_rows.keys() and len(rows) == N
    for path in rows:
        assert rows[path] == expected_rows[path], path
    assert tags == expected_tags
    assert_consistent(db)
    assert worker_pids() == []  # the workers are gone with the run


def test_substring_search_finds_what_the_bulk_path_indexed(db, corpus):
    IndexJob(db, [str(corpus)], workers=2).run()
    with db.read() as conn:
        sample = conn.execute(select(images.c.path, images.c.name, images.c.positive).where(images.c.positive != "")
                              .order_by(images.c.id)).all()[::97]
    assert len(sample) > 10
    for path, name, positive in sample:
        assert path in {r["path"] for r in search_substring(db, name, limit=50).rows}
        needle = positive[len(positive) // 2:][:6]
        found = search_substring(db, needle, limit=N).rows
        assert path in {r["path"] for r in found}, needle
        with db.read() as conn:
            for r in conn.execute(select(images.c.path, images.c.positive, images.c.negative, images.c.params_text)
                                  .where(images.c.id.in_([r["id"] for r in found]))):
                assert needle.lower() in " ".join(r).lower()


def test_cancel_stops_workers_and_writer_and_the_next_run_completes(db, corpus):
    job = IndexJob(db, [str(corpus)], workers=2, progress_interval=0)
    job.on_progress = lambda p: job.cancel() if p.phase == "reading" and p.parsed >= 256 else None
    summary = job.run()
    assert summary.status == "cancelled" and summary.progress.parsed < N
    assert worker_pids() == []
    assert not [t for t in threading.enumerate() if t.name.startswith("iib-")]
    assert_consistent(db)
    final = IndexJob(db, [str(corpus)], workers=2).run()
    assert final.status == "completed"
    with db.read() as conn:
        assert images_db.count(conn) == N
    assert_consistent(db)


def test_a_killed_worker_fails_the_run_cleanly_and_the_next_run_completes(db, corpus):
    job = IndexJob(db, [str(corpus)], workers=2)
    thread, outcome = run_in_thread(job)
    assert wait_for(lambda: len(worker_pids()) == 2 or not thread.is_alive())
    assert thread.is_alive(), "the run ended before a worker could be killed"
    os.kill(worker_pids()[0], signal.SIGKILL)
    thread.join(60)
    assert not thread.is_alive(), "the run hangs after a worker died"
    assert isinstance(outcome.get("error"), WorkerFailed), outcome
    assert wait_for(lambda: worker_pids() == [], 15)
    with db.read() as conn:
        assert conn.execute(select(index_runs.c.status).order_by(index_runs.c.id.desc())).first()[0] == "error"
    assert_consistent(db)
    assert IndexJob(db, [str(corpus)], workers=2).run().status == "completed"
    with db.read() as conn:
        assert images_db.count(conn) == N
    assert_consistent(db)


def test_files_indexed_by_another_job_meanwhile_are_updated_not_duplicated(db, corpus):
    """A file operation may index a folder while a big run is under way."""
    folder = sorted(p for p in corpus.rglob("*") if p.is_dir() and any(p.glob("*.png")))[0]
    job = IndexJob(db, [str(corpus)], workers=2, progress_interval=0)
    done = []

    def meanwhile(progress):
        if progress.phase == "reading" and not done:  # planned, nothing written yet
            done.append(IndexJob(db, [str(folder)], workers=1).run())

    job.on_progress = meanwhile
    summary = job.run()
    assert summary.status == "completed" and done and done[0].progress.written > 0
    with db.read() as conn:
        assert images_db.count(conn) == N
    assert_consistent(db)


def test_bulk_session_leaves_pooled_connections_as_configured(db, corpus):
    IndexJob(db, [str(corpus)], workers=2).run()
    if not db.is_sqlite:
        return
    conns = [db.engine.connect() for _ in range(5)]
    try:
        for conn in conns:
            assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    finally:
        for conn in conns:
            conn.close()
    with db.read() as conn:
        config = dict(conn.exec_driver_sql("SELECT k, v FROM images_fts_config").all())
    for name, value in FTS_SETTINGS:
        assert config[name] == value


def test_link_new_images_keeps_counts_exact_with_gaps_and_existing_links(db):
    now = time.time()
    rows = [(f"/lib/{i}.png", "/lib", f"{i}.png", 1, now, now, 1, 1, "image", "png", None, f"p{i}", "", "{}",
             "", "", None, now) for i in range(6)]
    tag_ids = tags_db.TagIds()
    with db.write() as conn:
        ids = images_db.insert_rows(conn, rows)
        assert len(set(ids)) == 6
        assert images_db.ids_by_path(conn, [r[0] for r in rows]) == {r[0]: i for r, i in zip(rows, ids)}
        a, b, c = tag_ids.ids_of(conn, [("a", "pos"), ("b", "pos"), ("c", "Model")])
        # contiguous ids
        tags_db.link_new_images(conn, ids[:3], [[a, b], [b], [a, b, c]])
        # not contiguous, and one link that exists already
        tags_db.link_new_images(conn, [ids[3], ids[5], ids[0]], [[c], [a], [a, c]])
    with db.read() as conn:
        counts = {t["name"]: t["count"] for t in tags_db.all_tags(conn)}
        assert (counts["a"], counts["b"], counts["c"]) == (3, 3, 3)
        assert tags_db.verify_counts(conn) == []
        assert sorted(tags_db.names_of_image(conn, ids[0])) == [("a", "pos"), ("b", "pos"), ("c", "Model")]
    if db.is_sqlite:
        assert [r["path"] for r in search_substring(db, "p4", limit=10).rows] == ["/lib/4.png"]
        assert {r["path"] for r in search_substring(db, "0.png", limit=10).rows} == {"/lib/0.png"}


def test_a_rescan_that_rereads_many_files_updates_them_in_one_statement(db, tmp_path):
    """Updates reach FTS5 in one statement, in id order: no segment per row, no merge
    storm (an executemany of 1,000 updates once took 6 s at 100,000 rows)."""
    from support.files import a1111_png, set_mtime

    root = tmp_path / "lib"
    files = [a1111_png(root / f"d{i % 4}" / f"{i:03}.png", f"scene {i}, unique{i:03}x", seed=i)
             for i in range(420)]
    IndexJob(db, [str(root)], workers=2).run()
    with db.read() as conn:
        ids_before = {r[0]: r[1] for r in conn.execute(select(images.c.path, images.c.id))}
    for f in files:
        set_mtime(f, os.stat(f).st_mtime + 60)
    again = IndexJob(db, [str(root)], workers=2).run()
    assert again.progress.parsed == 420 and again.progress.written == 420
    with db.read() as conn:
        assert {r[0]: r[1] for r in conn.execute(select(images.c.path, images.c.id))} == ids_before
        if db.is_sqlite:
            segments = conn.exec_driver_sql("SELECT count(DISTINCT segid) FROM images_fts_idx").scalar()
            assert segments <= 3, segments
    assert_consistent(db)
    for i in (0, 211, 419):
        found = search_substring(db, f"unique{i:03}x").rows
        assert [r["path"] for r in found] == [str(files[i])]
