"""Plain data records that flow through medcite.

``Document`` (what a reader yields) → ``Chunk`` (what the chunker cuts and the index stores) →
``Passage`` (a retrieved chunk with its scores) → ``Answer`` (text + ``Reference`` list).

These classes hold data and validate it; they carry no other logic. Character spans are
Python string offsets (Unicode code points) into :meth:`Document.body`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{pmid}/"

#: Separator placed between sections in :meth:`Document.body` (2 characters).
SECTION_SEPARATOR = "\n\n"


@dataclass(frozen=True)
class Section:
    """One labelled part of a document (``"BACKGROUND"``, ``"RESULTS"``, ``"Methods"``, ``""``)."""

    label: str
    text: str


@dataclass
class Document:
    """One paper or record, as a reader produced it.

    Attributes:
        id: stable identifier; ``"PMID:<digits>"`` whenever a PMID is known, else a
            reader-chosen id such as ``"medquad:0000001_1-1"`` or ``"file:<absolute path>"``.
        title: title ("" when the source has none, e.g. PubMedQA).
        sections: the text, section by section, in reading order.
        pmid: PubMed id (digits) or ``None``.
        year: publication year or ``None``.
        journal: journal title ("" when unknown).
        mesh_terms: MeSH descriptor names.
        publication_types: PubMed publication types (``"Randomized Controlled Trial"`` …).
        source: where it came from (a file path, "pubmed" …); informational only.
        extra: reader-specific metadata (JSON-serialisable), e.g. MedQuAD ``focus``/``cuis``.

    Raises:
        ValueError: on an empty id, or when no section and no title carry text.
    """

    id: str
    title: str = ""
    sections: list[Section] = field(default_factory=list)
    pmid: str | None = None
    year: int | None = None
    journal: str = ""
    mesh_terms: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    source: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.id or not str(self.id).strip():
            raise ValueError("document has an empty id")
        self.sections = [s for s in self.sections if s.text and s.text.strip()]
        if not self.sections and not self.title.strip():
            raise ValueError(f"document {self.id} has neither title nor text")

    def body(self) -> str:
        """Section texts joined by :data:`SECTION_SEPARATOR`; chunk spans index into this string."""
        return SECTION_SEPARATOR.join(s.text for s in self.sections)

    def section_starts(self) -> list[int]:
        """Character offset of each section inside :meth:`body`."""
        starts, pos = [], 0
        for s in self.sections:
            starts.append(pos)
            pos += len(s.text) + len(SECTION_SEPARATOR)
        return starts

    @property
    def url(self) -> str:
        """PubMed link when a PMID is known, else ``""``."""
        return PUBMED_URL.format(pmid=self.pmid) if self.pmid else ""

    def content_hash(self) -> str:
        """sha256 (hex) of everything that is indexed; unchanged hash ⇒ nothing to re-embed."""
        payload = {
            "title": self.title,
            "sections": [[s.label, s.text] for s in self.sections],
            "year": self.year,
            "journal": self.journal,
            "mesh": self.mesh_terms,
            "pt": self.publication_types,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict (the SQLite store keeps this)."""
        d = asdict(self)
        d["sections"] = [[s.label, s.text] for s in self.sections]
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Document:
        """Inverse of :meth:`to_json`."""
        d = dict(d)
        d["sections"] = [Section(label, text) for label, text in d.get("sections", [])]
        return cls(**d)


@dataclass(frozen=True)
class Chunk:
    """A token-bounded piece of one document, the unit that is embedded and retrieved.

    Attributes:
        doc_id: the owning :attr:`Document.id`.
        ordinal: 0-based position of the chunk inside its document.
        section: label of the section the chunk starts in (``"RESULTS"``; joined with " / "
            when it spans several).
        start, end: character span ``[start, end)`` inside :meth:`Document.body`.
        text: ``body[start:end]``.
        n_tokens: length of :meth:`embed_text` in the embedder's tokens (specials included).
        title: the document title, prepended when embedding (context for short chunks).
    """

    doc_id: str
    ordinal: int
    section: str
    start: int
    end: int
    text: str
    n_tokens: int = 0
    title: str = ""

    def embed_text(self) -> str:
        """What the embedder and BM25 see: title (if any) then the chunk text."""
        if self.title and self.text:
            return f"{self.title}\n{self.text}"
        return self.title or self.text

    def content_hash(self) -> str:
        """sha256 (hex) of :meth:`embed_text`."""
        return hashlib.sha256(self.embed_text().encode()).hexdigest()


@dataclass
class Passage:
    """A retrieved chunk with its document metadata and scores.

    Attributes:
        chunk_id: int64 id of the chunk in the index (stable across updates).
        score: fused retrieval score (higher is better; not a probability): a sum of z-scores for a
            single hybrid query (can be negative), an RRF score otherwise (multi-query searches,
            ``fusion="rrf"``, BM25 or dense mode). With lexical feedback (``bm25_prf_docs``) the
            leading passages of the feedback papers keep their first-pass score and the rest carry the
            second pass's, so scores need not fall monotonically with rank there.
        dense_score: cosine similarity of the query and chunk embeddings, or ``None`` when the
            dense retriever did not return it.
        bm25_score: BM25 score, or ``None`` when BM25 did not return it.
        rank: 1-based rank in the final list.
    """

    chunk_id: int
    doc_id: str
    text: str
    section: str
    start: int
    end: int
    title: str = ""
    pmid: str | None = None
    year: int | None = None
    journal: str = ""
    mesh_terms: list[str] = field(default_factory=list)
    publication_types: list[str] = field(default_factory=list)
    score: float = 0.0
    dense_score: float | None = None
    bm25_score: float | None = None
    rank: int = 0

    @property
    def url(self) -> str:
        """PubMed link when a PMID is known, else ``""``."""
        return PUBMED_URL.format(pmid=self.pmid) if self.pmid else ""

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        d = asdict(self)
        d["url"] = self.url
        return d


@dataclass
class Reference:
    """One numbered entry of an answer's reference list, built from stored metadata only.

    ``n`` is the number used in the answer's ``[n]`` markers.
    """

    n: int
    id: str
    pmid: str | None
    title: str
    year: int | None
    journal: str
    url: str
    passage: str
    score: float
    section: str = ""
    span: tuple[int, int] = (0, 0)
    chunk_id: int = -1
    evidence_level: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        d = asdict(self)
        d["span"] = list(self.span)
        return d


@dataclass
class AnswerSentence:
    """One sentence of an answer with the passages it cites and whether they support it."""

    text: str
    citations: list[int] = field(default_factory=list)
    supported: bool = True
    support_score: float | None = None


@dataclass
class Answer:
    """What an answerer returns.

    Attributes:
        answer: the answer text with ``[n]`` markers (or the abstention sentence).
        abstained: ``True`` when the indexed literature did not answer the question.
        references: numbered references, each pointing at a retrieved passage.
        sentences: the answer split into sentences with citations and support flags.
        generator: name of the answerer that produced the text ("extractive", …).
        confidence: best evidence score (the quantity compared with the abstention threshold).
        timings: seconds per stage (``retrieve``, ``answer``, …).
        notes: human-readable remarks (e.g. "2 invalid citation markers removed").
    """

    question: str
    answer: str
    abstained: bool
    references: list[Reference] = field(default_factory=list)
    sentences: list[AnswerSentence] = field(default_factory=list)
    generator: str = "extractive"
    confidence: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict with the fields the CLI's ``--json`` promises."""
        return {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "references": [r.to_json() for r in self.references],
            "sentences": [asdict(s) for s in self.sentences],
            "generator": self.generator,
            "confidence": self.confidence,
            "timings": self.timings,
            "notes": self.notes,
            **self.extra,
        }
