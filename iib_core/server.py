"""Library use and standalone serving: `launch_app`, `async_launch_app`, `AppUtils`."""
from __future__ import annotations

import logging
from typing import Any, Dict, Optional, Sequence

from fastapi import FastAPI

from .api import DEFAULT_BASE, build_context, create_app, mount_iib
from .api.app import start_background
from .api.context import IIBContext, is_loopback_host
from .config import Settings

log = logging.getLogger("iib")


class AppUtils:
    """Mount IIB on a FastAPI app of your own: `AppUtils(extra_paths=[...]).wrap_app(app)`."""

    def __init__(
        self,
        extra_paths: Sequence[str] = (),
        allow_cors: bool = False,
        *,
        base: str = DEFAULT_BASE,
        host: str = "127.0.0.1",
        enable_shutdown: bool = False,
        export_fe_fn: bool = False,
        settings: Optional[Settings] = None,
        webui_options: Optional[Dict[str, Any]] = None,
        webui_dirs: Sequence[str] = (),
        launch_mode: str = "server",
    ) -> None:
        self.extra_paths = list(extra_paths)
        self.allow_cors = allow_cors
        self.base = base
        self.host = host
        self.enable_shutdown = enable_shutdown
        self.export_fe_fn = export_fe_fn
        self.settings = settings
        self.webui_options = dict(webui_options or {})
        self.webui_dirs = list(webui_dirs)
        self.launch_mode = launch_mode
        self.ctx: Optional[IIBContext] = None

    def context(self) -> IIBContext:
        if self.ctx is None:
            self.ctx = build_context(
                self.settings, base=self.base, extra_paths=self.extra_paths, host=self.host,
                allow_cors=self.allow_cors, enable_shutdown=self.enable_shutdown, export_fe_fn=self.export_fe_fn,
                webui_options=self.webui_options, webui_dirs=self.webui_dirs, launch_mode=self.launch_mode)
            announce(self.ctx, self.host)
        return self.ctx

    def wrap_app(self, app: FastAPI) -> FastAPI:
        ctx = self.context()
        from .api.app import add_cors

        add_cors(app, ctx, self.allow_cors)
        mount_iib(app, ctx)
        start_background(ctx)  # your app owns its lifespan: start the background work here, once
        return app

    def create_app(self) -> FastAPI:
        return create_app(self.context(), allow_cors=self.allow_cors)


def announce(ctx: IIBContext, host: str) -> None:
    """Say at start what protects the files when the server is reachable from other machines."""
    if ctx.access_control:
        roots = ctx.allowed_roots()
        log.warning("access control is ON: only these folders can be read: %s", ", ".join(roots) or "(none)")
    if not is_loopback_host(host) and not ctx.settings.secret_key:
        log.warning("listening on %s without IIB_SECRET_KEY: anyone who can reach this port can use IIB; "
                    "set IIB_SECRET_KEY to require a key", host)
    if ctx.open_bind_readonly:
        log.warning("read-only: listening on %s without IIB_SECRET_KEY, so nothing can be changed (set "
                    "IIB_SECRET_KEY, or IIB_ACCESS_CONTROL_PERMISSION=read-write to allow changes anyway)", host)


def standalone_server(ctx: IIBContext, host: str, port: int, *, allow_cors: bool, log_level: str):
    """The one way to build the standalone server (the CLI's `serve`, `launch_app`,
    `async_launch_app`): the app from `create_app` (CORS, guard, background work in its
    lifespan) in a uvicorn server. `log_level` stays the caller's: the CLI is quiet ("warning"),
    the library entry points say more ("info")."""
    import uvicorn

    app = create_app(ctx, allow_cors=allow_cors)
    return uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level=log_level))


def run_standalone(ctx: IIBContext, host: str, port: int, *, allow_cors: bool, log_level: str,
                   sockets: Optional[list] = None) -> None:
    """Serve until interrupted, with the file watcher running alongside."""
    from .indexer.watch import start_watcher

    server = standalone_server(ctx, host, port, allow_cors=allow_cors, log_level=log_level)
    stop_watching = start_watcher(ctx)
    try:
        server.run(sockets=sockets)
    finally:
        stop_watching()


def launch_app(port: int = 8000, host: str = "127.0.0.1", extra_paths: Sequence[str] = (),
               allow_cors: bool = False, **options: Any) -> None:
    """Serve IIB with uvicorn until interrupted."""
    utils = AppUtils(extra_paths=extra_paths, allow_cors=allow_cors, host=host, **options)
    run_standalone(utils.context(), host, port, allow_cors=allow_cors, log_level="info")


async def async_launch_app(port: int = 8000, host: str = "127.0.0.1", extra_paths: Sequence[str] = (),
                           allow_cors: bool = False, **options: Any) -> None:
    """`await async_launch_app(...)` inside a running event loop (Jupyter)."""
    from .indexer.watch import start_watcher

    utils = AppUtils(extra_paths=extra_paths, allow_cors=allow_cors, host=host, **options)
    server = standalone_server(utils.context(), host, port, allow_cors=allow_cors, log_level="info")
    stop_watching = start_watcher(utils.context())
    try:
        await server.serve()
    finally:
        stop_watching()
