"""Embedders by name: :func:`get_embedder` (process-wide cache) and :func:`serving_embedder`
(the query runtime ``medcite serve`` uses).

The names (``e5-small``, ``minilm``, ``hashing``, a sentence-transformers directory, ``<model>@<backend>``)
are described in :mod:`medcite.embedding.base` and :mod:`medcite.embedding.backends`; this module is
the one place that maps a name to an implementation, so the models and the runtimes never import each other.
"""

from __future__ import annotations

import os
from functools import lru_cache

from ..errors import EmbedderError
from .backends import QUERY_BACKENDS, QueryRuntimeEmbedder, backend_embedder
from .device import DEVICE_ENV, check_device
from .base import E5SmallEmbedder, Embedder, HashingEmbedder, SentenceTransformerEmbedder, minilm_path

EMBEDDER_NAMES = ("e5-small", "minilm", "hashing")


def get_embedder(name: str = "e5-small", device: str | None = None) -> Embedder:
    """Return the (process-wide, cached) embedder called ``name`` on ``device``.

    ``device``: ``auto``, ``cpu``, ``cuda``, ``cuda:N`` (default ``$MEDCITE_DEVICE``, else
    ``auto``; :mod:`medcite.embedding.device`); the ``@backend`` runtimes and the hashing
    embedder always run on the CPU.

    Raises:
        EmbedderError: unknown name that is neither a directory nor a loadable model id; an
            invalid device, or a GPU asked for where there is none.
    """
    return _cached(name, check_device(device if device is not None else os.environ.get(DEVICE_ENV, "auto")))


@lru_cache(maxsize=8)
def _cached(name: str, device: str) -> Embedder:
    if "@" in name:  # "<model>@<backend>": ONNX Runtime / OpenVINO / int8 (medcite.embedding.backends)
        return backend_embedder(name)
    if name == "e5-small":
        return E5SmallEmbedder(device=device)
    if name == "minilm":
        return SentenceTransformerEmbedder(minilm_path(), name="minilm", device=device)
    if name == "hashing":
        return HashingEmbedder()
    if os.path.isdir(name) or "/" in name:
        return SentenceTransformerEmbedder(name, device=device)
    raise EmbedderError(f"unknown embedder {name!r}: use e5-small, minilm, or a sentence-transformers directory")


def serving_embedder(name: str, query_backend: str = "auto", warn=None):
    """The embedder ``medcite serve`` uses for an index built with embedder ``name``.

    ``query_backend``: ``"torch"`` (the embedder itself), ``"onnx"``/``"openvino"`` (queries on
    that float32 export, :class:`QueryRuntimeEmbedder`), or ``"auto"``: ``onnx`` for a
    sentence-transformers embedder when ONNX Runtime is installed, else the embedder itself
    (``warn(message)`` is told why). e5-small, hashing and ``name@backend`` embedders are
    always used as they are.

    Raises:
        EmbedderError: unknown ``query_backend``; an explicit backend that cannot be used.
    """
    if query_backend == "int8":
        raise EmbedderError("query backend 'int8' would change the vectors (the index holds float32 ones); use onnx or openvino")
    if query_backend not in (*QUERY_BACKENDS, "auto"):
        raise EmbedderError(f"unknown query backend {query_backend!r}: use auto, {', '.join(QUERY_BACKENDS)}")
    base = get_embedder(name)
    if query_backend == "torch" or not isinstance(base, SentenceTransformerEmbedder):  # e5-small, hashing, name@backend
        return base
    backend = "onnx" if query_backend == "auto" else query_backend
    try:
        return QueryRuntimeEmbedder(base, name, backend)
    except EmbedderError as e:
        if query_backend != "auto":
            raise
        if warn:
            warn(f"queries run on torch ({e})")
        return base
