"""Online clustering of unit vectors (the seed's design), pure numpy.

1. Each vector joins the cluster whose direction (the normalised sum of its members)
   is most similar, when that similarity reaches `threshold`; otherwise it starts a
   new cluster. Vectors are taken in mini-batches: a batch is compared with every
   cluster in one matrix product, and only the vectors that found no cluster are
   placed one by one (among the clusters this batch created).
2. Clusters whose directions reach `threshold` with each other are merged, so one
   theme is not cut into pieces by the order of arrival.
3. Members of clusters smaller than `min_cluster_size` move to the most similar large
   cluster when they reach `assign_noise_threshold`; the rest are noise.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional

import numpy as np

BLOCK = 2048  # rows per block when comparing all cluster directions with each other


@dataclass
class Clustering:
    labels: np.ndarray  # cluster index per vector, -1 for noise
    clusters: List[np.ndarray]  # member row indices per cluster, in creation order
    directions: np.ndarray  # unit direction per cluster


def _unit(m: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(m, axis=-1, keepdims=True)
    norms[norms == 0] = 1.0
    return m / norms


def group_add(target: np.ndarray, labels: np.ndarray, rows: np.ndarray) -> None:
    """target[labels[i]] += rows[i] for every i (np.add.at, but a sort and one reduceat: ~50x faster)."""
    if labels.size == 0:
        return
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    starts = np.flatnonzero(np.r_[True, sorted_labels[1:] != sorted_labels[:-1]])
    target[sorted_labels[starts]] += np.add.reduceat(rows[order], starts, axis=0)


def assign_online(vectors: np.ndarray, threshold: float, batch: int = 256,
                  progress: Optional[Callable[[int], None]] = None) -> np.ndarray:
    """Step 1: a cluster label per row (clusters numbered in order of creation)."""
    n, d = vectors.shape
    labels = np.full(n, -1, dtype=np.int64)
    cap = 64
    sums = np.zeros((cap, d), dtype=np.float64)
    dirs = np.zeros((cap, d), dtype=np.float32)
    k = 0
    for start in range(0, n, batch):
        block = vectors[start:start + batch]
        rows = np.arange(start, start + block.shape[0])
        pending = np.ones(block.shape[0], dtype=bool)
        if k:
            sims = block @ dirs[:k].T
            best = np.argmax(sims, axis=1)
            hit = sims[np.arange(block.shape[0]), best] >= threshold
            labels[rows[hit]] = best[hit]
            group_add(sums, best[hit], block[hit])
            pending = ~hit
        first_new = k
        for i in np.flatnonzero(pending):
            v = block[i]
            if k > first_new:
                s = dirs[first_new:k] @ v
                j = int(np.argmax(s))
                if s[j] >= threshold:
                    c = first_new + j
                    labels[rows[i]] = c
                    sums[c] += v
                    dirs[c] = _unit(sums[c]).astype(np.float32)
                    continue
            if k == cap:
                cap *= 2
                sums = np.vstack([sums, np.zeros_like(sums)])
                dirs = np.vstack([dirs, np.zeros_like(dirs)])
            sums[k] = v
            dirs[k] = v
            labels[rows[i]] = k
            k += 1
        touched = np.unique(labels[rows])
        dirs[touched] = _unit(sums[touched]).astype(np.float32)
        if progress is not None:
            progress(int(rows[-1]) + 1)
    return labels


def _find(parent: np.ndarray, i: int) -> int:
    while parent[i] != i:
        parent[i] = parent[parent[i]]
        i = parent[i]
    return i


def merge_similar(vectors: np.ndarray, labels: np.ndarray, threshold: float, rounds: int = 5) -> np.ndarray:
    """Step 2: merge clusters whose directions reach `threshold`; labels renumbered by first
    appearance."""
    for _ in range(rounds):
        k = int(labels.max()) + 1 if labels.size else 0
        if k < 2:
            break
        sums = np.zeros((k, vectors.shape[1]), dtype=np.float64)
        group_add(sums, labels, vectors)
        dirs = _unit(sums).astype(np.float32)
        parent = np.arange(k)
        merged = False
        for start in range(0, k, BLOCK):
            sims = dirs[start:start + BLOCK] @ dirs.T
            a, b = np.nonzero(sims >= threshold)
            a = a + start
            for x, y in zip(a[a < b], b[a < b]):
                rx, ry = _find(parent, int(x)), _find(parent, int(y))
                if rx != ry:
                    parent[max(rx, ry)] = min(rx, ry)
                    merged = True
        if not merged:
            break
        roots = np.array([_find(parent, i) for i in range(k)])
        labels = roots[labels]
    # renumber by first appearance
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first)
    remap = np.empty(int(labels.max()) + 1 if labels.size else 0, dtype=np.int64)
    remap[np.unique(labels)[order]] = np.arange(order.size)
    return remap[labels] if labels.size else labels


def cluster_vectors(vectors: np.ndarray, threshold: float, min_cluster_size: int,
                    assign_noise_threshold: float, progress: Optional[Callable[[int], None]] = None) -> Clustering:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if vectors.shape[0] == 0:
        return Clustering(np.zeros(0, dtype=np.int64), [], np.zeros((0, vectors.shape[1] if vectors.ndim == 2 else 0)))
    labels = assign_online(vectors, threshold, progress=progress)
    labels = merge_similar(vectors, labels, threshold)
    k = int(labels.max()) + 1
    sizes = np.bincount(labels, minlength=k)
    large = np.flatnonzero(sizes >= max(1, min_cluster_size))
    small_rows = np.flatnonzero(sizes[labels] < max(1, min_cluster_size))
    sums = np.zeros((k, vectors.shape[1]), dtype=np.float64)
    group_add(sums, labels, vectors)
    dirs = _unit(sums).astype(np.float32)
    final = np.full(labels.shape[0], -1, dtype=np.int64)
    keep = sizes[labels] >= max(1, min_cluster_size)
    final[keep] = labels[keep]
    if small_rows.size and large.size:
        sims = vectors[small_rows] @ dirs[large].T
        best = np.argmax(sims, axis=1)
        ok = sims[np.arange(small_rows.size), best] >= assign_noise_threshold
        final[small_rows[ok]] = large[best[ok]]
    clusters = [np.flatnonzero(final == c) for c in large]
    # renumber to 0..len(large)-1 keeping creation order
    relabel = np.full(k, -1, dtype=np.int64)
    relabel[large] = np.arange(large.size)
    final = np.where(final >= 0, relabel[np.maximum(final, 0)], -1)
    new_sums = np.zeros((large.size, vectors.shape[1]), dtype=np.float64)
    group_add(new_sums, final[final >= 0], vectors[final >= 0])
    return Clustering(final, clusters, _unit(new_sums).astype(np.float32))


def representatives(vectors: np.ndarray, members: np.ndarray, direction: np.ndarray, n: int = 8) -> np.ndarray:
    """The `n` members closest to the cluster's direction, closest first."""
    sims = vectors[members] @ direction
    order = np.argsort(-sims, kind="stable")[:n]
    return members[order]
