"""Paste bindings ("send to ..."), as A1111 1.8+/Forge shape them.

Like those hosts, this module also answers to its old name
`modules.generation_parameters_copypaste` through a sys.modules alias.

Tabs register their fields with `add_paste_fields(tabname, init_img, fields)`;
extensions register `ParamBinding`s inside on_ui_tabs; after all tabs are built the
host wires every binding once (`connect_paste_params_buttons`): the image goes to the
tab's init image (with width/height when a Size-1 field exists, except for inpaint),
the text is parsed into the fields, and finally the host's `switch_to_<tabname>` runs
in the page. An empty text pastes the last generation's params.txt (the pitfall that
image-only bindings avoid).
"""
import os
import re
import sys

import gradio as gr

from modules import paths, shared

GRADIO4 = int(gr.__version__.split(".")[0]) >= 4
JS = "js" if GRADIO4 else "_js"
QUIET = {"show_progress": "hidden" if GRADIO4 else False}

paste_fields = {}
registered_param_bindings = []


class ParamBinding:
    def __init__(self, paste_button, tabname, source_text_component=None, source_image_component=None,
                 source_tabname=None, override_settings_component=None, paste_field_names=None):
        self.paste_button = paste_button
        self.tabname = tabname
        self.source_text_component = source_text_component
        self.source_image_component = source_image_component
        self.source_tabname = source_tabname
        self.override_settings_component = override_settings_component
        self.paste_field_names = paste_field_names or []


def reset():
    paste_fields.clear()
    registered_param_bindings.clear()


def add_paste_fields(tabname, init_img, fields, override_settings_component=None):
    paste_fields[tabname] = {"init_img": init_img, "fields": fields,
                             "override_settings_component": override_settings_component}


def register_paste_params_button(binding):
    registered_param_bindings.append(binding)


_param = re.compile(r'\s*([\w][\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)')
_size = re.compile(r"^(\d+)x(\d+)$")


def parse_generation_parameters(text):
    """Prompt, negative prompt and the "Key: value, ..." line of an infotext."""
    result = {}
    lines = text.strip().split("\n") if text.strip() else [""]
    last = lines[-1]
    if len(_param.findall(last)) < 3:
        body, last = lines, ""
    else:
        body = lines[:-1]
    prompt, negative, in_negative = [], [], False
    for line in body:
        line = line.strip()
        if line.startswith("Negative prompt:"):
            in_negative = True
            line = line[len("Negative prompt:"):].strip()
        (negative if in_negative else prompt).append(line)
    result["Prompt"] = "\n".join(prompt)
    result["Negative prompt"] = "\n".join(negative)
    for key, value in _param.findall(last):
        value = value.strip()
        m = _size.match(value)
        if m:
            result[key + "-1"], result[key + "-2"] = m.group(1), m.group(2)
        else:
            result[key] = value
    return result


def image_and_size(image):
    if image is None:
        return gr.update(), gr.update(), gr.update()
    return image, image.width, image.height


def connect_paste(button, fields, source):
    def paste(text):
        if not text and not shared.cmd_opts.hide_ui_dir_config:
            try:
                with open(os.path.join(paths.data_path, "params.txt"), encoding="utf8") as f:
                    text = f.read()
            except OSError:
                pass
        params = parse_generation_parameters(text or "")
        out = []
        for component, key in fields:
            value = params.get(key)
            if value is None:
                out.append(gr.update())
                continue
            kind = type(component.value)
            try:
                out.append(gr.update(value=kind(value) if kind in (int, float, str) else value))
            except (TypeError, ValueError):
                out.append(gr.update())
        return out

    button.click(fn=paste, inputs=[source], outputs=[c for c, _ in fields], **QUIET)


def connect_paste_params_buttons():
    for binding in registered_param_bindings:
        target = paste_fields[binding.tabname]  # a KeyError for an unknown tab, as in A1111
        destination = target["init_img"]
        fields = target["fields"]
        width = next((c for c, name in (fields or []) if name == "Size-1"), None)
        height = next((c for c, name in (fields or []) if name == "Size-2"), None)
        if binding.source_image_component is not None and destination is not None:
            if width is not None and binding.tabname != "inpaint":
                binding.paste_button.click(fn=image_and_size, inputs=[binding.source_image_component],
                                           outputs=[destination, width, height], **QUIET)
            else:
                binding.paste_button.click(fn=lambda x: x, inputs=[binding.source_image_component],
                                           outputs=[destination], **QUIET)
        if binding.source_text_component is not None and fields is not None:
            connect_paste(binding.paste_button, fields, binding.source_text_component)
        binding.paste_button.click(fn=None, inputs=None, outputs=None,
                                   **{JS: f"switch_to_{binding.tabname}"}, **QUIET)


sys.modules["modules.generation_parameters_copypaste"] = sys.modules[__name__]
