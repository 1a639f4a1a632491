"""Settings (pydantic-settings): environment variables ``MEDCITE_<FIELD>`` or a ``.env`` file.

Every field's description states its unit. Also the input length limit shared by the CLI and the
HTTP API (:func:`check_length`, ``MEDCITE_MAX_QUESTION_CHARS``).
"""

from __future__ import annotations

import os

from typing import Literal

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from .errors import UsageError


class Settings(BaseSettings):
    """medcite configuration. ``Settings(index="x")`` overrides; env ``MEDCITE_INDEX=x`` too."""

    model_config = SettingsConfigDict(env_prefix="MEDCITE_", env_file=".env", extra="ignore")

    index_root: Path = Field(Path("indexes"), description="directory holding named indexes (path)")
    index: str = Field("default", description="index name under index_root, or a path to an index directory")
    milvus_uri: str | None = Field(None, description="Milvus to read an index from when there is no local copy of it: a server URI (http://host:19530; token from MEDCITE_MILVUS_TOKEN) or a Milvus Lite file (name)")
    embedder: str = Field("e5-small", description="embedder name: e5-small, minilm, or a sentence-transformers directory/id")
    query_backend: str = Field(
        "torch",
        description="runtime of query embeddings for a sentence-transformers embedder: torch, onnx, openvino (float32 exports, same vectors) or auto (onnx when installed); medcite serve defaults to auto (name)",
    )
    device: str = Field(
        "auto",
        description="where embedders run: auto (a CUDA GPU when torch sees one, else the CPU), cpu, cuda or cuda:N (torch device name); matrix products in bf16 on GPUs and on CPUs with native bf16 (MEDCITE_EMBED_DTYPE=fp32 turns that off)",
    )
    chunk_overlap_tokens: int = Field(48, ge=0, description="overlap between consecutive chunks of a section (embedder tokens)")
    chunk_max_tokens: int | None = Field(None, ge=16, description="chunk size limit (embedder tokens); default: the embedder's max_tokens")
    top_k: int = Field(5, ge=1, description="passages retrieved for an answer (count)")
    max_per_paper: int = Field(1, ge=1, description="passages kept per paper in a result list (count)")
    candidates: int = Field(100, ge=1, description="depth of each ranked list before fusion (count)")
    fusion: str = Field("zscore", description="hybrid fusion of BM25 and dense scores: zscore (exact scores standardised per list and summed; Montague & Aslam 2001) or rrf (reciprocal rank fusion; Cormack et al. 2009) (name)")
    rrf_k: float = Field(20.0, gt=0, description="reciprocal rank fusion constant k, for fusion=rrf and multi-query searches (dimensionless; Cormack et al. 2009 use 60; 20 measured within a question of the best on both dev sets with both packaged embedders, see scripts/tune_fusion.py)")
    bm25_weight: float = Field(1.0, ge=0, description="weight of the BM25 list in fusion (dimensionless; dense list weighs 1)")
    prf_docs: int = Field(0, ge=0, description="dense pseudo-relevance feedback depth (passages; 0 = off)")
    prf_weight: float = Field(0.5, ge=0, description="Rocchio weight of the feedback centroid (dimensionless)")
    dense_weight: float = Field(1.0, ge=0, description="weight of the dense list in fusion (dimensionless)")
    bm25_prf_docs: int = Field(3, ge=0, description="lexical (RM3-style) pseudo-relevance feedback for single z-score-fused queries: papers whose best passage expands the BM25 query and keeps the lead (count; 0 = off)")
    bm25_prf_terms: int = Field(30, ge=1, description="expansion terms added by lexical feedback (count)")
    bm25_prf_query_weight: float = Field(0.7, ge=0, le=1, description="the original query's share of the expanded BM25 query (λ, 0–1)")
    answer_sentences: int = Field(3, ge=1, description="sentences in an extractive answer (count)")
    abstain_threshold: float | None = Field(
        None, description="minimum evidence score (cosine similarity, -1..1) to answer; default: calibrated per embedder"
    )
    lock_timeout: float = Field(10.0, ge=0, description="wait for another index writer (seconds)")
    generator: str = Field("extractive", description="answer generator: extractive, transformers, llamacpp or openai (name)")
    generator_model: str | None = Field(
        None, description="generator model: a model directory or .gguf file (local), or the server's model name (openai) (path or name); default: the packaged Gemma 3 270M for local generators"
    )
    generator_base_url: str | None = Field(None, description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8000/v1 (URL)")
    phi_mask: Literal["remote", "always", "never"] = Field(
        "remote", description="mask identifiers in case text sent to a model: remote (when its base URL is not loopback), always, never")
    generator_api_key_env: str = Field("OPENAI_API_KEY", description="environment variable holding the API key (variable name; the key is never logged)")
    generator_context: int | None = Field(None, ge=256, description="generator context window (tokens); default: the model's, capped at 4096 locally; 4096 for servers")
    generator_max_tokens: int = Field(256, ge=16, description="longest generated answer (tokens)")
    generator_timeout: float = Field(60.0, gt=0, description="timeout of one request to a generator server (seconds)")
    generator_retries: int = Field(2, ge=0, description="retries on connection errors, timeouts, 429 and 5xx (count)")
    generator_fallback: str = Field("extractive", description="when no generated sentence is supported: extractive (show the extractive answer) or abstain (name)")
    support_threshold: float | None = Field(
        None, description="minimum support score (0..1, combined cosine and word overlap) for a cited sentence; default: calibrated per embedder"
    )


# -- input length limits, shared by the CLI and the HTTP API -------------------------------
# A 120,000-character "question" takes minutes to embed and retrieve for; both front ends refuse
# text longer than max_question_chars() with the same one-line UsageError (exit code 2 / HTTP 422).

#: Hard upper bound on a question's length (characters); the configurable limit may be lower.
QUESTION_HARD_MAX = 20_000
#: Default longest question, query, condition or findings text accepted (characters).
DEFAULT_MAX_QUESTION_CHARS = 2_000
#: Longest case note accepted by ``diagnose`` (characters): a presentation with history, vitals and a
#: lab table runs to a few thousand characters, so case notes are not held to the question limit.
CASE_NOTE_MAX_CHARS = QUESTION_HARD_MAX
#: Environment variable overriding :data:`DEFAULT_MAX_QUESTION_CHARS` (the API's setting of the same name).
ENV_VAR = "MEDCITE_MAX_QUESTION_CHARS"


def max_question_chars() -> int:
    """The configured limit: ``MEDCITE_MAX_QUESTION_CHARS`` when it is a whole number from 1 to
    :data:`QUESTION_HARD_MAX`, else :data:`DEFAULT_MAX_QUESTION_CHARS`.

    Raises:
        UsageError: the variable is set to something else.
    """
    raw = os.environ.get(ENV_VAR, "").strip()
    if not raw:
        return DEFAULT_MAX_QUESTION_CHARS
    if not raw.isdigit() or not 1 <= int(raw) <= QUESTION_HARD_MAX:
        raise UsageError(f"{ENV_VAR}={raw!r} is not a whole number from 1 to {QUESTION_HARD_MAX}")
    return int(raw)


def check_length(text: str, what: str, limit: int | None = None) -> str:
    """``text`` itself when it is neither blank nor longer than ``limit`` characters (default
    :func:`max_question_chars`); ``what`` names it in the error ("question", "condition").

    Raises:
        UsageError: blank, not valid UTF-8 (lone surrogates), or too long ("the question is 120000 characters long; the limit is 2000
            (MEDCITE_MAX_QUESTION_CHARS)").
    """
    if not text.strip():
        raise UsageError(f"the {what} {'are' if what.endswith('findings') else 'is'} empty")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes of an argument come in as lone surrogates
        raise UsageError(f"the {what} is not valid UTF-8 text") from None
    limit = max_question_chars() if limit is None else limit
    if len(text) > limit:
        where = f" ({ENV_VAR})" if limit < CASE_NOTE_MAX_CHARS else ""
        raise UsageError(f"the {what} is {len(text)} characters long; the limit is {limit}{where}")
    return text
