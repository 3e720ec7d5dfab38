"""The index page's routes: per-root state, cancel, excluded folders (our additions, docs/api.md, "Index")."""
from __future__ import annotations

import time

from support.files import plain_png


def _wait_idle(api, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        status = api.get("/db/index_status").json()
        if not status["running"]:
            return status
        time.sleep(0.05)
    raise AssertionError("index run did not finish")


def test_overview_reports_never_indexed_then_indexed_then_changed(make_api, tmp_path):
    root = tmp_path / "pics"
    (root / "sub").mkdir(parents=True)
    for i in range(3):
        plain_png(root / f"a{i}.png")
    plain_png(root / "sub" / "b.png")
    api = make_api(extra_paths=[root], index=False)
    over = api.get("/db/index_overview").json()
    [state] = [r for r in over["roots"] if r["path"] == str(root)]
    assert state["state"] == "never" and state["images"] == 0
    assert api.post("/db/update_image_data").status_code == 200
    [state] = [r for r in api.get("/db/index_overview").json()["roots"] if r["path"] == str(root)]
    assert state["state"] == "indexed"
    assert state["images"] == 4 and state["folders"] == 2
    time.sleep(0.02)
    plain_png(root / "sub" / "c.png")
    [state] = [r for r in api.get("/db/index_overview").json()["roots"] if r["path"] == str(root)]
    assert state["state"] == "changed"
    assert state["changed_dirs"] == [str(root / "sub")]


def test_excluded_folders_are_stored_validated_and_skipped(make_api, tmp_path):
    root = tmp_path / "pics"
    (root / "keep").mkdir(parents=True)
    (root / "skipme").mkdir()
    (root / "deep" / "x").mkdir(parents=True)
    plain_png(root / "keep" / "a.png")
    plain_png(root / "skipme" / "b.png")
    plain_png(root / "deep" / "x" / "c.png")
    api = make_api(extra_paths=[root], index=False)
    res = api.post("/db/index_exclusions", json={"dirs": ["skipme", str(root / "deep"), " ", "skipme"]})
    assert res.status_code == 200, res.text
    assert res.json()["stored"] == ["skipme", str(root / "deep")]
    assert api.get("/db/index_overview").json()["exclusions"]["stored"] == ["skipme", str(root / "deep")]
    assert api.post("/db/update_image_data").status_code == 200
    found = api.post("/db/search_by_substr", json={"surstr": ""}).json()["files"]
    assert sorted(f["name"] for f in found) == ["a.png"]
    for bad in (["relative/path"], [".."], ["x\x00y"]):
        res = api.post("/db/index_exclusions", json={"dirs": bad})
        assert res.status_code == 400 and "detail" in res.json(), bad
    assert api.get("/db/index_overview").json()["exclusions"]["stored"] == ["skipme", str(root / "deep")]


def test_excluded_folders_are_write_gated(make_api, tmp_path):
    api = make_api(extra_paths=[tmp_path], index=False, env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"})
    res = api.post("/db/index_exclusions", json={"dirs": ["a"]})
    assert res.status_code == 403


def test_cancel_stops_a_running_index_and_answers_400_when_idle(make_api, tmp_path):
    root = tmp_path / "many"
    root.mkdir()
    for i in range(1500):
        plain_png(root / f"f{i:05d}.png")
    api = make_api(extra_paths=[root], index=False)
    assert api.post("/db/index_cancel").status_code == 400
    started = api.post("/db/update_image_data", json={"background": True})
    assert started.status_code == 200 and started.json()["running"]
    res = api.post("/db/index_cancel")
    assert res.status_code in (200, 400)  # 400 only if the run already finished
    status = _wait_idle(api)
    if res.status_code == 200:
        assert status["state"] == "cancelled"
        assert status["progress"]["parsed"] < 1500
