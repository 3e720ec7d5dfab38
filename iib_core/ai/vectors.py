"""Vectors: compact blobs, normalisation, exact cosine top-k, and an in-memory matrix per
model for search (loaded once, refreshed when the embedding table changes)."""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .errors import ProviderError

STORE_DTYPE = "f2"  # float16: half the bytes; cosine scores change by < 1e-3


def normalize_rows(matrix: np.ndarray, what: str = "Embedding") -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim != 2:
        raise ProviderError(f"{what} API returned vectors of the wrong shape {matrix.shape}")
    if not np.all(np.isfinite(matrix)):
        raise ProviderError(f"{what} API returned a vector with NaN or infinite values")
    norms = np.linalg.norm(matrix, axis=1)
    if np.any(norms == 0):
        raise ProviderError(f"{what} API returned a zero vector")
    return matrix / norms[:, None]


def to_blob(vec: np.ndarray, dtype: str = STORE_DTYPE) -> bytes:
    return np.asarray(vec, dtype="<" + dtype).tobytes()


def from_blob(blob: bytes, dtype: str, dim: int) -> np.ndarray:
    arr = np.frombuffer(blob, dtype="<" + (dtype or STORE_DTYPE))
    if dim and arr.shape[0] != dim:
        raise ValueError(f"stored vector has {arr.shape[0]} values, expected {dim}")
    return arr


def stack_blobs(rows: Sequence[tuple], dtype_at: int, dim_at: int, vec_at: int) -> np.ndarray:
    """Rows with blob columns -> a float32 matrix (rows of another dimension are an error)."""
    if not rows:
        return np.zeros((0, 0), dtype=np.float32)
    dim = rows[0][dim_at]
    dtype = rows[0][dtype_at]
    if all(r[dtype_at] == dtype and r[dim_at] == dim for r in rows):
        buf = b"".join(bytes(r[vec_at]) for r in rows)
        return np.frombuffer(buf, dtype="<" + dtype).reshape(len(rows), dim).astype(np.float32)
    return np.vstack([from_blob(bytes(r[vec_at]), r[dtype_at], r[dim_at]).astype(np.float32) for r in rows])


def top_k(matrix: np.ndarray, query: np.ndarray, k: int, mask: Optional[np.ndarray] = None,
          min_score: float = -1.0) -> Tuple[np.ndarray, np.ndarray]:
    """Indices and scores of the `k` best rows by dot product (cosine for unit vectors), best
    first; ties are broken by row order, so equal scores never fail."""
    if matrix.shape[0] == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    scores = matrix @ query.astype(matrix.dtype, copy=False)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    k = min(k, scores.shape[0])
    if k < scores.shape[0]:
        idx = np.argpartition(-scores, k - 1)[:k]
    else:
        idx = np.arange(scores.shape[0])
    order = np.lexsort((idx, -scores[idx]))
    idx = idx[order]
    best = scores[idx]
    keep = np.isfinite(best) & (best >= min_score)
    return idx[keep], best[keep].astype(np.float32)


@dataclass
class ModelMatrix:
    """Every stored vector of one model: unit rows as float32, sorted by folder so that the rows
    of a folder (and of a folder tree) are contiguous and a scoped search reads only those."""

    ids: np.ndarray
    folder_of: np.ndarray  # index into `folders` (sorted by name), per row; rows sorted by it
    folders: List[str]
    matrix: np.ndarray
    version: object

    @classmethod
    def build(cls, ids: np.ndarray, folder_of: np.ndarray, folders: List[str], matrix: np.ndarray) -> ModelMatrix:
        rank = np.argsort(np.asarray(folders, dtype=object), kind="stable") if folders else np.zeros(0, np.int64)
        new_index = np.empty(len(folders), dtype=np.int32)
        new_index[rank] = np.arange(len(folders), dtype=np.int32)
        folder_of = new_index[folder_of] if folder_of.size else folder_of
        order = np.argsort(folder_of, kind="stable")
        return cls(ids[order], folder_of[order], [folders[i] for i in rank], matrix[order], None)

    def row_ranges(self, folders: Sequence[str], recursive: bool, sep: str = "/") -> List[Tuple[int, int]]:
        """[start, stop) row ranges of the rows in scope (merged, ascending)."""
        wanted = []
        for i, f in enumerate(self.folders):
            for root in folders:
                root = root.rstrip("/\\") or "/"
                if f == root or (recursive and f.startswith(root if root.endswith(("/", "\\")) else root + sep)):
                    wanted.append(i)
                    break
        if not wanted:
            return []
        starts = np.searchsorted(self.folder_of, wanted, side="left")
        stops = np.searchsorted(self.folder_of, wanted, side="right")
        ranges: List[Tuple[int, int]] = []
        for a, b in zip(starts.tolist(), stops.tolist()):
            if ranges and ranges[-1][1] == a:
                ranges[-1] = (ranges[-1][0], b)
            elif b > a:
                ranges.append((a, b))
        return ranges

    def search(self, query: np.ndarray, k: int, folders: Sequence[str], recursive: bool, min_score: float = -1.0,
               sep: str = "/") -> Tuple[np.ndarray, np.ndarray, int]:
        """Best `k` rows in scope (all rows without `folders`): (row indices, scores, rows scored)."""
        if not folders:
            idx, scores = top_k(self.matrix, query, k, min_score=min_score)
            return idx, scores, int(self.matrix.shape[0])
        ranges = self.row_ranges(folders, recursive, sep)
        if not ranges:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32), 0
        if len(ranges) == 1:
            a, b = ranges[0]
            idx, scores = top_k(self.matrix[a:b], query, k, min_score=min_score)
            return idx + a, scores, b - a
        rows = np.concatenate([np.arange(a, b) for a, b in ranges])
        idx, scores = top_k(self.matrix[rows], query, k, min_score=min_score)
        return rows[idx], scores, int(rows.size)


class MatrixCache:
    """One `ModelMatrix` per model, rebuilt when `version_of(model)` changes."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_model: Dict[str, ModelMatrix] = {}

    def get(self, model: str, version: object, load: Callable[[], ModelMatrix]) -> ModelMatrix:
        with self._lock:
            hit = self._by_model.get(model)
            if hit is not None and hit.version == version:
                return hit
            fresh = load()
            fresh.version = version
            self._by_model[model] = fresh
            return fresh

    def forget(self, model: Optional[str] = None) -> None:
        with self._lock:
            if model is None:
                self._by_model.clear()
            else:
                self._by_model.pop(model, None)
