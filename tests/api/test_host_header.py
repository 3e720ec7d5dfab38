"""The Host allow-list: a DNS-rebinding page reaches 127.0.0.1 with its own name
in `Host`, and must read nothing. Over real HTTP (the connection always goes to 127.0.0.1;
only the Host header changes), on SQLite and PostgreSQL."""
from __future__ import annotations

import socket

import pytest

REBIND = "rebind.attacker.invalid"


def _reads(api):
    """(method, route, kwargs) of read routes that hand out file contents or metadata."""
    image = str(api.library / "2026-11-20" / "00001-1.png")
    return [
        ("GET", "/file", {"params": {"path": image, "t": "1"}}),
        ("GET", "/files", {"params": {"folder_path": str(api.library)}}),
        ("GET", "/image_geninfo", {"params": {"path": image}}),
        ("GET", "/image-thumbnail", {"params": {"path": image, "size": "64x64", "t": "1"}}),
        ("GET", "/global_setting", {}),
        ("GET", "/db/basic_info", {}),
        ("POST", "/db/search_by_substr", {"json": {"surstr": "fox"}}),
        ("POST", "/image_geninfo_batch", {"json": {"paths": [image]}}),
        ("GET", "", {}),  # the UI page
    ]


def _send(api, method, route, host, **kw):
    headers = dict(kw.pop("headers", {}))
    headers["host"] = host
    return api.client.request(method, api.path(route), headers=headers, **kw)


def test_a_foreign_host_name_reads_nothing(api):
    port = api.url.rsplit(":", 1)[1]
    for method, route, kw in _reads(api):
        for host in (REBIND, f"{REBIND}:{port}", "localhost.attacker.invalid", "127.0.0.1.nip.io:" + port):
            r = _send(api, method, route, host, **kw)
            assert r.status_code == 421, (route, host, r.status_code)
            assert "detail" in r.json() and "IIB_ALLOWED_HOSTS" in r.json()["detail"]
            assert b"a red fox" not in r.content and b"PNG" not in r.content[:8]
        for host in ("localhost", f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "127.0.0.1",
                     "app.localhost:" + port):
            r = _send(api, method, route, host, **kw)
            assert r.status_code == 200, (route, host, r.status_code, r.text[:200])


def test_the_classic_passwd_request_is_refused(api):
    r = _send(api, "GET", "/file", f"{REBIND}:{api.url.rsplit(':', 1)[1]}", params={"path": "/etc/passwd", "t": "1"})
    assert r.status_code == 421 and "root:" not in r.text


def test_listed_names_and_wildcards(make_api):
    api = make_api(env={"IIB_ALLOWED_HOSTS": "iib.example.test, *.lan.example"})
    assert _send(api, "GET", "/global_setting", "iib.example.test:8080").status_code == 200
    assert _send(api, "GET", "/global_setting", "box.lan.example").status_code == 200
    assert _send(api, "GET", "/global_setting", "lan.example.evil.test").status_code == 421
    assert _send(api, "GET", "/global_setting", "other.example.test").status_code == 421
    anything = make_api(env={"IIB_ALLOWED_HOSTS": "*"})
    assert _send(anything, "GET", "/global_setting", REBIND).status_code == 200


def test_a_named_bind_answers_to_its_name(make_api):
    api = make_api(host="localhost")
    assert _send(api, "GET", "/global_setting", "localhost").status_code == 200
    api = make_api(host="iib-box.example.test", env={"IIB_ACCESS_CONTROL_PERMISSION": "read-write"})
    assert _send(api, "GET", "/global_setting", "iib-box.example.test:9000").status_code == 200
    assert _send(api, "GET", "/global_setting", REBIND).status_code == 421


def test_wildcard_bind_lets_lan_clients_in_but_not_a_rebinding_name(make_api):
    api = make_api(host="0.0.0.0")
    for host in ("192.168.1.20:8000", "10.0.0.5", "[fe80::1]:8000", socket.gethostname(), "localhost"):
        assert _send(api, "GET", "/global_setting", host).status_code == 200, host
    r = _send(api, "GET", "/files", REBIND, params={"folder_path": str(api.library)})
    assert r.status_code == 421


def test_wildcard_bind_with_a_key_answers_any_name_but_needs_the_key(make_api):
    api = make_api(host="0.0.0.0", env={"IIB_SECRET_KEY": "k3y"})
    r = _send(api, "GET", "/files", "iib.some-proxy.example", params={"folder_path": str(api.library)})
    assert r.status_code == 401  # past the Host check, stopped by the key (a rebinding page has no cookie)
    r = _send(api, "GET", "/files", "iib.some-proxy.example", params={"folder_path": str(api.library)},
              headers={"authorization": "Bearer k3y"})
    assert r.status_code == 200


def test_a_loopback_bind_with_a_key_still_checks_the_host(make_api):
    api = make_api(env={"IIB_SECRET_KEY": "k3y"})
    r = _send(api, "GET", "/files", REBIND, params={"folder_path": str(api.library)},
              headers={"authorization": "Bearer k3y"})
    assert r.status_code == 421


@pytest.mark.parametrize("route", ["/hello", "/fe-static/js/api.js"])
def test_public_routes_check_the_host_too(api, route):
    assert _send(api, "GET", route, REBIND).status_code == 421
    assert _send(api, "GET", route, "localhost").status_code == 200
