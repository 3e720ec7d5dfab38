"""Synthetic corpora for tests and benchmarks, from the project's own generator
(:mod:`support.synthetic`; deterministic by seed)."""
from __future__ import annotations

import json
from pathlib import Path

from support.synthetic import generate


def make_corpus(out_dir: Path, n: int, seed: int = 1, jobs: int = 1, big: int = 0) -> dict:
    """Generate (once per folder) and return the manifest. ``jobs`` is accepted for old
    callers and ignored: the generator is fast enough in one process."""
    out_dir = Path(out_dir)
    manifest = out_dir / "corpus.json"
    if not manifest.exists():
        generate(out_dir, n, seed, big=big)
    return json.loads(manifest.read_text(encoding="utf-8"))
