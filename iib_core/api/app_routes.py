"""Application routes: /hello, /global_setting, /version, /app_fe_setting, /shutdown."""
from __future__ import annotations

import json
import os
import platform
import signal
import sys
from typing import Any, Dict, List

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from .. import __version__
from ..db import kv
from ..db import tags as tags_db
from ..errors import BadInput, Forbidden
from .context import IIBContext
from .deps import secret_guard, write_guard

FE_SETTING_PREFIX = "app_fe_setting:"


class FeSetting(BaseModel):
    name: str
    value: str


class FeSettingName(BaseModel):
    name: str


# The SD WebUI's output folder options with the folder the webui writes to when the option is
# empty (None: no folder of its own), in the order the start page lists them. `/global_setting`
# hands this to the UI (`webui_outdirs`), which shows the folders that exist.
WEBUI_OUTDIR_DEFAULTS = (
    ("outdir_txt2img_samples", "outputs/txt2img-images"),
    ("outdir_img2img_samples", "outputs/img2img-images"),
    ("outdir_extras_samples", "outputs/extras-images"),
    ("outdir_save", "log/images"),
    ("outdir_txt2img_grids", "outputs/txt2img-grids"),
    ("outdir_img2img_grids", "outputs/img2img-grids"),
    ("outdir_samples", None),
    ("outdir_grids", None),
)

def tag_out(tag: dict) -> dict:
    """A `Tag` as docs/api.md shapes it ("Shared shapes")."""
    return {"id": tag["id"], "name": tag["name"], "type": tag["type"], "count": tag["count"],
            "score": 0, "color": tag["color"] or "", "display_name": None}


def _module_version(name: str):
    module = sys.modules.get(name)
    if module is None:
        try:
            module = __import__(name)
        except Exception:
            return None
    return getattr(module, "__version__", None)


def build_public(ctx: IIBContext) -> APIRouter:
    router = APIRouter()

    @router.get("/hello")
    def hello() -> str:
        return "hello"

    @router.post("/shutdown")
    def shutdown():
        if not ctx.enable_shutdown:
            raise Forbidden("Shutdown is disabled.")
        os.kill(os.getpid(), signal.SIGTERM)
        return None

    return router


def build(ctx: IIBContext) -> APIRouter:
    router = APIRouter(dependencies=[Depends(secret_guard(ctx))])
    writable = [Depends(write_guard(ctx))]

    @router.get("/global_setting")
    def global_setting() -> Dict[str, Any]:
        stored = ctx.stored_extra_paths(refresh=True)
        with ctx.db.read() as conn:
            custom = [tag_out(t) for t in tags_db.all_tags(conn) if t["type"] == "custom"]
            fe = {k[len(FE_SETTING_PREFIX):]: v for k, v in kv.items_with_prefix(conn, FE_SETTING_PREFIX).items()}
        extra: List[dict] = [dict(e) for e in stored]
        extra += [{"path": p, "types": ["cli_access_only"], "alias": ""} for p in ctx.cli_extra_paths]
        return {
            "global_setting": ctx.webui_options,
            "cwd": os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
            "is_win": os.name == "nt",
            "home": os.environ.get("USERPROFILE") if os.name == "nt" else os.environ.get("HOME"),
            "sd_cwd": ctx.sd_cwd,
            "all_custom_tags": custom,
            "extra_paths": extra,
            "enable_access_control": ctx.access_control,
            "launch_mode": ctx.launch_mode,
            "export_fe_fn": ctx.export_fe_fn,
            "app_fe_setting": fe,
            "is_readonly": ctx.readonly,
            "webui_outdirs": [{"key": k, "default": d} for k, d in WEBUI_OUTDIR_DEFAULTS],
        }

    @router.get("/version")
    def version() -> Dict[str, Any]:
        return {
            "python_version": sys.version, "platform": platform.platform(), "hash": None,
            "tag": __version__, "iib": __version__, "av": _module_version("av"), "imageio": None,
            "pillow": _module_version("PIL"), "imageio_ffmpeg": None, "pillow_avif_plugin": None,
            "requests": None, "numpy": _module_version("numpy"), "hnswlib": None,
        }

    @router.post("/app_fe_setting", dependencies=writable)
    def set_fe_setting(body: FeSetting) -> None:
        try:
            value = json.loads(body.value)
        except ValueError:
            raise BadInput("value must be a JSON text") from None
        with ctx.db.write() as conn:
            kv.put(conn, FE_SETTING_PREFIX + body.name, value)
        return None

    @router.delete("/app_fe_setting", dependencies=writable)
    def delete_fe_setting(body: FeSettingName) -> None:
        with ctx.db.write() as conn:
            kv.delete(conn, FE_SETTING_PREFIX + body.name)
        return None

    return router
