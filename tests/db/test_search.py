"""Substring search: index-backed, case-insensitive, keyset paging without skips or repeats."""
import os

import pytest

from iib_core.indexer import IndexJob
from support.files import a1111_png, plain_png, set_mtime
from support.substring_oracle import search_substring


def index(db, root):
    IndexJob(db, [str(root)], workers=1).run()


def names(page):
    return [r["name"] for r in page.rows]


def test_matches_prompt_negative_params_and_path_case_insensitively(db, tmp_path):
    root = tmp_path / "lib"
    a1111_png(root / "cats" / "a.png", "Fluffy Cat on a sofa", negative="blurry hands")
    a1111_png(root / "dogs" / "b.png", "a dog in the park", negative="extra limbs")
    plain_png(root / "misc" / "sunset-photo.png")
    index(db, root)
    assert names(search_substring(db, "fluffy cat")) == ["a.png"]
    assert names(search_substring(db, "HANDS")) == ["a.png"]
    assert sorted(names(search_substring(db, "dreamy_v1"))) == ["a.png", "b.png"]  # model name
    assert names(search_substring(db, "sunset-ph")) == ["sunset-photo.png"]  # file name
    assert sorted(names(search_substring(db, "dogs/"))) == ["b.png"]  # folder in path
    assert names(search_substring(db, "zebra")) == []
    assert len(search_substring(db, "").rows) == 3


def test_short_needles_and_sql_wildcards_are_literal(db, tmp_path):
    root = tmp_path / "lib"
    a1111_png(root / "a.png", "100% cotton_shirt, \"quoted\" word")
    a1111_png(root / "b.png", "1000 cotton shirts")
    index(db, root)
    assert names(search_substring(db, "100%")) == ["a.png"]
    assert names(search_substring(db, "n_s")) == ["a.png"]
    assert names(search_substring(db, "%")) == ["a.png"]
    assert names(search_substring(db, '"quoted"')) == ["a.png"]
    assert sorted(names(search_substring(db, "10"))) == ["a.png", "b.png"]  # 2 chars: no trigram


def test_paging_never_skips_or_repeats_items_sharing_a_timestamp(db, tmp_path):
    root = tmp_path / "lib"
    for i in range(25):
        f = a1111_png(root / f"{i:02}.png", f"same second {i}", seed=i)
        set_mtime(f, 1_700_000_000 + (i // 10))  # groups of 10 share one second
    index(db, root)
    seen, cursor = [], ""
    while True:
        page = search_substring(db, "same second", limit=4, cursor=cursor)
        seen.extend(names(page))
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == 25 and len(set(seen)) == 25
    mtimes = [os.stat(root / n).st_mtime for n in seen]
    assert mtimes == sorted(mtimes, reverse=True)


def test_folder_and_media_type_filters(db, tmp_path):
    root = tmp_path / "lib"
    a1111_png(root / "keep" / "a.png", "tree")
    a1111_png(root / "keep" / "deep" / "b.png", "tree")
    a1111_png(root / "keepX" / "c.png", "tree")  # sibling with a shared prefix
    a1111_png(root / "other" / "d.png", "tree")
    index(db, root)
    found = names(search_substring(db, "tree", folder_paths=[str(root / "keep")]))
    assert sorted(found) == ["a.png", "b.png"]
    assert names(search_substring(db, "tree", media_type="video")) == []
    assert len(search_substring(db, "tree", media_type="image").rows) == 4


def test_malformed_cursor_is_a_value_error(db):
    with pytest.raises(ValueError):
        search_substring(db, "x", cursor="garbage")


def test_route_search_matches_the_plain_substring_search(db, tmp_path):
    """The route goes through db.query.search_text: same rows, same order, for any needle."""
    from iib_core.db.query import search_text

    root = tmp_path / "lib"
    a1111_png(root / "a.png", "100% cotton_shirt, \"quoted\" word, Red Fox")
    a1111_png(root / "b.png", "1000 cotton shirts, red fox", negative="blurry")
    a1111_png(root / "sub" / "c.png", "a quiet lake")
    plain_png(root / "fox-photo.png")
    index(db, root)
    for needle in ("", "fox", "RED FOX", "100%", "n_s", '"quoted"', "10", "blurry", "sub/", "zzz", "e"):
        for limit in (1, 2, 50):
            expected = search_substring(db, needle, limit=limit)
            got = search_text(db, needle, limit=limit, probe_rows=1)
            assert [r["id"] for r in got.rows] == [r["id"] for r in expected.rows], needle
            assert bool(got.next_cursor) == bool(expected.next_cursor), needle
