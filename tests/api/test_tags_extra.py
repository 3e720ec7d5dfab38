"""Tag routes added for the tag pages: rename, tags grouped by type, and the rating filter
of /db/match_images_by_tags (SQLite and PostgreSQL, over HTTP)."""
from support.files import a1111_png


def path_of(api, rel):
    return str(api.library / rel)


FOX = "2026-11-20/00001-1.png"
LIGHTHOUSE = "2026-11-20/00002-2.png"
RAMEN = "2026-11-21/00003-3.png"


def names(resp):
    assert resp.status_code == 200, resp.text
    return sorted(f["name"] for f in resp.json()["files"])


def match(api, **body):
    body.setdefault("and_tags", [])
    body.setdefault("or_tags", [])
    body.setdefault("not_tags", [])
    return api.post("/db/match_images_by_tags", json=body)


def test_rename_keeps_links_and_refuses_clashes(api):
    tag = api.post("/db/add_custom_tag", json={"tag_name": "draft"}).json()
    other = api.post("/db/add_custom_tag", json={"tag_name": "final"}).json()
    assert api.post("/db/batch_update_image_tag", json={"img_paths": [path_of(api, FOX), path_of(api, RAMEN)],
                                                          "action": "add", "tag_id": tag["id"]}).status_code == 200
    r = api.post("/db/rename_custom_tag", json={"tag_id": tag["id"], "name": "  keeper "})
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "keeper" and r.json()["id"] == tag["id"] and r.json()["type"] == "custom"
    got = api.post("/db/get_image_tags", json={"paths": [path_of(api, FOX), path_of(api, RAMEN)]}).json()
    assert {p: [t["name"] for t in ts] for p, ts in got.items()} == {
        path_of(api, FOX): ["keeper"], path_of(api, RAMEN): ["keeper"]}
    assert names(match(api, and_tags=[tag["id"]])) == ["00001-1.png", "00003-3.png"]
    # Clash with another custom tag: 409, nothing changes.
    r = api.post("/db/rename_custom_tag", json={"tag_id": tag["id"], "name": "final"})
    assert r.status_code == 409 and isinstance(r.json()["detail"], str)
    custom = {t["id"]: t["name"] for t in api.get("/global_setting").json()["all_custom_tags"]}
    assert custom[tag["id"]] == "keeper" and custom[other["id"]] == "final"
    # Renaming to its own name is fine.
    assert api.post("/db/rename_custom_tag", json={"tag_id": tag["id"], "name": "keeper"}).status_code == 200


def test_rename_errors(api):
    tag = api.post("/db/add_custom_tag", json={"tag_name": "x1"}).json()
    assert api.post("/db/rename_custom_tag", json={"tag_id": tag["id"], "name": "  "}).json() == {"detail": "Invalid tag name"}
    assert api.post("/db/rename_custom_tag", json={"tag_id": 987654, "name": "y"}).status_code == 404
    assert api.post("/db/rename_custom_tag", json={"tag_id": tag["id"]}).status_code == 422
    assert api.post("/db/rename_custom_tag", json={"tag_id": 2**70, "name": "y"}).status_code == 422
    model = next(t for t in api.get("/db/basic_info").json()["tags"] if t["type"] == "Model")
    r = api.post("/db/rename_custom_tag", json={"tag_id": model["id"], "name": "y"})
    assert r.status_code == 400 and "custom" in r.json()["detail"]


def test_rename_refused_when_read_only(make_api):
    api = make_api(env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"})
    assert api.post("/db/rename_custom_tag", json={"tag_id": 1, "name": "z"}).status_code == 403
    assert api.post("/db/tag_groups", json={}).status_code == 200


def test_tag_groups_by_type_with_counts(api):
    a1111_png(api.library / "2026-11-22" / "00004-4.png", "a red fox, night, best quality", seed=4)
    api.post("/db/update_image_data", json={})
    fav = api.post("/db/add_custom_tag", json={"tag_name": "picked"}).json()
    api.post("/db/batch_update_image_tag", json={"img_paths": [path_of(api, FOX)], "action": "add", "tag_id": fav["id"]})
    groups = {g["type"]: g for g in api.post("/db/tag_groups", json={}).json()["groups"]}
    assert {"custom", "pos", "Model", "Sampler", "size", "Media Type", "Source Identifier"} <= set(groups)
    assert [t["name"] for t in groups["Model"]["tags"]] == ["dreamy_v1"]
    assert groups["Model"]["tags"][0]["count"] == 4 and groups["Model"]["total"] == 1
    custom = {t["name"]: t for t in groups["custom"]["tags"]}
    assert custom["picked"]["count"] == 1 and "like" in custom
    pos = groups["pos"]["tags"]
    counts = [t["count"] for t in pos]
    assert counts == sorted(counts, reverse=True)
    by_name = {t["name"]: t["count"] for t in pos}
    assert by_name["best quality"] == 2 and by_name["a red fox"] == 1 and by_name["masterpiece"] == 1
    # Paging a group: limit and offset over the same order, total unchanged.
    first = api.post("/db/tag_groups", json={"types": ["pos"], "limit": 3}).json()["groups"]
    assert [g["type"] for g in first] == ["pos"] and len(first[0]["tags"]) == 3
    assert first[0]["total"] == groups["pos"]["total"]
    rest = api.post("/db/tag_groups", json={"types": ["pos"], "limit": 100, "offset": 3}).json()["groups"][0]["tags"]
    assert [t["id"] for t in first[0]["tags"] + rest] == [t["id"] for t in pos]


def test_tag_groups_filter_by_text_and_names(api):
    got = api.post("/db/tag_groups", json={"query": "FOX"}).json()["groups"]
    assert {(g["type"], t["name"]) for g in got for t in g["tags"]} == {("pos", "a red fox in the snow")}
    got = api.post("/db/tag_groups", json={"query": "%"}).json()["groups"]
    assert got == []  # LIKE wildcards are literal
    got = api.post("/db/tag_groups", json={"query": "ramen", "names": ["dreamy_v1"]}).json()["groups"]
    assert {(g["type"], t["name"]) for g in got for t in g["tags"]} == {("pos", "a bowl of ramen"), ("Model", "dreamy_v1")}


def test_tag_groups_bad_input(api):
    assert api.post("/db/tag_groups", json={"limit": 0}).status_code == 400
    assert api.post("/db/tag_groups", json={"limit": 100000}).status_code == 400
    assert api.post("/db/tag_groups", json={"offset": -1}).status_code == 400
    assert api.post("/db/tag_groups", json={"names": ["x"] * 5000}).status_code == 400
    assert api.post("/db/tag_groups", json={"query": "x" * 300}).status_code == 400
    assert api.post("/db/tag_groups", json={"types": "pos"}).status_code == 422


def test_match_by_tags_with_min_rating(api):
    like = next(t for t in api.get("/global_setting").json()["all_custom_tags"] if t["name"] == "like")
    for rel, stars in ((FOX, 5), (LIGHTHOUSE, 3), (RAMEN, 1)):
        assert api.post("/db/set_rating", json={"path": path_of(api, rel), "rating": stars}).status_code == 200
    api.post("/db/batch_update_image_tag", json={"img_paths": [path_of(api, FOX), path_of(api, RAMEN)],
                                                 "action": "add", "tag_id": like["id"]})
    assert names(match(api, min_rating=3)) == ["00001-1.png", "00002-2.png"]
    assert names(match(api, min_rating=5)) == ["00001-1.png"]
    assert names(match(api, min_rating=1)) == ["00001-1.png", "00002-2.png", "00003-3.png"]
    assert names(match(api, min_rating=0)) == ["00001-1.png", "00002-2.png", "00003-3.png", "plain.png"]
    assert names(match(api)) == ["00001-1.png", "00002-2.png", "00003-3.png", "plain.png"]
    assert names(match(api, and_tags=[like["id"]])) == ["00001-1.png", "00003-3.png"]
    assert names(match(api, and_tags=[like["id"]], min_rating=2)) == ["00001-1.png"]
    assert names(match(api, and_tags=[like["id"]], min_rating=2, random_sort=True)) == ["00001-1.png"]
    # Paging with the filter: one per page, all three seen once.
    seen, cursor = [], ""
    while True:
        body = match(api, min_rating=1, size=1, cursor=cursor).json()
        seen += [f["name"] for f in body["files"]]
        if not body["cursor"]["has_next"]:
            break
        cursor = body["cursor"]["next"]
    assert sorted(seen) == ["00001-1.png", "00002-2.png", "00003-3.png"]
    assert match(api, min_rating=6).status_code == 400
    assert match(api, min_rating=-1).status_code == 400
    assert match(api, min_rating="many").status_code == 422


def test_odd_text_is_never_a_server_error(api):
    tag = api.post("/db/add_custom_tag", json={"tag_name": "odd"}).json()
    for text in ("a\x00b", "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"), "\\", "'; DROP TABLE tags; --", "_%"):
        assert api.post("/db/tag_groups", json={"query": text}).status_code == 200
        assert api.post("/db/tag_groups", json={"names": [text], "types": [text]}).status_code == 200
        r = api.post("/db/rename_custom_tag", json={"tag_id": tag["id"], "name": "x" + text})
        assert r.status_code in (200, 400), r.text
    # A NUL matches nothing (rather than everything), and is not a valid tag name.
    assert api.post("/db/tag_groups", json={"names": ["a\x00"]}).json() == {"groups": []}
    assert api.post("/db/tag_groups", json={"types": ["pos\x00"]}).json() == {"groups": []}
    assert api.post("/db/tag_groups", json={"query": "fox\x00"}).json() == {"groups": []}
    assert api.post("/db/add_custom_tag", json={"tag_name": "a\x00b"}).json() == {"detail": "Invalid tag name"}
    assert api.post("/db/rename_custom_tag", json={"tag_id": tag["id"], "name": "a\x00b"}).status_code == 400
