"""No cross-site writes: every state-changing route, as the app lists them in
its own schema, refuses bodies that are not declared JSON (415) and requests another page sent
(403): nothing changes on disk or in the database. Over real HTTP, on SQLite and PostgreSQL,
under whatever FastAPI this venv has (current, the A1111 pins, the Forge pins)."""
from __future__ import annotations

import pytest

from support.guard import attack_body, db_snapshot, tree_snapshot, write_routes

SECRET = "correct horse battery"
FOREIGN = "http://127.0.0.1:1"  # another port of the same host: same-site for a browser
ALLOWED = "http://tools.example.test"


def _variants(own_origin):
    """(name, extra headers, body kind) of requests a cross-site page can make, or a client
    can send by mistake; each must be refused."""
    return [
        ("text/plain", {"content-type": "text/plain"}, "json-text", 415),
        ("text/plain + charset", {"content-type": "text/plain;charset=UTF-8"}, "json-text", 415),
        ("no content type", {}, "json-text", 415),
        ("form-urlencoded", {"content-type": "application/x-www-form-urlencoded"}, "json-text", 415),
        ("multipart", {"content-type": "multipart/form-data; boundary=x"}, "json-text", 415),
        ("json from a foreign origin", {"content-type": "application/json", "origin": FOREIGN}, "json", 403),
        ("json from another site", {"content-type": "application/json", "origin": "https://evil.example"},
         "json", 403),
        ("json from an opaque origin", {"content-type": "application/json", "origin": "null"}, "json", 403),
        ("json, Sec-Fetch-Site cross-site", {"content-type": "application/json",
                                            "sec-fetch-site": "cross-site"}, "json", 403),
        ("json, Sec-Fetch-Site same-site", {"content-type": "application/json",
                                           "sec-fetch-site": "same-site"}, "json", 403),
        ("same-site with a foreign Origin", {"content-type": "application/json", "origin": FOREIGN,
                                             "sec-fetch-site": "same-site"}, "json", 403),
        ("no body, foreign Origin", {"origin": FOREIGN}, "none", 403),
        ("text/plain with own Origin", {"content-type": "text/plain", "origin": own_origin}, "json-text", 415),
    ]


def _victim(api):
    return api.library / "2026-11-20" / "00001-1.png"


@pytest.mark.parametrize("key", [None, SECRET], ids=["no-key", "key"])
def test_no_write_route_acts_on_a_request_another_page_could_send(make_api, key):
    env = {"IIB_SECRET_KEY": key} if key else {}
    api = make_api(env=env)
    if key:
        api.client.headers["authorization"] = "Bearer " + key  # the browser's cookie, as a header
    routes = write_routes(api.client.get("/openapi.json").json(), api.base)
    assert ("POST", "/delete_files") in routes and ("POST", "/open_with_default_app") in routes
    assert len(routes) >= 40  # the app's own list, not a hand-made one
    victim = _victim(api)
    body = attack_body(victim, api.library)
    files, rows = tree_snapshot(api.library), db_snapshot(api.ctx.db)
    refused = 0
    for method, route in routes:
        for name, headers, kind, status in _variants(api.url):
            content = None if kind == "none" else body
            r = api.client.request(method, api.path(route), content=content, headers=headers)
            assert r.status_code == status, (method, route, name, r.status_code, r.text[:200])
            assert isinstance(r.json()["detail"], str) and r.json()["detail"], (route, name)
            refused += 1
    assert victim.exists()
    assert tree_snapshot(api.library) == files
    assert db_snapshot(api.ctx.db) == rows
    assert refused == len(routes) * len(_variants(api.url))
    # The same request, sent as JSON by IIB's own page (or a script), does act: the refusals
    # above came from the guard, not from a body the routes would not take.
    r = api.client.post(api.path("/delete_files"), content=body,
                        headers={"content-type": "application/json", "origin": api.url,
                                 "sec-fetch-site": "same-origin"})
    assert r.status_code == 200, r.text
    assert not victim.exists()


def test_json_from_scripts_and_own_page_still_works(api):
    folder = api.library / "made"
    r = api.post("/mkdirs", json={"dest_folder": str(folder)})  # a script: no Origin at all
    assert r.status_code == 200 and folder.is_dir()
    r = api.post("/mkdirs", json={"dest_folder": str(folder / "b")},
                 headers={"origin": api.url, "sec-fetch-site": "same-origin"})
    assert r.status_code == 200 and (folder / "b").is_dir()
    # A charset parameter is fine; so is a body-less POST from a script.
    r = api.post("/mkdirs", content=b'{"dest_folder": "%s"}' % str(folder / "c").encode(),
                 headers={"content-type": "application/json; charset=utf-8"})
    assert r.status_code == 200 and (folder / "c").is_dir()
    assert api.post("/cache/clean").status_code == 200
    # Reads (GET) are not affected by any of this.
    r = api.get("/files", params={"folder_path": str(api.library)}, headers={"origin": FOREIGN,
                                                                            "sec-fetch-site": "cross-site"})
    assert r.status_code == 200


def test_open_routes_refuse_cross_site_even_from_an_allowed_origin(make_api):
    api = make_api(env={"IIB_SECRET_KEY": SECRET, "IIB_ALLOW_ORIGINS": ALLOWED})
    api.client.headers["authorization"] = "Bearer " + SECRET
    path = str(_victim(api))
    for route in ("/open_folder", "/open_with_default_app"):
        for headers in ({"origin": ALLOWED}, {"origin": FOREIGN}, {"sec-fetch-site": "same-site"},
                        {"sec-fetch-site": "cross-site"}):
            r = api.post(route, json={"path": path}, headers=headers)
            assert r.status_code == 403 and r.json()["detail"], (route, headers)


def test_listed_origin_may_write_only_with_a_key(make_api):
    no_key = make_api(env={"IIB_ALLOW_ORIGINS": ALLOWED})
    target = no_key.library / "from-tools"
    r = no_key.post("/mkdirs", json={"dest_folder": str(target)}, headers={"origin": ALLOWED})
    assert r.status_code == 403 and "IIB_SECRET_KEY" in r.json()["detail"] and not target.exists()
    keyed = make_api(env={"IIB_ALLOW_ORIGINS": ALLOWED, "IIB_SECRET_KEY": SECRET})
    auth = {"authorization": "Bearer " + SECRET}
    folder = keyed.library / "from-tools-2"
    r = keyed.post("/mkdirs", json={"dest_folder": str(folder)}, headers={"origin": ALLOWED, **auth})
    assert r.status_code == 200 and folder.is_dir()
    # Another origin is still refused; the listed one still has to send JSON.
    r = keyed.post("/mkdirs", json={"dest_folder": str(folder / "x")}, headers={"origin": FOREIGN, **auth})
    assert r.status_code == 403 and not (folder / "x").exists()
    r = keyed.post("/mkdirs", content=b'{"dest_folder": "%s"}' % str(folder / "y").encode(),
                   headers={"origin": ALLOWED, "content-type": "text/plain", **auth})
    assert r.status_code == 415 and not (folder / "y").exists()


def test_cors_preflight_allows_reads_only_unless_listed_with_a_key(make_api):
    from iib_core.api import create_app
    from support.server import LiveServer

    api = make_api()
    bare = LiveServer(create_app(api.ctx, allow_cors=True)).__enter__()
    try:
        with bare.client() as c:
            r = c.get(api.path("/files"), params={"folder_path": str(api.library)},
                      headers={"origin": "https://reader.example"})
            assert r.status_code == 200 and r.headers["access-control-allow-origin"] == "*"
            pre = c.options(api.path("/delete_files"), headers={
                "origin": "https://reader.example", "access-control-request-method": "POST",
                "access-control-request-headers": "content-type"})
            assert pre.status_code >= 400 or "POST" not in pre.headers.get("access-control-allow-methods", "")
            r = c.post(api.path("/delete_files"), json={"file_paths": [str(_victim(api))], "permanent": True},
                       headers={"origin": "https://reader.example"})
            assert r.status_code == 403 and _victim(api).exists()
    finally:
        bare.__exit__(None, None, None)
    keyed = make_api(env={"IIB_ALLOW_ORIGINS": ALLOWED, "IIB_SECRET_KEY": SECRET})
    pre = keyed.client.options(keyed.path("/delete_files"), headers={
        "origin": ALLOWED, "access-control-request-method": "POST", "access-control-request-headers": "content-type"})
    assert pre.status_code == 200 and pre.headers["access-control-allow-origin"] == ALLOWED
    assert pre.headers["access-control-allow-credentials"] == "true"
    pre = keyed.client.options(keyed.path("/delete_files"), headers={
        "origin": FOREIGN, "access-control-request-method": "POST"})
    assert pre.status_code == 400


# -- open binds ------------------------------------------------------------------------
def test_open_bind_without_a_key_is_read_only_and_says_how_to_fix_it(make_api):
    api = make_api(host="0.0.0.0")
    victim = _victim(api)
    files, rows = tree_snapshot(api.library), db_snapshot(api.ctx.db)
    assert api.get("/global_setting").json()["is_readonly"] is True
    for route, body in (("/delete_files", {"file_paths": [str(victim)], "permanent": True}),
                        ("/mkdirs", {"dest_folder": str(api.library / "new")}),
                        ("/db/rename", {"path": str(victim), "name": "x.png"}),
                        ("/db/add_custom_tag", {"tag_name": "x"})):
        r = api.post(route, json=body)
        assert r.status_code == 403 and "IIB_SECRET_KEY" in r.json()["detail"], (route, r.text)
    assert tree_snapshot(api.library) == files and db_snapshot(api.ctx.db) == rows
    assert api.get("/files", params={"folder_path": str(api.library)}).status_code == 200


@pytest.mark.parametrize("env", [{"IIB_SECRET_KEY": SECRET}, {"IIB_ACCESS_CONTROL_PERMISSION": "read-write"}],
                         ids=["key", "explicit-permission"])
def test_open_bind_with_a_key_or_an_explicit_permission_may_write(make_api, env):
    api = make_api(host="0.0.0.0", env=env)
    if "IIB_SECRET_KEY" in env:
        api.client.headers["authorization"] = "Bearer " + SECRET
    assert api.get("/global_setting").json()["is_readonly"] is False
    r = api.post("/mkdirs", json={"dest_folder": str(api.library / "new")})
    assert r.status_code == 200 and (api.library / "new").is_dir()


def test_explicit_read_only_stays_read_only_on_loopback(make_api):
    api = make_api(env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"})
    r = api.post("/mkdirs", json={"dest_folder": str(api.library / "new")})
    assert r.status_code == 403 and not (api.library / "new").exists()


# -- OPTIONS and the schema --------------------------------------------------------------
def test_options_answers_with_allow(api):
    r = api.client.options(api.path("/files"))
    assert r.status_code == 204 and set(r.headers["allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    r = api.client.options(api.path("/delete_files"))
    assert r.status_code == 204 and set(r.headers["allow"].split(", ")) == {"POST", "OPTIONS"}
    r = api.client.options(api.path("/app_fe_setting"))
    assert r.status_code == 204 and {"POST", "DELETE"} <= set(r.headers["allow"].split(", "))
    r = api.client.options(api.path("/no/such/route"))
    assert r.status_code == 404 and r.json()["detail"]


def test_schema_declares_the_error_statuses(api):
    spec = api.client.get("/openapi.json").json()
    paths = spec["paths"]
    ops = {(m, p): op for p, item in paths.items() for m, op in item.items()}
    for (method, path), op in ops.items():
        if not path.startswith(api.base):
            continue
        codes = set(op["responses"])
        assert {"400", "421"} <= codes, (method, path)
        if method != "get":
            assert {"403", "415"} <= codes, (method, path)
        err = op["responses"]["421"]["content"]["application/json"]["schema"]
        assert err["required"] == ["detail"]
    assert "409" in paths[api.base + "/move_files"]["post"]["responses"]
    assert "413" in paths[api.base + "/zip"]["post"]["responses"]
    assert "416" in paths[api.base + "/stream_video"]["get"]["responses"]
    assert "401" in paths[api.base + "/files"]["get"]["responses"]
    assert "401" not in paths[api.base + "/hello"]["get"]["responses"]


def test_schema_shows_the_limits_the_routes_enforce(api):
    schemas = api.client.get("/openapi.json").json()["components"]["schemas"]
    name = next(n for n in schemas if n == "SearchBody" or n.endswith("db_routes__SearchBody"))
    search = schemas[name]["properties"]
    assert search["size"]["maximum"] == 10_000 and search["size"]["minimum"] == 1
    assert search["regexp"]["maxLength"] == 1000
    assert schemas["Exclusions"]["properties"]["dirs"]["maxItems"] == 500
    assert schemas["ZipReq"]["properties"]["paths"]["maxItems"] == 10_000
    # ... and the route does refuse past them, with a detail.
    r = api.post("/db/search_by_substr", json={"surstr": "", "size": 10_001})
    assert r.status_code == 400 and "10000" in r.json()["detail"]
