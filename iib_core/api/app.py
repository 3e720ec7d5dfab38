"""The app factory and the one function that mounts IIB on any FastAPI app."""
from __future__ import annotations

import contextlib
import logging
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from fastapi import FastAPI
from starlette.responses import RedirectResponse  # module level: fastapi 0.94 resolves annotations here

from ..config import Settings
from ..db import Database, open_database
from . import (ai_routes, app_routes, cache_routes, db_routes, extra_path_routes, fs_routes, geninfo_routes,
               index_routes, media_routes, tag_routes, web_routes)
from .context import DEFAULT_BASE, IIBContext, decide_access_control, decide_open_bind_readonly
from .errors import install_error_handlers
from .guard import install_guard
from .openapi import constrain_openapi, declare_responses
from .wire import WireJSONResponse

log = logging.getLogger("iib")

ROUTE_GROUPS = (app_routes, fs_routes, media_routes, geninfo_routes, db_routes, index_routes, tag_routes,
                extra_path_routes, ai_routes, cache_routes)


def mount_iib(app: FastAPI, ctx: IIBContext, *, serve_root: bool = False) -> IIBContext:
    """Add every IIB route under `ctx.base` to `app`. No module-level state: an app (or a
    test) may mount several instances, and a host may mount again after reloading.
    `serve_root` also serves the browser UI at `GET /` (the standalone app)."""
    install_error_handlers(app)
    # Every JSON answer through one encoder: names that are not UTF-8 as `\udcXX` (wire.py).
    table: List[Tuple[str, Sequence[str]]] = []
    for router in [app_routes.build_public(ctx), *(group.build(ctx) for group in ROUTE_GROUPS)]:
        declare_responses(router.routes)  # before include_router copies the routes
        table.extend((ctx.base + getattr(r, "path", ""), getattr(r, "methods", None) or ()) for r in router.routes)
        app.include_router(router, prefix=ctx.base, default_response_class=WireJSONResponse)
    ui = web_routes.build(ctx, serve_root=serve_root)  # the UI: no key needed
    table.extend((getattr(r, "path", ""), getattr(r, "methods", None) or ()) for r in ui.routes)
    app.include_router(ui)
    install_guard(app, ctx, table, serve_root)  # Host allow-list, cross-site writes, JSON only (guard.py)
    instances = getattr(app.state, "iib_instances", None)
    if instances is None:
        instances = {}
        app.state.iib_instances = instances
    instances[ctx.base] = ctx
    return ctx


def start_background(ctx: IIBContext) -> Callable[[], None]:
    """The instance's background work, started once by whoever owns its life: the standalone
    app's lifespan, `AppUtils.wrap_app`, the webui's on_app_started. Returns `stop()`."""
    from ..media.housekeeping import start_background_prune

    if ctx.stop_background is None:
        timer = start_background_prune(ctx.settings)  # the cache rules, once, shortly after start (daemon)
        ctx.partials.start_background_sweep()  # partial copies left by a killed run (files/partials.py)

        def stop() -> None:
            timer.cancel()

        ctx.stop_background = stop
    return ctx.stop_background


def build_context(
    settings: Optional[Settings] = None,
    *,
    db: Optional[Database] = None,
    base: str = DEFAULT_BASE,
    extra_paths: Sequence[str] = (),
    host: str = "127.0.0.1",
    exposed: bool = False,
    **options,
) -> IIBContext:
    """`host` is the address the server listens on; `exposed` says the host app is reachable
    from other machines whatever `host` says (webui --listen, --share ...)."""
    settings = settings or Settings.load()
    if extra_paths:
        settings = settings.with_overrides(extra_paths=list(settings.extra_paths) + list(extra_paths))
    if db is None:
        db = open_database(settings.database_url, backup_max=settings.db_file_backup_max)
    access = decide_access_control(settings, host, exposed)
    return IIBContext(settings=settings, db=db, base=base, cli_extra_paths=list(settings.extra_paths),
                      access_control=access, bind_host=host, exposed=exposed,
                      open_bind_readonly=decide_open_bind_readonly(settings, host, exposed), **options)


def create_app(ctx: IIBContext, *, allow_cors: Optional[bool] = None) -> FastAPI:
    """A standalone app serving one IIB instance (the database is closed on shutdown)."""

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        stop_background = start_background(ctx)
        try:
            yield
        finally:
            stop_background()
            ctx.jobs.cancel()
            ctx.db.dispose()

    app = FastAPI(title="Infinite Image Browsing", lifespan=lifespan)
    add_cors(app, ctx, allow_cors if allow_cors is not None else ctx.allow_cors)
    _guard_docs(app, ctx)
    mount_iib(app, ctx, serve_root=True)
    constrain_openapi(app)
    _docs_under_base(app, ctx.base)
    return app


def _docs_under_base(app: FastAPI, base: str) -> None:
    """`<base>/docs` and `<base>/openapi.json` lead to the app's own pages, so the API docs are
    found next to the API (`/infinite_image_browsing/docs`) as well as at `/docs`."""
    def redirect_to(target: str):
        def redirect() -> RedirectResponse:  # no parameters: nothing from the request picks the target
            return RedirectResponse(target, status_code=307)
        return redirect

    for alias, target in ((base + "/docs", app.docs_url), (base + "/openapi.json", app.openapi_url)):
        if base and target and alias != target:
            app.add_api_route(alias, redirect_to(target), methods=["GET"], include_in_schema=False)


def add_cors(app: FastAPI, ctx: IIBContext, allow_cors: bool) -> None:
    """CORS headers for other origins' pages (the request guard still decides what they may do).

    Bare `--allow_cors`: any origin may read (GET/HEAD), without credentials. Origins listed in
    `IIB_ALLOW_ORIGINS` / `--allow_cors ORIGIN ...`: those only, with credentials, and every
    method when a secret key is set (reads only without one)."""
    listed = list(ctx.settings.allowed_origins)
    if not listed and not allow_cors:
        return
    from fastapi.middleware.cors import CORSMiddleware

    methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"] if ctx.settings.secret_key else ["GET", "HEAD"]
    options: Dict[str, Any]
    if listed:
        options = dict(allow_origins=listed, allow_credentials=True, allow_methods=methods)
        if not ctx.settings.secret_key:
            log.warning("IIB_ALLOW_ORIGINS without IIB_SECRET_KEY: %s may read, but not change anything",
                        ", ".join(listed))
    else:
        options = dict(allow_origins=["*"], allow_methods=["GET", "HEAD"])
    app.add_middleware(CORSMiddleware, allow_headers=["*"],
                       expose_headers=["content-type", "accept-ranges", "content-length", "content-range",
                                       "content-encoding"], **options)


def _guard_docs(app: FastAPI, ctx: IIBContext) -> None:
    """With a secret set, the OpenAPI schema and docs pages need it too."""
    from starlette.responses import JSONResponse

    from ..security import request_knows_secret

    docs_paths = {p for p in (app.docs_url, app.redoc_url, app.openapi_url, "/docs/oauth2-redirect") if p}

    @app.middleware("http")
    async def guard(request, call_next):
        secret = ctx.settings.secret_key
        if secret and request.url.path in docs_paths and not request_knows_secret(
                secret, request.cookies, request.headers.get("authorization")):
            return JSONResponse({"detail": {"type": "secret_verification_failed"}}, status_code=401)
        return await call_next(request)
