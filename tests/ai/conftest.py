"""Fixtures of the semantic-layer tests: the OpenAI stub, a library of images generated from
planted themes, and IIB served by real uvicorn (SQLite and PostgreSQL)."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional

import httpx
import pytest

from iib_core.api import build_context, create_app
from iib_core.config import Settings
from support.files import a1111_png
from support.openai_stub import OpenAIStub
from support.server import LiveServer

BASE = "/infinite_image_browsing"
THEMES: Dict[str, List[str]] = {
    "city": ["cyberpunk", "city", "street", "night", "neon", "signs", "rain", "reflections", "asphalt"],
    "fox": ["red", "fox", "snowy", "forest", "winter", "pine", "trees", "snowflakes", "frost"],
    "ramen": ["bowl", "ramen", "noodles", "steaming", "broth", "chopsticks", "egg", "japanese", "food"],
    "castle": ["ancient", "castle", "cliff", "stormy", "sea", "lighthouse", "waves", "clouds", "ruins"],
    "space": ["astronaut", "floating", "space", "planets", "stars", "nebula", "spaceship", "orbit", "galaxy"],
}
BOILERPLATE = ["masterpiece", "best quality", "highres", "8k", "ultra detailed"]


def themed_prompt(theme: str, rng: random.Random, keep: int = 7) -> str:
    words = rng.sample(THEMES[theme], keep)
    return ", ".join(rng.sample(BOILERPLATE, 2) + words)


@pytest.fixture
def stub():
    with OpenAIStub() as server:
        yield server


@pytest.fixture
def themed_library(tmp_path) -> Dict[str, str]:
    """60 A1111 PNGs, 12 per theme, spread over sub-folders: {path: theme}."""
    rng = random.Random(5)
    root = tmp_path / "library"
    out: Dict[str, str] = {}
    n = 0
    for theme in THEMES:
        for i in range(12):
            n += 1
            path = root / f"batch{n % 3}" / f"{n:05d}-{theme}.png"
            a1111_png(path, themed_prompt(theme, rng), seed=n)
            out[str(path)] = theme
    return out


@dataclass
class AiApi:
    url: str
    ctx: object
    client: httpx.Client
    library: Path

    def post(self, route: str, **kw):
        return self.client.post(BASE + route, **kw)

    def get(self, route: str, **kw):
        return self.client.get(BASE + route, **kw)

    def wait_job(self, job_id: str, timeout: float = 240) -> dict:
        deadline = time.time() + timeout
        while True:
            r = self.get("/db/cluster_iib_output_job_status", params={"job_id": job_id})
            assert r.status_code == 200, r.text
            data = r.json()
            if data["status"] in ("completed", "error"):
                return data
            assert time.time() < deadline, data
            time.sleep(0.1)


@pytest.fixture
def make_ai_api(db_url, tmp_path) -> Callable[..., AiApi]:
    stack = []

    def start(library: Path, env: Optional[dict] = None, stub: Optional[OpenAIStub] = None,
              extra_paths: Optional[List[str]] = None, **options) -> AiApi:
        environ = {"IIB_DB_URL": db_url, "IIB_CACHE_DIR": str(tmp_path / "cache"), "IIB_AI_MAX_RETRIES": "2"}
        if stub is not None:
            environ.update({"OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": "sk-test",
                            "EMBEDDING_MODEL": "stub-embed", "AI_MODEL": "stub-chat"})
        environ.update(env or {})
        settings = Settings.load(environ=environ, env_file=tmp_path / "no.env")
        ctx = build_context(settings, extra_paths=[str(library)] if extra_paths is None else extra_paths, **options)
        ctx.jobs.start()
        ctx.jobs.wait()
        server = LiveServer(create_app(ctx)).__enter__()
        client = httpx.Client(base_url=server.url, timeout=300)
        stack.append((server, client))
        return AiApi(server.url, ctx, client, library)

    yield start
    for server, client in reversed(stack):
        client.close()
        server.__exit__(None, None, None)


def purity(clusters: List[dict], truth: Dict[str, str]) -> List[float]:
    out = []
    for c in clusters:
        themes = [truth[p] for p in c["paths"]]
        out.append(max(themes.count(t) for t in set(themes)) / len(themes))
    return out
