"""Where and in which precision embedders run: ``MEDCITE_DEVICE`` and ``MEDCITE_EMBED_DTYPE``.

* :func:`resolve_device` — ``auto`` (default: ``cuda`` when torch sees a GPU, else ``cpu``),
  ``cpu``, ``cuda`` or ``cuda:N`` → a torch device string;
* :func:`compute_dtype` — the activation precision of the matrix products on that device:
  ``auto`` (default) is bfloat16 on a GPU that does bf16 (else float16) and on a CPU whose
  oneDNN does bf16 natively (AVX512-BF16 or AMX), else float32; ``fp32``, ``bf16``, ``fp16``
  force one. Reduced precision is only used where the vectors stay within cosine 0.999 of the
  CPU float32 ones (tests/eval/test_embedding_device.py checks it on CPU for both packaged
  models; e5-small measured min 0.99999 over PubMedQA/BioASQ chunks in bf16), so an index
  written in bf16 on a GPU and one written in float32 on a CPU hold interchangeable vectors and
  share the embedder name;
* :func:`batch_tokens` — tokens (padding included) per forward pass for the device: 8,192 on
  a CPU (cache-sized; larger measured no faster), 65,536 on a GPU.

bfloat16: Kalamkar et al. 2019, "A Study of BFLOAT16 for Deep Learning Training".
"""

from __future__ import annotations

import os
import re

from ..errors import EmbedderError

DEVICE_ENV = "MEDCITE_DEVICE"
DTYPE_ENV = "MEDCITE_EMBED_DTYPE"
DTYPES = ("auto", "fp32", "bf16", "fp16")
_DEVICE = re.compile(r"^(auto|cpu|cuda(:\d+)?)$")


def check_device(spec: str) -> str:
    """``spec`` lower-cased and stripped, if it is ``auto``, ``cpu``, ``cuda`` or ``cuda:N``.

    Raises:
        EmbedderError: anything else.
    """
    s = (spec or "auto").strip().lower()
    if not _DEVICE.match(s):
        raise EmbedderError(f"device must be auto, cpu, cuda or cuda:N, not {spec!r}")
    return s


def resolve_device(spec: str | None = None) -> str:
    """The torch device for ``spec`` (default: ``$MEDCITE_DEVICE``, else ``auto``).

    Returns ``"cpu"`` or ``"cuda:N"``. ``auto`` picks ``cuda:0`` when
    ``torch.cuda.is_available()``; torch is not imported for ``cpu``.

    Raises:
        EmbedderError: an invalid spec; ``cuda``/``cuda:N`` asked for where torch sees no GPU
            or fewer than N + 1 of them.
    """
    s = check_device(spec if spec is not None else os.environ.get(DEVICE_ENV, "auto"))
    if s == "cpu":
        return "cpu"
    try:
        import torch

        have = torch.cuda.is_available()
        count = torch.cuda.device_count() if have else 0
    except ImportError:  # pragma: no cover - torch is a dependency
        have, count = False, 0
    if s == "auto":
        return "cuda:0" if have else "cpu"
    n = int(s.partition(":")[2] or 0)
    if not have or n >= count:
        raise EmbedderError(f"device {s} asked for, but torch sees {count} CUDA device(s); use --device cpu or auto")
    return f"cuda:{n}"


def cpu_does_bf16() -> bool:
    """Whether this CPU multiplies bf16 matrices natively (oneDNN with AVX512-BF16 or AMX)."""
    try:
        import torch

        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:  # pragma: no cover - older torch without the probe
        return False


def compute_dtype(device: str, spec: str | None = None):
    """The ``torch.dtype`` embedders' matrix products run in on ``device`` (see the module doc).

    ``spec`` defaults to ``$MEDCITE_EMBED_DTYPE``, else ``auto``.

    Raises:
        EmbedderError: an unknown spec, or ``fp16`` on a CPU (no fast kernels there).
    """
    import torch

    s = (spec if spec is not None else os.environ.get(DTYPE_ENV, "auto")).strip().lower() or "auto"
    if s not in DTYPES:
        raise EmbedderError(f"{DTYPE_ENV} must be one of {', '.join(DTYPES)}, not {s!r}")
    cuda = device.startswith("cuda")
    if s == "fp16" and not cuda:
        raise EmbedderError("fp16 embedding needs a GPU; use bf16 or fp32 on a CPU")
    if s == "auto":
        if cuda:
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.bfloat16 if cpu_does_bf16() else torch.float32
    return {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[s]


def dtype_label(dtype) -> str:
    """``torch.bfloat16`` → ``"bf16"`` (``fp32``, ``fp16``)."""
    return {"torch.float32": "fp32", "torch.bfloat16": "bf16", "torch.float16": "fp16"}.get(str(dtype), str(dtype))


def batch_tokens(device: str) -> int:
    """Tokens per padded forward pass on ``device`` (padding included); see the module doc."""
    return 65536 if device.startswith("cuda") else 8192
