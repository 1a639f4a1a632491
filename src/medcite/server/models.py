"""Pydantic request and response models of the HTTP API (they make ``/openapi.json``).

The response models mirror the ``to_json()`` shapes of :mod:`medcite.documents`, so the CLI's
``--json`` and the API return the same fields.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..config import QUESTION_HARD_MAX  # the configurable limit (MEDCITE_MAX_QUESTION_CHARS) is checked in the route


class SearchRequest(BaseModel):
    """``POST /v1/search``."""

    model_config = ConfigDict(extra="forbid")

    query: str = Field(..., min_length=1, max_length=QUESTION_HARD_MAX, description="search text")
    top_k: int = Field(10, ge=1, le=100, description="passages to return (count)")
    mode: Literal["hybrid", "bm25", "dense"] = Field("hybrid", description="retrieval mode")
    fusion: Literal["zscore", "rrf"] | None = Field(None, description="hybrid fusion (default from settings: zscore)")
    year_from: int | None = Field(None, ge=0, le=3000, description="only papers published in or after this year")
    year_to: int | None = Field(None, ge=0, le=3000, description="only papers published in or before this year")
    per_paper: int | None = Field(None, ge=1, le=100, description="max passages per paper (count; default from settings)")
    evidence: str | None = Field(None, max_length=40, description="minimum evidence level: meta-analysis, systematic-review, guideline, rct, clinical-trial, observational, case-report, review (applied before the top-k cut)")
    publication_types: list[str] | None = Field(None, max_length=20, description="only papers of one of these PubMed publication types (levels read from the text count)")


class AskRequest(BaseModel):
    """``POST /v1/ask``. With ``stream: true`` the answer comes as server-sent events."""

    model_config = ConfigDict(extra="forbid")

    question: str = Field(..., min_length=1, max_length=QUESTION_HARD_MAX, description="the clinical or research question")
    top_k: int | None = Field(None, ge=1, le=50, description="passages retrieved for the answer (count; default from settings)")
    year_from: int | None = Field(None, ge=0, le=3000, description="only papers published in or after this year")
    year_to: int | None = Field(None, ge=0, le=3000, description="only papers published in or before this year")
    evidence: str | None = Field(None, max_length=40, description="minimum evidence level: meta-analysis, systematic-review, guideline, rct, clinical-trial, observational, case-report, review (applied before the top-k cut)")
    publication_types: list[str] | None = Field(None, max_length=20, description="only papers of one of these PubMed publication types (levels read from the text count)")
    stream: bool = Field(False, description="answer as text/event-stream: `delta` events, then one `answer` event")


class DiagnoseRequest(BaseModel):
    """``POST /v1/diagnose``."""

    model_config = ConfigDict(extra="forbid")

    findings: str = Field(..., min_length=1, max_length=QUESTION_HARD_MAX, description="free-text findings: age, sex, symptoms, signs, labs")
    top_k: int | None = Field(None, ge=1, le=50, description="candidate conditions to return (count)")
    candidates: list[str] | None = Field(
        None, max_length=30, description="rank exactly these conditions (the clinician's candidates), each with evidence for and against")


class TreatmentsRequest(BaseModel):
    """``POST /v1/treatments``."""

    model_config = ConfigDict(extra="forbid")

    condition: str = Field(..., min_length=1, max_length=QUESTION_HARD_MAX, description="the condition, e.g. 'type 2 diabetes'")
    top_k: int | None = Field(None, ge=1, le=50, description="treatment options to return (count)")
    evidence: str | None = Field(None, max_length=40, description="minimum evidence level: meta-analysis, systematic-review, guideline, rct, clinical-trial, observational, case-report, review (applied before the top-k cut)")
    publication_types: list[str] | None = Field(None, max_length=20, description="only papers of one of these PubMed publication types (levels read from the text count)")


#: Largest uploaded file accepted by ``/v1/summarize`` (bytes, before base64).
UPLOAD_MAX_BYTES = 10 * 1024 * 1024


class UploadedFile(BaseModel):
    """A file sent inline to ``/v1/summarize`` (the web page's upload)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(..., min_length=1, max_length=255, description="the file's name; only its extension is used, to pick the reader (.txt, .md, .pdf, .xml, .nxml, .nbib, .jsonl)")
    content_base64: str = Field(..., min_length=1, max_length=(UPLOAD_MAX_BYTES * 4) // 3 + 4, description="the file's bytes, base64-encoded (at most 10 MiB decoded)")


class SummarizeRequest(BaseModel):
    """``POST /v1/summarize``: exactly one of an indexed paper (``id``: PMID or document id),
    plain ``text``, or an uploaded ``file``; uploads are read with medcite's readers and never
    indexed or kept."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, min_length=1, max_length=200, description="PMID ('21645374' or 'PMID:21645374') or document id in the index")
    text: str | None = Field(None, min_length=1, max_length=500_000, description="plain text to summarise (a pasted abstract or article)")
    file: UploadedFile | None = Field(None, description="a text or PDF file to summarise")
    top_k: int | None = Field(None, ge=1, le=10, description="sentences per part (objective, methods, results, conclusion)")

    @model_validator(mode="after")
    def _one_source(self) -> SummarizeRequest:
        given = [k for k in ("id", "text", "file") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of id, text or file" + (f" (got {', '.join(given)})" if given else ""))
        return self


class PassageOut(BaseModel):
    """A retrieved passage (``Passage.to_json()``)."""

    chunk_id: int
    doc_id: str
    text: str
    section: str
    start: int = Field(description="character offset of the passage in the document body")
    end: int
    title: str = ""
    pmid: str | None = None
    year: int | None = None
    journal: str = ""
    mesh_terms: list[str] = []
    publication_types: list[str] = []
    score: float = Field(description="fused retrieval score: sum of z-scores for a hybrid query (can be negative; after lexical feedback the leading passages keep their first-pass score, so scores need not fall with rank), an RRF score for fusion=rrf, bm25 or dense mode; higher is better, not a probability")
    dense_score: float | None = Field(None, description="cosine similarity of question and passage (-1..1)")
    bm25_score: float | None = None
    rank: int
    url: str = Field("", description="PubMed link when a PMID is known")


class SearchResponse(BaseModel):
    """Result of ``POST /v1/search``."""

    query: str
    index: str
    version: str
    passages: list[PassageOut]
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage: embed_query, search (BM25, vectors, fusion), total")


class ReferenceOut(BaseModel):
    """One numbered reference of an answer (``Reference.to_json()``)."""

    n: int = Field(description="the number used in the answer's [n] markers")
    id: str
    pmid: str | None = None
    title: str
    year: int | None = None
    journal: str = ""
    url: str = ""
    passage: str = Field(description="the cited passage text")
    score: float
    section: str = ""
    span: list[int] = Field(default_factory=list, description="[start, end) character span in the document body")
    chunk_id: int = -1
    evidence_level: str = ""


class SentenceOut(BaseModel):
    """One answer sentence with its citations and support verdict."""

    text: str
    citations: list[int] = []
    supported: bool = True
    support_score: float | None = None


class AnswerResponse(BaseModel):
    """Result of ``POST /v1/ask`` (``Answer.to_json()`` plus the index version used)."""

    model_config = ConfigDict(extra="allow")

    question: str
    answer: str = Field(description="answer text with [n] markers, or the abstention sentence")
    abstained: bool = Field(description="true when the indexed literature does not answer the question")
    references: list[ReferenceOut] = []
    sentences: list[SentenceOut] = []
    generator: str = "extractive"
    confidence: float = 0.0
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage")
    notes: list[str] = []
    index: str = ""
    version: str = ""


class _ClinicalResult(BaseModel):
    """The clinical modules' shared JSON shape (task, input, items, references, notes), passed
    through, plus the index version used."""

    model_config = ConfigDict(extra="allow")

    task: str = ""
    input: str = ""
    items: list[dict[str, Any]] = Field(default_factory=list, description="options or summary sentences, each with citations")
    references: list[ReferenceOut] = []
    generator: str = "extractive"
    notes: list[str] = []
    disclaimer: str = ""
    timings: dict[str, float] = Field(default_factory=dict, description="seconds per stage")
    index: str = ""
    version: str = ""


class DiagnoseResponse(_ClinicalResult):
    """Result of ``POST /v1/diagnose``: the clinical module's JSON shape (``Diagnosis.to_json()``),
    passed through, plus the index version used."""

    task: str = "diagnose"
    items: list[dict[str, Any]] = Field(default_factory=list, description="candidate conditions, best first, each with citations")
    findings: list[str] = Field(default_factory=list, description="the findings the text was split into")
    context: list[str] = Field(default_factory=list, description="age, sex and other context (not scored)")
    understood: dict[str, Any] = Field(default_factory=dict, description="the findings as HPO concepts: language, age, sex, and each finding with concept id, span, status, value")
    mapping: list[str] = Field(default_factory=list, description="one line per finding understood, e.g. '高烧 → Fever (HP:0001945) [present, lexicon]'")
    knowledge_sources: list[str] = Field(default_factory=list, description="knowledge sources used besides the index")
    set_aside: list[dict[str, str]] = Field(default_factory=list, description="candidates left out of the open list, each with why: not fitting the patient's age/sex, the patient's known history, or a title naming several conditions: condition, reason, condition_id")


class ClinicalResponse(_ClinicalResult):
    """Result of ``POST /v1/treatments`` and ``POST /v1/summarize``: the clinical module's shared
    JSON shape (task, input, items, references, notes), passed through, plus the index version."""


class IndexInfoResponse(BaseModel):
    """``GET /v1/index``: the live version's manifest (file checksums left out)."""

    name: str
    version: str
    versions: list[str]
    embedder: dict[str, Any]
    chunker: dict[str, Any]
    counts: dict[str, int]
    build: dict[str, Any] = {}
    vector_index: str = ""
    created_at: str = ""
    schema_version: int = 0


class HealthResponse(BaseModel):
    """``GET /healthz``."""

    status: Literal["ok"] = "ok"
    version: str = Field(description="medcite package version")


class ErrorResponse(BaseModel):
    """Every error: one line for a person, no stack trace."""

    detail: str
