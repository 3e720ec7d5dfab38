"""The IIB tab of the host UI and the hidden send-to components (gradio 3.41 and 4.x).

No `from __future__ import annotations` here: gradio finds the `gr.Request` parameter
of an event function by its evaluated annotation.

What the tab holds:
* an iframe with the IIB UI (served by IIB's own route `GET <base>`), filling the tab;
  `javascript/iib.js` sets its `src` when the tab is first shown (the UI does not start
  working in the background while the user generates);
* hidden components (ids `iib_hidden_*`, hidden by style.css, not `visible=False`,
  which would not render them): a request textbox, an image, the geninfo text, a
  status textbox, the "load" button `iib_hidden_img_update_trigger`, and per target
  two paste buttons registered with the host's `generation_parameters_copypaste`:
  `iib_hidden_tab_<target>` (image and text) and `iib_hidden_tab_<target>_image`
  (image only, for files without generation info).
"""
import html
import json
import logging
from typing import Any, Dict, List, Optional, Tuple

from . import lifecycle
from .host import HostInfo
from .send import credentials, load_for_send, status_text

log = logging.getLogger("iib.webui")

TAB_ID = "infinite-image-browsing"
# Paste targets every host registers, then SD.Next's own ones.
STANDARD_TARGETS = ("txt2img", "img2img", "inpaint", "extras")
EXTRA_TARGETS = ("sketch", "inpaint_sketch", "control")


def gradio_major() -> int:
    import gradio as gr

    try:
        return int(str(gr.__version__).split(".")[0])
    except ValueError:
        return 3


def js_kwargs(function_name: str) -> Dict[str, Any]:
    """The keyword for a front-end function: `_js` in gradio 3 (and Forge's shim), `js` in 4."""
    return {"js" if gradio_major() >= 4 else "_js": function_name}


def quiet_kwargs() -> Dict[str, Any]:
    return {"show_progress": "hidden" if gradio_major() >= 4 else False}


def import_paste_module():
    """The host's `generation_parameters_copypaste` (an alias of infotext_utils in A1111
    1.8+, Forge, reForge; the real module in 1.6/1.7 and SD.Next), or None."""
    import importlib

    for name in ("modules.generation_parameters_copypaste", "modules.infotext_utils"):
        try:
            module = importlib.import_module(name)
        except Exception:
            continue
        if hasattr(module, "ParamBinding") and hasattr(module, "register_paste_params_button"):
            return module
    return None


def paste_targets(module) -> List[str]:
    fields = getattr(module, "paste_fields", None)
    if not isinstance(fields, dict) or not fields:
        return list(STANDARD_TARGETS)
    return [t for t in (*STANDARD_TARGETS, *EXTRA_TARGETS) if t in fields]


def tab_html(host: HostInfo, problem: Optional[str]) -> str:
    base = host.public_base
    notice = ""
    if problem:
        notice = f'<div class="iib-notice" role="alert">{html.escape(problem)}</div>'
    return (
        f'<div id="iib-tab" data-iib-base="{html.escape(base, quote=True)}" data-iib-host="{host.kind}">'
        f"{notice}"
        f'<iframe id="iib-iframe" title="Infinite image browsing" data-src="{html.escape(base, quote=True)}" '
        'src="about:blank" allow="clipboard-read; clipboard-write; fullscreen"></iframe>'
        "</div>"
    )


def build(host: HostInfo, title: str, problem: Optional[str]) -> List[Tuple[Any, str, str]]:
    import gradio as gr

    def load(raw_request: str, request: gr.Request):
        ctx = lifecycle.current()
        cookies, authorization = credentials(request)
        image, text, status = load_for_send(ctx, raw_request, cookies, authorization)
        if not status.get("ok"):
            log.warning("Infinite image browsing: send to %s refused: %s", status.get("target"), status.get("error"))
            return gr.update(), gr.update(), status_text(status)
        return image, text, status_text(status)

    with gr.Blocks(analytics_enabled=False) as block:
        gr.HTML(tab_html(host, problem), elem_id="iib_tab_html")
        with gr.Row(elem_id="iib_hidden_row"):
            request = gr.Textbox(elem_id="iib_hidden_request", show_label=False)
            image = gr.Image(type="pil", elem_id="iib_hidden_image", show_label=False)
            geninfo = gr.Textbox(elem_id="iib_hidden_geninfo", show_label=False)
            status = gr.Textbox(elem_id="iib_hidden_status", show_label=False)
            trigger = gr.Button("load", elem_id="iib_hidden_img_update_trigger")
            targets = _register_paste_buttons(gr, image, geninfo)
            gr.Textbox(json.dumps(targets), elem_id="iib_hidden_targets", show_label=False)
        event = trigger.click(fn=load, inputs=[request], outputs=[image, geninfo, status],
                              **js_kwargs("iib_take_request"), **quiet_kwargs())
        event.then(fn=None, inputs=[status], outputs=[], **js_kwargs("iib_after_load"), **quiet_kwargs())
    return [(block, title, TAB_ID)]


def _register_paste_buttons(gr, image, geninfo) -> List[str]:
    module = import_paste_module()
    if module is None:
        log.warning("Infinite image browsing: this webui has no generation_parameters_copypaste; "
                    "'send to' is not available")
        return []
    registered = []
    for target in paste_targets(module):
        with_text = gr.Button(target, elem_id=f"iib_hidden_tab_{target}")
        image_only = gr.Button(target, elem_id=f"iib_hidden_tab_{target}_image")
        try:
            module.register_paste_params_button(module.ParamBinding(
                paste_button=with_text, tabname=target, source_text_component=geninfo, source_image_component=image))
            module.register_paste_params_button(module.ParamBinding(
                paste_button=image_only, tabname=target, source_image_component=image))
        except Exception:
            log.exception("Infinite image browsing: could not register 'send to %s'", target)
            continue
        registered.append(target)
    return registered
