"""Approximate vector indexes for collections past what exact search serves: chosen by size.

Types (``AnnOptions.index_type``), all inner product over L2-normalised ``float32`` rows:

* ``"flat"`` — ``IDMap2,Flat``: exact; the default (:class:`~medcite.index.vectors.VectorIndex`
  itself, untouched).
* ``"hnsw"`` — ``IDMap2,HNSW{M},Flat``: a navigable small-world graph (Malkov & Yashunin 2018,
  "Efficient and robust approximate nearest neighbor search using Hierarchical Navigable Small
  World graphs", IEEE TPAMI). ``efSearch`` trades recall for time. FAISS's HNSW cannot delete:
  deleted ids go into a tombstone set (``vectors.tombstones.npy``) filtered at query time, and
  the graph is rebuilt without them when they pass :data:`COMPACT_FRACTION` of it (and on
  ``medcite index rebuild``).
* ``"ivfpq"`` — ``IVF{nlist},PQ{m}`` with native ids: an inverted file over a coarse k-means
  quantiser, residuals coded by product quantisation (Jégou, Douze & Schmid 2011, "Product
  quantization for nearest neighbor search", IEEE TPAMI). ``nprobe`` lists are scanned per
  query. The ``k·rerank_factor`` PQ candidates are re-scored against an ``IDMap2,SQ8`` store
  (8-bit scalar-quantised vectors) — the refinement step of Jégou et al. 2011 §IV-B with SQ8
  instead of full vectors — which lifts recall@10 to exact-search levels at 384 bytes per
  vector. Deletes use ``remove_ids`` on both (the IVF keeps a hashtable direct map so ids
  can be reconstructed and removed). Trained on a sample: the first ``train_size`` vectors
  added (input order).
* ``"auto"`` — ``flat`` up to ``flat_max`` vectors, ``ivfpq`` beyond.

Loading for search memory-maps what FAISS allows (``IO_FLAG_MMAP`` for the inverted lists,
``IO_FLAG_MMAP_IFC`` for flat code arrays: the SQ8 store and the HNSW vectors), so a large index
opens without reading it into RAM; pages come in as queries touch them. Writers load in memory.
Files are FAISS's own format and ``.npy`` (no pickle).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from ..errors import IndexCorruptError, UsageError
from .vectors import VectorIndex

INDEX_TYPES = ("flat", "hnsw", "ivfpq", "auto")
VECTORS = "vectors.faiss"
#: HNSW graphs are rebuilt without their tombstones when these exceed this fraction of the graph.
COMPACT_FRACTION = 0.25
#: a filtered search over at most this many allowed ids is done exactly over their stored vectors
#: (an approximate index loses recall when most of it is filtered out).
EXACT_FILTER_MAX = 20_000


@dataclass(frozen=True)
class AnnOptions:
    """How to build the vector index; recorded in the manifest's ``vector_params``.

    Attributes:
        index_type: ``"flat"``, ``"hnsw"``, ``"ivfpq"`` or ``"auto"`` (see the module doc).
        shards: number of shards (≥ 1); see :mod:`medcite.index.shards`.
        shard_by: ``"hash"`` (of the chunk id) or ``"year"`` (needs keys when adding).
        flat_max: ``auto`` keeps exact search up to this many vectors.
        hnsw_m: HNSW neighbours per node (``M``).
        ef_construction: HNSW build-time beam width.
        ef_search: HNSW query-time beam width (≥ k is used).
        nlist: IVF lists; 0 = by size (:func:`default_nlist`).
        pq_m: PQ sub-quantisers (bytes per vector at 8 bits); must divide the dimension;
            0 = ``dim / 8`` (48 for 384-d).
        pq_nbits: bits per PQ code (8 = 256 centroids per sub-quantiser).
        nprobe: IVF lists scanned per query.
        rerank: second-stage store re-scoring PQ candidates (``"SQ8"``, ``"SQfp16"``, ``"Flat"``)
            or ``""`` for none.
        rerank_factor: PQ candidates per result kept for re-scoring (10: recall@10 0.987 of
            exact search at 1 M synthetic vectors, against 0.933 with 4; docs/scale.md).
        train_size: vectors to train the IVF/PQ (and SQ) on; 0 = ``min(n, 64·nlist)``,
            at least ``40·nlist`` when that many exist.
    """

    index_type: str = "flat"
    shards: int = 1
    shard_by: str = "hash"
    flat_max: int = 100_000
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 64
    nlist: int = 0
    pq_m: int = 0
    pq_nbits: int = 8
    nprobe: int = 32
    rerank: str = "SQ8"
    rerank_factor: int = 10
    train_size: int = 0

    def validate(self) -> None:
        """Raise :class:`UsageError` for values that cannot work."""
        if self.index_type not in INDEX_TYPES:
            raise UsageError(f"unknown index type {self.index_type!r} (use {', '.join(INDEX_TYPES)})")
        if self.shards < 1:
            raise UsageError("--shards must be at least 1")
        if self.shard_by not in ("hash", "year"):
            raise UsageError(f"unknown shard key {self.shard_by!r} (use hash or year)")
        for name in ("hnsw_m", "ef_search", "pq_nbits", "nprobe", "rerank_factor"):
            if getattr(self, name) < 1:
                raise UsageError(f"{name.replace('_', '-')} must be at least 1")

    def resolve(self, n: int) -> AnnOptions:
        """Concrete options for an index expected to hold ``n`` vectors (``auto`` → a type)."""
        self.validate()
        t = self.index_type
        if t == "auto":
            t = "flat" if n <= self.flat_max else "ivfpq"
        return replace(self, index_type=t)

    def to_json(self) -> dict[str, Any]:
        """JSON form for the manifest."""
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> AnnOptions:
        """Inverse of :meth:`to_json`; unknown keys (e.g. ``factory``) are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in names})


def default_nlist(n: int) -> int:
    """IVF list count for ``n`` vectors: the power of two nearest ``√n``, within [16, 65536]
    (1M → 1024). FAISS suggests 4–16·√n for large collections; √n keeps k-means training
    cheap on a small machine and scans more vectors per probed list, so fewer probes reach
    the same recall (measured in ``scripts/bench_scale.py``)."""
    if n <= 0:
        return 16
    return int(min(65536, max(16, 2 ** round(math.log2(math.sqrt(n))))))


def _ivf_ids(index: faiss.Index) -> np.ndarray:
    """All ids stored in an IVF index's inverted lists, ``(ntotal,) int64``."""
    ivf = faiss.extract_index_ivf(index)
    inv = ivf.invlists
    parts = []
    for lst in range(inv.nlist):
        size = inv.list_size(lst)
        if size:
            ptr = inv.get_ids(lst)
            parts.append(faiss.rev_swig_ptr(ptr, size).copy())
            inv.release_ids(lst, ptr)
    return np.concatenate(parts).astype(np.int64) if parts else np.zeros(0, np.int64)


def _topk(scores: np.ndarray, ids: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Best ``k`` of ``(scores, ids)``, ties broken by id."""
    if len(scores) > k:
        part = np.argpartition(-scores, k - 1)[:k]
        scores, ids = scores[part], ids[part]
    order = np.lexsort((ids, -scores))
    return scores[order].astype(np.float32), ids[order].astype(np.int64)


class AnnIndex(VectorIndex):
    """An HNSW or IVF-PQ index with the :class:`VectorIndex` interface (ids are chunk ids).

    Args:
        index: the FAISS index (``IndexIDMap2`` over HNSW, or an IVF-PQ holding ids itself).
        opts: resolved :class:`AnnOptions` (``index_type`` ``"hnsw"`` or ``"ivfpq"``).
        rerank: the ``IDMap2,SQ8`` re-scoring store of an IVF-PQ index, or ``None``.
        tombstones: deleted ids still in an HNSW graph, ``int64``.
        trained: whether ``index`` is trained (a new IVF-PQ buffers vectors until it is).
    """

    def __init__(
        self, index: faiss.Index, opts: AnnOptions, rerank: faiss.Index | None = None,
        tombstones: np.ndarray | None = None, trained: bool = True,
    ) -> None:
        super().__init__(index)
        self.opts = opts
        self.rerank = rerank
        self.tombstones = np.unique(np.asarray(tombstones if tombstones is not None else [], dtype=np.int64))
        self.trained = trained
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._pending_n = 0
        self._sorted_ids: np.ndarray | None = None  # cache for membership tests; reset on writes

    def vectors_to_train(self) -> int:
        """Vectors still to be added before a new IVF-PQ trains: it trains on the first
        ``train_size`` it receives (0 once trained, and for HNSW)."""
        return 0 if self.trained else max(0, self.opts.train_size - self._pending_n)

    def _holds(self, ids: np.ndarray) -> np.ndarray:
        """Boolean mask: which of ``ids`` are live here."""
        if self._sorted_ids is None:
            self._sorted_ids = np.sort(self.ids())
        s = self._sorted_ids
        if not len(s):
            return np.zeros(len(ids), dtype=bool)
        pos = np.minimum(np.searchsorted(s, ids), len(s) - 1)
        return s[pos] == ids

    # -- construction -------------------------------------------------------------------------
    @classmethod
    def create(cls, dim: int, opts: AnnOptions, expected: int) -> AnnIndex:
        """Empty index for about ``expected`` vectors of dimension ``dim``.

        Raises:
            UsageError: ``pq_m`` does not divide ``dim``, or an unknown type.
        """
        if opts.index_type == "hnsw":
            index = faiss.index_factory(dim, f"IDMap2,HNSW{opts.hnsw_m},Flat", faiss.METRIC_INNER_PRODUCT)
            faiss.downcast_index(index.index).hnsw.efConstruction = opts.ef_construction
            return cls(index, opts)
        if opts.index_type != "ivfpq":
            raise UsageError(f"AnnIndex cannot hold a {opts.index_type!r} index")
        pq_m = opts.pq_m or max(1, dim // 8)
        if pq_m < 1 or dim % pq_m:
            raise UsageError(f"pq-m {pq_m} does not divide the embedding dimension {dim}")
        nlist = opts.nlist or default_nlist(expected)
        train = opts.train_size or min(max(expected, 1), 64 * nlist)
        opts = replace(opts, nlist=nlist, train_size=train, pq_m=pq_m)
        return cls(*cls._ivf_parts(dim, opts), trained=False)

    @staticmethod
    def _ivf_parts(dim: int, opts: AnnOptions) -> tuple[faiss.Index, AnnOptions, faiss.Index | None]:
        # "np": no polysemous training (a Hamming-order optimisation this search never uses; it
        # costs tens of seconds per training)
        index = faiss.index_factory(dim, f"IVF{opts.nlist},PQ{opts.pq_m}x{opts.pq_nbits}np", faiss.METRIC_INNER_PRODUCT)
        faiss.extract_index_ivf(index).set_direct_map_type(faiss.DirectMap.Hashtable)
        rerank = faiss.index_factory(dim, f"IDMap2,{opts.rerank}", faiss.METRIC_INNER_PRODUCT) if opts.rerank else None
        return index, opts, rerank

    def _train(self) -> None:
        """Train on the buffered vectors (shrinking ``nlist`` when there are too few), then add them."""
        ids = np.concatenate([i for i, _ in self._pending]) if self._pending else np.zeros(0, np.int64)
        vecs = np.concatenate([v for _, v in self._pending]) if self._pending else np.zeros((0, self.dim), np.float32)
        self._pending, self._pending_n = [], 0
        sample = vecs[: self.opts.train_size] if self.opts.train_size else vecs
        n = len(sample)
        if n == 0:  # nothing to train on (every vector was deleted): stay empty and untrained
            return
        # small collections: ~39 points per k-means centroid, and no more PQ centroids than points
        nlist = max(1, min(self.opts.nlist, n // 39))
        nbits = max(1, min(self.opts.pq_nbits, int(math.log2(n))))
        if (nlist, nbits) != (self.opts.nlist, self.opts.pq_nbits):
            self.index, self.opts, self.rerank = self._ivf_parts(self.dim, replace(self.opts, nlist=nlist, pq_nbits=nbits))
        self.index.train(sample)
        if self.rerank is not None:
            self.rerank.train(sample)
        self.opts = replace(self.opts, train_size=n)
        self.trained = True
        self._add_trained(ids, vecs)

    def _add_trained(self, ids: np.ndarray, vecs: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(vecs, ids)
            if self.rerank is not None:
                self.rerank.add_with_ids(vecs, ids)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        """Add ``vectors`` ``(n, d) float32`` under ``ids`` ``(n,) int64`` (buffered until the
        training sample is complete for a new IVF-PQ)."""
        if not len(ids):
            return
        ids = np.asarray(ids, dtype=np.int64)
        vecs = np.ascontiguousarray(vectors, dtype=np.float32)
        self._sorted_ids = None
        if self.opts.index_type == "hnsw":
            if len(self.tombstones):  # an id added again is alive again
                self.tombstones = np.setdiff1d(self.tombstones, ids)
            self.index.add_with_ids(vecs, ids)
        elif self.trained:
            self._add_trained(ids, vecs)
        else:
            self._pending.append((ids, vecs.copy()))
            self._pending_n += len(ids)
            if self._pending_n >= self.opts.train_size:
                self._train()

    def finalize(self) -> None:
        """Train on what was buffered (an index smaller than its sample); compact an HNSW
        graph whose tombstones passed :data:`COMPACT_FRACTION`. Called before saving."""
        if not self.trained:
            self._train()
        if self.opts.index_type == "hnsw" and len(self.tombstones) > COMPACT_FRACTION * max(1, self.index.ntotal):
            self.compact()

    def compact(self) -> None:
        """Rebuild an HNSW graph from its live vectors (drops every tombstone)."""
        ids = self.ids()
        vecs = self.index.reconstruct_batch(ids) if len(ids) else np.zeros((0, self.dim), np.float32)
        fresh = AnnIndex.create(self.dim, self.opts, len(ids))
        fresh.add(ids, vecs)
        self.index, self.tombstones, self._sorted_ids = fresh.index, np.zeros(0, np.int64), None

    # -- reading ------------------------------------------------------------------------------
    @property
    def ntotal(self) -> int:
        """Number of live vectors (tombstones excluded, buffered ones included)."""
        return int(self.index.ntotal) - len(self.tombstones) + self._pending_n

    def ids(self) -> np.ndarray:
        """Live ids, ``(ntotal,) int64``."""
        if not self.trained:
            return np.concatenate([i for i, _ in self._pending]) if self._pending else np.zeros(0, np.int64)
        if self.opts.index_type == "hnsw":
            all_ids = faiss.vector_to_array(self.index.id_map).astype(np.int64)
            return all_ids[~np.isin(all_ids, self.tombstones)] if len(self.tombstones) else all_ids
        if self.rerank is not None:
            return faiss.vector_to_array(self.rerank.id_map).astype(np.int64)
        return _ivf_ids(self.index)

    def remove(self, ids: np.ndarray) -> int:
        """Delete ``ids``: ``remove_ids`` for IVF-PQ, tombstones for HNSW. Returns how many
        live vectors were removed."""
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        if not len(ids):
            return 0
        self._sorted_ids = None
        if not self.trained:
            before = self._pending_n
            self._pending = [(i[~np.isin(i, ids)], v[~np.isin(i, ids)]) for i, v in self._pending]
            self._pending_n = sum(len(i) for i, _ in self._pending)
            return before - self._pending_n
        if self.opts.index_type == "hnsw":
            live = ids[self._holds(ids)]
            self.tombstones = np.union1d(self.tombstones, live)
            self._sorted_ids = None
            return len(live)
        n = int(self.index.remove_ids(faiss.IDSelectorArray(ids)))
        if self.rerank is not None:
            self.rerank.remove_ids(faiss.IDSelectorBatch(ids))
        return n

    def reconstruct(self, cid: int) -> np.ndarray:
        """Stored vector of ``cid`` ``(d,) float32`` (SQ8-decoded for IVF-PQ with a rerank store)."""
        src = self.rerank if self.rerank is not None else self.index
        return src.reconstruct(int(cid))

    def reconstruct_many(self, ids: np.ndarray) -> np.ndarray:
        """See :meth:`VectorIndex.reconstruct_many` (SQ8-decoded with a rerank store)."""
        return self._vectors_of(np.asarray(ids, dtype=np.int64))

    def _vectors_of(self, ids: np.ndarray) -> np.ndarray:
        src = self.rerank if self.rerank is not None else self.index
        if len(ids) == 0:
            return np.zeros((0, self.dim), np.float32)
        if src is self.index and self.opts.index_type == "ivfpq":
            return np.vstack([src.reconstruct(int(i)) for i in ids])
        return src.reconstruct_batch(ids)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Approximate top-``k`` by inner product; see :meth:`VectorIndex.search`.

        Tombstoned ids are never returned. A filter leaving at most :data:`EXACT_FILTER_MAX`
        ids is searched exactly over their stored vectors.
        """
        if not self.trained:
            self.finalize()
        k = min(k, self.ntotal)
        if k <= 0:
            return np.zeros(0, np.float32), np.zeros(0, np.int64)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        sel = None
        if allowed is not None:
            allowed = np.asarray(allowed, dtype=np.int64)
            if len(self.tombstones):
                allowed = allowed[~np.isin(allowed, self.tombstones)]
            if not len(allowed):
                return np.zeros(0, np.float32), np.zeros(0, np.int64)
            if len(allowed) <= EXACT_FILTER_MAX:
                present = allowed[self._holds(allowed)]
                if not len(present):
                    return np.zeros(0, np.float32), np.zeros(0, np.int64)
                return _topk(self._vectors_of(present) @ q[0], present, k)
            sel = faiss.IDSelectorBatch(allowed)
        elif len(self.tombstones):
            sel = faiss.IDSelectorNot(faiss.IDSelectorBatch(self.tombstones))
        if self.opts.index_type == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(self.opts.ef_search, k), sel=sel)
            D, I = self.index.search(q, k, params=params)
            keep = I[0] >= 0
            return D[0][keep], I[0][keep]
        kk = k * self.opts.rerank_factor if self.rerank is not None else k
        params = faiss.SearchParametersIVF(nprobe=self.opts.nprobe, sel=sel)
        D, I = self.index.search(q, kk, params=params)
        keep = I[0] >= 0
        cand = I[0][keep]
        if self.rerank is None or not len(cand):
            return D[0][keep][:k], cand[:k]
        return _topk(self.rerank.reconstruct_batch(cand) @ q[0], cand, k)

    # -- files --------------------------------------------------------------------------------
    def describe(self) -> tuple[str, dict[str, Any]]:
        """``(factory description, params)`` for the manifest."""
        o = self.opts
        if o.index_type == "hnsw":
            desc = f"IDMap2,HNSW{o.hnsw_m},Flat"
        else:
            desc = f"IVF{o.nlist},PQ{o.pq_m}x{o.pq_nbits}" + (f" + IDMap2,{o.rerank} rerank" if o.rerank else "")
        return desc, {**o.to_json(), "factory": desc, "tombstones": int(len(self.tombstones))}

    def save_into(self, directory: Path, stem: str = "vectors") -> None:
        """Write ``<stem>.faiss`` (and ``<stem>.rerank.faiss``, ``<stem>.tombstones.npy``)."""
        self.finalize()
        faiss.write_index(self.index, str(directory / f"{stem}.faiss"))
        if self.rerank is not None:
            faiss.write_index(self.rerank, str(directory / f"{stem}.rerank.faiss"))
        if len(self.tombstones):
            np.save(directory / f"{stem}.tombstones.npy", self.tombstones, allow_pickle=False)

    @classmethod
    def load_from(cls, directory: Path, params: dict[str, Any], mmap: bool = True, stem: str = "vectors") -> AnnIndex:
        """Open ``<stem>.faiss`` (+ rerank store, tombstones) written by :meth:`save_into`.

        Args:
            params: the manifest's ``vector_params``.
            mmap: memory-map the inverted lists / code arrays (read-only; for searching).

        Raises:
            IndexCorruptError: a file is missing or unreadable.
        """
        opts = AnnOptions.from_json(params)
        main = directory / f"{stem}.faiss"
        try:
            if opts.index_type == "hnsw":
                index = faiss.read_index(str(main), faiss.IO_FLAG_MMAP_IFC if mmap else 0)
                rerank = None
            else:
                index = faiss.read_index(str(main), faiss.IO_FLAG_MMAP | faiss.IO_FLAG_READ_ONLY if mmap else 0)
                rpath = directory / f"{stem}.rerank.faiss"
                rerank = faiss.read_index(str(rpath), faiss.IO_FLAG_MMAP_IFC if mmap else 0) if opts.rerank else None
            tpath = directory / f"{stem}.tombstones.npy"
            tomb = np.load(tpath, allow_pickle=False) if tpath.exists() else None
        except (RuntimeError, OSError, ValueError) as e:
            raise IndexCorruptError(f"{main}: vector index cannot be read ({str(e).splitlines()[0][:200]})") from None
        return cls(index, opts, rerank, tomb, trained=bool(index.is_trained))


def create_unsharded(dim: int, opts: AnnOptions, expected: int) -> VectorIndex:
    """A new, empty single (unsharded) index for resolved ``opts``: exact flat or :class:`AnnIndex`."""
    if opts.index_type == "flat":
        return VectorIndex.new(dim)
    return AnnIndex.create(dim, opts, expected)
