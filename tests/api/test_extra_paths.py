"""Extra path routes over HTTP."""
from support.files import a1111_png


def test_add_merge_alias_remove(api, tmp_path):
    folder = tmp_path / "more"
    a1111_png(folder / "x.png", "from the extra folder")
    assert api.post("/db/extra_paths", json={"path": str(folder), "types": ["scanned"]}).json() is None
    assert api.post("/db/extra_paths", json={"path": str(folder), "types": ["walk"]}).json() is None
    assert api.get("/db/extra_paths").json() == [{"path": str(folder), "types": ["scanned", "walk"], "alias": ""}]
    assert api.post("/db/alias_extra_path", json={"path": str(folder), "alias": "More"}).json() == {
        "path": str(folder), "types": ["scanned", "walk"], "alias": "More"}
    # The new root is indexed by the next update.
    api.post("/db/update_image_data", json={})
    assert [f["name"] for f in api.post("/db/search_by_substr", json={"surstr": "extra folder"}).json()["files"]] == ["x.png"]
    assert api.delete("/db/extra_paths", json={"path": str(folder), "types": ["walk"]}).status_code == 200
    assert api.get("/db/extra_paths").json()[0]["types"] == ["scanned"]
    assert api.delete("/db/extra_paths", json={"path": str(folder), "types": ["scanned"]}).status_code == 200
    assert api.get("/db/extra_paths").json() == []
    assert api.delete("/db/extra_paths", json={"path": "/not/stored", "types": ["scanned"]}).status_code == 200


def test_errors(api, tmp_path):
    assert api.post("/db/extra_paths", json={"path": str(tmp_path), "types": ["bogus"]}).status_code == 400
    assert api.post("/db/extra_paths", json={"path": str(tmp_path / "missing"), "types": ["scanned"]}).status_code == 400
    assert api.post("/db/alias_extra_path", json={"path": "/never/added", "alias": "x"}).status_code == 400
    assert api.post("/db/extra_paths", json={"types": ["scanned"]}).status_code == 422


def test_access_control_requires_the_path_inside_the_roots(make_api, tmp_path):
    api = make_api(env={"IIB_ACCESS_CONTROL": "enable"})
    assert api.post("/db/extra_paths", json={"path": str(tmp_path), "types": ["scanned"]}).status_code == 403
    inside = api.library / "2026-11-20"
    assert api.post("/db/extra_paths", json={"path": str(inside), "types": ["walk"]}).status_code == 200
