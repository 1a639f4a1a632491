"""A relevance signal that does not depend on the question's language.

The extractive answerer abstains when the best passage's cosine similarity to the question is
below a threshold calibrated on English questions. A multilingual embedder (multilingual-e5)
places a Chinese or Spanish question lower against English passages *as a whole*: every cosine
of that question drops by a similar amount, so the calibrated threshold refuses questions whose
English counterpart is answered. Standardising the best cosine against the question's cosines to
a fixed random sample of the index's own passages removes that shift:

    z = (best cosine − mean cosine to the background sample) / std of those cosines

An answerable question has a passage far above its background (z high) in any language; an
off-topic one does not. The threshold on z is calibrated on English questions only
(``scripts/calibrate_relevance.py``: midpoint between the 2nd percentile of answerable dev
questions and the 98th percentile of off-topic ones, the rule of
``scripts/calibrate_abstention.py``) and then applied to every language.
"""

from __future__ import annotations

import numpy as np

#: Background passages sampled from the index (rows), fixed seed so answers are reproducible.
BACKGROUND_SIZE = 1024
#: z threshold per embedder (see the module doc); unknown embedders get no cross-language rule.
Z_THRESHOLDS: dict[str, float] = {}
#: An answer across languages whose z is less than this above the threshold is flagged as weak evidence.
Z_WEAK_MARGIN = 0.5


def background_sample(index, size: int = BACKGROUND_SIZE, seed: int = 0) -> np.ndarray:
    """``(m, d) float32`` stored vectors of ``m = min(size, len(index))`` random chunks of ``index``
    (a :class:`medcite.index.Index`); ``(0, d)`` for an empty index."""
    n = len(index.chunk_ids)
    if n == 0:
        return np.zeros((0, index.vectors.dim), np.float32)
    rng = np.random.default_rng(seed)
    ids = np.sort(rng.choice(np.asarray(index.chunk_ids), size=min(size, n), replace=False))
    return np.asarray(index.vectors.reconstruct_many(ids), dtype=np.float32)


def relevance_z(query_vector: np.ndarray, best_cosine: float, background: np.ndarray) -> float:
    """Standardised best cosine (see the module doc); ``nan`` when the background has < 2 rows.

    Args:
        query_vector: ``(d,)`` L2-normalised query embedding.
        best_cosine: the best retrieved passage's cosine to the query.
        background: ``(m, d)`` from :func:`background_sample`.
    """
    if background is None or len(background) < 2:
        return float("nan")
    sims = background @ np.asarray(query_vector, dtype=np.float32)
    sd = float(sims.std())
    return (best_cosine - float(sims.mean())) / sd if sd > 1e-9 else float("nan")


def z_threshold_for(embedder_name: str) -> float | None:
    """The calibrated z threshold of an embedder (``"minilm@int8"`` → minilm), or ``None``."""
    return Z_THRESHOLDS.get(embedder_name.split("@")[0])
