"""The indexer and names that are not UTF-8 (or otherwise odd), on SQLite and PostgreSQL:
indexed, found again unchanged by the next run, followed when moved, dropped when gone."""
import os
import shutil

from sqlalchemy import select

from iib_core.db import images as images_db
from iib_core.db.pathtext import to_db
from iib_core.db.schema import images
from iib_core.indexer import IndexJob

from support.files import a1111_png

NAMES = [os.fsdecode(b"bad\xffname.png"), "ctl\x01\nline.png", "\u00e9" * 125 + "a.png", "caf\u00e9.png",
         "cafe\u0301.png", "esc\ufdd0DCFF.png"]  # the last one looks like the stored form of a byte


def run(db, root):
    return IndexJob(db, [str(root)], workers=1).run()


def stored(db):
    with db.read() as conn:
        return {r["path"]: (r["folder"], r["name"], r["positive"]) for r in conn.execute(select(images)).mappings()}


def test_odd_names_are_indexed_rescanned_moved_and_dropped(db, tmp_path):
    root = tmp_path / "out"
    folder = root / os.fsdecode(b"dir\xfe")
    for i, name in enumerate(NAMES):
        a1111_png(folder / name, f"prompt {i}", seed=i + 1)
    summary = run(db, root)
    assert summary.status == "completed" and summary.progress.written == len(NAMES)
    assert stored(db) == {str(folder / n): (str(folder), n, f"prompt {i}") for i, n in enumerate(NAMES)}
    # Each path is stored once, distinctly (the U+FDD0 name does not collide with the byte).
    assert len({to_db(str(folder / n)) for n in NAMES}) == len(NAMES)

    again = run(db, root)  # nothing changed: nothing read, written or deleted
    assert (again.progress.parsed, again.progress.written, again.progress.deleted) == (0, 0, 0)

    with db.read() as conn:
        ids = {p: images_db.get_by_path(conn, p)["id"] for p in stored(db)}
    moved = root / os.fsdecode(b"moved\xfd")
    shutil.move(os.fsencode(str(folder)), os.fsencode(str(moved)))
    summary = run(db, root)
    assert summary.progress.moved == len(NAMES) and summary.progress.deleted == 0
    after = stored(db)
    assert set(after) == {str(moved / n) for n in NAMES}
    with db.read() as conn:
        assert {images_db.get_by_path(conn, str(moved / n))["id"] for n in NAMES} == set(ids.values())

    os.unlink(os.fsencode(str(moved / NAMES[0])))
    summary = run(db, root)
    assert summary.progress.deleted == 1 and str(moved / NAMES[0]) not in stored(db)
    assert len(stored(db)) == len(NAMES) - 1
