"""`modules.script_callbacks`: the callbacks the extension registers.

Each `on_*` records the function; the host calls them at the documented moments
through the `*_callback` functions. A failing callback is reported and skipped, as
hosts do, so one extension cannot break the others.
"""
import inspect
import traceback
from collections import namedtuple

ScriptCallback = namedtuple("ScriptCallback", ["script", "callback"])

callback_map = {name: [] for name in (
    "callbacks_app_started", "callbacks_ui_tabs", "callbacks_ui_settings", "callbacks_image_saved",
    "callbacks_before_reload", "callbacks_script_unloaded", "callbacks_before_ui",
)}


class ImageSaveParams:
    def __init__(self, image, p, filename, pnginfo):
        self.image = image
        self.p = p
        self.filename = filename  # as the host built it: relative to the cwd when the outdir is
        self.pnginfo = pnginfo


def clear_callbacks():
    for callbacks in callback_map.values():
        callbacks.clear()


def _add(name, fn):
    frame = inspect.stack()[2]
    callback_map[name].append(ScriptCallback(frame.filename, fn))


def _call(name, *args):
    results = []
    for c in list(callback_map[name]):
        try:
            results.append(c.callback(*args))
        except Exception:
            print(f"Error executing callback {c.callback} for {c.script}:\n{traceback.format_exc()}", flush=True)
    return results


def on_app_started(fn):
    _add("callbacks_app_started", fn)


def on_ui_tabs(fn):
    _add("callbacks_ui_tabs", fn)


def on_ui_settings(fn):
    _add("callbacks_ui_settings", fn)


def on_image_saved(fn):
    _add("callbacks_image_saved", fn)


def on_before_reload(fn):
    _add("callbacks_before_reload", fn)


def on_script_unloaded(fn):
    _add("callbacks_script_unloaded", fn)


def on_before_ui(fn):
    _add("callbacks_before_ui", fn)


def app_started_callback(demo, app):
    _call("callbacks_app_started", demo, app)


def ui_tabs_callback():
    tabs = []
    for result in _call("callbacks_ui_tabs"):
        tabs += result or []
    return tabs


def ui_settings_callback():
    _call("callbacks_ui_settings")


def image_saved_callback(params):
    _call("callbacks_image_saved", params)


def app_reload_callback():
    _call("callbacks_before_reload")


def script_unloaded_callback():
    _call("callbacks_script_unloaded")


def before_ui_callback():
    _call("callbacks_before_ui")


def registered():
    """{callback list: [script file, ...]} (for the harness's state route)."""
    return {name: [c.script for c in callbacks] for name, callbacks in callback_map.items()}
