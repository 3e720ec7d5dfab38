"""Everything one mounted IIB instance needs, created per app (never module state)."""
from __future__ import annotations

import ipaddress
import logging
import os
import threading
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional

from ..config import Settings
from ..db import Database
from ..db import extra_paths as extra_paths_db
from ..files.partials import PartialLedger
from ..roots import Roots, allowed_roots, index_roots
from ..security import normalize_path
from ..security import AccessPolicy
from .jobs import IndexJobs

log = logging.getLogger("iib.api")

DEFAULT_BASE = "/infinite_image_browsing"
EXCLUDE_KEY = "index_exclude_dirs"


def is_loopback_host(host: str) -> bool:
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class IIBContext:
    settings: Settings
    db: Database
    base: str = DEFAULT_BASE
    launch_mode: str = "server"  # "sd" inside SD WebUI
    webui_options: Dict[str, object] = field(default_factory=dict)
    webui_dirs: List[str] = field(default_factory=list)
    cli_extra_paths: List[str] = field(default_factory=list)
    access_control: bool = False
    allow_cors: bool = False
    enable_shutdown: bool = False
    export_fe_fn: bool = False
    # Inside a host with --gradio-auth and no IIB_SECRET_KEY: refuse everything (docs/api.md, "Conventions").
    secret_required: bool = False
    sd_cwd: str = field(default_factory=os.getcwd)
    # Where the server listens ("0.0.0.0" for a wildcard bind) and whether the host app is
    # reachable from other machines (webui --listen/--share/...): for the Host allow-list.
    bind_host: str = "127.0.0.1"
    exposed: bool = False
    # More host names this instance answers to (the webui's --server-name, "*.gradio.live"...).
    host_names: List[str] = field(default_factory=list)
    # Open bind without a key and no explicit permission: writes refused (README, Security).
    open_bind_readonly: bool = False
    jobs: IndexJobs = field(init=False)
    send_slot: Optional[object] = field(default=None, init=False)  # set by geninfo_routes
    policy: AccessPolicy = field(init=False)
    partials: PartialLedger = field(init=False)  # folders that received temporary copies
    stop_background: Optional[Callable[[], None]] = field(default=None, init=False)  # api.app.start_background
    _stored_paths: Optional[List[dict]] = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def __post_init__(self) -> None:
        self.base = normalize_base(self.base)
        self.cli_extra_paths = [normalize_path(p) for p in self.cli_extra_paths]
        self.webui_dirs = [normalize_path(p) for p in self.webui_dirs]
        self.policy = AccessPolicy(self.allowed_roots, self.access_control)
        self.jobs = IndexJobs(self)
        self.partials = PartialLedger(self.db)

    # -- roots ---------------------------------------------------------------------
    @property
    def readonly(self) -> bool:
        return self.open_bind_readonly or not self.settings.writable

    @property
    def host_rules(self):
        from .guard import build_host_rules

        return build_host_rules(self.bind_host, allowed=tuple(self.settings.allowed_hosts),
                                extra=tuple(self.host_names), secret_key=self.settings.secret_key)

    def stored_extra_paths(self, refresh: bool = False) -> List[dict]:
        """Extra paths stored in the database (existing folders only), cached until refreshed."""
        with self._lock:
            if self._stored_paths is None or refresh:
                with self.db.read() as conn:
                    rows = extra_paths_db.list_all(conn)
                self._stored_paths = [r for r in rows if os.path.isdir(r["path"])]
            return list(self._stored_paths)

    def forget_stored_paths(self) -> None:
        with self._lock:
            self._stored_paths = None

    def exclude_dirs(self) -> List[str]:
        """Folders never indexed: IIB_EXCLUDE_DIRS / --exclude, the list edited on the index page
        (settings key `index_exclude_dirs`), and the thumbnail cache."""
        from ..db import kv

        with self.db.read() as conn:
            stored = kv.get(conn, EXCLUDE_KEY, []) or []
        out = [*self.settings.exclude_dirs, *(e for e in stored if isinstance(e, str)), str(self.settings.cache_dir)]
        return list(dict.fromkeys(e for e in out if e))

    def roots(self) -> Roots:
        """Index and allowed roots, computed now (stored extra paths may change at run time)."""
        index = self.index_roots()
        return Roots(index=index, allowed=self._allowed(index))

    def index_roots(self) -> List[str]:
        """Folders the indexer walks: webui outputs, --extra_paths and stored extra paths."""
        return index_roots(self.webui_dirs, self.cli_extra_paths, (e["path"] for e in self.stored_extra_paths()),
                           warn=False)

    def allowed_roots(self) -> List[str]:
        """Folders the API may touch when access control is on (the `AccessPolicy`'s roots)."""
        entries = self.settings.access_control_allowed_paths
        return self._allowed(self.index_roots() if not entries else [])

    def _allowed(self, index: List[str]) -> List[str]:
        return allowed_roots(self.settings.access_control_allowed_paths, index, self.webui_options, self.sd_cwd)


def normalize_base(base: str) -> str:
    base = (base or DEFAULT_BASE).strip()
    if not base.startswith("/"):
        base = "/" + base
    return base.rstrip("/") or DEFAULT_BASE


def is_open_bind(host: str, exposed: bool = False) -> bool:
    return exposed or not is_loopback_host(host)


def decide_open_bind_readonly(settings: Settings, host: str, exposed: bool = False) -> bool:
    """Reachable from other machines with no key: read-only, unless a permission was set."""
    return is_open_bind(host, exposed) and not settings.secret_key and settings.access_control_permission is None


def decide_access_control(settings: Settings, host: str, exposed: bool = False) -> bool:
    """`IIB_ACCESS_CONTROL` enable/disable wins; auto turns it on for non-loopback hosts."""
    if settings.access_control == "enable":
        return True
    if settings.access_control == "disable":
        return False
    return exposed or not is_loopback_host(host)
