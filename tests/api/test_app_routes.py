"""/hello, /global_setting, /version, /app_fe_setting, /shutdown over real HTTP."""
from iib_core.roots import WEBUI_OUTDIR_KEYS
from iib_core.security import secret_cookie_value


def test_hello_and_version(api):
    assert api.get("/hello").json() == "hello"
    v = api.get("/version").json()
    assert v["python_version"] and "pillow" in v and "hash" in v and "tag" in v


def test_global_setting_shape(api):
    g = api.get("/global_setting").json()
    for key in ("global_setting", "cwd", "is_win", "home", "sd_cwd", "all_custom_tags", "extra_paths",
                "enable_access_control", "launch_mode", "export_fe_fn", "app_fe_setting", "is_readonly"):
        assert key in g, key
    assert g["launch_mode"] == "server" and g["is_readonly"] is False and g["enable_access_control"] is False
    assert {"path": str(api.library), "types": ["cli_access_only"], "alias": ""} in g["extra_paths"]
    like = [t for t in g["all_custom_tags"] if t["name"] == "like"]
    assert like and like[0] == {"id": like[0]["id"], "name": "like", "type": "custom", "count": 0, "score": 0,
                                "color": "", "display_name": None}


def test_global_setting_names_the_webui_output_folders(api):
    """The start page lists the webui's output folders from this answer (it keeps no list of its own)."""
    outdirs = api.get("/global_setting").json()["webui_outdirs"]
    assert outdirs[0] == {"key": "outdir_txt2img_samples", "default": "outputs/txt2img-images"}
    assert {"key": "outdir_samples", "default": None} in outdirs
    # The same options the indexer reads from a webui config, each once.
    keys = [o["key"] for o in outdirs]
    assert len(keys) == len(set(keys)) and set(keys) == set(WEBUI_OUTDIR_KEYS)


def test_app_fe_setting_roundtrip_and_errors(api):
    assert api.post("/app_fe_setting", json={"name": "global", "value": '{"theme": "dark"}'}).json() is None
    assert api.get("/global_setting").json()["app_fe_setting"]["global"] == {"theme": "dark"}
    bad = api.post("/app_fe_setting", json={"name": "global", "value": "{not json"})
    assert bad.status_code == 400 and "JSON" in bad.json()["detail"]
    assert api.delete("/app_fe_setting", json={"name": "global"}).status_code == 200
    assert "global" not in api.get("/global_setting").json()["app_fe_setting"]
    assert api.delete("/app_fe_setting", json={"name": "never-set"}).status_code == 200
    assert api.post("/app_fe_setting", json={"name": "x"}).status_code == 422


def test_read_only_server_refuses_writes(make_api):
    api = make_api(env={"IIB_ACCESS_CONTROL_PERMISSION": "read-only"})
    r = api.post("/app_fe_setting", json={"name": "global", "value": "{}"})
    assert r.status_code == 403 and "read-write, write-only" in r.json()["detail"]
    assert api.get("/global_setting").json()["is_readonly"] is True


def test_shutdown_is_disabled_by_default(api):
    r = api.post("/shutdown")
    assert r.status_code == 403 and r.json() == {"detail": "Shutdown is disabled."}


def test_secret_key_cookie_and_bearer(make_api):
    api = make_api(env={"IIB_SECRET_KEY": "s3cret"})
    assert api.get("/hello").json() == "hello"
    r = api.get("/global_setting")
    assert r.status_code == 401 and r.json() == {"detail": {"type": "secret_verification_failed"}}
    # Cookies live on the client (httpx deprecated per-request cookies), set and cleared around each check.
    api.client.cookies.set("IIB_S", "wrong")
    assert api.get("/global_setting").status_code == 401
    api.client.cookies.set("IIB_S", secret_cookie_value("s3cret"))
    assert api.get("/global_setting").status_code == 200
    api.client.cookies.clear()
    assert api.get("/global_setting", headers={"Authorization": "Bearer s3cret"}).status_code == 200
    assert api.get("/global_setting", headers={"Authorization": "Bearer nope"}).status_code == 401
    # The secret is checked before the body is validated.
    assert api.post("/app_fe_setting", json={}).status_code == 401


def test_every_route_but_hello_refuses_without_the_key(make_api):
    api = make_api(env={"IIB_SECRET_KEY": "s3cret"})
    assert api.client.get("/openapi.json").status_code == 401
    assert api.client.get("/docs").status_code == 401
    schema = api.client.get("/openapi.json", headers={"Authorization": "Bearer s3cret"})
    paths = schema.json()["paths"]
    assert len(paths) >= 5
    open_routes = {api.path("/hello"), api.path("/shutdown")}
    checked = 0
    for path, methods in paths.items():
        if path in open_routes:
            continue
        for method in methods:
            r = api.client.request(method.upper(), path.replace("{", "").replace("}", ""), json={})
            assert r.status_code == 401, (method, path, r.status_code)
            checked += 1
    assert checked >= 4


def test_api_docs_are_found_under_the_base_too(api):
    for alias, target in (("/docs", "/docs"), ("/openapi.json", "/openapi.json")):
        r = api.client.get(api.path(alias) + "?target=https://example.com/", follow_redirects=False)
        assert r.status_code == 307 and r.headers["location"] == target, (alias, r.status_code)
    assert "swagger" in api.client.get(api.path("/docs"), follow_redirects=True).text.lower()
    assert "paths" in api.client.get(api.path("/openapi.json"), follow_redirects=True).json()
