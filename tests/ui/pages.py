"""Helpers shared by the browser tests: a served IIB instance and page actions."""
from __future__ import annotations

import contextlib
import os
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List, Optional, Sequence

from PIL import Image

from iib_core.api import build_context, create_app
from iib_core.api.context import IIBContext
from iib_core.config import Settings
from support.server import LiveServer


@dataclass
class Served:
    url: str
    base: str
    ctx: IIBContext
    server: LiveServer

    @property
    def app_url(self) -> str:
        return self.url + self.base

    def open_url(self, path: str, mode: str = "scanned") -> str:
        """The deep link that opens `path` in a tab (`?action=open&path=...`)."""
        return f"{self.app_url}?action=open&path={urllib.parse.quote(str(path))}&mode={mode}"

    def client(self, **kw):
        return self.server.client(**kw)


@contextlib.contextmanager
def serve(tmp: Path, roots: Sequence[Path], env: Optional[dict] = None, index: bool = True,
          **options) -> Iterator[Served]:
    tmp.mkdir(parents=True, exist_ok=True)
    environ = {"IIB_DB_URL": f"sqlite:///{tmp}/iib.db", "IIB_CACHE_DIR": str(tmp / "cache")}
    environ.update(env or {})
    settings = Settings.load(environ=environ, env_file=tmp / "no.env")
    ctx = build_context(settings, extra_paths=[str(r) for r in roots], **options)
    if index:
        ctx.jobs.start()
        ctx.jobs.wait()
    with LiveServer(create_app(ctx)) as server:
        yield Served(server.url, ctx.base, ctx, server)


def tiny_png(path: Path, color=(90, 120, 200), size=(12, 12)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path)
    return path


def linked_files(folder: Path, names: List[str], source: Path) -> None:
    """Many files fast: hard links of one small PNG."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        os.link(source, folder / name)


# -- page actions ---------------------------------------------------------------------------
def open_folder(page, served: Served, path, mode: str = "scanned"):
    page.goto(served.open_url(path, mode))
    pane = page.locator(".column.focused .folder-pane")
    pane.wait_for()
    page.wait_for_function(
        "() => { const p = document.querySelector('.column.focused .folder-pane');"
        " return p && p.dataset.loading === 'false'; }")
    return pane


def cell(page, name: str):
    return page.locator(f".column.focused .cell[data-name={_quote(name)}]")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def cell_names(page) -> List[str]:
    return page.eval_on_selector_all(
        ".column.focused .cell", "els => els.sort((a, b) => a.dataset.index - b.dataset.index).map(e => e.dataset.name)")


def menu_item(page, item_id: str):
    return page.locator(f".context-menu .menu-item[data-id={_quote(item_id)}]")
