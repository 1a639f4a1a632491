"""Small clustered vector sets for the scale tests (not uniform noise)."""

from __future__ import annotations

import numpy as np


def clustered(n: int, d: int = 32, k: int = 20, noise: float = 0.35, seed: int = 0, centers_seed: int = 0) -> np.ndarray:
    """``(n, d) float32`` L2-normalised points around ``k`` random unit centroids (the same
    centroids for every ``seed`` with one ``centers_seed``, so queries share the distribution)."""
    c = np.random.default_rng(centers_seed).standard_normal((k, d)).astype(np.float32)
    c /= np.linalg.norm(c, axis=1, keepdims=True)
    rs = np.random.default_rng(seed + 1000)
    x = c[rs.integers(0, k, n)] + noise * 3 * rs.standard_normal((n, d)).astype(np.float32) / np.sqrt(d)
    return (x / np.linalg.norm(x, axis=1, keepdims=True)).astype(np.float32)


def exact_topk(x: np.ndarray, ids: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    """Ids of the exact top-``k`` rows of ``x`` by inner product with ``q``."""
    s = x @ q
    return ids[np.argsort(-s, kind="stable")[:k]]
