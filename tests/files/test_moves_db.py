"""db/moves.py: the index follows moved, renamed, copied and deleted files (SQLite and PostgreSQL)."""
import os

import pytest
from sqlalchemy import select

from iib_core.db import moves as moves_db
from iib_core.db import images as images_db
from iib_core.db import ratings as ratings_db
from iib_core.db import orphans as orphans_db
from iib_core.db import tags as tags_db
from iib_core.db.schema import folders, images, orphaned_marks
from iib_core.indexer import IndexJob

from support.files import a1111_png
from support.substring_oracle import search_substring


@pytest.fixture
def indexed(db, tmp_path):
    """/lib/set/{a,b}.png, /lib/set/deep/c.png, and a sibling /lib/set2/d.png, indexed."""
    root = tmp_path / "lib"
    a1111_png(root / "set" / "a.png", "a red fox", seed=1)
    a1111_png(root / "set" / "b.png", "a blue bird", seed=2)
    a1111_png(root / "set" / "deep" / "c.png", "a green frog", seed=3)
    a1111_png(root / "set2" / "d.png", "a grey wolf", seed=4)
    IndexJob(db, [str(root)], workers=1).run()
    return root


def rows(db):
    with db.read() as conn:
        return {r["path"]: dict(r) for r in conn.execute(select(images)).mappings()}


def mark(db, path, tag="keeper", rating=None):
    with db.write() as conn:
        image = images_db.get_by_path(conn, path)
        tag_id = tags_db.get_or_create_custom(conn, tag)
        tags_db.add_links(conn, [(image["id"], tag_id)])
        if rating is not None:
            ratings_db.set_ratings(conn, {image["id"]: rating})
    return image["id"], tag_id


def custom_tags(db, image_id):
    with db.read() as conn:
        return tags_db.custom_tags_of(conn, [image_id]).get(image_id, [])


def counts_ok(db):
    with db.read() as conn:
        return tags_db.verify_counts(conn) == []


def test_move_file_keeps_id_tags_and_rating(db, indexed):
    old = str(indexed / "set" / "a.png")
    new = str(indexed / "set2" / "renamed.png")
    image_id, tag_id = mark(db, old, rating=4)
    with db.write() as conn:
        assert moves_db.move_file(conn, ["/nowhere/a.png", old], new) == image_id
    after = rows(db)
    assert old not in after
    assert after[new]["id"] == image_id
    assert after[new]["folder"] == str(indexed / "set2") and after[new]["name"] == "renamed.png"
    assert after[new]["rating"] == 4
    assert custom_tags(db, image_id) == [tag_id]
    assert counts_ok(db)


def test_move_file_that_is_not_indexed_returns_none(db, indexed):
    with db.write() as conn:
        assert moves_db.move_file(conn, [str(indexed / "nope.png")], str(indexed / "x.png")) is None
    assert str(indexed / "x.png") not in rows(db)


def test_move_file_replaces_a_row_already_at_the_target(db, indexed):
    a, b = str(indexed / "set" / "a.png"), str(indexed / "set" / "b.png")
    before = rows(db)
    mark(db, b, tag="on-b")
    with db.write() as conn:
        moves_db.move_file(conn, [a], b)  # a overwrote b
    after = rows(db)
    assert after[b]["id"] == before[a]["id"] and a not in after
    assert len(after) == len(before) - 1
    assert counts_ok(db)


def test_move_folder_moves_every_row_below_by_whole_components(db, indexed):
    before = rows(db)
    image_id, tag_id = mark(db, str(indexed / "set" / "deep" / "c.png"), rating=2)
    new_folder = str(indexed / "moved" / "set")
    with db.write() as conn:
        assert moves_db.move_folder(conn, str(indexed / "set"), new_folder) == 3
    after = rows(db)
    assert set(after) == {
        os.path.join(new_folder, "a.png"), os.path.join(new_folder, "b.png"),
        os.path.join(new_folder, "deep", "c.png"), str(indexed / "set2" / "d.png"),  # the sibling stays
    }
    moved_c = after[os.path.join(new_folder, "deep", "c.png")]
    assert moved_c["id"] == image_id and moved_c["folder"] == os.path.join(new_folder, "deep")
    assert moved_c["rating"] == 2 and custom_tags(db, image_id) == [tag_id]
    assert after[str(indexed / "set2" / "d.png")]["id"] == before[str(indexed / "set2" / "d.png")]["id"]
    with db.read() as conn:
        states = {r[0] for r in conn.execute(select(folders.c.path))}
    assert os.path.join(new_folder, "deep") in states and str(indexed / "set" / "deep") not in states
    assert str(indexed / "set2") in states
    assert counts_ok(db)


def test_moved_rows_are_found_by_substring_search(db, indexed):
    with db.write() as conn:
        moves_db.move_folder(conn, str(indexed / "set"), str(indexed / "zebra_album"))
    page = search_substring(db, "zebra_album")
    assert sorted(os.path.basename(r["path"]) for r in page.rows) == ["a.png", "b.png", "c.png"]
    assert search_substring(db, "lib/set/").rows == []


def test_remove_stashes_marks_and_keeps_counts(db, indexed):
    a = str(indexed / "set" / "a.png")
    image_id, tag_id = mark(db, a, rating=5)
    fingerprint = rows(db)[a]["fingerprint"]
    with db.write() as conn:
        assert moves_db.remove_files(conn, [a, "/not/indexed.png"]) == 1
    assert a not in rows(db)
    assert counts_ok(db)
    with db.read() as conn:
        assert orphans_db.take(conn, [fingerprint], remove=False) == {fingerprint: ([tag_id], 5)}


def test_remove_under_removes_the_subtree_only(db, indexed):
    with db.write() as conn:
        assert moves_db.remove_under(conn, str(indexed / "set")) == 3
    assert set(rows(db)) == {str(indexed / "set2" / "d.png")}
    with db.read() as conn:
        assert not conn.execute(select(orphaned_marks)).all()  # nothing was marked: nothing stashed
    assert counts_ok(db)


def test_copy_marks(db, indexed):
    a, d = str(indexed / "set" / "a.png"), str(indexed / "set2" / "d.png")
    _, tag_id = mark(db, a, rating=3)
    with db.write() as conn:
        assert moves_db.copy_marks(conn, [(a, d), ("/missing.png", a)]) == 1
    copy = rows(db)[d]
    assert copy["rating"] == 3 and custom_tags(db, copy["id"]) == [tag_id]
    assert counts_ok(db)
