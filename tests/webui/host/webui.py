"""Starts the test host: `python webui.py --extension <repo> --port N [host flags]`.

Follows the order of A1111's webui.py: load config.json and the
extension scripts; build the UI; `demo.launch(prevent_thread_lock=True)`; rebuild the
middleware stack and add the host's own routes; `on_app_started(demo, app)`; wait
for a server command. "restart" (POST /harness/reload) is "Reload UI": close the
demo, on_before_reload, on_script_unloaded, re-execute the scripts, build a new demo
and app, on_app_started again. With --nowebui: a plain FastAPI app,
on_app_started(None, app) before serving, no UI callbacks.

Harness routes (ours, for the tests): GET /harness/state, POST /harness/generate,
POST /harness/reload. It prints "HARNESS READY <n>" after each start.
"""
import os
import sys
import threading
import time

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
HERE = os.path.dirname(os.path.abspath(__file__))
if HERE not in sys.path:
    sys.path.insert(0, HERE)

from modules import paths, script_callbacks, scripts, shared, shared_cmd_options  # noqa: E402

counters = {"starts": 0, "reloads": 0}


def setup_middleware(app):
    """A1111's setup: drop gradio's CORS middleware, add GZip, rebuild the stack now.

    The stack is built here (A1111 leaves it to the next request): a request may come
    before on_app_started in any host, and extensions must cope with a built stack.
    """
    from starlette.middleware.gzip import GZipMiddleware

    app.user_middleware = [m for m in app.user_middleware if m.cls.__name__ != "CORSMiddleware"]
    app.middleware_stack = None
    app.add_middleware(GZipMiddleware, minimum_size=1000)
    app.middleware_stack = app.build_middleware_stack()


def add_harness_routes(app, demo_present):
    from fastapi import Body
    from PIL import Image

    from modules import images, ui

    @app.get("/harness/state")
    def state():
        return {
            "pid": os.getpid(),
            "starts": counters["starts"],
            "reloads": counters["reloads"],
            "threads": sorted(t.name for t in threading.enumerate()),
            "callbacks": script_callbacks.registered(),
            "settings_sections": shared.opts.sections(),
            "options": {k: v for k, v in shared.opts.data.items() if k.startswith("iib_")},
            "tabs": ui.built["tabs"] if demo_present else [],
            "paste_targets": ui.built["paste_targets"] if demo_present else [],
            "cwd": os.getcwd(),
        }

    @app.post("/harness/generate")
    def generate(body: dict = Body(...)):
        """A finished generation: the image is saved as the host saves it (on_image_saved)."""
        prompt = body.get("prompt")
        info = None
        if prompt is not None:
            info = (f"{prompt}\nNegative prompt: {body.get('negative', 'lowres')}\n"
                    f"Steps: {body.get('steps', 20)}, Sampler: Euler a, CFG scale: 7, Seed: {body.get('seed', 1)}, "
                    f"Size: {body.get('width', 64)}x{body.get('height', 96)}, Model: harness_v1")
        image = Image.new("RGB", (int(body.get("width", 64)), int(body.get("height", 96))), (40, 90, 160))
        outdir = shared.opts.outdir_samples or shared.opts.outdir_txt2img_samples
        started = time.time()
        filename = images.save_image(image, outdir, body.get("name") or f"{int(started * 1000)}", info=info)
        return {"filename": filename, "abspath": os.path.abspath(filename),
                "callback_seconds": time.time() - started}

    @app.post("/harness/reload")
    def reload():
        shared.state.request_restart()
        return {"ok": True}

    @app.post("/harness/stop")
    def stop():
        shared.state.set_server_command("stop")
        return {"ok": True}


def ready():
    counters["starts"] += 1
    print(f"HARNESS READY {counters['starts']}", flush=True)


def api_only(cmd_opts):
    import uvicorn
    from fastapi import FastAPI

    app = FastAPI(docs_url="/docs", redoc_url="/redoc")
    setup_middleware(app)
    add_harness_routes(app, demo_present=False)
    script_callbacks.before_ui_callback()
    script_callbacks.app_started_callback(None, app)
    config = uvicorn.Config(app, host="0.0.0.0" if cmd_opts.listen else "127.0.0.1",
                            port=cmd_opts.port or 7861, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    ready()
    while shared.state.wait_for_server_command(timeout=1) != "stop":
        pass
    server.should_exit = True
    thread.join(10)


def webui(cmd_opts):
    from modules import ui, ui_gradio_extensions

    auth = None
    if cmd_opts.gradio_auth:
        auth = [tuple(pair.split(":", 1)) for pair in cmd_opts.gradio_auth.split(",")]
    while True:
        script_callbacks.before_ui_callback()
        ui_gradio_extensions.reload_javascript()
        demo = ui.create_ui()
        demo.queue(64)
        app, _local_url, _share_url = demo.launch(
            server_name="0.0.0.0" if (cmd_opts.listen or cmd_opts.server_name) else "127.0.0.1",
            server_port=cmd_opts.port or 7860,
            prevent_thread_lock=True,
            auth=auth,
            allowed_paths=[paths.data_path, *scripts.extension_dirs, HERE, *cmd_opts.gradio_allowed_path],
            app_kwargs={"docs_url": "/docs", "redoc_url": "/redoc"},
            root_path=f"/{cmd_opts.subpath}" if cmd_opts.subpath else "",
            quiet=True,
        )
        setup_middleware(app)
        add_harness_routes(app, demo_present=True)
        script_callbacks.app_started_callback(demo, app)
        ready()
        command = None
        while command not in ("stop", "restart"):
            command = shared.state.wait_for_server_command(timeout=5)
        if command == "stop":
            demo.close()
            return
        print("Restarting UI...", flush=True)
        demo.close()
        time.sleep(0.5)
        script_callbacks.app_reload_callback()
        script_callbacks.script_unloaded_callback()
        scripts.load_scripts()
        counters["reloads"] += 1


def main(argv):
    cmd_opts = shared_cmd_options.parse(argv)
    shared.cmd_opts = cmd_opts
    paths.data_path = os.path.abspath(cmd_opts.data_dir)
    shared.opts.load(os.path.join(paths.data_path, "config.json"))
    scripts.extension_dirs[:] = [os.path.abspath(p) for p in cmd_opts.extension]
    scripts.load_scripts()
    if cmd_opts.nowebui:
        api_only(cmd_opts)
    else:
        webui(cmd_opts)


if __name__ == "__main__":
    main(sys.argv[1:])
