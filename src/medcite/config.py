"""Settings (pydantic-settings): environment variables ``MEDCITE_<FIELD>`` or a ``.env`` file.

Every field's description states its unit.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """medcite configuration. ``Settings(index="x")`` overrides; env ``MEDCITE_INDEX=x`` too."""

    model_config = SettingsConfigDict(env_prefix="MEDCITE_", env_file=".env", extra="ignore")

    index_root: Path = Field(Path("indexes"), description="directory holding named indexes (path)")
    index: str = Field("default", description="index name under index_root, or a path to an index directory")
    embedder: str = Field("e5-small", description="embedder name: e5-small, minilm, or a sentence-transformers directory/id")
    chunk_overlap_tokens: int = Field(48, ge=0, description="overlap between consecutive chunks of a section (embedder tokens)")
    chunk_max_tokens: int | None = Field(None, ge=16, description="chunk size limit (embedder tokens); default: the embedder's max_tokens")
    top_k: int = Field(5, ge=1, description="passages retrieved for an answer (count)")
    max_per_paper: int = Field(1, ge=1, description="passages kept per paper in a result list (count)")
    candidates: int = Field(100, ge=1, description="depth of each ranked list before fusion (count)")
    rrf_k: float = Field(60.0, gt=0, description="reciprocal rank fusion constant k (dimensionless; Cormack et al. 2009)")
    bm25_weight: float = Field(1.0, ge=0, description="RRF weight of the BM25 list (dimensionless)")
    dense_weight: float = Field(1.0, ge=0, description="RRF weight of the dense list (dimensionless)")
    answer_sentences: int = Field(3, ge=1, description="sentences in an extractive answer (count)")
    abstain_threshold: float | None = Field(
        None, description="minimum evidence score (cosine similarity, -1..1) to answer; default: calibrated per embedder"
    )
    lock_timeout: float = Field(10.0, ge=0, description="wait for another index writer (seconds)")
