"""Index routes over HTTP: basic info, index jobs, search, tag match, random images."""
import os
import time

from support.files import a1111_png


def files(r):
    assert r.status_code == 200, r.text
    return r.json()["files"]


def names(items):
    return sorted(f["name"] for f in items)


def test_basic_info_and_expired_dirs(api):
    info = api.get("/db/basic_info").json()
    assert info["img_count"] == 4 and info["expired"] is False and info["expired_dirs"] == []
    types = {t["type"] for t in info["tags"]}
    assert {"custom", "pos", "Model", "Media Type", "size", "Source Identifier", "Sampler"} <= types
    a1111_png(api.library / "2026-11-22" / "new.png", "a new day")
    expired = api.get("/db/expired_dirs").json()
    assert expired["expired"] is True and str(api.library) in expired["expired_dirs"]


def test_update_image_data_waits_by_default_and_can_run_in_background(api):
    a1111_png(api.library / "2026-11-20" / "00009-9.png", "freshly generated heron", seed=9)
    assert api.post("/db/update_image_data", json={}).json() is None
    assert names(files(api.post("/db/search_by_substr", json={"surstr": "heron"}))) == ["00009-9.png"]
    a1111_png(api.library / "2026-11-20" / "00010-10.png", "a second heron", seed=10)
    status = api.post("/db/update_image_data", json={"background": True}).json()
    assert "state" in status and "running" in status
    for _ in range(200):
        if not api.get("/db/index_status").json()["running"]:
            break
        time.sleep(0.05)
    st = api.get("/db/index_status").json()
    assert st["state"] == "completed" and st["progress"]["written"] >= 1
    assert len(files(api.post("/db/search_by_substr", json={"surstr": "heron"}))) == 2
    assert api.get("/db/expired_dirs").json()["expired"] is False


def test_rebuild_keeps_custom_tags_and_rereads_everything(api):
    tag = api.post("/db/add_custom_tag", json={"tag_name": "keeper"}).json()
    fox = str(api.library / "2026-11-20" / "00001-1.png")
    assert api.post("/db/toggle_custom_tag_to_img", json={"img_path": fox, "tag_id": tag["id"]}).json() == {"is_remove": 0}
    assert api.post("/db/rebuild_index", json={}).status_code == 200
    st = api.get("/db/index_status").json()
    assert st["progress"]["parsed"] == 4
    assert [t["name"] for t in api.post("/db/get_image_tags", json={"paths": [fox]}).json()[fox]] == ["keeper"]
    info = api.get("/db/basic_info").json()
    assert any(t["type"] == "pos" and t["name"] == "a red fox in the snow" for t in info["tags"])


def test_search_by_substr_contract_shapes_and_paging(api):
    body = {"surstr": "", "cursor": "", "regexp": "", "folder_paths": [], "size": 2}
    first = api.post("/db/search_by_substr", json=body).json()
    assert len(first["files"]) == 2 and first["cursor"]["has_next"] is True
    item = first["files"][0]
    for key in ("type", "id", "name", "fullpath", "size", "bytes", "date", "created_date", "is_under_scanned_path"):
        assert key in item
    assert item["date"] == item["created_date"] and len(item["date"]) == 19
    second = api.post("/db/search_by_substr", json=dict(body, cursor=first["cursor"]["next"])).json()
    assert second["cursor"]["has_next"] is False
    assert {f["id"] for f in first["files"]}.isdisjoint({f["id"] for f in second["files"]})
    assert len(first["files"]) + len(second["files"]) == 4
    # folder_paths may be omitted; cursor and regexp default to "".
    assert names(files(api.post("/db/search_by_substr", json={"surstr": "RAMEN"}))) == ["00003-3.png"]
    only = api.post("/db/search_by_substr", json={"surstr": "", "folder_paths": [str(api.library / "2026-11-20")]})
    assert names(files(only)) == ["00001-1.png", "00002-2.png"]
    gone = api.post("/db/search_by_substr", json={"surstr": "", "folder_paths": [str(api.library / "nope")]}).json()
    assert gone == {"files": [], "cursor": {"has_next": False, "next": ""}}
    assert files(api.post("/db/search_by_substr", json={"surstr": "", "media_type": "video"})) == []
    assert len(files(api.post("/db/search_by_substr", json={"surstr": "", "media_type": "all"}))) == 4


def test_regexp_search_and_its_errors(api):
    hits = files(api.post("/db/search_by_substr", json={"surstr": "", "cursor": "", "regexp": r"fox.*snow"}))
    assert names(hits) == ["00001-1.png"]
    assert names(files(api.post("/db/search_by_substr", json={"regexp": r"^A LIGHTHOUSE"}))) == ["00002-2.png"]
    bad = api.post("/db/search_by_substr", json={"regexp": "(unclosed"})
    assert bad.status_code == 400 and "regular expression" in bad.json()["detail"]
    long = api.post("/db/search_by_substr", json={"regexp": "a" * 5000})
    assert long.status_code == 400


def test_search_input_errors_are_4xx(api):
    for body in ({"surstr": "x", "size": 0}, {"surstr": "x", "size": 10**9}, {"surstr": "x", "cursor": "zz"},
                 {"surstr": "x", "media_type": "sound"}, {"surstr": "x", "syntax": "sql"}):
        r = api.post("/db/search_by_substr", json=body)
        assert r.status_code == 400 and isinstance(r.json()["detail"], str), body
    assert api.post("/db/search_by_substr", json={"surstr": {"not": "text"}}).status_code == 422
    r = api.client.post(api.path("/db/search_by_substr"), content=b"{not json",
                        headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_match_images_by_tags(api):
    info = api.get("/db/basic_info").json()
    by_name = {(t["type"], t["name"]): t["id"] for t in info["tags"]}
    image = by_name[("Media Type", "Image")]
    fox = by_name[("pos", "a red fox in the snow")]
    ramen = by_name[("pos", "a bowl of ramen")]
    model = by_name[("Model", "dreamy_v1")]

    def match(**kw):
        body = {"and_tags": [], "or_tags": [], "not_tags": [], "cursor": "", "size": 200}
        body.update(kw)
        return names(files(api.post("/db/match_images_by_tags", json=body)))

    assert len(match()) == 4
    assert match(and_tags=[image, model]) == ["00001-1.png", "00002-2.png", "00003-3.png"]
    assert match(or_tags=[fox, ramen]) == ["00001-1.png", "00003-3.png"]
    assert match(and_tags=[model], not_tags=[fox]) == ["00002-2.png", "00003-3.png"]
    assert match(and_tags=[999999]) == []
    rnd = api.post("/db/match_images_by_tags", json={"and_tags": [image], "or_tags": [], "not_tags": [],
                                                     "cursor": "", "size": 3, "random_sort": True}).json()
    assert len(rnd["files"]) == 3 and rnd["cursor"] == {"has_next": True, "next": "3"}


def test_random_images(api):
    items = api.get("/db/random_images").json()
    assert sorted(i["name"] for i in items) == ["00001-1.png", "00002-2.png", "00003-3.png", "plain.png"]
    os.remove(api.library / "misc" / "plain.png")
    assert len(api.get("/db/random_images").json()) == 3  # missing files are left out


def test_access_control_filters_results_outside_the_roots(make_api, tmp_path):
    outside = tmp_path / "outside"
    a1111_png(outside / "secret.png", "a secret fox")
    api = make_api(env={"IIB_ACCESS_CONTROL": "enable"})
    # Index the outside folder directly into the same database (as if it had been a root once).
    from iib_core.indexer import IndexJob
    IndexJob(api.ctx.db, [str(outside)], workers=1).run()
    hits = files(api.post("/db/search_by_substr", json={"surstr": "fox"}))
    assert names(hits) == ["00001-1.png"]
    r = api.post("/db/search_by_substr", json={"surstr": "fox", "folder_paths": [str(outside)]})
    assert r.status_code == 403


def test_query_syntax_is_opt_in(api):
    def q(text, **kw):
        body = {"surstr": text, "syntax": "query"}
        body.update(kw)
        return names(files(api.post("/db/search_by_substr", json=body)))

    assert q('fox OR ramen') == ["00001-1.png", "00003-3.png"]
    assert q('"best quality" -fox') == ["00002-2.png"]
    assert q("seed:3") == ["00003-3.png"]
    assert q("steps>19 sampler:euler -ramen") == ["00001-1.png", "00002-2.png"]
    assert q("ext:png tag:\"a bowl of ramen\"") == ["00003-3.png"]
    # Without the switch the same text is one plain substring: nothing contains "fox OR ramen".
    assert names(files(api.post("/db/search_by_substr", json={"surstr": "fox OR ramen"}))) == []
    bad = api.post("/db/search_by_substr", json={"surstr": "steps>abc", "syntax": "query"})
    assert bad.status_code == 400 and "steps" in bad.json()["detail"]
