"""Infinite Image Browsing as an SD WebUI extension (A1111, Forge, reForge, SD.Next).

Glue only: the host executes this file from its path (while the extension folder is
on sys.path) and again on every "Reload UI"; the logic and all state live in the
cached package `iib_core.webui`. When a requirement is missing (the host skipped
install.py), one line says which and nothing is registered: the host runs on without IIB.
"""
from modules import script_callbacks

from iib_core.webui.deps import missing_message

_missing = missing_message()
if _missing:
    print(_missing, flush=True)
else:
    from iib_core.webui import extension as iib

    script_callbacks.on_ui_tabs(iib.on_ui_tabs)
    script_callbacks.on_ui_settings(iib.on_ui_settings)
    script_callbacks.on_app_started(iib.on_app_started)
    script_callbacks.on_image_saved(iib.on_image_saved)
    for _name, _callback in (("on_before_reload", iib.on_before_reload),
                             ("on_script_unloaded", iib.on_script_unloaded)):
        if hasattr(script_callbacks, _name):  # feature-detect: every known host has both
            getattr(script_callbacks, _name)(_callback)
