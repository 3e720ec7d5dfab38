"""Every name the OS allows round-trips through the API, on SQLite and
PostgreSQL over real HTTP: names that are not UTF-8, control characters and newlines,
255-byte names and two names that differ only in Unicode normalisation.

The wire form (README, "File names that are not UTF-8"): JSON carries undecodable bytes
as `\\udcXX` escapes, query strings as the percent-escaped raw byte.
"""
import io
import json
import os
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest

from support.files import a1111_png

BAD = os.fsdecode(b"bad\xffname.png")  # "bad\udcffname.png"
BAD_DIR = os.fsdecode(b"dir\xfe")
CONTROL = "ctl\x01\x1f\nline.png"
LONG = "\u00e9" * 125 + "a.png"  # 255 bytes of UTF-8
NFC = "caf\u00e9.png"
NFD = "cafe\u0301.png"
NAMES = {BAD: "bad bytes fox", CONTROL: "control fox", LONG: "long fox", NFC: "precomposed accent fox", NFD: "combining accent fox"}


def q(path: str) -> str:
    """A path as a query value: the raw bytes percent-escaped (what the UI's encodePath does)."""
    return quote(os.fsencode(path), safe="")


def post(api, route: str, body) -> "object":
    """JSON with `\\udcXX` escapes (json.dumps' default), as JSON.stringify sends it."""
    return api.post(route, content=json.dumps(body), headers={"Content-Type": "application/json"})


def ok(r):
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return json.loads(r.text) if r.headers.get("content-type", "").startswith("application/json") else r


@pytest.fixture
def tree(tmp_path) -> Path:
    root = tmp_path / "odd"
    for i, (name, prompt) in enumerate(NAMES.items()):
        a1111_png(root / name, prompt, seed=i + 1)
    a1111_png(root / BAD_DIR / "inner.png", "inner fox in an undecodable folder", seed=9)
    assert len(os.fsencode(LONG)) == 255 and len(os.listdir(root)) == 6  # NFC and NFD are two files
    return root


@pytest.fixture
def odd(make_api, tree):
    return make_api(extra_paths=[str(tree)])


def test_listing_names_and_reading_every_file(odd, tree):
    listed = ok(odd.get("/files?folder_path=" + q(str(tree))))["files"]
    assert sorted(n["name"] for n in listed) == sorted(list(NAMES) + [BAD_DIR])
    by_name = {n["name"]: n for n in listed}
    for name, prompt in NAMES.items():
        node = by_name[name]
        assert node["fullpath"] == str(tree / name)
        raw = ok(odd.get(f"/file?path={q(node['fullpath'])}&t={quote(node['date'])}")).content
        assert raw == (tree / name).read_bytes(), name
        thumb = odd.get(f"/image-thumbnail?path={q(node['fullpath'])}&t=1&size=64x64")
        assert thumb.status_code == 200 and thumb.headers["content-type"].startswith("image/"), name
        assert prompt in ok(odd.get("/image_geninfo?path=" + q(node["fullpath"])))
        assert "parameters" in ok(odd.get("/image_exif?path=" + q(node["fullpath"])))
    paths = [str(tree / n) for n in NAMES]
    infos = ok(post(odd, "/batch_get_files_info", {"paths": paths}))
    assert {p: infos[p]["name"] for p in paths} == {str(tree / n): n for n in NAMES}
    geninfo = ok(post(odd, "/image_geninfo_batch", {"paths": paths}))
    assert all(NAMES[os.path.basename(p)] in geninfo[p] for p in paths)
    assert ok(post(odd, "/check_path_exists", {"paths": paths + [str(tree / BAD_DIR)]})) == {
        p: True for p in paths + [str(tree / BAD_DIR)]}
    download = odd.get(f"/file?path={q(paths[0])}&t=1&disposition={q(BAD)}")
    assert download.headers["content-disposition"] == "attachment; filename*=UTF-8''bad%EF%BF%BDname.png"


def test_a_folder_whose_name_is_not_utf8(odd, tree):
    folder = str(tree / BAD_DIR)
    inner = os.path.join(folder, "inner.png")
    assert [n["fullpath"] for n in ok(odd.get("/files?folder_path=" + q(folder)))["files"]] == [inner]
    covers = ok(post(odd, "/batch_top_4_media_info", {"paths": [folder]}))
    assert [c["fullpath"] for c in covers[folder]] == [inner]
    assert odd.get(f"/image-thumbnail?path={q(inner)}&t=1&size=64x64").status_code == 200
    found = ok(post(odd, "/db/search_by_substr", {"surstr": "undecodable folder"}))["files"]
    assert [f["fullpath"] for f in found] == [inner]  # indexed
    in_folder = ok(post(odd, "/db/search_by_substr", {"surstr": "fox", "folder_paths": [folder]}))["files"]
    assert [f["fullpath"] for f in in_folder] == [inner]


def test_every_name_is_indexed_and_searchable_by_its_readable_part(odd, tree):
    for name, prompt in NAMES.items():
        found = ok(post(odd, "/db/search_by_substr", {"surstr": prompt}))["files"]
        assert [(f["fullpath"], f["name"]) for f in found] == [(str(tree / name), name)], name
    by_path = ok(post(odd, "/db/search_by_substr", {"surstr": "name.png", "path_only": True}))["files"]
    assert [f["fullpath"] for f in by_path] == [str(tree / BAD)]
    assert len(ok(post(odd, "/db/search_by_substr", {"surstr": "caf"}))["files"]) == 2


def test_tags_ratings_rename_move_copy_and_delete(odd, tree):
    tag = ok(post(odd, "/db/add_custom_tag", {"tag_name": "odd-one"}))
    for name in NAMES:
        path = str(tree / name)
        ok(post(odd, "/db/toggle_custom_tag_to_img", {"img_path": path, "tag_id": tag["id"]}))
        ok(post(odd, "/db/set_rating", {"path": path, "rating": 4}))
    paths = [str(tree / n) for n in NAMES]
    tags = ok(post(odd, "/db/get_image_tags", {"paths": paths}))
    assert {p: [t["name"] for t in tags[p]] for p in paths} == {p: ["odd-one"] for p in paths}
    assert ok(post(odd, "/db/get_ratings", {"paths": paths})) == {p: 4 for p in paths}
    assert [t["name"] for t in ok(odd.get("/db/img_selected_custom_tag?path=" + q(paths[0])))] == ["odd-one"]

    # rename: to another undecodable name; tags and rating follow
    renamed_name = os.fsdecode(b"still\xfe\nodd.png")
    r = ok(post(odd, "/db/rename", {"path": str(tree / BAD), "name": renamed_name}))
    renamed = str(tree / renamed_name)
    assert r["new_path"] == renamed and os.path.exists(os.fsencode(renamed))
    assert ok(post(odd, "/db/get_ratings", {"paths": [renamed]})) == {renamed: 4}
    assert [t["name"] for t in ok(post(odd, "/db/get_image_tags", {"paths": [renamed]}))[renamed]] == ["odd-one"]

    # move every file into an undecodable folder, then copy one back
    dest = str(tree / os.fsdecode(b"moved\xfd"))
    moved = [renamed] + [str(tree / n) for n in NAMES if n != BAD]
    ok(post(odd, "/move_files", {"file_paths": moved, "dest": dest, "create_dest_folder": True}))
    now = [os.path.join(dest, os.path.basename(p)) for p in moved]
    assert sorted(os.listdir(os.fsencode(dest))) == sorted(os.fsencode(os.path.basename(p)) for p in moved)
    assert ok(post(odd, "/db/get_ratings", {"paths": now})) == {p: 4 for p in now}
    ok(post(odd, "/copy_files", {"file_paths": [now[0]], "dest": str(tree)}))
    copy = str(tree / renamed_name)
    assert ok(post(odd, "/db/get_ratings", {"paths": [copy]})) == {copy: 4}

    # move the undecodable folder itself: the index follows (prefix queries on stored paths)
    dest2 = str(tree / os.fsdecode(b"again\xfc"))
    ok(post(odd, "/move_files", {"file_paths": [dest], "dest": dest2, "create_dest_folder": True}))
    inside = [os.path.join(dest2, os.path.basename(dest), os.path.basename(p)) for p in moved]
    assert ok(post(odd, "/db/get_ratings", {"paths": inside})) == {p: 4 for p in inside}
    found = ok(post(odd, "/db/search_by_substr", {"surstr": "bad bytes fox"}))["files"]
    assert [f["fullpath"] for f in found] == [inside[0], copy] or [f["fullpath"] for f in found] == [copy, inside[0]]

    # delete to the trash, restore, delete for good
    r = ok(post(odd, "/delete_files", {"file_paths": [copy]}))
    assert not os.path.lexists(os.fsencode(copy))
    trash = ok(odd.get("/trash"))["items"]
    item = next(i for i in trash if i["original_path"] == copy)
    ok(post(odd, "/trash/restore", {"ids": [item["id"]]}))
    assert os.path.exists(os.fsencode(copy))
    ok(post(odd, "/delete_files", {"file_paths": inside + [copy], "permanent": True}))
    assert not any(os.path.lexists(os.fsencode(p)) for p in inside + [copy])
    assert ok(post(odd, "/db/search_by_substr", {"surstr": "fox"}))["files"] == [
        f for f in ok(post(odd, "/db/search_by_substr", {"surstr": "inner fox"}))["files"]]


def test_zip_keeps_every_name(odd, tree):
    paths = [str(tree / n) for n in NAMES]
    r = post(odd, "/zip", {"paths": paths, "compress": True, "pack_only": False})
    assert r.status_code == 200
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        infos = zf.infolist()
        raw_names = [i.filename.encode("utf-8") if i.flag_bits & 0x800 else i.filename.encode("cp437")
                     for i in infos]
        assert sorted(raw_names) == sorted(os.fsencode(n) for n in NAMES)
        for info, raw in zip(infos, raw_names):
            assert zf.read(info) == (tree / os.fsdecode(raw)).read_bytes()


def test_names_no_file_can_have_are_refused_not_500(odd, tree):
    lone = str(tree / "x\ud800.png")  # a surrogate that no file-system byte turns into
    assert post(odd, "/batch_get_files_info", {"paths": [lone]}).status_code == 400
    assert odd.get("/file?path=" + quote(lone.encode("utf-8", "surrogatepass")) + "&t=1").status_code in (400, 404)
    r = post(odd, "/db/rename", {"path": str(tree / NFC), "name": "y\ud800.png"})
    assert r.status_code == 400 and "surrogate" in r.json()["detail"]
    for route in ("/image_geninfo_batch", "/db/get_image_tags", "/db/get_ratings", "/check_path_exists"):
        assert post(odd, route, {"paths": [lone]}).status_code < 500, route
    r = post(odd, "/batch_get_files_info", {"paths": BAD})  # 422 echoing an undecodable input
    assert r.status_code == 422


def test_ui_settings_may_hold_such_paths(odd, tree):
    """The UI saves workspaces (open folders) on the server: a path that is not UTF-8 too."""
    folder = str(tree / BAD_DIR)
    value = json.dumps({"tabs": [folder]})  # "\udcfe" escaped, as JSON.stringify sends it
    ok(post(odd, "/app_fe_setting", {"name": "workspace", "value": value}))
    stored = ok(odd.get("/global_setting"))["app_fe_setting"]["workspace"]
    assert stored == {"tabs": [folder]}
    assert post(odd, "/app_fe_setting", {"name": "odd\udcff", "value": "1"}).status_code == 200
