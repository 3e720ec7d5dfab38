"""An IIB instance served by real uvicorn over HTTP, on SQLite and PostgreSQL."""
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, List, Optional

import httpx
import pytest

from iib_core.api import DEFAULT_BASE, build_context, create_app
from iib_core.api.context import IIBContext
from iib_core.config import Settings
from support.files import a1111_png, plain_png
from support.server import LiveServer


@dataclass
class Api:
    url: str
    base: str
    ctx: IIBContext
    client: httpx.Client
    library: Path

    def path(self, route: str) -> str:
        return self.base + route

    def get(self, route: str, **kw):
        return self.client.get(self.path(route), **kw)

    def post(self, route: str, **kw):
        return self.client.post(self.path(route), **kw)

    def delete(self, route: str, **kw):
        return self.client.request("DELETE", self.path(route), **kw)


@pytest.fixture
def library(tmp_path) -> Path:
    """A small image library: A1111 PNGs in dated folders, one plain PNG."""
    root = tmp_path / "library"
    a1111_png(root / "2026-11-20" / "00001-1.png", "masterpiece, a red fox in the snow", seed=1)
    a1111_png(root / "2026-11-20" / "00002-2.png", "a lighthouse at dusk, best quality", seed=2)
    a1111_png(root / "2026-11-21" / "00003-3.png", "a bowl of ramen, steam", seed=3)
    plain_png(root / "misc" / "plain.png")
    return root


@pytest.fixture
def make_api(db_url, tmp_path, library) -> Callable[..., Api]:
    """Start a server: make_api(env={...}, extra_paths=[...], host=..., **context options)."""
    stack = []

    def start(env: Optional[dict] = None, extra_paths: Optional[List[str]] = None, base: str = DEFAULT_BASE,
              host: str = "127.0.0.1", index: bool = True, **options) -> Api:
        environ = {"IIB_DB_URL": db_url, "IIB_CACHE_DIR": str(tmp_path / "cache")}
        environ.update(env or {})
        settings = Settings.load(environ=environ, env_file=tmp_path / "no.env")
        ctx = build_context(settings, base=base, host=host,
                            extra_paths=[str(library)] if extra_paths is None else extra_paths, **options)
        if index:
            ctx.jobs.start()
            ctx.jobs.wait()
        server = LiveServer(create_app(ctx)).__enter__()
        client = server.client()
        stack.append((server, client))
        return Api(server.url, ctx.base, ctx, client, library)

    yield start
    for server, client in reversed(stack):
        client.close()
        server.__exit__(None, None, None)


@pytest.fixture
def api(make_api) -> Api:
    return make_api()
