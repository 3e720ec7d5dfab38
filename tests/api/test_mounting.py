"""One app, two IIB instances under different bases; re-mounting after a host reload."""
from fastapi import FastAPI

from iib_core.api import build_context, mount_iib
from iib_core.config import Settings
from support.files import a1111_png
from support.server import LiveServer


def make_ctx(tmp_path, name, db_url=None):
    folder = tmp_path / name
    a1111_png(folder / f"{name}.png", f"only in {name}")
    env = {"IIB_CACHE_DIR": str(tmp_path / f"cache-{name}")}
    env["IIB_DB_URL" if db_url else "IIB_DB_PATH"] = db_url or str(tmp_path / f"{name}.db")
    ctx = build_context(Settings.load(environ=env, env_file=tmp_path / "none"), base=f"/{name}",
                        extra_paths=[str(folder)])
    ctx.jobs.start()
    ctx.jobs.wait()
    return ctx


def test_two_instances_in_one_app_do_not_share_state(tmp_path):
    app = FastAPI()
    first, second = make_ctx(tmp_path, "one"), make_ctx(tmp_path, "two")
    mount_iib(app, first)
    mount_iib(app, second)
    with LiveServer(app) as server, server.client() as client:
        a = client.post("/one/db/search_by_substr", json={"surstr": "only in"}).json()["files"]
        b = client.post("/two/db/search_by_substr", json={"surstr": "only in"}).json()["files"]
        assert [f["name"] for f in a] == ["one.png"] and [f["name"] for f in b] == ["two.png"]
        assert client.get("/one/hello").json() == "hello" and client.get("/two/hello").json() == "hello"
    first.db.dispose()
    second.db.dispose()


def test_mount_again_on_a_new_app_after_reload(tmp_path, db_url):
    for _ in range(2):  # a host "Reload UI" gives a new FastAPI app; the routes must come back
        app = FastAPI()
        ctx = make_ctx(tmp_path, "reload", db_url=db_url)
        mount_iib(app, ctx)
        with LiveServer(app) as server, server.client() as client:
            files = client.post("/reload/db/search_by_substr", json={"surstr": "only in"}).json()["files"]
            assert [f["name"] for f in files] == ["reload.png"]
        ctx.db.dispose()
