"""The request guard: one place that decides which requests may reach IIB's routes at all.

It wraps the ASGI app of every route `mount_iib` adds (not the host's app, so it works
when mounted into a running SD WebUI and never touches the host's own routes) and, in
this order:

1. **Host allow-list** (DNS rebinding): a request whose `Host` names something other than
   an IP literal, `localhost` (or `*.localhost`), the name the server is bound to, the
   webui's `--server-name` / share tunnel domain, or a name in `IIB_ALLOWED_HOSTS` gets
   421. Any port is accepted: a rebinding page controls the *name*, not the port, and
   port-forwards and proxies change the port. Bound to a wildcard address (0.0.0.0, ::)
   the machine's own host name is accepted too; bound to a non-loopback address with a
   secret key set, any name is (a rebinding page never has the key's cookie).
2. **Cross-site writes** (CSRF), for every method but GET/HEAD/OPTIONS:
   * a browser `Origin` must be the server's own origin (the request's `Host`, or
     `X-Forwarded-Host`, which a cross-site page cannot set) or, with a secret key set,
     one listed in `IIB_ALLOW_ORIGINS` / `--allow_cors ORIGIN`; `Origin: null` never is;
   * without `Origin`, `Sec-Fetch-Site: cross-site` or `same-site` is refused (a browser
     sends `Origin` on every POST; same-site includes other ports of localhost);
   * a body must be declared `Content-Type: application/json` (415 otherwise): a
     cross-site page can send text/plain, form or multipart bodies without a preflight,
     and older FastAPI versions (0.94, 0.104) parse those as JSON. A request without a
     body (no Content-Length, or 0, and no Transfer-Encoding: e.g. `POST /cache/clean`)
     needs no Content-Type; the Origin checks above still apply to it.
   Clients that are not browsers (scripts, curl) send neither header and pass.

Refusals are JSON `{"detail": ...}` bodies like every other error of the API.
"""
from __future__ import annotations

import functools
import ipaddress
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, List, Optional, Sequence, Set, Tuple
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response

if TYPE_CHECKING:  # pragma: no cover
    from .context import IIBContext

SAFE_METHODS = frozenset(("GET", "HEAD", "OPTIONS"))
WILDCARD_BINDS = frozenset(("0.0.0.0", "::", "[::]", "*"))
JSON_TYPES = ("application/json",)

HOST_REFUSED = ("This server does not answer to the host name {host!r} (a guard against DNS rebinding). "
                "Open it as localhost or by its address, or list the name in IIB_ALLOWED_HOSTS.")
ORIGIN_REFUSED = ("Cross-site request refused: the page at {origin} may not change anything here. "
                  "List it in IIB_ALLOW_ORIGINS (or --allow_cors ORIGIN) and set IIB_SECRET_KEY to allow it.")
SITE_REFUSED = "Cross-site request refused (Sec-Fetch-Site: {site})"
TYPE_REFUSED = "Requests that change something must send a JSON body with Content-Type: application/json"


# -- host names ---------------------------------------------------------------------------
def split_host(value: str) -> Tuple[str, Optional[str]]:
    """`name:port`, `[v6]:port`, `v4` ... -> (lower-case name without brackets or trailing dot, port)."""
    value = (value or "").strip().lower()
    if value.startswith("["):
        end = value.find("]")
        if end < 0:
            return value, None
        name, rest = value[1:end], value[end + 1:]
        return name, rest[1:] if rest.startswith(":") else None
    if value.count(":") == 1:
        name, port = value.split(":", 1)
        return name.rstrip("."), port
    if value.count(":") > 1:  # a bare IPv6 address
        return value, None
    return value.rstrip("."), None


def is_ip_literal(name: str) -> bool:
    try:
        ipaddress.ip_address(name.split("%", 1)[0])
        return True
    except ValueError:
        return False


@dataclass(frozen=True)
class HostRules:
    names: frozenset
    suffixes: Tuple[str, ...]
    any_host: bool

    def allows(self, host_header: Optional[str]) -> bool:
        if self.any_host:
            return True
        if not host_header:  # HTTP/1.0 without Host: no browser sends that
            return True
        name, _port = split_host(host_header)
        if not name:
            return False
        if is_ip_literal(name) or name in self.names:
            return True
        return any(name.endswith(s) for s in self.suffixes)


def _patterns(entries: Iterable[str]) -> Tuple[set, set, bool]:
    names, suffixes, anything = set(), set(), False
    for raw in entries:
        entry = (raw or "").strip().lower().rstrip(".")
        if not entry:
            continue
        if entry == "*":
            anything = True
        elif entry.startswith("*."):
            suffixes.add(entry[1:])
        elif entry.startswith("."):
            suffixes.add(entry)
        else:
            names.add(split_host(entry)[0])
    return names, suffixes, anything


def machine_names() -> List[str]:
    try:
        name = socket.gethostname().lower().rstrip(".")
    except OSError:  # pragma: no cover
        return []
    short = name.split(".", 1)[0]
    return [n for n in dict.fromkeys((name, short, short + ".local")) if n]


@functools.lru_cache(maxsize=64)
def build_host_rules(bind_host: str, *, allowed: Sequence[str] = (), extra: Sequence[str] = (),
                     secret_key: Optional[str] = None) -> HostRules:
    from .context import is_loopback_host

    names, suffixes, anything = _patterns([*allowed, *extra])
    names.add("localhost")
    suffixes.add(".localhost")
    bind = (bind_host or "").strip().lower()
    wildcard = bind in WILDCARD_BINDS or bind == ""
    if bind and not wildcard and not is_ip_literal(bind.strip("[]")):
        names.add(split_host(bind)[0])
    if wildcard:
        names.update(machine_names())
    open_bind = wildcard or not is_loopback_host(bind)
    if secret_key and open_bind:
        anything = True
    return HostRules(frozenset(names), tuple(sorted(suffixes)), anything)


# -- origins ---------------------------------------------------------------------------------
def _origin_netloc(origin: str) -> Optional[str]:
    parts = urlsplit(origin.strip().lower())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return _strip_default_port(parts.netloc, parts.scheme)


def _strip_default_port(netloc: str, scheme: Optional[str] = None) -> str:
    netloc = netloc.strip().lower()
    for default, s in ((":80", "http"), (":443", "https")):
        if netloc.endswith(default) and scheme in (None, s):
            return netloc[: -len(default)]
    return netloc


def own_netlocs(headers: Headers) -> List[str]:
    out = []
    host = headers.get("host")
    if host:
        out.append(_strip_default_port(host))
    forwarded = headers.get("x-forwarded-host")
    if forwarded:  # not settable by a cross-site page without a (refused) preflight
        out.append(_strip_default_port(forwarded.split(",", 1)[0]))
    return out


def is_same_origin(headers: Headers) -> bool:
    """The request's `Origin` names the server itself (absent `Origin` is not same-origin)."""
    origin = headers.get("origin")
    if not origin:
        return False
    netloc = _origin_netloc(origin)
    return netloc is not None and netloc in own_netlocs(headers)


def browser_cross_site(headers: Headers) -> Optional[str]:
    """Why this request looks like it came from another site's page, or None.

    A request with neither Origin nor Sec-Fetch-Site is a script's: fine."""
    origin = headers.get("origin")
    site = (headers.get("sec-fetch-site") or "").strip().lower()
    if origin is not None:
        if is_same_origin(headers):
            return None
        return ORIGIN_REFUSED.format(origin=origin or "null")
    if site in ("cross-site", "same-site"):
        return SITE_REFUSED.format(site=site)
    return None


def has_body(headers: Headers) -> bool:
    """A request body is coming (a body-less POST has nothing to misparse)."""
    if headers.get("transfer-encoding"):
        return True
    length = (headers.get("content-length") or "").strip()
    return length not in ("", "0")


def is_json(headers: Headers) -> bool:
    ctype = (headers.get("content-type") or "").split(";", 1)[0].strip().lower()
    return ctype in JSON_TYPES


# -- the middleware ----------------------------------------------------------------------
class RequestGuard:
    """Pure ASGI middleware guarding the paths of one IIB instance (see the module docstring).

    It also answers `OPTIONS` under the base (204 with `Allow`; 404 for unknown paths), except
    CORS preflights, which go on to a CORS middleware when there is one."""

    def __init__(self, app, ctx: IIBContext, routes: Sequence[Tuple[str, Sequence[str]]] = (),
                 serve_root: bool = False) -> None:
        from starlette.routing import compile_path

        self.app = app
        self.ctx = ctx
        self.base = ctx.base
        self.serve_root = serve_root
        self.table = [(compile_path(path)[0], frozenset(m.upper() for m in methods)) for path, methods in routes]

    def guards(self, path: str) -> bool:
        return path == self.base or path.startswith(self.base + "/") or (self.serve_root and path == "/")

    async def __call__(self, scope, receive, send) -> None:
        if scope.get("type") == "http" and self.guards(scope.get("path", "")):
            refusal = self.check(scope)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)

    def check(self, scope) -> Optional[Response]:
        headers = Headers(scope=scope)
        host = headers.get("host")
        if not self.ctx.host_rules.allows(host):
            return _error(421, HOST_REFUSED.format(host=host))
        method = scope.get("method", "GET").upper()
        if method == "OPTIONS":
            if headers.get("origin") is not None and headers.get("access-control-request-method"):
                return None  # a CORS preflight: the CORS middleware (if any) answers
            return self.options(scope.get("path", ""))
        if method in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin is not None and not is_same_origin(headers):
            allowed = self.ctx.settings.allowed_origins if self.ctx.settings.secret_key else ()
            netloc = _origin_netloc(origin) if origin else None
            if netloc is None or netloc not in {_origin_netloc(o) for o in allowed}:
                return _error(403, ORIGIN_REFUSED.format(origin=origin or "null"))
        elif origin is None:
            site = (headers.get("sec-fetch-site") or "").strip().lower()
            if site in ("cross-site", "same-site"):
                return _error(403, SITE_REFUSED.format(site=site))
        if has_body(headers) and not is_json(headers):
            return _error(415, TYPE_REFUSED)
        return None

    def options(self, path: str) -> Response:
        methods: Set[str] = set()
        for regex, route_methods in self.table:
            if regex.match(path):
                methods |= route_methods
        if not methods:
            return _error(404, "Not Found")
        if "GET" in methods:
            methods.add("HEAD")
        methods.add("OPTIONS")
        return Response(status_code=204, headers={"Allow": ", ".join(sorted(methods))})


def _error(status: int, detail: str) -> Response:
    return JSONResponse({"detail": detail}, status_code=status)


def install_guard(app, ctx: IIBContext, routes: Sequence[Tuple[str, Sequence[str]]], serve_root: bool) -> None:
    """Add the guard as the outermost middleware, also on an app that already served requests
    (a webui host calls on_app_started after gradio's own start-up requests): the stack is
    then rebuilt on the next request, as A1111 does for its own middleware."""
    if getattr(app, "middleware_stack", None) is not None:
        app.middleware_stack = None
    app.add_middleware(RequestGuard, ctx=ctx, routes=list(routes), serve_root=serve_root)
