"""The request guard inside a real gradio host: it protects IIB's paths,
leaves the host's own routes alone, and follows the host's flags (--listen: read-only without
a key; --share: gradio's tunnel names)."""
from __future__ import annotations

from webui.env import require_harness_env

GRADIO = require_harness_env()

BASE = "/infinite_image_browsing"

REBIND = "rebind.attacker.invalid"


def test_iib_paths_are_guarded_and_the_hosts_own_routes_are_not(make_host):
    host = make_host()
    with host.client() as c:
        # DNS rebinding: IIB refuses a foreign Host; the host's own pages are its business.
        r = c.get(BASE + "/global_setting", headers={"host": REBIND})
        assert r.status_code == 421 and "detail" in r.json()
        assert c.get(BASE + "/global_setting").status_code == 200
        assert c.get("/harness/state", headers={"host": REBIND}).status_code == 200
        # Cross-site writes: refused on IIB's paths, whatever FastAPI the host pins.
        folder = host.root / "outputs" / "made-by-attacker"
        body = '{"dest_folder": "%s"}' % folder
        r = c.post(BASE + "/mkdirs", content=body, headers={"content-type": "text/plain"})
        assert r.status_code == 415
        r = c.post(BASE + "/mkdirs", content=body,
                   headers={"content-type": "application/json", "origin": "http://127.0.0.1:1"})
        assert r.status_code == 403
        assert not folder.exists()
        # The iframe's own requests (same origin as the webui page) and scripts still work.
        r = c.post(BASE + "/mkdirs", content=body,
                   headers={"content-type": "application/json", "origin": host.url})
        assert r.status_code == 200 and folder.is_dir()
        r = c.options(BASE + "/files")
        assert r.status_code == 204 and "GET" in r.headers["allow"]


def test_listen_without_a_key_is_read_only_and_share_names_are_accepted(make_host):
    host = make_host(["--listen", "--share"])
    with host.client() as c:
        assert c.get(BASE + "/global_setting").json()["is_readonly"] is True
        folder = host.root / "outputs" / "new"
        r = c.post(BASE + "/mkdirs", json={"dest_folder": str(folder)})
        assert r.status_code == 403 and "IIB_SECRET_KEY" in r.json()["detail"] and not folder.exists()
        assert c.get(BASE + "/global_setting", headers={"host": "0123abcd.gradio.live"}).status_code == 200
        assert c.get(BASE + "/global_setting", headers={"host": REBIND}).status_code == 421
    log = host.output()
    assert "read-only" in log and "IIB_SECRET_KEY" in log
