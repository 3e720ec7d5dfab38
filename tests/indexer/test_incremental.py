"""Incremental indexing against real files on SQLite and PostgreSQL."""
import os
import shutil

from sqlalchemy import select

from iib_core.db import images as images_db
from iib_core.db import ratings as ratings_db
from iib_core.db import tags as tags_db
from iib_core.db.schema import images
from iib_core.indexer import IndexJob

from support.files import a1111_png, plain_png, set_mtime


def run(db, root, **kw):
    kw.setdefault("workers", 1)
    return IndexJob(db, [str(root)], **kw).run()


def rows(db):
    with db.read() as conn:
        return {r["path"]: dict(r) for r in conn.execute(select(images)).mappings()}


def assert_counts_consistent(db):
    with db.read() as conn:
        assert tags_db.verify_counts(conn) == []


def tag_names(db, path):
    with db.read() as conn:
        image = images_db.get_by_path(conn, path)
        return tags_db.names_of_image(conn, image["id"])


def add_custom(db, path, name="like", rating=None):
    with db.write() as conn:
        image = images_db.get_by_path(conn, path)
        tag_id = tags_db.get_or_create_custom(conn, name)
        tags_db.add_links(conn, [(image["id"], tag_id)])
        if rating is not None:
            ratings_db.set_ratings(conn, {image["id"]: rating})
    return image["id"]


def test_first_run_indexes_with_prompt_and_auto_tags(db, tmp_path):
    root = tmp_path / "out"
    a = a1111_png(root / "day1" / "a.png", "masterpiece, (red hair:1.2), <lora:detail_v2:0.7>")
    plain_png(root / "day1" / "plain.png")
    (root / "day1" / "notes.md").write_text("not media")
    summary = run(db, root)
    assert summary.status == "completed"
    assert summary.progress.seen == 2 and summary.progress.written == 2
    stored = rows(db)
    assert set(stored) == {str(a), str(root / "day1" / "plain.png")}
    row = stored[str(a)]
    assert row["positive"].startswith("masterpiece, (red hair:1.2)")
    assert row["negative"] == "lowres"
    assert (row["width"], row["height"], row["media_type"], row["format"]) == (16, 24, "image", "png")
    assert row["generator"] == "AUTOMATIC1111"
    names = set(tag_names(db, str(a)))
    assert {("masterpiece", "pos"), ("red hair", "pos"), ("detail_v2", "lora"), ("dreamy_v1", "Model"),
            ("Euler a", "Sampler"), ("16 \u00d7 24", "size"), ("Image", "Media Type"),
            ("AUTOMATIC1111", "Source Identifier")} <= names
    assert stored[str(root / "day1" / "plain.png")]["generator"] is None
    assert_counts_consistent(db)


def test_no_change_rescan_reads_nothing_and_touch_rereads_exactly_those(db, tmp_path):
    root = tmp_path / "out"
    files = [a1111_png(root / f"d{i % 3}" / f"{i:03}.png", f"prompt {i}", seed=i) for i in range(30)]
    assert run(db, root).progress.parsed == 30
    again = run(db, root)
    assert (again.progress.seen, again.progress.parsed, again.progress.written) == (30, 0, 0)
    # Touch 3 files in folders whose own mtime does not change.
    for f in files[:3]:
        set_mtime(f, os.stat(f).st_mtime + 100)
    touched = run(db, root)
    assert touched.progress.parsed == 3 and touched.progress.written == 3
    assert run(db, root).progress.parsed == 0


def test_changed_content_updates_in_place_and_keeps_custom_tags(db, tmp_path):
    root = tmp_path / "out"
    f = a1111_png(root / "a.png", "first prompt")
    run(db, root)
    image_id = add_custom(db, str(f), rating=4)
    a1111_png(f, "second prompt, blue sky", seed=7)
    set_mtime(f, os.stat(f).st_mtime + 10)
    run(db, root)
    row = rows(db)[str(f)]
    assert row["id"] == image_id and row["positive"] == "second prompt, blue sky" and row["rating"] == 4
    names = set(tag_names(db, str(f)))
    assert ("like", "custom") in names and ("blue sky", "pos") in names and ("first prompt", "pos") not in names
    assert_counts_consistent(db)


def test_deleted_files_leave_the_index_and_counts_follow(db, tmp_path):
    root = tmp_path / "out"
    keep = a1111_png(root / "keep.png", "shared tag, only keep")
    gone = a1111_png(root / "gone.png", "shared tag, only gone")
    a1111_png(root / "sub" / "x.png", "in sub")
    run(db, root)
    gone.unlink()
    shutil.rmtree(root / "sub")
    summary = run(db, root)
    assert summary.progress.deleted == 2
    assert set(rows(db)) == {str(keep)}
    with db.read() as conn:
        counts = {(t["name"], t["type"]): t["count"] for t in tags_db.all_tags(conn)}
    assert counts[("shared tag", "pos")] == 1 and counts.get(("only gone", "pos"), 0) == 0
    assert_counts_consistent(db)


def test_moves_and_renames_keep_id_tags_and_rating(db, tmp_path):
    root = tmp_path / "out"
    a = a1111_png(root / "inbox" / "a.png", "cat", seed=1)
    b = a1111_png(root / "inbox" / "b.png", "dog", seed=2)
    run(db, root)
    id_a = add_custom(db, str(a), "like", rating=5)
    id_b = add_custom(db, str(b), "keeper")
    moved_a = root / "sorted" / "cats" / "a.png"
    moved_a.parent.mkdir(parents=True)
    os.rename(a, moved_a)
    renamed_b = root / "inbox" / "b-renamed.png"
    os.rename(b, renamed_b)
    summary = run(db, root)
    assert summary.progress.moved == 2 and summary.progress.deleted == 0
    stored = rows(db)
    assert stored[str(moved_a)]["id"] == id_a and stored[str(moved_a)]["rating"] == 5
    assert stored[str(renamed_b)]["id"] == id_b
    assert ("like", "custom") in tag_names(db, str(moved_a))
    assert ("keeper", "custom") in tag_names(db, str(renamed_b))
    assert_counts_consistent(db)


def test_marks_survive_a_trip_outside_the_roots(db, tmp_path):
    root = tmp_path / "out"
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    f = a1111_png(root / "a.png", "travelling image")
    run(db, root)
    add_custom(db, str(f), "like", rating=3)
    os.rename(f, outside / "a.png")
    assert run(db, root).progress.deleted == 1
    os.rename(outside / "a.png", root / "back.png")
    run(db, root)
    row = rows(db)[str(root / "back.png")]
    assert row["rating"] == 3
    assert ("like", "custom") in tag_names(db, str(root / "back.png"))
    assert_counts_consistent(db)


def test_excluded_folders_are_not_indexed_and_leave_the_index(db, tmp_path):
    root = tmp_path / "out"
    a1111_png(root / "good" / "a.png", "kept")
    a1111_png(root / "thumbs" / "t.png", "thumbnail cache")
    a1111_png(root / ".hidden" / "h.png", "hidden")
    a1111_png(root / "dupes" / "d.png", "duplicate")
    run(db, root, exclude=["thumbs"])
    assert {os.path.relpath(p, root) for p in rows(db)} == {"good/a.png", "dupes/d.png"}
    run(db, root, exclude=["thumbs", str(root / "dupes")])
    assert {os.path.relpath(p, root) for p in rows(db)} == {"good/a.png"}
    assert_counts_consistent(db)


def test_bad_files_are_reported_and_the_run_continues(db, tmp_path, caplog):
    root = tmp_path / "out"
    good = a1111_png(root / "good.png", "fine")
    truncated = root / "truncated.png"
    truncated.write_bytes(good.read_bytes()[:60])
    (root / "empty.png").write_bytes(b"")
    (root / "text.jpg").write_text("this is not a jpeg")
    os.symlink(root / "missing-target.png", root / "broken.png")
    bad_name = os.fsencode(str(root)) + b"/bad-\xff-name.png"
    with open(bad_name, "wb") as f:
        f.write(good.read_bytes())
    with caplog.at_level("WARNING"):
        summary = run(db, root)
    assert summary.status == "completed"
    stored = rows(db)
    assert str(good) in stored and stored[str(good)]["positive"] == "fine"
    assert str(root / "text.jpg") not in stored and str(root / "empty.png") not in stored
    # A name that is not UTF-8 is no bad file: it is indexed like any other (db/pathtext.py).
    assert stored[os.fsdecode(bad_name)]["positive"] == "fine"
    messages = "\n".join(r.getMessage() for r in caplog.records)
    for name in ("broken.png", "text.jpg", "empty.png", "truncated.png"):
        assert name in messages, name
    assert "bad-" not in messages
    assert summary.progress.warnings >= 4
    assert_counts_consistent(db)


def test_progress_is_reported_and_cancel_stops_the_run(db, tmp_path):
    root = tmp_path / "out"
    for i in range(300):
        a1111_png(root / f"f{i // 100}" / f"{i}.png", f"p{i}", seed=i)
    seen = []
    job = IndexJob(db, [str(root)], workers=1, on_progress=lambda p: seen.append(p.as_dict()),
                   progress_interval=0)

    def stop_after_first_batch(p):
        seen.append(p.as_dict())
        if p.phase == "reading" and p.parsed >= 128:
            job.cancel()

    job.on_progress = stop_after_first_batch
    summary = job.run()
    assert summary.status == "cancelled"
    assert any(s["phase"] == "scanning" and s["seen"] > 0 for s in seen)
    assert any(s["phase"] == "reading" and s["to_read"] == 300 for s in seen)
    assert summary.progress.parsed < 300
    # The next run finishes the work.
    final = run(db, root)
    assert final.status == "completed"
    assert len(rows(db)) == 300
    assert_counts_consistent(db)


def test_process_pool_gives_the_same_index_as_inline(db, tmp_path):
    root = tmp_path / "out"
    for i in range(450):
        a1111_png(root / f"f{i // 150}" / f"{i}.png", f"pooled {i}, shared", seed=i)
    summary = run(db, root, workers=2)
    assert summary.progress.parsed == 450 and summary.progress.written == 450
    assert all(r["positive"].startswith("pooled ") for r in rows(db).values())
    assert summary.generators == {"AUTOMATIC1111": 450}
    assert_counts_consistent(db)
