"""What IIB needs to know about the SD WebUI host it runs in.

Everything is read with `getattr(..., None)`: A1111, Forge,
reForge and SD.Next name some flags differently and lack others. Nothing here imports
gradio, so it can be used (and tested) without a host: `HostInfo.from_objects` takes
plain objects in place of `modules.shared`.
"""
from __future__ import annotations

import importlib
import importlib.util
import locale
import logging
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

from ..api.context import DEFAULT_BASE

log = logging.getLogger("iib.webui")

# Output folder options. The first eight are A1111's and the
# original IIB's; the last three exist in SD.Next only.
SAMPLE_KEYS = ("outdir_txt2img_samples", "outdir_img2img_samples", "outdir_extras_samples")
GRID_KEYS = ("outdir_txt2img_grids", "outdir_img2img_grids")
SDNEXT_SAMPLE_KEYS = ("outdir_control_samples", "outdir_video")
SDNEXT_GRID_KEYS = ("outdir_control_grids",)
OUTDIR_KEYS = ("outdir_samples", *SAMPLE_KEYS, "outdir_grids", *GRID_KEYS, "outdir_save",
               *SDNEXT_SAMPLE_KEYS, *SDNEXT_GRID_KEYS)

# Our options in the host's Settings page (section "Infinite image browsing").
OPT_EXTRA_PATHS = "iib_extra_paths"
OPT_INDEX_ON_SAVE = "iib_index_on_save"
SETTINGS_SECTION = ("infinite_image_browsing", "Infinite image browsing")

# Flags that put a login in front of the host UI (or its API). None of them protects
# routes an extension adds, so IIB then requires its own key.
AUTH_FLAGS = ("gradio_auth", "gradio_auth_path", "auth", "auth_file", "api_auth")
# Flags that make the host reachable from other machines.
EXPOSING_FLAGS = ("share", "listen", "server_name", "ngrok")

TITLE_EN = "Infinite image browsing"
TITLE_ZH_HANS = "无边图像浏览"
TITLE_ZH_HANT = "無邊圖像瀏覽"


@dataclass
class HostInfo:
    kind: str  # "a1111" | "forge" | "sdnext"
    cmd_opts: Any
    options: Dict[str, Any]
    cwd: str
    data_path: str
    subpath: str = ""  # "" or "/name", from --subpath
    extra: Dict[str, Any] = field(default_factory=dict)

    # -- construction ----------------------------------------------------------------
    @classmethod
    def read(cls) -> HostInfo:
        """From the running host's `modules.shared` (and `modules.paths`)."""
        shared = importlib.import_module("modules.shared")
        cmd_opts = getattr(shared, "cmd_opts", None)
        opts = getattr(shared, "opts", None)
        try:
            data_path = importlib.import_module("modules.paths").data_path
        except Exception:  # every host has it; be tolerant all the same
            data_path = getattr(cmd_opts, "data_dir", None) or os.getcwd()
        return cls.from_objects(cmd_opts, opts, data_path=data_path, kind=detect_kind(cmd_opts))

    @classmethod
    def from_objects(cls, cmd_opts: Any, opts: Any, *, data_path: Optional[str] = None, kind: str = "a1111",
                     cwd: Optional[str] = None) -> HostInfo:
        cwd = cwd or os.getcwd()
        return cls(kind=kind, cmd_opts=cmd_opts, options=option_values(opts), cwd=cwd,
                   data_path=str(data_path or cwd), subpath=normalize_subpath(flag(cmd_opts, "subpath")))

    # -- flags -------------------------------------------------------------------------
    def flag(self, name: str) -> Any:
        return flag(self.cmd_opts, name)

    @property
    def exposed(self) -> bool:
        """Reachable from other machines: --share, --listen, --server-name or ngrok."""
        return any(bool(self.flag(name)) for name in EXPOSING_FLAGS)

    @property
    def bind_address(self) -> str:
        """Where the host listens: --server-name, else 0.0.0.0 with --listen, else loopback."""
        name = self.flag("server_name")
        if isinstance(name, str) and name.strip():
            return name.strip()
        return "0.0.0.0" if self.flag("listen") else "127.0.0.1"

    def host_names(self) -> List[str]:
        """Host names the browser may use besides the bound address (the Host allow-list):
        gradio's share tunnels (*.gradio.live) with --share, ngrok's domains with --ngrok."""
        names: List[str] = []
        if self.flag("share"):
            names.append("*.gradio.live")
        if self.flag("ngrok"):
            names += ["*.ngrok-free.app", "*.ngrok-free.dev", "*.ngrok.app", "*.ngrok.dev", "*.ngrok.io"]
        return names

    @property
    def auth_flag(self) -> Optional[str]:
        """The first flag that asks the host for a login, as typed on the command line."""
        for name in AUTH_FLAGS:
            if self.flag(name):
                return "--" + name.replace("_", "-")
        return None

    @property
    def nowebui(self) -> bool:
        return bool(self.flag("nowebui"))

    # -- URLs ------------------------------------------------------------------------
    @property
    def route_base(self) -> str:
        """Where IIB's routes are registered on the host app.

        A1111/Forge give --subpath to gradio as a root path: a proxy strips the prefix,
        so the routes stay at /infinite_image_browsing. SD.Next mounts its UI under the
        prefix after on_app_started and redirects everything outside it, so there the
        routes must be registered under the prefix.
        """
        if self.kind == "sdnext" and self.subpath:
            return self.subpath + DEFAULT_BASE
        return DEFAULT_BASE

    @property
    def public_base(self) -> str:
        """The path the browser uses for IIB (the iframe's src)."""
        return (self.subpath + DEFAULT_BASE) if self.subpath else DEFAULT_BASE

    # -- options -----------------------------------------------------------------------
    def option(self, key: str, default: Any = None) -> Any:
        value = self.options.get(key, default)
        return default if value is None else value

    def output_dirs(self) -> List[str]:
        """Absolute output folders named by the host's options, existing or not.

        Relative values are resolved against the host's working directory. In SD.Next a
        non-empty outdir_samples/outdir_grids is the base that relative per-mode folders
        join onto; in A1111/Forge it replaces them, and both remain listed here (old
        images may still lie in the per-mode folders). Folders that do not exist yet are
        kept: the first image saved creates them, and IIB's roots skip missing folders.
        """
        out: List[str] = []

        def add(path: str) -> None:
            path = os.path.normpath(path)
            if path not in out:
                out.append(path)

        def value(key: str) -> str:
            v = self.option(key, "")
            return v.strip() if isinstance(v, str) else ""

        def absolute(v: str, base: str) -> str:
            v = os.path.expanduser(v)
            return v if os.path.isabs(v) else os.path.join(base, v)

        samples, grids = value("outdir_samples"), value("outdir_grids")
        for key in OUTDIR_KEYS:
            v = value(key)
            if not v:
                continue
            base = self.cwd
            if self.kind == "sdnext":
                if key in SAMPLE_KEYS + SDNEXT_SAMPLE_KEYS and samples:
                    base = absolute(samples, self.cwd)
                elif key in GRID_KEYS + SDNEXT_GRID_KEYS and grids:
                    base = absolute(grids, self.cwd)
            add(absolute(v, base))
        return out

    def extra_paths(self) -> List[str]:
        """Folders from our "extra folders" setting (one per line, or comma-separated)."""
        raw = self.option(OPT_EXTRA_PATHS, "")
        if not isinstance(raw, str):
            return []
        out = []
        for line in raw.replace(",", "\n").splitlines():
            line = line.strip().strip('"').strip()
            if line:
                path = os.path.expanduser(line)
                out.append(path if os.path.isabs(path) else os.path.join(self.cwd, path))
        return out

    def index_on_save(self) -> bool:
        return bool(self.option(OPT_INDEX_ON_SAVE, True))

    def public_options(self, exposed: bool) -> Dict[str, Any]:
        """The options shown to the UI as global_setting.

        Locally the whole options dict (as the original IIB). When the host is reachable
        from other machines, only the output folders: other extensions keep API keys in
        there, and global_setting must not hand them to the network.
        """
        values = dict(self.options)
        for key in OUTDIR_KEYS:
            values.setdefault(key, self.option(key, ""))
        if exposed:
            return {k: v for k, v in values.items() if k in OUTDIR_KEYS}
        return values

    def language(self, server_lang: str = "auto") -> str:
        """"zh-hans", "zh-hant" or "en": IIB_SERVER_LANG, else the host's, else the OS locale."""
        lang = (server_lang or "auto").lower()
        if lang in ("zh", "zh-hans"):
            return "zh-hans"
        if lang == "zh-hant":
            return "zh-hant"
        if lang != "auto":
            return "en"
        candidates = [self.option("localization", ""), self.option("ui_locale", ""), os.environ.get("LANG", "")]
        try:
            candidates.append(locale.getlocale()[0] or "")
        except ValueError:
            pass
        for c in candidates:
            c = str(c or "").lower().replace("_", "-")
            if c.startswith("zh"):
                return "zh-hant" if any(t in c for t in ("hant", "-tw", "-hk", "-mo")) else "zh-hans"
        return "en"

    def tab_title(self, server_lang: str = "auto") -> str:
        lang = self.language(server_lang)
        return {"zh-hans": TITLE_ZH_HANS, "zh-hant": TITLE_ZH_HANT}.get(lang, TITLE_EN)


def flag(cmd_opts: Any, name: str) -> Any:
    return getattr(cmd_opts, name, None) if cmd_opts is not None else None


def normalize_subpath(value: Any) -> str:
    if not isinstance(value, str):
        return ""
    value = value.strip().strip("/")
    return "/" + value if value else ""


def option_values(opts: Any) -> Dict[str, Any]:
    """The host's option values: `opts.data`, plus defaults of our keys and the outdir keys.

    `opts.data` holds what config.json had (A1111 fills defaults through __getattr__ only),
    so the output folders are read through `getattr` when they are missing from it.
    """
    if opts is None:
        return {}
    if isinstance(opts, Mapping):
        return dict(opts)
    data = getattr(opts, "data", None)
    values: Dict[str, Any] = dict(data) if isinstance(data, Mapping) else {}
    for key in (*OUTDIR_KEYS, OPT_EXTRA_PATHS, OPT_INDEX_ON_SAVE, "localization"):
        if key not in values:
            try:
                v = getattr(opts, key)
            except Exception:  # an option the host does not know
                continue
            if v is not None:
                values[key] = v
    return values


def detect_kind(cmd_opts: Any) -> str:
    """"sdnext", "forge" (also reForge) or "a1111", by feature, never by version string."""
    # Only SD.Next has both --safe and --insecure.
    if flag(cmd_opts, "insecure") is not None and hasattr(cmd_opts, "safe"):
        return "sdnext"
    if "modules_forge" in sys.modules:
        return "forge"
    try:
        if importlib.util.find_spec("modules_forge") is not None:
            return "forge"
    except (ImportError, ValueError):
        pass
    return "a1111"
