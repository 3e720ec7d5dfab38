"""One IIB instance per host process, across any number of "Reload UI".

A1111/Forge re-execute `scripts/*.py` on "Reload UI" and call `on_app_started` again
with a NEW app. The state therefore lives here, in a module
that stays cached in `sys.modules`:

* the `Database` is opened once per process (per database URL) and kept;
* a fresh `IIBContext` is built for every app, from the host's options as they are
  now (output folders or our settings may have changed before the reload), and the
  previous one is retired (its background index run is cancelled);
* the on_image_saved worker (`saved_hook`) is one thread per process; it always
  indexes through the current context.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, List, Optional

from ..api import build_context, mount_iib
from ..api.app import start_background
from ..api.context import IIBContext
from ..config import PROJECT_DIR, Settings
from ..db import Database, open_database
from .host import HostInfo

log = logging.getLogger("iib.webui")

_lock = threading.RLock()
_ctx: Optional[IIBContext] = None
_db: Optional[Database] = None
_problem: Optional[str] = None  # why IIB refuses to work (shown in the tab and the log)
_mounts: int = 0  # apps IIB was mounted on in this process (for the log and tests)


def load_settings() -> Settings:
    """Settings from the environment and the extension's own `.env`.

    Not the `.env` of the host's working directory: that file belongs to the webui.
    """
    return Settings.load(env_file=PROJECT_DIR / ".env")


def problem_for(host: HostInfo, settings: Optional[Settings]) -> Optional[str]:
    """Why IIB must refuse to expose files in this host, or None."""
    if settings is None:
        return None
    auth = host.auth_flag
    if auth and not settings.secret_key:
        return (f"The webui runs with {auth}, which does not protect the routes of extensions. "
                "Infinite image browsing refuses to show files until you set IIB_SECRET_KEY "
                f"(in the environment or in {PROJECT_DIR / '.env'}) and restart the webui.")
    return None


def _database(settings: Settings) -> Database:
    global _db
    if _db is not None and _db.url != settings.database_url:
        _db.dispose()
        _db = None
    if _db is None:
        _db = open_database(settings.database_url, backup_max=settings.db_file_backup_max)
    return _db


def build_host_context(host: HostInfo, settings: Settings) -> IIBContext:
    """The context for this host, as it is configured now (a new one per app)."""
    problem = problem_for(host, settings)
    exposed = host.exposed
    return build_context(
        settings,
        db=_database(settings),
        base=host.route_base,
        extra_paths=host.extra_paths(),
        exposed=exposed,
        host=host.bind_address,
        host_names=host.host_names(),
        launch_mode="sd",
        webui_options=host.public_options(exposed),
        webui_dirs=host.output_dirs(),
        secret_required=problem is not None,
        sd_cwd=host.cwd,
    )


def start(app: Any, host: Optional[HostInfo] = None, settings: Optional[Settings] = None) -> IIBContext:
    """on_app_started: mount IIB on `app` (a new app after every "Reload UI")."""
    global _ctx, _problem, _mounts
    host = host or HostInfo.read()
    settings = settings or load_settings()
    with _lock:
        previous = _ctx
        ctx = build_host_context(host, settings)
        mount_iib(app, ctx)
        start_background(ctx)  # the host owns the app's lifespan: start here, once per mount
        _refresh_middleware(app)
        _ctx = ctx
        _problem = problem_for(host, settings)
        _mounts += 1
    if previous is not None and previous is not ctx:
        previous.jobs.cancel()
        if previous.stop_background is not None:
            previous.stop_background()
    _announce(host, ctx)
    return ctx


def stop() -> None:
    """on_before_reload / on_script_unloaded: stop background work; keep the database."""
    global _ctx
    with _lock:
        ctx, _ctx = _ctx, None
    from . import saved_hook

    saved_hook.stop()
    if ctx is not None:
        ctx.jobs.cancel()


def current() -> Optional[IIBContext]:
    return _ctx


def problem() -> Optional[str]:
    return _problem


def note_problem(message: Optional[str]) -> None:
    """Remember a problem found before the app exists (e.g. a bad environment variable)."""
    global _problem
    _problem = message


def mounts() -> int:
    return _mounts


def background_threads() -> List[str]:
    """Names of IIB's live background threads in this process (for diagnostics and tests)."""
    return sorted(t.name for t in threading.enumerate() if t.name.startswith("iib-"))


def _refresh_middleware(app: Any) -> None:
    """Make exception handlers added after the first request count.

    Starlette copies `exception_handlers` into the middleware stack when it builds it,
    at the first request. Hosts call on_app_started after the server answered requests
    (gradio's launch checks its own URL), so IIB's handler (BadInput -> 400, Forbidden ->
    403 ...) would be ignored and every refusal would be a 500. A1111 itself rebuilds the
    stack the same way after adding its middleware (`initialize_util.setup_middleware`).
    """
    if getattr(app, "middleware_stack", None) is not None:
        app.middleware_stack = None


def _announce(host: HostInfo, ctx: IIBContext) -> None:
    if _problem:
        log.error("Infinite image browsing: %s", _problem)
        return
    if ctx.access_control:
        roots = ctx.allowed_roots()
        log.warning("Infinite image browsing: the webui is reachable from other machines, so IIB only "
                    "shows these folders: %s", ", ".join(roots) or "(none yet)")
        if not ctx.settings.secret_key:
            log.warning("Infinite image browsing: anyone who can open the webui can browse them; set "
                        "IIB_SECRET_KEY to require a key")
    if ctx.open_bind_readonly:
        log.warning("Infinite image browsing is read-only: the webui is reachable from other machines and "
                    "IIB_SECRET_KEY is not set (set it, or IIB_ACCESS_CONTROL_PERMISSION=read-write, to allow "
                    "changes)")
    log.info("Infinite image browsing: mounted at %s (%s)", ctx.base, host.kind)
