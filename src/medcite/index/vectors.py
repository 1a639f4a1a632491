"""FAISS vectors keyed by stable int64 chunk ids (``IndexIDMap2`` over an inner-product index).

Vectors are L2-normalised, so inner product equals cosine similarity. Files are written with
FAISS's own serialisation (no pickle).
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np


def set_search_threads(n: int) -> None:
    """OpenMP threads FAISS may use. One query against an exact index is fastest on one
    thread here: with several, OpenMP's spinning threads fight the embedder (and other
    processes) for the 2 cores; measured 74 ms vs ~2 ms per query on 14k×384 under load."""
    faiss.omp_set_num_threads(max(1, int(n)))


set_search_threads(int(os.environ.get("MEDCITE_FAISS_THREADS", "1")))


class VectorIndex:
    """Dense vectors with stable ids.

    Args:
        index: a FAISS index with an id map (``IndexIDMap2``).
    """

    def __init__(self, index: faiss.Index) -> None:
        self.index = index

    def vectors_to_train(self) -> int:
        """Vectors still to be added before this index trains on them (0: no training pending;
        a flat index never trains)."""
        return 0

    @classmethod
    def new(cls, dim: int) -> VectorIndex:
        """Empty exact (flat, inner-product) index of dimension ``dim``."""
        return cls(faiss.IndexIDMap2(faiss.IndexFlatIP(dim)))

    @classmethod
    def load(cls, path: Path) -> VectorIndex:
        """Read a FAISS file."""
        return cls(faiss.read_index(str(path)))

    def save(self, path: Path) -> None:
        """Write a FAISS file."""
        faiss.write_index(self.index, str(path))

    # -- hooks shared with the approximate and sharded indexes (medcite.index.ann / .shards) --
    def save_into(self, directory: Path) -> None:
        """Write this index's file(s) into a version directory (here: ``vectors.faiss``)."""
        self.save(directory / "vectors.faiss")

    def describe(self) -> tuple[str, dict]:
        """``(FAISS description, params)`` recorded in the manifest; ``{}`` means exact flat."""
        return "IDMap2,Flat", {}

    def reconstruct(self, cid: int) -> np.ndarray:
        """The stored vector of id ``cid``, ``(d,) float32``."""
        return self.index.reconstruct(int(cid))

    def reconstruct_many(self, ids: np.ndarray) -> np.ndarray:
        """Stored vectors of ``ids`` ``(m,) int64`` → ``(m, d) float32``, in that order (one
        FAISS call; a Python loop over :meth:`reconstruct` cost ~1 ms per query for the ~90
        BM25-only candidates of a z-score fusion).

        Raises:
            RuntimeError: an id is not held.
        """
        ids = np.asarray(ids, dtype=np.int64)
        if len(ids) == 0:
            return np.zeros((0, self.dim), np.float32)
        return self.index.reconstruct_batch(ids)

    @property
    def ntotal(self) -> int:
        """Number of vectors."""
        return int(self.index.ntotal)

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self.index.d)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add ``vectors`` ``(n, d) float32`` under ``ids`` ``(n,) int64``."""
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> int:
        """Remove ``ids``; returns how many were removed."""
        if not len(ids):
            return 0
        return int(self.index.remove_ids(faiss.IDSelectorBatch(np.asarray(ids, dtype=np.int64))))

    def ids(self) -> np.ndarray:
        """All ids held, ``(ntotal,) int64`` (order of storage)."""
        return faiss.vector_to_array(self.index.id_map).astype(np.int64)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` by inner product.

        Args:
            query: ``(d,) float32`` L2-normalised.
            k: how many (capped at the index size).
            allowed: optional ``int64`` ids; only these can be returned (filter applied
                inside the search, before the top-k cut).

        Returns:
            ``(scores (m,) float32, ids (m,) int64)`` best first, ``m <= k``.
        """
        k = min(k, self.ntotal)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        if allowed is not None:
            if not len(allowed):
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
            D, I = self.index.search(q, k, params=params)
        else:
            D, I = self.index.search(q, k)
        keep = I[0] >= 0
        return D[0][keep], I[0][keep]
