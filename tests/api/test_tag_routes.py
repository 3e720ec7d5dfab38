"""Tag and rating routes over HTTP."""


def fox(api):
    return str(api.library / "2026-11-20" / "00001-1.png")


def ramen(api):
    return str(api.library / "2026-11-21" / "00003-3.png")


def test_add_custom_tag_is_idempotent_and_validates_names(api):
    a = api.post("/db/add_custom_tag", json={"tag_name": "portfolio"}).json()
    b = api.post("/db/add_custom_tag", json={"tag_name": "portfolio"}).json()
    assert a == b and a["type"] == "custom" and a["score"] == 0 and a["display_name"] is None
    assert api.post("/db/add_custom_tag", json={"tag_name": "   "}).json() == {"detail": "Invalid tag name"}
    long = "word " * 9 + "x" * 40
    assert api.post("/db/add_custom_tag", json={"tag_name": long}).status_code == 400
    assert api.post("/db/add_custom_tag", json={"tag_name": "收藏夹里最喜欢的图片们一二三"}).status_code == 400
    assert api.post("/db/add_custom_tag", json={"tag_name": "收藏"}).status_code == 200
    assert api.post("/db/add_custom_tag", json={}).status_code == 422


def test_toggle_batch_and_listing(api):
    tag = api.post("/db/add_custom_tag", json={"tag_name": "best"}).json()
    assert api.post("/db/toggle_custom_tag_to_img", json={"img_path": fox(api), "tag_id": tag["id"]}).json() == {"is_remove": 0}
    got = api.post("/db/get_image_tags", json={"paths": [fox(api), ramen(api)]}).json()
    assert list(got) == [fox(api)] and got[fox(api)][0]["name"] == "best"
    assert [t["name"] for t in api.get("/db/img_selected_custom_tag", params={"path": fox(api)}).json()] == ["best"]
    assert api.post("/db/toggle_custom_tag_to_img", json={"img_path": fox(api), "tag_id": tag["id"]}).json() == {"is_remove": 1}
    assert api.post("/db/batch_update_image_tag", json={"img_paths": [fox(api), ramen(api)], "action": "add",
                                                          "tag_id": tag["id"]}).status_code == 200
    got = api.post("/db/get_image_tags", json={"paths": [fox(api), ramen(api)]}).json()
    assert sorted(got) == sorted([fox(api), ramen(api)])
    info = api.get("/db/basic_info").json()
    assert [t["count"] for t in info["tags"] if t["id"] == tag["id"]] == [2]
    assert api.post("/db/batch_update_image_tag", json={"img_paths": [ramen(api)], "action": "remove",
                                                          "tag_id": tag["id"]}).status_code == 200
    image_id = [f for f in api.post("/db/search_by_substr", json={"surstr": "fox"}).json()["files"]][0]["id"]
    assert api.post("/db/remove_custom_tag_from_img", json={"img_id": image_id, "tag_id": str(tag["id"])}).status_code == 200
    assert api.post("/db/get_image_tags", json={"paths": [fox(api)]}).json() == {}
    assert api.post("/db/update_tag", json={"id": tag["id"], "color": "#ff0000"}).status_code == 200
    assert [t["color"] for t in api.get("/global_setting").json()["all_custom_tags"] if t["id"] == tag["id"]] == ["#ff0000"]
    assert api.post("/db/remove_custom_tag", json={"tag_id": tag["id"]}).status_code == 200
    assert all(t["id"] != tag["id"] for t in api.get("/global_setting").json()["all_custom_tags"])


def test_tag_errors(api, tmp_path):
    tag = api.post("/db/add_custom_tag", json={"tag_name": "t"}).json()
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes((api.library / "misc" / "plain.png").read_bytes())
    r = api.post("/db/toggle_custom_tag_to_img", json={"img_path": str(outside), "tag_id": tag["id"]})
    assert r.status_code == 400 and "not within the scan path" in r.json()["detail"]
    r = api.post("/db/toggle_custom_tag_to_img", json={"img_path": fox(api), "tag_id": 987654})
    assert r.status_code == 404
    r = api.post("/db/batch_update_image_tag", json={"img_paths": [fox(api)], "action": "explode", "tag_id": tag["id"]})
    assert r.status_code == 400
    r = api.post("/db/batch_update_image_tag", json={"img_paths": [fox(api), str(outside)], "action": "add",
                                                       "tag_id": tag["id"]})
    assert r.status_code == 400 and api.post("/db/get_image_tags", json={"paths": [fox(api)]}).json() == {}
    assert api.get("/db/img_selected_custom_tag", params={"path": str(outside)}).json() == []


def test_tagging_a_file_not_yet_indexed_indexes_it(api):
    from support.files import a1111_png

    new = a1111_png(api.library / "2026-11-21" / "late.png", "arrived late")
    tag = api.post("/db/add_custom_tag", json={"tag_name": "late"}).json()
    assert api.post("/db/toggle_custom_tag_to_img", json={"img_path": str(new), "tag_id": tag["id"]}).json() == {"is_remove": 0}
    assert [f["name"] for f in api.post("/db/search_by_substr", json={"surstr": "arrived"}).json()["files"]] == ["late.png"]


def test_ratings(api):
    assert api.post("/db/set_rating", json={"path": fox(api), "rating": 4}).json() == {"path": fox(api), "rating": 4}
    assert api.post("/db/get_ratings", json={"paths": [fox(api), ramen(api)]}).json() == {fox(api): 4, ramen(api): None}
    assert api.post("/db/set_rating", json={"path": fox(api), "rating": 0}).json()["rating"] is None
    assert api.post("/db/set_rating", json={"path": fox(api), "rating": 6}).status_code == 400


def test_write_routes_refused_when_read_only(make_api):
    api = make_api(env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"})
    assert api.post("/db/add_custom_tag", json={"tag_name": "x"}).status_code == 403
    assert api.post("/db/set_rating", json={"path": fox(api), "rating": 1}).status_code == 403
    assert api.post("/db/get_image_tags", json={"paths": [fox(api)]}).status_code == 200
