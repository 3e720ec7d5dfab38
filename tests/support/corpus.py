"""Synthetic corpora from ../shared/tools/make_corpus.py (deterministic)."""
import json
import subprocess
import sys
from pathlib import Path

SHARED = Path(__file__).resolve().parents[2].parent / "shared"


def make_corpus(out_dir: Path, n: int, seed: int = 1, jobs: int = 2) -> dict:
    """Generate (once per folder) and return the manifest."""
    manifest = out_dir / "corpus.json"
    if not manifest.exists():
        tool = SHARED / "tools" / "make_corpus.py"
        assert tool.exists(), f"missing {tool}: shared/ must lie beside the project folder"
        subprocess.run([sys.executable, str(tool), str(out_dir), "--n", str(n), "--seed", str(seed),
                        "--jobs", str(jobs)], check=True, stdout=subprocess.DEVNULL)
    data = json.loads(manifest.read_text())
    return data
