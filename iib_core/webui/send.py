"""The server side of "send to txt2img/img2img/inpaint/extras" (no gradio here).

The page asks through a hidden gradio button (see `tab.py` and `javascript/iib.js`):
the request names a file; this module checks it against IIB's access policy and the
secret key, and loads the image and its generation info for the host's paste binding.

Request (JSON text in the hidden `iib_hidden_request` textbox):
    {"id": <any>, "path": "<file as the UI names it>", "target": "txt2img"}
    `path` may be omitted: then the path stored by `POST /send_img_path` (the original
    IIB flow, see docs/api.md) is taken.
Status (JSON text in the hidden `iib_hidden_status` textbox):
    {"id": <same>, "ok": true, "target": "...", "path": "<real path>", "has_info": bool}
    {"id": <same>, "ok": false, "target": "...", "error": "<message for the user>"}
`has_info` False means "paste the image only": the host would otherwise paste its last
params.txt for an empty text.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Mapping, Optional, Tuple

from ..errors import IIBError
from ..security import request_knows_secret

MAX_REQUEST = 16384


def parse_request(raw: Any) -> Dict[str, Any]:
    if isinstance(raw, dict):
        return dict(raw)
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_REQUEST:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def load_for_send(ctx, raw_request: Any, cookies: Optional[Mapping[str, str]] = None,
                  authorization: Optional[str] = None) -> Tuple[Optional[Any], str, Dict[str, Any]]:
    """(PIL image or None, geninfo text, status) for one send-to request."""
    req = parse_request(raw_request)
    status: Dict[str, Any] = {"id": req.get("id"), "target": str(req.get("target") or "")}

    def fail(message: str):
        status.update(ok=False, error=message)
        return None, "", status

    if ctx is None:
        return fail("Infinite image browsing is not running in this webui (see the console).")
    if ctx.secret_required:
        return fail("Infinite image browsing needs IIB_SECRET_KEY in this webui (see the IIB tab).")
    secret = ctx.settings.secret_key
    if secret and not request_knows_secret(secret, cookies or {}, authorization):
        return fail("Enter the IIB secret key in the Infinite image browsing tab first.")
    path = req.get("path")
    if not path and getattr(ctx, "send_slot", None) is not None:
        path = ctx.send_slot.take()
    if not isinstance(path, str) or not path:
        return fail("No image was named.")
    try:
        real = ctx.policy.check(path, base=ctx.sd_cwd)
    except IIBError as exc:
        return fail(f"{path}: {exc.detail}")
    if not os.path.isfile(real):
        return fail(f"{path}: no such file")
    image, problem = _open_image(real)
    if image is None:
        return fail(f"{path}: {problem}")
    text = _geninfo(ctx, real)
    status.update(ok=True, path=real, has_info=bool(text.strip()))
    return image, text, status


def _open_image(path: str):
    from PIL import Image, ImageOps

    try:
        with Image.open(path) as im:
            im.load()
            image = ImageOps.exif_transpose(im)  # a copy, upright
            if image is None or image is im:
                image = im.copy()
    except Exception as exc:  # not an image (a video), or unreadable
        return None, f"cannot be opened as an image ({exc.__class__.__name__})"
    return image, None


def _geninfo(ctx, path: str) -> str:
    from ..metadata import read_generation_info
    from ..metadata.geninfo import geninfo_text

    settings = ctx.settings
    try:
        info = read_generation_info(path, stealth=settings.enable_stealth_parser,
                                    comfyui_all_prompts=settings.comfyui_extract_all_prompts)
    except Exception:
        return ""
    return geninfo_text(info) if info is not None else ""


def credentials(request: Any) -> Tuple[Dict[str, str], Optional[str]]:
    """(cookies, Authorization header) of a gradio request, whatever its shape.

    gradio 4 and gradio 3 without a queue wrap the starlette request; gradio 3.41 with
    its websocket queue rebuilds it from a dict (headers only, no `cookies`).
    """
    if request is None:
        return {}, None
    headers: Dict[str, str] = {}
    try:
        raw = request.headers
    except Exception:
        raw = None
    if raw is not None:
        try:
            items = raw.items() if hasattr(raw, "items") else iter(raw)
            headers = {str(k).lower(): str(v) for k, v in items}
        except Exception:
            headers = {}
    cookies: Dict[str, str] = {}
    try:
        found = request.cookies
        cookies = {str(k): str(v) for k, v in dict(found).items()}
    except Exception:
        cookies = {}
    if not cookies and headers.get("cookie"):
        from http.cookies import SimpleCookie

        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(headers["cookie"])
        except Exception:
            pass
        cookies = {k: m.value for k, m in jar.items()}
    return cookies, headers.get("authorization")


def status_text(status: Dict[str, Any]) -> str:
    return json.dumps(status, ensure_ascii=False)
