"""Puts the host's and the extensions' JS into <head> and their CSS before </body>
by wrapping gradio's TemplateResponse as A1111/Forge do."""
import os

import gradio as gr

from modules import scripts

HOST_JS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "javascript", "host.js")
_original = None


def webpath(path):
    return f"file={os.path.abspath(path)}?{os.path.getmtime(path)}"


def javascript_html():
    head = f'<script type="text/javascript" src="{webpath(HOST_JS)}"></script>\n'
    for _, path in scripts.list_scripts("javascript", ".js"):
        head += f'<script type="text/javascript" src="{webpath(path)}"></script>\n'
    for _, path in scripts.list_scripts("javascript", ".mjs"):
        head += f'<script type="module" src="{webpath(path)}"></script>\n'
    return head


def css_html():
    out = ""
    for ext_dir in scripts.extension_dirs:
        css = os.path.join(ext_dir, "style.css")
        if os.path.isfile(css):
            out += f'<link rel="stylesheet" property="stylesheet" href="{webpath(css)}">'
    return out


def reload_javascript():
    global _original
    js, css = javascript_html(), css_html()
    if _original is None:
        _original = gr.routes.templates.TemplateResponse

    def template_response(*args, **kwargs):
        res = _original(*args, **kwargs)
        res.body = res.body.replace(b"</head>", f"{js}</head>".encode())
        res.body = res.body.replace(b"</body>", f"{css}</body>".encode())
        res.init_headers()
        return res

    gr.routes.templates.TemplateResponse = template_response
