"""Which vector index a version holds: chosen, created, opened and described for its manifest.

The one place that dispatches between the exact flat index (:class:`~medcite.index.vectors.VectorIndex`),
the approximate ones (:mod:`medcite.index.ann`) and the sharded one (:mod:`medcite.index.shards`), so
those never import each other in a circle. Used by the writer (create, describe) and the read side (open).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from .ann import VECTORS, AnnIndex, AnnOptions, create_unsharded
from .shards import ShardedVectorIndex
from .vectors import VectorIndex


def choose_options(explicit: AnnOptions | None, base_params: dict[str, Any] | None) -> AnnOptions | None:
    """Options for a new index: the explicit ones, else those of the version being rebuilt
    (``base_params`` = its manifest's ``vector_params``), else ``None`` (the default flat)."""
    if explicit is not None:
        return explicit
    if base_params:
        return AnnOptions.from_json(base_params)
    return None


#: Fewest vectors (per shard) a new IVF-PQ index is built for: a product quantiser cannot train
#: on one vector (FAISS's k-means needs at least as many points as the 2 centroids of the
#: smallest, 1-bit codebook); below it the build is exact (:func:`fallback_note`).
IVFPQ_MIN_VECTORS = 2


def fallback_note(opts: AnnOptions | None, expected: int) -> str | None:
    """The note for a build whose IVF-PQ request falls back to an exact index (too few
    vectors to train it), or ``None`` when the requested type is built."""
    if opts is None:
        return None
    o = opts.resolve(expected)
    if o.index_type == "ivfpq" and expected < IVFPQ_MIN_VECTORS * max(1, o.shards):
        return (f"{expected} passage{'s' if expected != 1 else ''} cannot train an IVF-PQ index; built an exact (flat) "
                f"index instead (a later rebuild with more papers can use --index-type ivfpq)")
    return None


def create_vectors(dim: int, opts: AnnOptions | None, expected: int) -> VectorIndex:
    """A new, empty vector index for about ``expected`` vectors.

    ``opts=None`` gives exactly the default ``VectorIndex.new(dim)`` (exact flat); an IVF-PQ
    request for fewer than :data:`IVFPQ_MIN_VECTORS` vectors per shard gives an exact one
    (:func:`fallback_note` says so).
    """
    if opts is None:
        return VectorIndex.new(dim)
    o = opts.resolve(expected)
    if fallback_note(opts, expected):
        o = replace(o, index_type="flat")
    if o.shards > 1:
        return ShardedVectorIndex.create(dim, o, expected)
    return create_unsharded(dim, o, expected)


def load_vectors(directory: Path, params: dict[str, Any] | None, mmap: bool = True) -> VectorIndex:
    """Open the vectors of a version directory as its manifest's ``vector_params`` describe.

    Empty params (every index built before this module, and the default) read
    ``vectors.faiss`` with :meth:`VectorIndex.load`, exactly as before.

    Args:
        mmap: memory-map approximate indexes (read side); writers pass ``False``.
    """
    if not params:
        return VectorIndex.load(directory / VECTORS)
    if int(params.get("shards", 1)) > 1:
        return ShardedVectorIndex.load_from(directory, params, mmap=mmap)
    if params.get("index_type", "flat") == "flat":
        return VectorIndex.load(directory / VECTORS)
    return AnnIndex.load_from(directory, params, mmap=mmap)


def manifest_fields(vectors: VectorIndex) -> dict[str, Any]:
    """``{"vector_index", "vector_params"}`` for the :class:`Manifest` of a new version."""
    desc, params = vectors.describe()
    return {"vector_index": desc, "vector_params": params}
