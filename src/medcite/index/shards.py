"""An index made of several vector shards, searched in parallel and merged.

Each shard is a :class:`~medcite.index.vectors.VectorIndex` of any type (flat, HNSW, IVF-PQ) with
the same dimension. A vector goes to one shard, chosen by

* ``"hash"`` — a 64-bit mix (splitmix64 finaliser, Steele et al. 2014, "Fast splittable
  pseudorandom number generators", OOPSLA) of its chunk id modulo the shard count: even sizes,
  and a delete finds its shard without a lookup;
* ``"year"`` — the publication year given as a key when adding, cut at ``year_bounds``
  (``[2000, 2015]`` → three shards: before 2000 (and unknown), 2000–2014, 2015 on); vectors
  added without a key go to the newest shard.

A query runs on every shard at once in a thread pool (FAISS releases the GIL while it
searches) and the per-shard top-k lists are merged by score. Exact shards merge to exactly the
single-index result. On disk: ``vectors/shard-000.faiss`` … in the version directory.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ..errors import IndexCorruptError, UsageError
from .ann import AnnIndex, AnnOptions, _topk, create_unsharded
from .vectors import VectorIndex

SHARD_DIR = "vectors"

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


def shard_of_ids(ids: np.ndarray, n: int) -> np.ndarray:
    """Shard number of each id ``(m,) int64`` → ``(m,) int64`` in ``[0, n)`` (splitmix64 mix)."""
    z = np.asarray(ids, dtype=np.int64).astype(np.uint64)
    with np.errstate(over="ignore"):
        z = z + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * _M1
        z = (z ^ (z >> np.uint64(27))) * _M2
        z = z ^ (z >> np.uint64(31))
    return (z % np.uint64(n)).astype(np.int64)


def shard_of_years(years: np.ndarray, bounds: list[int]) -> np.ndarray:
    """Shard number of each publication year (0 = unknown → shard 0) for cut points ``bounds``."""
    return np.searchsorted(np.asarray(bounds, dtype=np.int64), np.asarray(years, dtype=np.int64), side="right")


class ShardedVectorIndex(VectorIndex):
    """Several shards behind the :class:`VectorIndex` interface.

    Args:
        shards: the shards (same dimension).
        opts: the :class:`AnnOptions` they were built with (``shards``, ``shard_by``).
        year_bounds: cut points for ``shard_by="year"`` (``len(shards) - 1`` ascending years).

    Raises:
        UsageError: year sharding without the right number of bounds.
    """

    def __init__(self, shards: list[VectorIndex], opts: AnnOptions, year_bounds: list[int] | None = None) -> None:
        self.shards = shards
        self.opts = replace(opts, shards=len(shards))
        self.year_bounds = list(year_bounds or [])
        if opts.shard_by == "year" and len(self.year_bounds) != len(shards) - 1:
            raise UsageError(f"year sharding into {len(shards)} shards needs {len(shards) - 1} year bounds")
        self._pool: ThreadPoolExecutor | None = None

    @property
    def index(self) -> faiss.Index:  # pragma: no cover - guard for code that reaches inside
        raise AttributeError("a sharded index has no single FAISS index; use its shards")

    @classmethod
    def create(cls, dim: int, opts: AnnOptions, expected: int, year_bounds: list[int] | None = None) -> ShardedVectorIndex:
        """Empty shards for about ``expected`` vectors in all (each sized for its share)."""
        n = opts.shards
        if opts.shard_by == "year" and year_bounds is not None:
            n = len(year_bounds) + 1
        each = max(1, expected // n)
        per = replace(opts, shards=1).resolve(each)
        return cls([create_unsharded(dim, per, each) for _ in range(n)], replace(opts, shards=n), year_bounds)

    def vectors_to_train(self) -> int:
        """Sum over the shards (each trains on the first vectors routed to it)."""
        return sum(s.vectors_to_train() for s in self.shards)

    # -- routing ------------------------------------------------------------------------------
    def _route(self, ids: np.ndarray, keys: np.ndarray | None) -> np.ndarray:
        if self.opts.shard_by == "hash":
            return shard_of_ids(ids, len(self.shards))
        if keys is None:
            return np.full(len(ids), len(self.shards) - 1, dtype=np.int64)
        return shard_of_years(keys, self.year_bounds)

    def add(self, ids: np.ndarray, vectors: np.ndarray, keys: np.ndarray | None = None) -> None:
        """Add ``vectors`` ``(n, d) float32`` under ``ids``; ``keys`` = publication years when
        sharding by year."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return
        vectors = np.asarray(vectors, dtype=np.float32)
        where = self._route(ids, keys)
        for s in np.unique(where):
            m = where == s
            self.shards[int(s)].add(ids[m], vectors[m])

    def remove(self, ids: np.ndarray) -> int:
        """Remove ``ids`` from whichever shard holds them; returns how many were removed."""
        ids = np.asarray(ids, dtype=np.int64)
        if not len(ids):
            return 0
        if self.opts.shard_by == "hash":
            where = shard_of_ids(ids, len(self.shards))
            return sum(self.shards[int(s)].remove(ids[where == s]) for s in np.unique(where))
        return sum(s.remove(ids) for s in self.shards)

    # -- reading ------------------------------------------------------------------------------
    @property
    def ntotal(self) -> int:
        """Live vectors in all shards."""
        return sum(s.ntotal for s in self.shards)

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return self.shards[0].dim

    def ids(self) -> np.ndarray:
        """All live ids, shard by shard."""
        return np.concatenate([s.ids() for s in self.shards]) if self.shards else np.zeros(0, np.int64)

    def reconstruct(self, cid: int) -> np.ndarray:
        """Stored vector of ``cid``.

        Raises:
            KeyError: no shard holds ``cid``.
        """
        if self.opts.shard_by == "hash":
            order = [int(shard_of_ids(np.array([cid]), len(self.shards))[0])]
        else:
            order = list(range(len(self.shards)))
        for s in order:
            try:
                return self.shards[s].reconstruct(int(cid))
            except RuntimeError:
                continue
        raise KeyError(cid)

    def reconstruct_many(self, ids: np.ndarray) -> np.ndarray:
        """See :meth:`VectorIndex.reconstruct_many` (id by id across shards).

        Raises:
            KeyError: no shard holds one of ``ids``.
        """
        if len(ids) == 0:
            return np.zeros((0, self.dim), np.float32)
        return np.vstack([self.reconstruct(int(c)) for c in ids])

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` over all shards, searched in parallel; see :meth:`VectorIndex.search`."""
        k = min(k, self.ntotal)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        per: list[np.ndarray | None] = [allowed] * len(self.shards)
        if allowed is not None and self.opts.shard_by == "hash":
            allowed = np.asarray(allowed, dtype=np.int64)
            where = shard_of_ids(allowed, len(self.shards))
            per = [allowed[where == s] for s in range(len(self.shards))]
        jobs = [(s, a) for s, a in zip(self.shards, per) if s.ntotal and (a is None or len(a))]
        if not jobs:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        if len(jobs) == 1:
            results = [jobs[0][0].search(query, k, jobs[0][1])]
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=len(self.shards), thread_name_prefix="medcite-shard")
            results = list(self._pool.map(lambda j: j[0].search(query, k, j[1]), jobs))
        D = np.concatenate([r[0] for r in results])
        ids = np.concatenate([r[1] for r in results])
        if not len(ids):
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        return _topk(D, ids, k)

    # -- files --------------------------------------------------------------------------------
    def finalize(self) -> None:
        """Finish every shard (train what is buffered)."""
        for s in self.shards:
            fin = getattr(s, "finalize", None)
            if fin:
                fin()

    def describe(self) -> tuple[str, dict[str, Any]]:
        """``(description, params)`` for the manifest."""
        inner, params = self.shards[0].describe()
        inner = inner or "IDMap2,Flat"
        params = {**self.opts.to_json(), **params, "shards": len(self.shards), "shard_by": self.opts.shard_by}
        if not params.get("index_type"):
            params["index_type"] = "flat"
        params["year_bounds"] = self.year_bounds
        params["shard_sizes"] = [s.ntotal for s in self.shards]
        params["tombstones"] = int(sum(len(getattr(s, "tombstones", ())) for s in self.shards))
        if params["index_type"] == "ivfpq":  # shards may have shrunk nlist to their size
            params["nlist"] = max(getattr(s, "opts", self.opts).nlist for s in self.shards)
        return f"{len(self.shards)} shards by {self.opts.shard_by} of {inner}", params

    def save_into(self, directory: Path) -> None:
        """Write ``vectors/shard-NNN.faiss`` (+ rerank stores, tombstones) into ``directory``."""
        self.finalize()
        d = directory / SHARD_DIR
        d.mkdir(exist_ok=True)
        for i, s in enumerate(self.shards):
            if isinstance(s, AnnIndex):
                s.save_into(d, stem=f"shard-{i:03d}")
            else:
                s.save(d / f"shard-{i:03d}.faiss")

    @classmethod
    def load_from(cls, directory: Path, params: dict[str, Any], mmap: bool = True) -> ShardedVectorIndex:
        """Open the shards written by :meth:`save_into`, as the manifest's ``vector_params`` say.

        Raises:
            IndexCorruptError: a shard file is missing or unreadable.
        """
        opts = AnnOptions.from_json(params)
        d = directory / SHARD_DIR
        shards: list[VectorIndex] = []
        for i in range(int(params["shards"])):
            stem = f"shard-{i:03d}"
            if opts.index_type in ("hnsw", "ivfpq"):
                shard_params = dict(params)
                shards.append(AnnIndex.load_from(d, shard_params, mmap=mmap, stem=stem))
                continue
            path = d / f"{stem}.faiss"
            try:
                shards.append(VectorIndex(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC if mmap else 0)))
            except (RuntimeError, OSError) as e:
                raise IndexCorruptError(f"{path}: vector shard cannot be read ({str(e).splitlines()[0][:200]})") from None
        return cls(shards, opts, params.get("year_bounds") or None)
