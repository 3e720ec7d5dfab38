"""Tag listing by type, custom tag renames and the rating filter of tag matching, on a real
index (SQLite and PostgreSQL) built by IndexJob from real files."""
import pytest

from iib_core.db import custom_tags as custom_tags_db
from iib_core.db import images as images_db
from iib_core.db import ratings as ratings_db
from iib_core.db import tags as tags_db
from iib_core.db.tag_match import match_images
from iib_core.indexer import IndexJob
from support.files import a1111_png


@pytest.fixture
def lib(db, tmp_path):
    root = tmp_path / "lib"
    paths = {
        "a": a1111_png(root / "a.png", "Red Fox, snow, 100%_sure", seed=1),
        "b": a1111_png(root / "b.png", "red fox, forest", seed=2),
        "c": a1111_png(root / "c.png", "blue whale, snow", seed=3),
    }
    IndexJob(db, [str(root)], workers=1).run()
    with db.read() as conn:
        ids = images_db.ids_by_path(conn, [str(p) for p in paths.values()])
    return {k: ids[str(p)] for k, p in paths.items()}


def match(db, *tag_sets, **kw):
    with db.read() as conn:
        return match_images(conn, *tag_sets, **kw)


def groups_of(db, **kw):
    with db.read() as conn:
        return {g["type"]: g for g in custom_tags_db.tag_groups(conn, **kw)}


def test_groups_hold_counts_most_used_first(db, lib):
    groups = groups_of(db)
    pos = groups["pos"]
    assert [(t["name"], t["count"]) for t in pos["tags"][:2]] == [("red fox", 2), ("snow", 2)]
    assert pos["total"] == 5 and len(pos["tags"]) == 5
    assert groups["Model"]["tags"][0]["name"] == "dreamy_v1" and groups["Model"]["tags"][0]["count"] == 3
    page = groups_of(db, types=["pos"], limit=2, offset=2)
    assert list(page) == ["pos"] and [t["name"] for t in page["pos"]["tags"]] == [t["name"] for t in pos["tags"][2:4]]


def test_filter_is_case_insensitive_and_literal(db, lib):
    assert {t["name"] for g in groups_of(db, query="FOX").values() for t in g["tags"]} == {"red fox"}
    assert {t["name"] for g in groups_of(db, query="100%").values() for t in g["tags"]} == {"100% sure"}
    assert groups_of(db, query="0%_") == {}
    assert {t["name"] for g in groups_of(db, query="whale", names=["forest"]).values() for t in g["tags"]} == {
        "blue whale", "forest"}


def test_auto_tags_no_file_carries_are_hidden_custom_tags_are_not(db, lib):
    with db.write() as conn:
        custom_tags_db.create_custom(conn, "unused")
        tags_db.drop_links_of_images(conn, [lib["c"]])
    groups = groups_of(db)
    assert "blue whale" not in {t["name"] for t in groups["pos"]["tags"]}
    assert "unused" in {t["name"] for t in groups["custom"]["tags"]}


def test_rename_custom(db, lib):
    with db.write() as conn:
        a = custom_tags_db.create_custom(conn, "one")
        b = custom_tags_db.create_custom(conn, "two")
        custom_tags_db.link(conn, [lib["a"]], a["id"])
        assert custom_tags_db.rename_custom(conn, a["id"], "two") is None
        renamed = custom_tags_db.rename_custom(conn, a["id"], "uno")
    assert renamed["name"] == "uno" and renamed["count"] == 1
    assert [r["path"].endswith("a.png") for r in match(db, [a["id"]]).rows] == [True]
    assert [r["id"] for r in match(db, [b["id"]]).rows] == []


def test_min_rating(db, lib):
    with db.write() as conn:
        ratings_db.set_rating(conn, lib["a"], 4)
        ratings_db.set_rating(conn, lib["b"], 2)
    assert {r["id"] for r in match(db, min_rating=2).rows} == {lib["a"], lib["b"]}
    assert {r["id"] for r in match(db, min_rating=3).rows} == {lib["a"]}
    assert {r["id"] for r in match(db, min_rating=3, random_sort=True).rows} == {lib["a"]}
    assert {r["id"] for r in match(db).rows} == set(lib.values())


def test_pages_with_and_without_a_filter_match_a_plain_reference(db):
    """Both query paths (ordered index reads per type; one ranked pass when a filter is given)
    return the same pages as sorting the table in Python."""
    from iib_core.db.schema import tags

    rows = [{"name": f"{kind[:2]}{i:03d}{'x' if i % 3 else 'y'}", "type": kind, "color": "", "count": (i * 7) % 11}
            for kind in ("Model", "Lora", "Sampler") for i in range(60)]
    with db.write() as conn:
        conn.execute(tags.insert(), rows)
    rows.append({"name": "like", "type": "custom", "color": "", "count": 0})  # made with the database

    def reference(query="", limit=50, offset=0):
        kept = [r for r in rows if (r["count"] > 0 or r["type"] == "custom") and query.lower() in r["name"].lower()]
        out = {}
        for r in sorted(kept, key=lambda r: (-r["count"], r["name"])):
            out.setdefault(r["type"], []).append(r["name"])
        return {k: (len(v), v[offset:offset + limit]) for k, v in out.items()}

    for query in ("", "y", "mo0", "LO01", "nothing"):
        for limit, offset in ((50, 0), (7, 0), (7, 14), (10, 50)):
            got = {k: (g["total"], [t["name"] for t in g["tags"]])
                   for k, g in groups_of(db, query=query, limit=limit, offset=offset).items()}
            assert got == reference(query, limit, offset), (query, limit, offset)
