"""Whether the harness tests can run here (gradio present), and strict mode."""
from __future__ import annotations

import os

import pytest


def strict() -> bool:
    ci = os.environ.get("CI", "").strip().lower()
    return ci not in ("", "0", "false", "no") or os.environ.get("IIB_TEST_STRICT", "").strip() == "1"


def require_harness_env() -> str:
    """Call at the top of a harness test module: the gradio version, or skip (fail when
    IIB_TEST_WEBUI_ENV says this is a harness venv)."""
    try:
        import gradio
    except ImportError as exc:
        if os.environ.get("IIB_TEST_WEBUI_ENV"):
            raise RuntimeError(f"IIB_TEST_WEBUI_ENV={os.environ['IIB_TEST_WEBUI_ENV']} is set but gradio cannot be "
                               f"imported ({exc}); build the venv from requirements-webui-*.txt") from exc
        pytest.skip("gradio is not installed: the webui harness tests run in the venvs of "
                    "requirements-webui-a1111.txt / requirements-webui-forge.txt", allow_module_level=True)
    return gradio.__version__
