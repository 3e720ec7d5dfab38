"""The host callbacks that `scripts/iib.py` registers (docs/architecture.md).

Each callback catches its own errors: a problem in IIB is logged (and shown in the
tab) and never breaks the host's UI build, its startup or a generation.
"""
from __future__ import annotations

import logging
from typing import Any, List, Optional

from . import lifecycle, saved_hook
from .host import OPT_EXTRA_PATHS, OPT_INDEX_ON_SAVE, SETTINGS_SECTION, TITLE_EN, HostInfo

log = logging.getLogger("iib.webui")


def _settings_and_problem(host: HostInfo):
    from ..config import SettingsError

    try:
        settings = lifecycle.load_settings()
    except SettingsError as exc:
        return None, f"Infinite image browsing is off: {exc}"
    return settings, lifecycle.problem_for(host, settings)


def on_ui_tabs() -> List[Any]:
    try:
        from . import tab

        host = HostInfo.read()
        settings, problem = _settings_and_problem(host)
        title = host.tab_title(settings.server_lang) if settings is not None else TITLE_EN
        if problem:
            lifecycle.note_problem(problem)
        return tab.build(host, title, problem)
    except Exception:
        log.exception("Infinite image browsing: could not build its tab")
        return []


def on_ui_settings() -> None:
    try:
        from modules import shared

        def add(key: str, default: Any, label: str) -> None:
            shared.opts.add_option(key, shared.OptionInfo(default=default, label=label, section=SETTINGS_SECTION))

        add(OPT_EXTRA_PATHS, "",
            "Extra folders to browse and index, one per line (relative ones are inside the webui folder; "
            "applies after Reload UI)")
        add(OPT_INDEX_ON_SAVE, True, "Index new images as soon as they are saved (they appear in search at once)")
    except Exception:
        log.exception("Infinite image browsing: could not add its settings")


def on_app_started(demo: Optional[Any], app: Any) -> None:
    """Mount IIB on the host app: after every (re)start, also with --nowebui (demo is None)."""
    try:
        host = HostInfo.read()
        settings, problem = _settings_and_problem(host)
        if settings is None:
            lifecycle.note_problem(problem)
            log.error("%s", problem)
            return
        lifecycle.start(app, host=host, settings=settings)
    except Exception:
        log.exception("Infinite image browsing: could not start")


def on_image_saved(params: Any) -> None:
    saved_hook.on_image_saved(params)


def on_before_reload() -> None:
    try:
        lifecycle.stop()
    except Exception:
        log.exception("Infinite image browsing: could not stop before the reload")


def on_script_unloaded() -> None:
    on_before_reload()
