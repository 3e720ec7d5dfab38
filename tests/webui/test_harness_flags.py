"""The extension under the host's flags: --nowebui, --subpath, --listen, --gradio-auth, and
"Reload UI". Each test starts its own host (real gradio, real uvicorn, a subprocess)."""
from __future__ import annotations

import time

import pytest

from webui.env import require_harness_env

GRADIO = require_harness_env()

from playwright.sync_api import expect  # noqa: E402

from webui.pages import (corpus_files, iframe_path, open_host, open_iib_tab, post_send, tab_button,  # noqa: E402
                         wait_result)
from webui.proxy import strip_proxy  # noqa: E402

BASE = "/infinite_image_browsing"


def search(client, text: str, base: str = BASE):
    r = client.post(base + "/db/search_by_substr", json={"surstr": text})
    assert r.status_code == 200, r.text
    return r.json()["files"]


def wait_searchable(client, text: str, n: int = 1, seconds: float = 2.0, base: str = BASE):
    started = time.monotonic()
    found = []
    while time.monotonic() - started < seconds:
        found = search(client, text, base)
        if len(found) >= n:
            break
        time.sleep(0.1)
    return found, time.monotonic() - started


def test_nowebui_mounts_the_api_only_and_indexes_saved_images(make_host, db_url):
    """--nowebui: on_app_started(None, app) on a plain FastAPI app; no UI callbacks run."""
    host = make_host(["--nowebui", "--api"], db_url=db_url)
    state = host.state()
    assert state["tabs"] == [] and state["settings_sections"] == {}
    with host.client() as c:
        assert c.get(BASE + "/hello").json() == "hello"
        setting = c.get(BASE + "/global_setting").json()
        assert setting["launch_mode"] == "sd"
        saved = host.generate(prompt="a windmill nowebuiprobe at noon", name="nowebui-1")
        found, elapsed = wait_searchable(c, "nowebuiprobe")
    assert [f["fullpath"] for f in found] == [saved["abspath"]], f"not searchable after {elapsed:.2f} s"
    assert elapsed < 2.0


def test_routes_answer_under_a_subpath_behind_a_stripping_proxy(make_host, page):
    host = make_host(["--subpath", "iibsub"])
    with host.client() as c:  # A1111/Forge: the routes stay at /infinite_image_browsing
        assert c.get(BASE + "/hello").json() == "hello"
    with strip_proxy("iibsub", host.url) as proxy, proxy.client() as pc:
        assert pc.get("/iibsub" + BASE + "/hello").json() == "hello"
        files = pc.post("/iibsub" + BASE + "/db/update_image_data", json={}).status_code
        assert files == 200
        html = pc.get("/iibsub" + BASE).text
        assert "__IIB_BASE__" not in html
        # In the browser: the host page through the proxy, the IIB tab's iframe under the prefix.
        open_host(page, proxy.url + "/iibsub/")
        frame = open_iib_tab(page)
        assert iframe_path(page) == "/iibsub" + BASE
        root = host.root / "outputs" / "txt2img-images"
        expect(frame.locator(".root-row", has_text=str(root))).to_be_visible()  # API calls went through /iibsub
        assert frame.evaluate("() => window.IIB_BASE") == "/iibsub" + BASE


def test_listen_turns_access_control_on_and_refuses_paths_outside_the_outputs(make_host, page):
    host = make_host(["--listen"])
    secret = host.root.parent / "private" / "secret.png"
    inside = host.root / corpus_files(host.root)[0]["path"]
    with host.client() as c:
        setting = c.get(BASE + "/global_setting").json()
        assert setting["enable_access_control"] is True
        # Only the output folders' options go to the network (other extensions keep keys in opts).
        options = setting["global_setting"]
        assert options["outdir_txt2img_samples"] == "outputs/txt2img-images"
        assert all(k.startswith("outdir_") for k in options) and "send_seed" not in options
        r = c.get(BASE + "/file", params={"path": str(secret), "t": ""})
        assert r.status_code == 403 and "detail" in r.json()
        assert c.get(BASE + "/file", params={"path": str(inside), "t": ""}).status_code == 200
        r = c.get(BASE + "/files", params={"folder_path": str(secret.parent)})
        assert r.status_code == 403
    # Send-to checks the path with the same policy.
    open_host(page, host.url)
    frame = open_iib_tab(page)
    post_send(frame, "txt2img", str(secret), id="outside")
    result = wait_result(page)
    assert result["ok"] is False and result["id"] == "outside"
    assert "secret.png" in result["error"]
    assert page.locator("#txt2img_prompt textarea").input_value() == ""


def test_gradio_auth_without_a_key_refuses_to_expose_files_and_says_why(make_host):
    host = make_host(["--gradio-auth", "alice:wonderland"])
    with host.client() as c:
        r = c.post(BASE + "/db/search_by_substr", json={"surstr": ""})
        assert r.status_code == 400 and r.json() == {"detail": {"type": "secret_key_required"}}
        sample = host.root / corpus_files(host.root)[0]["path"]
        r = c.get(BASE + "/file", params={"path": str(sample), "t": ""})
        assert r.status_code == 400
        # The tab says why (its HTML is in the gradio config, behind the host's login).
        assert c.post("/login", data={"username": "alice", "password": "wonderland"}).status_code in (200, 302, 303)
        config = c.get("/config").text
    assert "IIB_SECRET_KEY" in config and "--gradio-auth" in config
    assert "does not protect the routes of extensions" in host.output()


def test_gradio_auth_with_a_key_serves_files_to_those_who_know_it(make_host):
    host = make_host(["--gradio-auth", "alice:wonderland"], env={"IIB_SECRET_KEY": "s3cret-key"})
    with host.client() as c:
        assert c.post(BASE + "/db/search_by_substr", json={"surstr": ""}).status_code == 401
        r = c.post(BASE + "/db/search_by_substr", json={"surstr": ""},
                   headers={"Authorization": "Bearer s3cret-key"})
        assert r.status_code == 200


def test_reload_ui_brings_the_routes_back_without_duplicating_threads(make_host, page):
    host = make_host()
    with host.client() as c:
        first = host.generate(prompt="a harbour reloadprobe one", name="reload-1")
        found, _ = wait_searchable(c, "reloadprobe")
        assert len(found) == 1
    before = host.state()
    assert before["threads"].count("iib-saved-images") == 1
    for round_ in (2, 3):
        host.reload()
        state = host.state()
        assert state["starts"] == round_ and state["reloads"] == round_ - 1
        # Callbacks were registered again by the re-executed scripts/iib.py, once each.
        assert all(len(v) == 1 for k, v in state["callbacks"].items() if k != "callbacks_before_ui")
        with host.client() as c:  # a new app: the routes are back
            assert c.get(BASE + "/hello").json() == "hello"
            saved = host.generate(prompt=f"a harbour reloadprobe round{round_}", name=f"reload-{round_}")
            found, elapsed = wait_searchable(c, f"round{round_}")
            assert [f["fullpath"] for f in found] == [saved["abspath"]] and elapsed < 2.0
            assert len(search(c, "reloadprobe")) == round_
        threads = host.state()["threads"]
        assert threads.count("iib-saved-images") == 1, threads
        assert threads.count("iib-index") <= 1, threads
    # The page of the new app: the tab and send-to work again.
    open_host(page, host.url)
    frame = open_iib_tab(page)
    post_send(frame, "txt2img", first["abspath"])
    expect(page.locator("#txt2img_prompt textarea")).to_have_value("a harbour reloadprobe one")
    assert wait_result(page)["ok"] is True
    expect(tab_button(page, "txt2img")).to_be_visible()


@pytest.mark.parametrize("lang, title", [("zh", "无边图像浏览"), ("en", "Infinite image browsing")])
def test_the_tab_title_follows_the_server_language(make_host, lang, title):
    host = make_host(env={"IIB_SERVER_LANG": lang})
    assert [title, "infinite-image-browsing"] in host.state()["tabs"]
