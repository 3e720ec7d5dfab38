"""Are IIB's runtime requirements importable in the host's Python?

A host started with `--skip-prepare-environment` (or `--skip-install`) does not run
install.py, so a package of requirements.txt may be missing. scripts/iib.py asks here
first and, when something is missing, prints one line naming it and the pip command,
and registers nothing: the host starts without the IIB tab instead of with a traceback.
Only the standard library is imported here.
"""
from __future__ import annotations

import importlib.util
import os
import sys
from typing import List, Tuple

# (distribution in requirements.txt, module it provides): every line of requirements.txt
# without an environment marker (tests/webui/test_missing_requirements.py keeps them equal).
REQUIRED: Tuple[Tuple[str, str], ...] = (
    ("fastapi", "fastapi"), ("uvicorn", "uvicorn"), ("sqlalchemy", "sqlalchemy"), ("pillow", "PIL"),
    ("numpy", "numpy"), ("httpx", "httpx"), ("av", "av"), ("python-dotenv", "dotenv"), ("tqdm", "tqdm"),
    ("regex", "regex"), ("orjson", "orjson"), ("watchfiles", "watchfiles"),
)
PREFIX = "[Infinite image browsing]"
REQUIREMENTS_TXT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                                "requirements.txt")


def _importable(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):  # a broken or half-installed package counts as missing
        return False


def missing_requirements() -> List[str]:
    """The distributions of requirements.txt whose module cannot be found, in file order."""
    return [dist for dist, module in REQUIRED if not _importable(module)]


def missing_message() -> str:
    """One line for the host's console, or "" when everything is there."""
    missing = missing_requirements()
    if not missing:
        return ""
    return (f"{PREFIX} not loaded: missing Python package(s) {', '.join(missing)}. Install them into the "
            f"webui's Python and restart: \"{sys.executable}\" -m pip install -r \"{REQUIREMENTS_TXT}\"")
