"""Faster CPU runtimes for sentence-transformers embedders: ONNX Runtime, OpenVINO, int8
(and ``e5-small@int8``, :mod:`medcite.embedding.e5_openvino`).

Select one with an ``@backend`` suffix on the embedder name (``get_embedder("minilm@onnx")``,
``medcite index build --embedder minilm --embedder-backend int8``):

* ``torch`` — the :class:`~medcite.embedding.SentenceTransformerEmbedder` itself (default);
* ``onnx`` — the model's transformer exported once to ONNX (``torch.onnx.export``, opset 17),
  run by ONNX Runtime with its full graph optimisations; float32, same vectors as torch to
  ~1e-6;
* ``int8`` — that ONNX graph with dynamic int8 quantisation
  (``onnxruntime.quantization.quantize_dynamic``: int8 weights per output channel, activations
  quantised per batch at run time; Jacob et al. 2018, "Quantization and Training of Neural
  Networks for Efficient Integer-Arithmetic-Only Inference");
* ``openvino`` — the ONNX graph converted with ``openvino.convert_model`` and compiled for CPU.

Pooling (mean or CLS, as the model's ``Pooling`` module says), prompts (``query``/``document``)
and truncation (``max_seq_length``) follow the sentence-transformers model; vectors are
L2-normalised. Exports are written once into ``$MEDCITE_CACHE_DIR/embedders/<model>-<key>/``
(default ``~/.cache/medcite``; the key changes when the model files change) and reused; a file
lock keeps concurrent processes from exporting twice. Nothing is downloaded: the model must be
``minilm`` (the packaged all-MiniLM-L6-v2) or a local sentence-transformers directory.

Threads: ``MEDCITE_EMBED_THREADS`` (else ``OMP_NUM_THREADS``, else the runtime's default)
sets the intra-op threads of ONNX Runtime and OpenVINO.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .base import ProgressFn, SentenceTransformerEmbedder, _l2, minilm_path, quiet_model_loading
from ..errors import EmbedderError

BACKENDS = ("torch", "onnx", "openvino", "int8")
#: Bumped when the export format changes (old exports are then ignored).
FORMAT_VERSION = 1
_QUERY_PROMPT_KEYS = ("query",)
_DOC_PROMPT_KEYS = ("document", "passage", "corpus")


def split_name(name: str) -> tuple[str, str]:
    """``"minilm@onnx"`` → ``("minilm", "onnx")``; no suffix → ``(name, "torch")``.

    Raises:
        EmbedderError: an unknown backend.
    """
    base, sep, backend = name.rpartition("@")
    if not sep:
        return name, "torch"
    if backend not in BACKENDS:
        raise EmbedderError(f"unknown embedder backend {backend!r}: use {', '.join(BACKENDS)}")
    if not base:
        raise EmbedderError(f"embedder name {name!r} has a backend but no model")
    return base, backend


def with_backend(name: str, backend: str | None) -> str:
    """The embedder name for ``name`` run by ``backend`` (``torch``/``None``: ``name`` itself).

    Raises:
        EmbedderError: unknown backend, or a backend for an embedder that is not a
            sentence-transformers model (``hashing``, ``e5-small`` other than ``int8``).
    """
    base, current = split_name(name)
    backend = backend or current
    if backend not in BACKENDS:
        raise EmbedderError(f"unknown embedder backend {backend!r}: use {', '.join(BACKENDS)}")
    if backend == "torch":
        return base
    if base == "hashing" or (base == "e5-small" and backend != "int8"):
        raise EmbedderError(
            f"--embedder-backend {backend} applies to sentence-transformers embedders (minilm or a model directory)"
            + (" and int8 to e5-small" if base == "e5-small" else "") + f", not {base!r}"
        )
    return f"{base}@{backend}"


def cache_root() -> Path:
    """``$MEDCITE_CACHE_DIR/embedders`` (default ``~/.cache/medcite/embedders``), created."""
    d = Path(os.environ.get("MEDCITE_CACHE_DIR") or Path.home() / ".cache" / "medcite") / "embedders"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _model_dir(base: str) -> Path:
    p = Path(minilm_path() if base == "minilm" else base)
    if not p.is_dir():
        raise EmbedderError(f"embedder backends need a local sentence-transformers directory; {base!r} is not one (nothing is downloaded)")
    return p


def _cache_key(model_dir: Path) -> str:
    """Digest of the model directory's path, file sizes and mtimes, and the export format."""
    h = hashlib.sha256(f"{model_dir.resolve()}|v{FORMAT_VERSION}".encode())
    for f in sorted(model_dir.rglob("*")):
        if f.is_file():
            st = f.stat()
            h.update(f"{f.relative_to(model_dir)}|{st.st_size}|{st.st_mtime_ns}".encode())
    return h.hexdigest()[:16]


def export_dir(base: str) -> Path:
    """Cache directory of the exports of embedder ``base`` (may not exist yet)."""
    d = _model_dir(base)
    label = "minilm" if base == "minilm" else d.name
    return cache_root() / f"{label}-{_cache_key(d)}"


class _ExportWrapper:
    """``forward(input_ids, attention_mask[, token_type_ids]) -> last_hidden_state`` by keyword,
    so the export does not depend on the positional order of a transformers ``forward``."""

    @staticmethod
    def make(hf_model, with_types: bool):
        import torch

        class W(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.m = hf_model

            if with_types:
                def forward(self, input_ids, attention_mask, token_type_ids):
                    return self.m(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids).last_hidden_state
            else:
                def forward(self, input_ids, attention_mask):
                    return self.m(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state

        return W().eval()


def _export_onnx(model_dir: Path, target: Path) -> None:
    """Export the transformer of ``model_dir`` to ``target/model.onnx`` with its tokenizer and
    ``meta.json`` (pooling, max length, prompts, dim, pad token)."""
    import torch
    from sentence_transformers import SentenceTransformer

    quiet_model_loading()
    st = SentenceTransformer(str(model_dir), device="cpu")
    first = st[0]
    hf = getattr(first, "auto_model", None) or getattr(first, "model", None)
    tok = st.tokenizer
    if hf is None or not hasattr(tok, "backend_tokenizer"):
        raise EmbedderError(f"{model_dir}: only transformer models with a fast tokenizer can be exported")
    pooling = "mean"
    for mod in list(st)[1:]:
        cfg = mod.get_config_dict() if hasattr(mod, "get_config_dict") else {}
        mode = cfg.get("pooling_mode")
        if mode:
            pooling = {"mean": "mean", "cls": "cls", "max": "max"}.get(mode, "")
        elif "pooling_mode_mean_tokens" in cfg:
            pooling = "cls" if cfg.get("pooling_mode_cls_token") else "max" if cfg.get("pooling_mode_max_tokens") else "mean" if cfg.get("pooling_mode_mean_tokens") else ""
        if not pooling:
            raise EmbedderError(f"{model_dir}: pooling mode {cfg} is not supported by the export (mean, cls or max)")
    sample = tok(["a short text", "another, slightly longer sample text"], padding=True, return_tensors="pt")
    with_types = "token_type_ids" in sample
    names = ["input_ids", "attention_mask"] + (["token_type_ids"] if with_types else [])
    wrapper = _ExportWrapper.make(hf, with_types)
    axes = {n: {0: "batch", 1: "seq"} for n in names + ["last_hidden_state"]}
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tracer and deprecation chatter of the TorchScript exporter
        torch.onnx.export(
            wrapper, tuple(sample[n] for n in names), str(target / "model.onnx"), input_names=names,
            output_names=["last_hidden_state"], dynamic_axes=axes, opset_version=17, dynamo=False,
        )
    tok.backend_tokenizer.save(str(target / "tokenizer.json"))
    prompts = dict(getattr(st, "prompts", {}) or {})
    meta = {
        "format": FORMAT_VERSION, "source": str(model_dir), "pooling": pooling, "inputs": names,
        "max_seq_length": int(st.max_seq_length), "dim": int(_st_dim(st)),
        "pad_token": tok.pad_token, "pad_id": int(tok.pad_token_id if tok.pad_token_id is not None else 0),
        "query_prompt": next((prompts[k] for k in _QUERY_PROMPT_KEYS if prompts.get(k)), ""),
        "document_prompt": next((prompts[k] for k in _DOC_PROMPT_KEYS if prompts.get(k)), ""),
    }
    (target / "meta.json").write_text(json.dumps(meta, indent=1))


def _st_dim(st) -> int:
    fn = getattr(st, "get_embedding_dimension", None) or st.get_sentence_embedding_dimension
    return fn()


def _quantize(src: Path, dst: Path) -> None:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=True)


def _to_openvino(src: Path, dst: Path) -> None:
    import openvino as ov

    ov.save_model(ov.convert_model(str(src)), str(dst), compress_to_fp16=False)


_FILES = {"onnx": "model.onnx", "int8": "model.int8.onnx", "openvino": "openvino/model.xml"}


def ensure_export(base: str, backend: str) -> Path:
    """Export (once) what ``backend`` needs for embedder ``base``; return the cache directory.

    Raises:
        EmbedderError: the model is not a local sentence-transformers directory, or the export
            failed (the message names the step).
    """
    from filelock import FileLock

    d = export_dir(base)
    d.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(str(d) + ".lock"):
        try:
            if not (d / "meta.json").exists():
                tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=d.parent))
                try:
                    _export_onnx(_model_dir(base), tmp)
                    if d.exists():
                        shutil.rmtree(d)
                    os.replace(tmp, d)
                finally:
                    shutil.rmtree(tmp, ignore_errors=True)
            target = d / _FILES[backend]
            if not target.exists():
                tmp_dir = Path(tempfile.mkdtemp(prefix=".part-", dir=d))
                try:
                    if backend == "int8":
                        _quantize(d / "model.onnx", tmp_dir / target.name)
                        os.replace(tmp_dir / target.name, target)
                    elif backend == "openvino":
                        _to_openvino(d / "model.onnx", tmp_dir / "model.xml")
                        os.replace(tmp_dir, d / "openvino")
                finally:
                    shutil.rmtree(tmp_dir, ignore_errors=True)
        except EmbedderError:
            raise
        except Exception as e:
            raise EmbedderError(f"could not export {base!r} for the {backend} backend: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}") from e
    return d


def _threads() -> int:
    v = os.environ.get("MEDCITE_EMBED_THREADS") or os.environ.get("OMP_NUM_THREADS") or "0"
    try:
        return max(0, int(v))
    except ValueError:
        return 0


class ExportedEmbedder:
    """A sentence-transformers model run by ONNX Runtime (``onnx``, ``int8``) or OpenVINO.

    Implements :class:`~medcite.embedding.Embedder`: ``embed_documents`` → ``(n, dim)`` float32
    and ``embed_query`` → ``(dim,)`` float32, L2-normalised. Documents are tokenised, sorted by
    length and embedded in batches of ``batch_size`` padded to their longest member (less
    padding than input order), then returned in input order.

    Args:
        base: ``"minilm"`` or a sentence-transformers directory.
        backend: ``"onnx"``, ``"int8"`` or ``"openvino"``.
        batch_size: texts per forward pass.

    Raises:
        EmbedderError: unknown backend, export failure, or the runtime is not installed.
    """

    normalize = True

    def __init__(self, base: str, backend: str, batch_size: int = 32) -> None:
        if backend not in ("onnx", "int8", "openvino"):
            raise EmbedderError(f"ExportedEmbedder runs onnx, int8 or openvino, not {backend!r}")
        self.name = f"{base}@{backend}"
        self.backend = backend
        self.batch_size = batch_size
        d = ensure_export(base, backend)
        self.meta = json.loads((d / "meta.json").read_text())
        self.dim = int(self.meta["dim"])
        self.max_tokens = int(self.meta["max_seq_length"])
        self._inputs = list(self.meta["inputs"])
        try:
            from tokenizers import Tokenizer
        except ImportError as e:  # pragma: no cover - dependency of transformers
            raise EmbedderError("embedder backends need the 'tokenizers' package") from e
        self._tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.enable_truncation(self.max_tokens)
        self._count_tok = Tokenizer.from_file(str(d / "tokenizer.json"))
        self._count_tok.no_padding()
        self._count_tok.no_truncation()
        self._lock = threading.Lock()
        self._run = self._load_runtime(d / _FILES[backend])

    def _load_runtime(self, path: Path):
        threads = _threads()
        if self.backend in ("onnx", "int8"):
            try:
                import onnxruntime as ort
            except ImportError as e:
                raise EmbedderError("the onnx and int8 embedder backends need 'onnxruntime' (pip install 'medcite[fast]')") from e
            so = ort.SessionOptions()
            so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
            if threads:
                so.intra_op_num_threads = threads
            so.log_severity_level = 3
            sess = ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])
            return lambda feeds: sess.run(None, feeds)[0]
        try:
            import openvino as ov
        except ImportError as e:
            raise EmbedderError("the openvino embedder backend needs 'openvino' (pip install 'medcite[fast]')") from e
        core = ov.Core()
        cfg = {"INFERENCE_NUM_THREADS": threads} if threads else {}
        compiled = core.compile_model(str(path), "CPU", cfg)
        lock = threading.Lock()

        def run(feeds):
            with lock:
                return np.asarray(compiled(feeds)[0])

        return run

    def _forward(self, encs) -> np.ndarray:
        n, L = len(encs), max(len(e.ids) for e in encs)
        ids = np.full((n, L), self.meta["pad_id"], dtype=np.int64)
        mask = np.zeros((n, L), dtype=np.int64)
        types = np.zeros((n, L), dtype=np.int64)
        for i, e in enumerate(encs):
            k = len(e.ids)
            ids[i, :k] = e.ids
            mask[i, :k] = 1
            types[i, :k] = e.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        hidden = self._run({k: feeds[k] for k in self._inputs}).astype(np.float32)
        pool = self.meta["pooling"]
        if pool == "cls":
            v = hidden[:, 0]
        elif pool == "max":
            v = np.where(mask[..., None] > 0, hidden, -1e9).max(axis=1)
        else:
            m = mask[..., None].astype(np.float32)
            v = (hidden * m).sum(axis=1) / np.clip(m.sum(axis=1), 1e-9, None)
        return _l2(v)

    def _embed(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encs = self._tok.encode_batch([t if t.strip() else " " for t in texts])
        order = sorted(range(len(encs)), key=lambda i: len(encs[i].ids))
        for s in range(0, len(order), self.batch_size):
            idx = order[s : s + self.batch_size]
            out[idx] = self._forward([encs[i] for i in idx])
            if progress:
                progress(len(idx))
        return out

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """See :class:`~medcite.embedding.Embedder` (the model's document prompt is prepended)."""
        p = self.meta.get("document_prompt") or ""
        return self._embed([p + t for t in texts], progress)

    def embed_query(self, text: str) -> np.ndarray:
        """See :class:`~medcite.embedding.Embedder` (the model's query prompt is prepended)."""
        return self._embed([(self.meta.get("query_prompt") or "") + (text or " ")])[0]

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` as a document (prompt and specials included, no truncation)."""
        return len(self._count_tok.encode((self.meta.get("document_prompt") or "") + text).ids)


def backend_embedder(name: str):
    """The embedder for ``"<model>@<backend>"`` (see the module docstring); ``e5-small@int8`` is
    :class:`medcite.embedding.e5_openvino.E5SmallInt8Embedder`.

    Raises:
        EmbedderError: unknown backend; a backend for hashing, or one other than int8 for e5-small; export failure.
    """
    base, backend = split_name(name)
    full = with_backend(base, backend)
    if base == "e5-small":  # e5-small@int8: OpenVINO, 4-bit weights × int8 activations
        from .e5_openvino import E5SmallInt8Embedder

        return E5SmallInt8Embedder()
    if backend == "torch":
        return SentenceTransformerEmbedder(minilm_path() if base == "minilm" else base, name=base, device="cpu")
    emb = ExportedEmbedder(base, backend)
    emb.name = full
    return emb


#: Query runtimes that give the same vectors as torch (float32 exports; ``int8`` does not).
QUERY_BACKENDS = ("torch", "onnx", "openvino")


class QueryRuntimeEmbedder:
    """A sentence-transformers embedder whose *queries* run on a float32 export.

    Documents, token counts, ``name``, ``dim`` and ``max_tokens`` are those of ``base`` (so an
    index built with ``base`` accepts it); ``embed_query`` runs the ONNX Runtime or OpenVINO
    export of the same model, which gives the same ``(dim,)`` float32 vector to ~1e-6 (cosine
    1.0000 on 80 PubMedQA questions). Measured here with MiniLM, one thread: 14.9 ms per query
    against ~28 ms for torch, and ONNX Runtime sessions serve concurrent callers without a lock,
    so ``medcite serve`` uses it (see :func:`serving_embedder`).

    Args:
        base: the torch embedder (:class:`~medcite.embedding.SentenceTransformerEmbedder`).
        model: ``"minilm"`` or the model directory ``base`` was loaded from.
        backend: ``"onnx"`` or ``"openvino"``.

    Raises:
        EmbedderError: another backend, or the export / runtime is unavailable.
    """

    normalize = True

    def __init__(self, base, model: str, backend: str) -> None:
        if backend not in ("onnx", "openvino"):
            raise EmbedderError(f"query backend {backend!r} would change the vectors; use onnx or openvino")
        self.base = base
        self.fast = ExportedEmbedder(model, backend)
        if self.fast.dim != base.dim:  # pragma: no cover - same model
            raise EmbedderError(f"the {backend} export of {model!r} makes {self.fast.dim}-d vectors, not {base.dim}-d")
        self.name, self.dim, self.max_tokens = base.name, base.dim, base.max_tokens
        self.query_backend = backend

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """``base.embed_documents``: ``(len(texts), dim)`` float32, L2-normalised."""
        return self.base.embed_documents(texts, progress)

    def embed_query(self, text: str) -> np.ndarray:
        """The export's query vector: ``(dim,)`` float32, L2-normalised."""
        return self.fast.embed_query(text)

    def count_tokens(self, text: str) -> int:
        """``base.count_tokens``."""
        return self.base.count_tokens(text)
