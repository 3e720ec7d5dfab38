"""A real second origin in Chromium: a page served from another port of
127.0.0.1 (same-site for the browser, so it gets the key's cookie) fires everything a page
can send without asking (sendBeacon, no-cors fetch, text/plain and urlencoded form POSTs,
and a CORS JSON fetch) at every write route of a victim IIB server. Nothing on disk or in
the database changes, with or without a key, and the server answered each request."""
from __future__ import annotations

import functools
import http.server
import threading
import time

import pytest

from iib_core.api import build_context, create_app
from iib_core.config import Settings
from iib_core.security import SECRET_COOKIE, secret_cookie_value
from support.files import a1111_png
from support.guard import attack_body, db_snapshot, tree_snapshot, write_routes
from support.server import LiveServer

SECRET = "open sesame"
ATTACK_PAGE = "<!doctype html><meta charset=utf-8><title>totally harmless</title><p>cute cats</p>"

# Runs in the attacker's page. Returns how many requests it started that reach the server.
ATTACK = """
async ([victim, routes, body]) => {
  let started = 0;
  // A request the browser refuses to send (no-cors allows only GET/HEAD/POST) throws: not counted.
  const fire = async (fn) => { try { if (await fn() !== false) started++; } catch (e) { /* not sent */ } };
  const form = (url, enctype, fields) => new Promise((resolve) => {
    const frame = document.createElement('iframe');
    frame.name = 'f' + Math.random().toString(36).slice(2);
    document.body.appendChild(frame);
    frame.onload = () => resolve();
    const f = document.createElement('form');
    f.method = 'POST'; f.action = url; f.enctype = enctype; f.target = frame.name;
    for (const [k, v] of fields) {
      const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
    }
    document.body.appendChild(f);
    f.submit();
  });
  // The classic JSON-over-text/plain form: name + '=' + value is the JSON body.
  const jsonName = body.slice(0, -1) + ', "pad": "';
  for (const [method, route] of routes) {
    const url = victim + route;
    if (method === 'POST') {
      await fire(() => navigator.sendBeacon(url, new Blob([body], { type: 'text/plain' })));
      await fire(() => navigator.sendBeacon(url, body));
      await fire(() => navigator.sendBeacon(url, new Blob([body])));
      await fire(() => form(url, 'text/plain', [[jsonName, '"}']]));
      await fire(() => form(url, 'application/x-www-form-urlencoded', [['json', body]]));
    }
    await fire(() => fetch(url, { method, mode: 'no-cors', credentials: 'include', body }));
    await fire(() => fetch(url, { method, mode: 'no-cors', credentials: 'include', body,
                                  headers: { 'Content-Type': 'text/plain' } }));
    await fire(() => fetch(url, { method, mode: 'no-cors', credentials: 'include' }));
    // A JSON fetch needs a preflight, which no CORS set-up here allows: only the OPTIONS arrives.
    await fetch(url, { method, mode: 'cors', credentials: 'include', body,
                       headers: { 'Content-Type': 'application/json' } }).catch(() => null);
  }
  return started;
}
"""


class Recorder:
    """Test-side observer around the victim app: records each answered request."""

    def __init__(self, app) -> None:
        self.app = app
        self.seen = []
        self.lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def recording_send(message):
            if message["type"] == "http.response.start":
                headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
                with self.lock:
                    self.seen.append((scope["method"], scope["path"], message["status"],
                                      headers.get("origin"), headers.get("sec-fetch-site")))
            await send(message)

        await self.app(scope, receive, send=recording_send)

    def writes(self, base):
        with self.lock:
            return [s for s in self.seen if s[0] != "OPTIONS" and s[0] != "GET" and s[1].startswith(base + "/")]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def attacker(tmp_path):
    site = tmp_path / "attacker"
    site.mkdir()
    (site / "index.html").write_text(ATTACK_PAGE)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.mark.parametrize("key", [None, SECRET], ids=["no-key", "key"])
def test_a_page_on_another_origin_changes_nothing(page, attacker, db_url, tmp_path, key):
    library = tmp_path / "library"
    victim = a1111_png(library / "keep" / "precious.png", "a precious fox", seed=7)
    a1111_png(library / "keep" / "other.png", "another", seed=8)
    env = {"IIB_DB_URL": db_url, "IIB_CACHE_DIR": str(tmp_path / "cache")}
    if key:
        env["IIB_SECRET_KEY"] = key
    ctx = build_context(Settings.load(environ=env, env_file=tmp_path / "no.env"), extra_paths=[str(library)])
    ctx.jobs.start()
    ctx.jobs.wait()
    recorder = Recorder(create_app(ctx))
    with LiveServer(recorder) as server:
        import httpx

        headers = {"authorization": "Bearer " + key} if key else {}
        spec = httpx.get(server.url + "/openapi.json", headers=headers).json()
        routes = write_routes(spec, ctx.base)
        assert ("POST", "/delete_files") in routes and ("POST", "/open_with_default_app") in routes
        if key:  # the user is logged in: the browser holds the key's cookie for 127.0.0.1
            page.context.add_cookies([{"name": SECRET_COOKIE, "value": secret_cookie_value(key),
                                       "url": server.url}])
        files, rows = tree_snapshot(library), db_snapshot(ctx.db)
        page.goto(attacker + "/index.html")
        started = page.evaluate(ATTACK, [server.url + ctx.base, routes,
                                         attack_body(victim, library).decode()])
        posts = sum(1 for method, _ in routes if method == "POST")
        assert started >= posts * 6
        deadline = time.time() + 60
        while len(recorder.writes(ctx.base)) < started and time.time() < deadline:
            time.sleep(0.05)  # polls the server's record: beacons are sent after evaluate returns
        writes = recorder.writes(ctx.base)
        assert len(writes) == started, (len(writes), started)
        statuses = {w[2] for w in writes}
        assert statuses <= {403, 415}, [w for w in writes if w[2] not in (403, 415)][:5]
        # The browser told us where these came from: every one carried the attacker's Origin.
        assert {w[3] for w in writes} == {attacker}
        if key:
            assert any(w[4] == "same-site" for w in writes)
    assert victim.exists()
    assert tree_snapshot(library) == files
    assert db_snapshot(ctx.db) == rows
    ctx.db.dispose()
