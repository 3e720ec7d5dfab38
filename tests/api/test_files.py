"""File-system routes and the trash (docs/api.md, "Files and folders"), over real HTTP on SQLite and PostgreSQL."""
import os
import re
import shutil
import socket
import tempfile
import threading
import time

import httpx
import pytest
import uvicorn

from iib_core.api import build_context, create_app
from iib_core.config import Settings
from iib_core.db import images as images_db
from iib_core.db import ratings as ratings_db
from iib_core.db import tags as tags_db

from support.files import a1111_png, plain_png
from support.substring_oracle import search_substring

DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")
SIZE = re.compile(r"^(0B|\d+\.\d\d (B|KB|MB|GB|TB|PB))$")
AC = {"IIB_ACCESS_CONTROL": "enable"}


# --------------------------------------------------------------------------- helpers
def snapshot(*roots):
    """Every entry under the roots with its kind, size and content: to prove nothing changed."""
    out = {}
    for root in roots:
        root = str(root)
        if not os.path.lexists(root):
            continue
        for folder, dirs, names in os.walk(root):
            for n in dirs + names:
                p = os.path.join(folder, n)
                if os.path.islink(p):
                    out[p] = ("link", os.readlink(p))
                elif os.path.isdir(p):
                    out[p] = ("dir",)
                else:
                    with open(p, "rb") as f:
                        out[p] = ("file", f.read())
    return out


def row(api, path):
    with api.ctx.db.read() as conn:
        return images_db.get_by_path(conn, str(path))


def add_custom_tag(api, path, name="keeper", rating=None):
    with api.ctx.db.write() as conn:
        image = images_db.get_by_path(conn, str(path))
        tag_id = tags_db.get_or_create_custom(conn, name)
        tags_db.add_links(conn, [(image["id"], tag_id)])
        if rating is not None:
            ratings_db.set_ratings(conn, {image["id"]: rating})
    return image["id"], tag_id


def custom_tag_ids(api, image_id):
    with api.ctx.db.read() as conn:
        return tags_db.custom_tags_of(conn, [image_id]).get(image_id, [])


def counts_consistent(api):
    with api.ctx.db.read() as conn:
        return tags_db.verify_counts(conn) == []


def detail(r):
    body = r.json()
    assert isinstance(body["detail"], str) and body["detail"], body
    return body["detail"]


@pytest.fixture
def lib(library):
    """The library fixture plus a `.txt` sidecar beside the first image."""
    (library / "2026-11-20" / "00001-1.txt").write_text("a red fox\nSteps: 20, Seed: 1")
    return library


@pytest.fixture
def outside(tmp_path):
    folder = tmp_path / "outside"
    plain_png(folder / "secret.png")
    return folder


# --------------------------------------------------------------------------- GET /files
def test_files_lists_a_folder_as_file_nodes(api, lib):
    r = api.get("/files", params={"folder_path": str(lib / "2026-11-20")})
    assert r.status_code == 200
    nodes = {n["name"]: n for n in r.json()["files"]}
    assert set(nodes) == {"00001-1.png", "00002-2.png", "00001-1.txt"}
    png = nodes["00001-1.png"]
    assert set(png) == {"type", "name", "fullpath", "size", "bytes", "date", "created_time", "is_under_scanned_path"}
    assert png["type"] == "file" and png["fullpath"] == str(lib / "2026-11-20" / "00001-1.png")
    assert png["bytes"] == os.path.getsize(lib / "2026-11-20" / "00001-1.png")
    assert png["size"] == "%.2f B" % png["bytes"] and SIZE.match(png["size"])
    assert DATE.match(png["date"]) and DATE.match(png["created_time"])
    assert png["date"] == time.strftime("%Y-%m-%d %H:%M:%S",
                                        time.localtime(os.stat(lib / "2026-11-20" / "00001-1.png").st_mtime))
    assert png["is_under_scanned_path"] is True
    dirs = {n["name"]: n for n in api.get("/files", params={"folder_path": str(lib)}).json()["files"]}
    assert set(dirs) == {"2026-11-20", "2026-11-21", "misc"}
    assert dirs["misc"]["type"] == "dir" and dirs["misc"]["size"] == "-" and "bytes" not in dirs["misc"]
    empty = lib / "misc" / "empty.png"
    empty.write_bytes(b"")
    listed = {n["name"]: n for n in api.get("/files", params={"folder_path": str(lib / "misc")}).json()["files"]}
    assert listed["empty.png"]["size"] == "0B" and listed["empty.png"]["bytes"] == 0


def test_files_error_cases(api, lib, tmp_path):
    missing = api.get("/files", params={"folder_path": str(lib / "nope")})
    assert missing.status_code == 200 and missing.json() == {"files": []}
    a_file = api.get("/files", params={"folder_path": str(lib / "misc" / "plain.png")})
    assert a_file.status_code == 400 and "Not a directory" in detail(a_file)
    assert api.get("/files").status_code == 422
    assert api.get("/files", params={"folder_path": ""}).status_code == 400
    # Without access control, a folder outside the roots is listed, flagged as not scanned.
    plain_png(tmp_path / "elsewhere" / "x.png")
    nodes = api.get("/files", params={"folder_path": str(tmp_path / "elsewhere")}).json()["files"]
    assert [n["is_under_scanned_path"] for n in nodes] == [False]


def test_files_lists_names_that_are_not_utf8(api, lib):
    raw = os.path.join(os.fsencode(lib / "misc"), b"caf\xe9.png")  # latin-1 bytes: not valid UTF-8
    with open(raw, "wb") as f:
        f.write(b"x")
    r = api.get("/files", params={"folder_path": str(lib / "misc")})
    assert r.status_code == 200
    assert sorted(n["name"] for n in r.json()["files"]) == ["caf\udce9.png", "plain.png"]


def test_files_relative_path_is_resolved_against_sd_cwd(make_api, lib):
    api = make_api(sd_cwd=str(lib))
    nodes = api.get("/files", params={"folder_path": "misc"}).json()["files"]
    assert [n["fullpath"] for n in nodes] == [str(lib / "misc" / "plain.png")]


def test_files_with_access_control(make_api, lib, outside, tmp_path):
    os.symlink(outside / "secret.png", lib / "misc" / "to-secret.png")
    os.symlink(outside, lib / "misc" / "to-outside")
    os.symlink(lib / "2026-11-20" / "00001-1.png", lib / "misc" / "to-inside.png")
    api = make_api(env=AC)
    r = api.get("/files", params={"folder_path": str(outside)})
    assert r.status_code == 403 and detail(r) == "Forbidden"
    r = api.get("/files", params={"folder_path": str(lib / "misc" / "to-outside")})
    assert r.status_code == 403
    r = api.get("/files", params={"folder_path": str(lib / ".." / "outside")})
    assert r.status_code == 403
    names = {n["name"] for n in api.get("/files", params={"folder_path": str(lib / "misc")}).json()["files"]}
    assert names == {"plain.png", "to-inside.png"}  # links leading outside are not shown
    # An ancestor of the roots shows only the way down to them.
    up = api.get("/files", params={"folder_path": str(tmp_path)})
    assert up.status_code == 200
    assert [n["name"] for n in up.json()["files"]] == ["library"]
    assert up.json()["files"][0]["is_under_scanned_path"] is False  # the listed folder's flag


# --------------------------------------------------------------------------- batch info, exists
def test_batch_get_files_info(make_api, lib, outside):
    api = make_api(env=AC)
    given = str(lib / "misc" / ".." / "misc")
    body = api.post("/batch_get_files_info", json={"paths": [given, str(lib / "misc" / "plain.png"),
                                                             str(lib / "vanished")]}).json()
    assert body[given]["type"] == "dir" and body[given]["fullpath"] == given and body[given]["name"] == "misc"
    f = body[str(lib / "misc" / "plain.png")]
    assert f["type"] == "file" and f["bytes"] > 0 and f["is_under_scanned_path"] is True
    assert body[str(lib / "vanished")] == {}
    denied = api.post("/batch_get_files_info", json={"paths": [str(lib), str(outside / "secret.png")]})
    assert denied.status_code == 403
    assert api.post("/batch_get_files_info", json={"paths": "not a list"}).status_code == 422
    assert api.post("/batch_get_files_info", content=b"{oops", headers={"content-type": "application/json"}
                    ).status_code == 422


def test_check_path_exists(make_api, lib, outside):
    api = make_api(env=AC, sd_cwd=str(lib))
    paths = [str(lib / "misc"), "misc/plain.png", str(lib / "nope"), str(outside / "secret.png"), str(lib.parent)]
    assert api.post("/check_path_exists", json={"paths": paths}).json() == {
        paths[0]: True, paths[1]: True, paths[2]: False, paths[3]: False, paths[4]: True}


# --------------------------------------------------------------------------- mkdirs
def test_mkdirs(make_api, lib, outside):
    api = make_api(env=AC)
    assert api.post("/mkdirs", json={"dest_folder": str(lib / "new" / "deeper")}).json() is None
    assert (lib / "new" / "deeper").is_dir()
    assert api.post("/mkdirs", json={"dest_folder": str(lib / "new")}).status_code == 200  # exists: fine
    before = snapshot(lib, outside)
    r = api.post("/mkdirs", json={"dest_folder": str(lib / "misc" / "plain.png")})
    assert r.status_code == 400 and "not a folder" in detail(r)
    r = api.post("/mkdirs", json={"dest_folder": str(outside / "x")})
    assert r.status_code == 403
    r = api.post("/mkdirs", json={"dest_folder": str(lib / "misc" / "plain.png" / "below")})
    assert r.status_code == 400
    assert api.post("/mkdirs", json={}).status_code == 422
    assert api.post("/mkdirs", json={"dest_folder": 5}).status_code == 422
    assert snapshot(lib, outside) == before


# --------------------------------------------------------------------------- move_files
def test_move_file_takes_sidecar_tags_rating_and_id(api, lib):
    src = lib / "2026-11-20" / "00001-1.png"
    image_id, tag_id = add_custom_tag(api, src, rating=4)
    r = api.post("/move_files", json={"file_paths": [str(src)], "dest": str(lib / "misc")})
    assert r.status_code == 200 and r.json()["errors"] == []
    assert r.json()["paths"] == [str(lib / "misc" / "00001-1.png")]
    assert not src.exists() and not (lib / "2026-11-20" / "00001-1.txt").exists()
    assert (lib / "misc" / "00001-1.png").exists()
    assert (lib / "misc" / "00001-1.txt").read_text().startswith("a red fox")
    moved = row(api, lib / "misc" / "00001-1.png")
    assert moved["id"] == image_id and moved["folder"] == str(lib / "misc") and moved["name"] == "00001-1.png"
    assert moved["rating"] == 4 and custom_tag_ids(api, image_id) == [tag_id]
    assert row(api, src) is None
    assert counts_consistent(api)
    found = search_substring(api.ctx.db, "misc/00001")  # the full-text index follows the path
    assert [f["id"] for f in found.rows] == [image_id]


def test_move_folder_moves_index_rows_below_it(make_api, lib):
    a1111_png(lib / "2026-11-2" / "other.png", "a prefix trap", seed=9)  # name is a prefix of the moved one
    api = make_api()
    ids = {p: row(api, lib / "2026-11-20" / p)["id"] for p in ("00001-1.png", "00002-2.png")}
    trap = row(api, lib / "2026-11-2" / "other.png")
    r = api.post("/move_files", json={"file_paths": [str(lib / "2026-11-20")], "dest": str(lib / "misc"),
                                       "create_dest_folder": False})
    assert r.status_code == 200 and r.json()["errors"] == []
    for name, image_id in ids.items():
        moved = row(api, lib / "misc" / "2026-11-20" / name)
        assert moved is not None and moved["id"] == image_id
        assert moved["folder"] == str(lib / "misc" / "2026-11-20")
        assert row(api, lib / "2026-11-20" / name) is None
    assert row(api, lib / "2026-11-2" / "other.png") == trap  # untouched
    assert (lib / "misc" / "2026-11-20" / "00001-1.txt").exists()
    assert counts_consistent(api)


def test_index_follows_moves_under_a_symlinked_root(make_api, lib, tmp_path):
    link = tmp_path / "link-to-library"
    os.symlink(lib, link)
    api = make_api(env=AC, extra_paths=[str(link)])
    indexed = row(api, link / "2026-11-20" / "00001-1.png")
    assert indexed is not None  # the index stores paths under the root as configured
    r = api.post("/move_files", json={"file_paths": [str(lib / "2026-11-20" / "00001-1.png")],
                                      "dest": str(link / "misc")})
    assert r.status_code == 200 and r.json()["errors"] == []
    assert row(api, link / "misc" / "00001-1.png")["id"] == indexed["id"]
    r = api.post("/db/rename", json={"path": str(link / "misc"), "name": "renamed"})
    assert r.json()["new_path"] == str(link / "renamed")
    assert row(api, link / "renamed" / "00001-1.png")["id"] == indexed["id"]


def test_move_creates_the_destination_only_when_asked(api, lib):
    src = lib / "misc" / "plain.png"
    before = snapshot(lib)
    r = api.post("/move_files", json={"file_paths": [str(src)], "dest": str(lib / "new")})
    assert r.status_code == 400 and detail(r) == f"Destination folder {lib / 'new'} does not exist."
    assert snapshot(lib) == before
    r = api.post("/move_files", json={"file_paths": [str(src)], "dest": str(lib / "new"), "create_dest_folder": True})
    assert r.status_code == 200 and (lib / "new" / "plain.png").exists() and not src.exists()


def test_move_collision_is_409_unless_overwrite(api, lib):
    plain_png(lib / "misc" / "00001-1.png", color=(9, 9, 9))
    src = lib / "2026-11-20" / "00001-1.png"
    image_id, _ = add_custom_tag(api, src)
    before = snapshot(lib)
    r = api.post("/move_files", json={"file_paths": [str(src)], "dest": str(lib / "misc")})
    assert r.status_code == 409 and str(lib / "misc" / "00001-1.png") in detail(r)
    assert snapshot(lib) == before
    # The sidecar's target is checked too.
    (lib / "misc" / "00001-1.png").unlink()
    (lib / "misc" / "00001-1.txt").write_text("someone else's")
    before = snapshot(lib)
    r = api.post("/move_files", json={"file_paths": [str(src)], "dest": str(lib / "misc")})
    assert r.status_code == 409 and str(lib / "misc" / "00001-1.txt") in detail(r)
    assert snapshot(lib) == before
    r = api.post("/move_files", json={"file_paths": [str(src)], "dest": str(lib / "misc"), "overwrite": True})
    assert r.status_code == 200 and r.json()["errors"] == []
    assert (lib / "misc" / "00001-1.txt").read_text().startswith("a red fox")
    assert row(api, lib / "misc" / "00001-1.png")["id"] == image_id
    assert counts_consistent(api)


def test_move_continue_on_error_collects_and_goes_on(api, lib):
    plain_png(lib / "misc" / "00002-2.png")
    srcs = [str(lib / "2026-11-20" / "00002-2.png"), str(lib / "2026-11-20" / "missing.png"),
            str(lib / "2026-11-21" / "00003-3.png")]
    r = api.post("/move_files", json={"file_paths": srcs, "dest": str(lib / "misc"), "continue_on_error": True})
    assert r.status_code == 200
    errors = r.json()["errors"]
    assert len(errors) == 2
    assert "already exists" in errors[0] and str(lib / "misc" / "00002-2.png") in errors[0]
    assert "missing.png" in errors[1]
    assert (lib / "misc" / "00003-3.png").exists() and (lib / "2026-11-20" / "00002-2.png").exists()


def test_move_bad_input_changes_nothing(make_api, lib, outside):
    api = make_api(env=AC)
    src = str(lib / "2026-11-20" / "00001-1.png")
    before = snapshot(lib, outside)
    cases = [
        ({"file_paths": [src, str(lib / "nope.png")], "dest": str(lib / "misc")}, 404, "nope.png"),
        ({"file_paths": [src, str(outside / "secret.png")], "dest": str(lib / "misc")}, 403, "Forbidden"),
        ({"file_paths": [src], "dest": str(outside)}, 403, "Forbidden"),
        ({"file_paths": [src], "dest": str(outside / "new"), "create_dest_folder": True}, 403, "Forbidden"),
        ({"file_paths": [src], "dest": str(lib / "misc" / "plain.png")}, 400, "is a file"),
        ({"file_paths": [str(lib / "2026-11-20")], "dest": str(lib / "2026-11-20" / "sub"),
          "create_dest_folder": True}, 400, "inside itself"),
        ({"file_paths": [src], "dest": str(lib / "2026-11-20")}, 400, "already in"),
        ({"file_paths": [src], "dest": ""}, 400, "empty"),
        ({"file_paths": [src, str(lib / "nope.png")], "dest": str(lib / "created"), "create_dest_folder": True},
         404, "nope.png"),
    ]
    for body, status, text in cases:
        r = api.post("/move_files", json=body)
        assert r.status_code == status, (body, r.text)
        assert text in detail(r), (body, r.text)
        assert snapshot(lib, outside) == before, body
    for body in ({"file_paths": src, "dest": str(lib)}, {"dest": str(lib)}, {"file_paths": [1], "dest": str(lib)},
                 {"file_paths": [src], "dest": str(lib), "overwrite": "perhaps"}):
        assert api.post("/move_files", json=body).status_code == 422, body
    assert api.post("/move_files", content=b'{"file_paths": [', headers={"content-type": "application/json"}
                    ).status_code == 422
    assert snapshot(lib, outside) == before


def test_symlink_is_moved_as_a_link(make_api, lib):
    os.symlink(lib / "misc" / "plain.png", lib / "2026-11-21" / "link.png")
    api = make_api(env=AC)
    r = api.post("/move_files", json={"file_paths": [str(lib / "2026-11-21" / "link.png")], "dest": str(lib)})
    assert r.status_code == 200 and r.json()["errors"] == []
    assert os.path.islink(lib / "link.png") and (lib / "misc" / "plain.png").is_file()


def test_move_across_file_systems(make_api, lib, tmp_path):
    if not os.path.isdir("/dev/shm") or os.stat("/dev/shm").st_dev == os.stat(tmp_path).st_dev:
        pytest.skip("/dev/shm is missing or on the same file system: no second file system here")
    other = tempfile.mkdtemp(prefix="iib-test-", dir="/dev/shm")
    try:
        api = make_api(env=AC, extra_paths=[str(lib), other])
        src = lib / "2026-11-20" / "00001-1.png"
        image_id, tag_id = add_custom_tag(api, src, rating=5)
        r = api.post("/move_files", json={"file_paths": [str(src)], "dest": os.path.join(other, "album"),
                                          "create_dest_folder": True})
        assert r.status_code == 200 and r.json()["errors"] == []
        target = os.path.join(other, "album", "00001-1.png")
        assert os.path.isfile(target) and os.path.isfile(os.path.join(other, "album", "00001-1.txt"))
        assert not src.exists() and not (lib / "2026-11-20" / "00001-1.txt").exists()
        assert sorted(os.listdir(os.path.join(other, "album"))) == ["00001-1.png", "00001-1.txt"]  # no partials
        moved = row(api, target)
        assert moved["id"] == image_id and moved["rating"] == 5 and custom_tag_ids(api, image_id) == [tag_id]
        # and a whole folder back
        r = api.post("/move_files", json={"file_paths": [os.path.join(other, "album")], "dest": str(lib)})
        assert r.status_code == 200 and r.json()["errors"] == []
        assert (lib / "album" / "00001-1.png").is_file() and not os.path.exists(os.path.join(other, "album"))
        assert row(api, lib / "album" / "00001-1.png")["id"] == image_id
    finally:
        shutil.rmtree(other, ignore_errors=True)


def test_move_out_of_the_indexed_folders_leaves_the_index(api, lib, tmp_path):
    src = lib / "2026-11-21" / "00003-3.png"
    add_custom_tag(api, src, rating=3)
    (tmp_path / "elsewhere").mkdir()
    r = api.post("/move_files", json={"file_paths": [str(src)], "dest": str(tmp_path / "elsewhere")})
    assert r.status_code == 200 and r.json()["errors"] == []
    assert row(api, tmp_path / "elsewhere" / "00003-3.png") is None and row(api, src) is None
    assert counts_consistent(api)
    # Coming back, it is indexed at once and its marks return (stashed by fingerprint).
    r = api.post("/move_files", json={"file_paths": [str(tmp_path / "elsewhere" / "00003-3.png")], "dest": str(lib)})
    assert r.status_code == 200
    back = row(api, lib / "00003-3.png")
    assert back is not None and back["rating"] == 3 and len(custom_tag_ids(api, back["id"])) == 1


# --------------------------------------------------------------------------- copy_files
def test_copy_files_with_sidecar_indexed_at_once(api, lib):
    src = lib / "2026-11-20" / "00001-1.png"
    image_id, tag_id = add_custom_tag(api, src, rating=2)
    r = api.post("/copy_files", json={"file_paths": [str(src)], "dest": str(lib / "copies"),
                                      "create_dest_folder": True})
    assert r.status_code == 200 and r.json()["errors"] == []
    assert src.exists() and (lib / "2026-11-20" / "00001-1.txt").exists()
    assert (lib / "copies" / "00001-1.png").read_bytes() == src.read_bytes()
    assert (lib / "copies" / "00001-1.txt").exists()
    copy = row(api, lib / "copies" / "00001-1.png")
    assert copy is not None and copy["id"] != image_id and "red fox" in copy["positive"]
    assert copy["rating"] == 2 and custom_tag_ids(api, copy["id"]) == [tag_id]
    assert row(api, src)["id"] == image_id
    assert counts_consistent(api)


def test_copy_over_an_existing_file_when_asked(make_api, lib):
    a1111_png(lib / "2026-11-21" / "00001-1.png", "old content to be overwritten", seed=8)
    api = make_api()
    src, victim = lib / "2026-11-20" / "00001-1.png", lib / "2026-11-21" / "00001-1.png"
    add_custom_tag(api, victim, name="on-the-victim", rating=1)
    r = api.post("/copy_files", json={"file_paths": [str(src)], "dest": str(lib / "2026-11-21")})
    assert r.status_code == 409 and "old content" in row(api, victim)["positive"]
    r = api.post("/copy_files", json={"file_paths": [str(src)], "dest": str(lib / "2026-11-21"), "overwrite": True})
    assert r.status_code == 200 and r.json()["errors"] == []
    assert victim.read_bytes() == src.read_bytes() and (lib / "2026-11-21" / "00001-1.txt").exists()
    copy = row(api, victim)
    assert "red fox" in copy["positive"]
    assert custom_tag_ids(api, copy["id"]) == [] and copy["rating"] is None  # the old file's marks went with it
    assert counts_consistent(api)


def test_copy_errors_change_nothing(make_api, lib, outside):
    api = make_api(env=AC)
    src = str(lib / "2026-11-20" / "00001-1.png")
    before = snapshot(lib, outside)
    r = api.post("/copy_files", json={"file_paths": [src], "dest": str(lib / "nowhere")})
    assert r.status_code == 400 and "does not exist" in detail(r)
    r = api.post("/copy_files", json={"file_paths": [src], "dest": str(lib / "2026-11-21" / "00003-3.png")})
    assert r.status_code == 400
    r = api.post("/copy_files", json={"file_paths": [src], "dest": str(outside)})
    assert r.status_code == 403
    shutil.copy(src, lib / "misc" / "00001-1.png")
    before = snapshot(lib, outside)
    r = api.post("/copy_files", json={"file_paths": [src], "dest": str(lib / "misc")})
    assert r.status_code == 409 and str(lib / "misc" / "00001-1.png") in detail(r)
    assert snapshot(lib, outside) == before


def test_copy_a_folder(api, lib):
    r = api.post("/copy_files", json={"file_paths": [str(lib / "2026-11-20")], "dest": str(lib / "misc")})
    assert r.status_code == 200 and r.json()["errors"] == []
    assert sorted(os.listdir(lib / "misc" / "2026-11-20")) == ["00001-1.png", "00001-1.txt", "00002-2.png"]
    assert row(api, lib / "misc" / "2026-11-20" / "00002-2.png") is not None
    assert row(api, lib / "2026-11-20" / "00002-2.png") is not None


# --------------------------------------------------------------------------- rename
def test_rename_file_with_sidecar_keeps_id(api, lib):
    src = lib / "2026-11-20" / "00001-1.png"
    image_id, tag_id = add_custom_tag(api, src)
    r = api.post("/db/rename", json={"path": str(src), "name": "fox.png"})
    assert r.status_code == 200
    assert r.json() == {"detail": "File renamed successfully", "new_path": str(lib / "2026-11-20" / "fox.png")}
    assert (lib / "2026-11-20" / "fox.png").exists() and (lib / "2026-11-20" / "fox.txt").exists()
    assert not src.exists() and not (lib / "2026-11-20" / "00001-1.txt").exists()
    renamed = row(api, lib / "2026-11-20" / "fox.png")
    assert renamed["id"] == image_id and renamed["name"] == "fox.png" and custom_tag_ids(api, image_id) == [tag_id]


def test_rename_to_the_sidecar_name_leaves_the_sidecar_alone(api, lib):
    src = lib / "2026-11-20" / "00001-1.png"
    before = snapshot(lib)
    r = api.post("/db/rename", json={"path": str(src), "name": "00001-1.txt"})
    assert r.status_code == 409 and snapshot(lib) == before
    png = src.read_bytes()
    r = api.post("/db/rename", json={"path": str(src), "name": "00001-1.txt", "overwrite": True})
    assert r.status_code == 200 and not src.exists()
    assert (lib / "2026-11-20" / "00001-1.txt").read_bytes() == png  # replaced on request
    assert row(api, src) is None  # no longer a media file: it left the index
    assert counts_consistent(api)


def test_rename_folder_moves_rows_below(api, lib):
    image_id = row(api, lib / "2026-11-21" / "00003-3.png")["id"]
    r = api.post("/db/rename", json={"path": str(lib / "2026-11-21"), "name": "ramen"})
    assert r.status_code == 200 and r.json()["new_path"] == str(lib / "ramen")
    assert row(api, lib / "ramen" / "00003-3.png")["id"] == image_id


def test_rename_errors(make_api, lib, outside):
    api = make_api(env=AC)
    src = str(lib / "2026-11-20" / "00001-1.png")
    before = snapshot(lib, outside)
    for name in ("a/b.png", "a\\b.png", "..", "../escape.png", "x..png", ""):
        r = api.post("/db/rename", json={"path": src, "name": name})
        assert r.status_code == 400, name
        detail(r)
    r = api.post("/db/rename", json={"path": src, "name": "00002-2.png"})
    assert r.status_code == 409 and detail(r) == "A file with the new name already exists"
    r = api.post("/db/rename", json={"path": str(lib / "nope.png"), "name": "x.png"})
    assert r.status_code == 404 and detail(r) == "File not found"
    r = api.post("/db/rename", json={"path": str(outside / "secret.png"), "name": "x.png"})
    assert r.status_code == 403
    assert api.post("/db/rename", json={"path": src}).status_code == 422
    assert api.post("/db/rename", json={"path": src, "name": 7}).status_code == 422
    assert snapshot(lib, outside) == before
    r = api.post("/db/rename", json={"path": src, "name": "00002-2.png", "overwrite": True})
    assert r.status_code == 200 and not os.path.exists(src)


# --------------------------------------------------------------------------- delete and the trash
def test_delete_to_trash_and_restore_roundtrip(api, lib):
    src = lib / "2026-11-20" / "00001-1.png"
    content = src.read_bytes()
    image_id, tag_id = add_custom_tag(api, src, rating=5)
    r = api.post("/delete_files", json={"file_paths": [str(src)]})
    assert r.status_code == 200 and r.json()["ok"] is True
    [item] = r.json()["items"]
    assert item["path"] == str(src) and item["trash_id"]
    assert not src.exists() and not (lib / "2026-11-20" / "00001-1.txt").exists()
    assert row(api, src) is None and counts_consistent(api)
    listed = api.get("/trash").json()["items"]
    assert [i["id"] for i in listed] == [item["trash_id"]]
    assert listed[0]["original_path"] == str(src) and listed[0]["sidecars"] == [str(lib / "2026-11-20" / "00001-1.txt")]
    assert listed[0]["type"] == "file" and listed[0]["bytes"] == len(content) and DATE.match(listed[0]["deleted_at"])
    r = api.post("/trash/restore", json={"ids": [item["trash_id"]]})
    assert r.status_code == 200 and r.json()["restored"] == [str(src), str(lib / "2026-11-20" / "00001-1.txt")]
    assert src.read_bytes() == content and (lib / "2026-11-20" / "00001-1.txt").exists()
    back = row(api, src)  # indexed again at once, its marks back
    assert back is not None and back["rating"] == 5 and custom_tag_ids(api, back["id"]) == [tag_id]
    assert counts_consistent(api)
    assert api.get("/trash").json()["items"] == []
    assert api.post("/trash/restore", json={"ids": [item["trash_id"]]}).status_code == 404


def test_restore_onto_an_existing_path_is_409(api, lib):
    src = lib / "misc" / "plain.png"
    trash_id = api.post("/delete_files", json={"file_paths": [str(src)]}).json()["items"][0]["trash_id"]
    plain_png(src, color=(7, 7, 7))
    before = snapshot(lib)
    r = api.post("/trash/restore", json={"ids": [trash_id]})
    assert r.status_code == 409 and str(src) in detail(r)
    assert snapshot(lib) == before and [i["id"] for i in api.get("/trash").json()["items"]] == [trash_id]
    assert api.post("/trash/restore", json={"ids": ["../../etc/passwd"]}).status_code == 400
    assert api.post("/trash/restore", json={"ids": "x"}).status_code == 422
    assert api.post("/trash/restore", json={"ids": ["20200101-000000-00000000", trash_id]}).status_code == 404
    assert snapshot(lib) == before


def test_delete_rules(api, lib):
    (lib / "empty").mkdir()
    before = snapshot(lib)
    r = api.post("/delete_files", json={"file_paths": [str(lib / "misc" / "plain.png"), str(lib / "2026-11-20")]})
    assert r.status_code == 400 and detail(r) == "When a folder is not empty, it is not allowed to be deleted."
    assert snapshot(lib) == before  # checked before anything was deleted
    r = api.post("/delete_files", json={"file_paths": [str(lib / "misc" / "plain.png"), str(lib / "nope.png")]})
    assert r.status_code == 404 and "nope.png" in detail(r)
    assert snapshot(lib) == before
    r = api.post("/delete_files", json={"file_paths": [str(lib / "empty")]})
    assert r.status_code == 200 and not (lib / "empty").exists()
    assert api.get("/trash").json()["items"][0]["type"] == "dir"
    # a .txt on its own is simply deleted, without the upstream double-delete error
    r = api.post("/delete_files", json={"file_paths": [str(lib / "2026-11-20" / "00001-1.txt")]})
    assert r.status_code == 200 and (lib / "2026-11-20" / "00001-1.png").exists()
    # an image and its sidecar named together: one trash item
    (lib / "2026-11-21" / "00003-3.txt").write_text("ramen")
    r = api.post("/delete_files", json={"file_paths": [str(lib / "2026-11-21" / "00003-3.png"),
                                                       str(lib / "2026-11-21" / "00003-3.txt")]})
    assert r.status_code == 200 and len(r.json()["items"]) == 1 and os.listdir(lib / "2026-11-21") == []
    assert api.post("/delete_files", json={"file_paths": "x"}).status_code == 422


def test_permanent_delete(api, lib):
    src = lib / "2026-11-20" / "00002-2.png"
    r = api.post("/delete_files", json={"file_paths": [str(src)], "permanent": True})
    assert r.status_code == 200 and r.json()["items"] == [{"path": str(src), "trash_id": None}]
    assert not src.exists() and row(api, src) is None
    assert api.get("/trash").json()["items"] == []
    assert counts_consistent(api)


def test_delete_outside_the_roots_is_403(make_api, lib, outside):
    api = make_api(env=AC)
    before = snapshot(lib, outside)
    r = api.post("/delete_files", json={"file_paths": [str(lib / "misc" / "plain.png"), str(outside / "secret.png")]})
    assert r.status_code == 403 and snapshot(lib, outside) == before


def test_empty_trash(api, lib):
    ids = [api.post("/delete_files", json={"file_paths": [str(p)]}).json()["items"][0]["trash_id"]
           for p in (lib / "misc" / "plain.png", lib / "2026-11-21" / "00003-3.png")]
    r = api.post("/trash/empty", json={})
    assert r.status_code == 400 and "all" in detail(r)
    assert api.post("/trash/empty", json={"ids": ["../../etc"]}).status_code == 400
    assert api.post("/trash/empty", json={"ids": ["20200101-000000-00000000"]}).status_code == 404
    assert len(api.get("/trash").json()["items"]) == 2
    assert api.post("/trash/empty", json={"ids": [ids[0]]}).json() == {"deleted": 1}
    assert [i["id"] for i in api.get("/trash").json()["items"]] == [ids[1]]
    assert api.post("/trash/empty", json={"all": True}).json() == {"deleted": 1}
    assert api.get("/trash").json()["items"] == []
    assert not (lib / "misc" / "plain.png").exists()


# --------------------------------------------------------------------------- covers
def test_batch_top_4_media_info(make_api, lib, outside):
    api = make_api(env=AC)
    folder = lib / "covers"
    for name in ("1.png", "2.mp4", "3.png", "4.png", "5.webp"):
        plain_png(folder / name) if name.endswith((".png", ".webp")) else (folder / name).write_bytes(b"v")
        time.sleep(0.02)
    (folder / "notes.txt").write_text("not media")
    r = api.post("/batch_top_4_media_info", json={"paths": [str(folder), str(lib / "nope")]})
    assert r.status_code == 200
    items = r.json()[str(folder)]
    assert [i["name"] for i in items] == ["5.webp", "4.png", "3.png", "2.mp4"]
    assert items[3]["media_type"] == "video" and items[0]["media_type"] == "image"
    assert items[0] == {"fullpath": str(folder / "5.webp"), "media_type": "image", "type": "file",
                        "date": items[0]["date"], "created_time": items[0]["created_time"], "name": "5.webp"}
    assert r.json()[str(lib / "nope")] == []
    time.sleep(0.02)
    plain_png(folder / "6.png")  # the folder changed: the cached answer is refreshed
    again = api.post("/batch_top_4_media_info", json={"paths": [str(folder)]}).json()[str(folder)]
    assert [i["name"] for i in again] == ["6.png", "5.webp", "4.png", "3.png"]
    assert api.post("/batch_top_4_media_info", json={"paths": [str(folder), str(outside)]}).status_code == 403


# --------------------------------------------------------------------------- open_* routes
def test_open_routes_on_loopback_check_the_path(make_api, lib, outside):
    api = make_api(env=AC)
    for route in ("/open_folder", "/open_with_default_app"):
        r = api.post(route, json={"path": str(lib / "missing.png")})
        assert r.status_code == 404 and "missing.png" in detail(r)
        assert api.post(route, json={"path": str(outside / "secret.png")}).status_code == 403
        assert api.post(route, json={}).status_code == 422
        r = api.post(route, json={"path": str(lib / "misc" / "plain.png")},
                     headers={"X-Forwarded-For": "203.0.113.9"})
        assert r.status_code == 403 and "loopback" in detail(r)


def _non_loopback_address():
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("198.51.100.1", 9))  # no packet is sent: this only picks the outgoing interface
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def test_open_routes_refuse_when_not_on_loopback(db_url, tmp_path, lib):
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address to serve on")
    # An explicit permission: an open bind without a key would be read-only (403) anyway.
    settings = Settings.load(environ={"IIB_DB_URL": db_url, "IIB_CACHE_DIR": str(tmp_path / "cache"),
                                      "IIB_ACCESS_CONTROL_PERMISSION": "read-write"},
                             env_file=tmp_path / "no.env")
    ctx = build_context(settings, host=address, extra_paths=[str(lib)])
    server = uvicorn.Server(uvicorn.Config(create_app(ctx), host=address, port=0, log_level="warning",
                                           lifespan="on", access_log=False))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.time() + 20
        while not server.started:
            assert thread.is_alive() and time.time() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        port = server.servers[0].sockets[0].getsockname()[1]
        with httpx.Client(base_url=f"http://{address}:{port}", timeout=30) as client:
            for route in ("/open_folder", "/open_with_default_app"):
                r = client.post(ctx.base + route, json={"path": str(lib / "misc" / "plain.png")})
                assert r.status_code == 403 and "loopback" in r.json()["detail"]
    finally:
        server.should_exit = True
        thread.join(timeout=20)


# --------------------------------------------------------------------------- permissions
def test_read_only_server_refuses_every_write_route(make_api, lib):
    api = make_api(env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"})
    src = str(lib / "misc" / "plain.png")
    before = snapshot(lib)
    writes = [
        ("/mkdirs", {"dest_folder": str(lib / "new")}),
        ("/delete_files", {"file_paths": [src]}),
        ("/copy_files", {"file_paths": [src], "dest": str(lib)}),
        ("/move_files", {"file_paths": [src], "dest": str(lib)}),
        ("/db/rename", {"path": src, "name": "x.png"}),
        ("/open_folder", {"path": src}),
        ("/open_with_default_app", {"path": src}),
        ("/trash/restore", {"ids": []}),
        ("/trash/empty", {"all": True}),
    ]
    for route, body in writes:
        r = api.post(route, json=body)
        assert r.status_code == 403 and "read-write" in detail(r), route
    assert snapshot(lib) == before
    assert api.get("/files", params={"folder_path": str(lib)}).status_code == 200
    assert api.get("/trash").status_code == 200
