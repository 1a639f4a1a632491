"""The literature side of the differential: conditions ranked over retrieved passages.

:func:`medcite.clinical.differential.differential` retrieves and combines this ranking with the
phenotype knowledge base; this module holds the findings split, the result types
(:class:`Candidate`, :class:`Diagnosis`) and :func:`rank_candidates`. Method (no language model):

1. The findings text is split into findings (symptoms, signs, results) and context (age, sex).
2. Each finding is one query and the whole text one more; :meth:`Retriever.search` fuses all
   ranked lists with reciprocal rank fusion (Cormack et al. 2009) — multi-query retrieval.
3. Every retrieved passage supports the conditions attached to its document (MedQuAD focus,
   disorder MeSH headings) and those its title or text mention (:class:`Vocabulary` matcher).
   A passage's vote is its fused score relative to the best passage, times a weight for how the
   condition is tied to it (:data:`LINK_WEIGHTS`), divided by the square root of the number of
   conditions the passage supports (a passage listing twenty disorders backs each one weakly),
   times ``1 - PASSAGE_COVERAGE + PASSAGE_COVERAGE × share of the findings the passage mentions``
   (a passage describing several of the findings together is better evidence).
4. A candidate's evidence is the sum of its votes times the condition's IDF (generic names such
   as "infection" are down-weighted); its score multiplies that by ``COVERAGE_FLOOR + (1 -
   COVERAGE_FLOOR) × coverage``, where coverage is the share of findings whose content words its
   supporting passages mention (matched findings; the rest are unexplained).

Every candidate has at least one supporting passage, cited ``[n]`` against the reference list.
The output always ends with :data:`DISCLAIMER`. The weights were set on 200 development cases of
``scripts/eval_diagnosis.py`` (hashing-embedder index); differences between nearby settings were
within ±0.01 top-5 accuracy there, and 8 or 24 finding queries did as well as 12.
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ..answer.citations import references_for
from ..documents import Passage, Reference
from ._text import content_tokens, sentences
from .result import ClinicalResult, clinical_json
from .terms import normalize
from .vocabulary import Vocabulary, passage_links

DISCLAIMER = (
    "This list is literature support for a clinician's judgement, not a diagnosis: it shows which "
    "conditions the indexed papers connect with these findings."
)
#: Weight of each way a condition is tied to a passage.
LINK_WEIGHTS = {"focus": 1.0, "mesh": 0.6, "title": 0.6, "text": 0.2}
COVERAGE_FLOOR = 0.3
PASSAGE_COVERAGE = 0.5
#: At most this many findings become queries of their own (the joint query is always added).
MAX_FINDING_QUERIES = 12
CITATIONS_PER_CANDIDATE = 3

_DEMOGRAPHIC = re.compile(
    r"\b(?:\d+[- ]?(?:years?|yrs?|y|months?|mo|weeks?|wk|days?)[- ]?(?:old)?|aged?\s+\d+|"
    r"(?:man|woman|men|women|male|female|boy|girl|infant|newborn|neonate|child|adolescent|teenager|lady|gentleman|patient|pt)s?)\b",
    re.IGNORECASE,
)
_SPLIT_MAJOR = re.compile(r"[;\n•·]+|(?<=[A-Za-z0-9)%])\.\s+|\s+-\s+")
_SPLIT_WITH = re.compile(r"\s+(?:with|presenting with|presents with|complaining of|reporting|who has|who have)\s+", re.IGNORECASE)


@dataclass
class Candidate:
    """One condition of the differential.

    Attributes:
        condition: display name.
        key: the condition's normalised name in the vocabulary.
        cuis: UMLS CUIs (empty for MeSH-only conditions).
        semantic_group: "Disorders" or "".
        score: ranking score (evidence × coverage factor; relative, not a probability).
        evidence: summed passage votes × IDF.
        citations: reference numbers ``[n]`` of the best supporting passages.
        evidence_count: number of retrieved passages that support the condition.
        matched_findings: findings whose content words the supporting passages mention.
        unexplained_findings: the other findings.
        support: per cited passage: ``{"n", "doc_id", "link", "quote"}`` where ``link`` is how the
            condition is tied to it (focus, mesh, title, text) and ``quote`` a verbatim sentence
            naming the condition ("" when it is tied by metadata only).
        named_in_findings: the findings themselves name this condition.
        explanation: the model's reason (generative mode, kept only when the guard found it
            supported by a cited passage); "" otherwise.
        proposed_by: "retrieval" (ranked from the passages), "knowledge base" (proposed by the
            phenotype knowledge base), "clinician" (given with ``--candidates``) or "model"
            (proposed by the generator).
        condition_id: knowledge-base id ("ORPHA:…", "OMIM:…", "MEDQUAD:…"; "" when unknown to it).
        grounding: "literature" (cited passages support it),
            :data:`medcite.clinical.differential.KB_ONLY` (no indexed passage: no citation), or
            :data:`medcite.clinical.differential.NO_DATA` (neither a knowledge-base entry nor an
            indexed passage: not scored against the others, ``score`` 0, nothing (un)explained).
        kb_ids: the knowledge-base source ids (ORPHA:…, OMIM:…, medquad:…) it comes from.
        explained_findings: HPO labels of present findings its known phenotype covers.
        contradicting_findings: HPO labels of findings that argue against it (absent findings it
            usually shows, present ones a source says it lacks).
        kb_score: knowledge-base phenotype score (``None`` when the knowledge base did not rank it).
        given_as: the name as given (``--candidates`` / a model), else "".
        in_knowledge_base: whether the name resolved to a knowledge-base condition.
        contradicting_reasons: per contradicting finding, which applies ("absent here; … very
            frequent (80–99 %)" or "present here; … excludes it"): :mod:`.against`.
        demographic_misfit: why a given candidate does not fit the patient's age/sex (its score
            was down-weighted: :mod:`.candidate_filter`), else "".
        same_entry_as: the other given names that resolve to the same knowledge-base entry
            (``condition_id``): the knowledge base cannot tell these rows apart, only the
            passages naming each name can; empty otherwise.
        criteria: the curated criteria entries its knowledge-base phenotype comes from, each as
            "CRITERIA:<slug> — after <short citation>" (:mod:`.knowledge.criteria`): the
            published criteria the entry follows, never a literature citation ``[n]``.
    """

    condition: str
    key: str
    cuis: list[str]
    semantic_group: str
    score: float
    evidence: float
    citations: list[int]
    evidence_count: int
    matched_findings: list[str]
    unexplained_findings: list[str]
    support: list[dict[str, Any]] = field(default_factory=list)
    named_in_findings: bool = False
    explanation: str = ""
    proposed_by: str = "retrieval"
    condition_id: str = ""
    grounding: str = "literature"
    kb_ids: list[str] = field(default_factory=list)
    explained_findings: list[str] = field(default_factory=list)
    contradicting_findings: list[str] = field(default_factory=list)
    kb_score: float | None = None
    given_as: str = ""
    in_knowledge_base: bool = False
    contradicting_reasons: list[str] = field(default_factory=list)
    demographic_misfit: str = ""
    same_entry_as: list[str] = field(default_factory=list)
    criteria: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return asdict(self)


@dataclass
class Diagnosis(ClinicalResult):
    """A differential with its references.

    Attributes:
        input: the findings text as given.
        findings: the findings it was split into.
        context: age/sex and other context pieces (not scored).
        candidates: ranked candidates, best first.
        references: numbered references cited by the candidates.
        disclaimer: :data:`DISCLAIMER`.
        generator: "extractive".
        notes: remarks (e.g. why the list is empty).
        timings: seconds per stage.
        understood: :meth:`CaseFindings.to_json` of the findings extraction ({} without it).
        mapping: :meth:`CaseFindings.mapping_lines` ("高烧 → Fever (HP:0001945) [present, lexicon]").
        knowledge_sources: the knowledge sources used besides the index.
        set_aside: candidates left out as not fitting the patient's age/sex
            (``{"condition", "reason", "condition_id"}``; :mod:`.candidate_filter`).
    """

    input: str
    findings: list[str]
    context: list[str]
    candidates: list[Candidate]
    references: list[Reference]
    disclaimer: str = DISCLAIMER
    understood: dict[str, Any] = field(default_factory=dict)
    mapping: list[str] = field(default_factory=list)
    knowledge_sources: list[str] = field(default_factory=list)
    set_aside: list[dict[str, str]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The shared clinical JSON shape: task, input, items, references, notes, disclaimer;
        plus ``understood`` (the findings as concepts: id, span, status, value), ``mapping``
        (one line per finding) and ``knowledge_sources`` when the knowledge base was used."""
        return clinical_json("diagnose", self.input, self.candidates, self, findings=self.findings, context=self.context,
                             understood=self.understood, mapping=self.mapping, knowledge_sources=self.knowledge_sources,
                             set_aside=self.set_aside)


def _is_context(piece: str) -> bool:
    rest = _DEMOGRAPHIC.sub(" ", piece)
    return not content_tokens(rest)


def split_findings(text: str) -> tuple[list[str], list[str]]:
    """Split free-text findings into ``(findings, context)``.

    Pieces are separated by ``;``, new lines, bullets, sentence ends, commas and a final "and"
    of a list; "A 45-year-old man with fever" gives context "A 45-year-old man" and finding
    "fever". Pieces with no content word besides age/sex words are context. Duplicates are
    dropped; order is kept.
    """
    findings: list[str] = []
    context: list[str] = []
    for major in _SPLIT_MAJOR.split(text or ""):
        major = major.strip(" .,:")
        if not major:
            continue
        pieces: list[str] = []
        head, *tail = _SPLIT_WITH.split(major, maxsplit=1)
        if tail and _is_context(head):
            context.append(head.strip(" ,."))
            major = tail[0]
        items = [p for p in re.split(r",\s*", major) if p.strip()]
        if len(items) > 1 or len(major.split()) <= 8:
            last = items.pop() if items else ""
            items.extend(re.split(r"\s+(?:and|or|as well as)\s+", last))
        pieces.extend(items)
        for p in pieces:
            p = re.sub(r"^(?:and|or|with|plus)\s+", "", p.strip(" .,:"), flags=re.IGNORECASE)
            if not p or not content_tokens(p):
                if p:
                    context.append(p)
                continue
            if _is_context(p):
                context.append(p)
            elif p.lower() not in {f.lower() for f in findings}:
                findings.append(p)
    return findings, context


def _quote(text: str, forms: set[str]) -> str:
    """First sentence of ``text`` whose normalised form contains one of ``forms``."""
    for s in sentences(text):
        ns = f" {normalize(s)} "
        if any(f" {f} " in ns for f in forms):
            return s.strip()
    return ""


@dataclass(frozen=True)
class RankParams:
    """Knobs of :func:`rank_candidates` (defaults as documented in the module doc).

    Attributes:
        link_weights: weight of each way a condition is tied to a passage.
        coverage_floor: score factor of a candidate that explains no finding (1 = coverage ignored).
        passage_coverage: weight of the share of findings a passage mentions in its vote
            (vote × ``(1 - w) + w × share``; 0 = ignored).
    """

    link_weights: tuple[tuple[str, float], ...] = tuple(LINK_WEIGHTS.items())
    coverage_floor: float = COVERAGE_FLOOR
    passage_coverage: float = PASSAGE_COVERAGE


def _matched(finding_tokens: list[set[str]], support: set[str]) -> list[bool]:
    """Per finding: whether all but a third of its content words occur in ``support``
    (1 of 1, 2 of 2, 2 of 3, 3 of 4 …)."""
    return [bool(ft) and len(ft & support) >= len(ft) - len(ft) // 3 for ft in finding_tokens]


def rank_candidates(
    findings_text: str,
    findings: list[str],
    context: list[str],
    passages: list[Passage],
    vocabulary: Vocabulary,
    top_k: int = 10,
    params: RankParams | None = None,
) -> Diagnosis:
    """Score conditions over already retrieved ``passages`` (best first); see the module doc.

    Args:
        findings_text: the case as given. findings / context: :func:`split_findings` of it.
        passages: the retrieved passages, best first (their ``score`` is the fused score).
        vocabulary: the index's condition vocabulary. top_k: candidates returned.
        params: ranking knobs (default :class:`RankParams`).

    Returns:
        a :class:`Diagnosis` whose candidates all cite at least one of ``passages`` (empty, with a
        note, when no passage supports any condition).
    """
    params = params or RankParams()
    named = vocabulary.find(findings_text)
    if not passages:
        return Diagnosis(findings_text, findings, context, [], [], notes=["no passages were retrieved"])
    weights = dict(params.link_weights)
    top = max(p.score for p in passages) or 1.0
    finding_tokens = [set(content_tokens(f)) for f in findings]
    passage_tokens = [set(content_tokens(p.title + " " + p.text)) for p in passages]
    votes: dict[int, list[tuple[float, int, str]]] = {}
    for i, p in enumerate(passages):
        links = passage_links(p, vocabulary)
        if not links:
            continue
        share = 1.0 / math.sqrt(len(links))
        cov = sum(_matched(finding_tokens, passage_tokens[i])) / len(findings) if findings else 0.0
        base = p.score / top * share * ((1 - params.passage_coverage) + params.passage_coverage * cov)
        for cid, link in links.items():
            votes.setdefault(cid, []).append((base * weights[link], i, link))
    if not votes:
        return Diagnosis(findings_text, findings, context, [], [], notes=["no known condition is named in or attached to the retrieved passages"])
    scored: dict[int, tuple[float, float, list, list[str]]] = {}
    for cid, vs in votes.items():
        cond = vocabulary.conditions[cid]
        evidence = sum(v for v, _, _ in vs) * cond.idf
        support_tokens = set().union(*(passage_tokens[i] for _, i, _ in vs))
        matched = [f for f, ok in zip(findings, _matched(finding_tokens, support_tokens)) if ok]
        coverage = len(matched) / len(findings) if findings else 0.0
        score = evidence * (params.coverage_floor + (1 - params.coverage_floor) * coverage)
        scored[cid] = (score, evidence, vs, matched)
    # entries: (condition id, name, score, evidence, votes, matched)
    entries = [(cid, vocabulary.conditions[cid].name, score, evidence, sorted(vs, key=lambda v: -v[0]), matched)
               for cid, (score, evidence, vs, matched) in sorted(scored.items(), key=lambda kv: (-kv[1][0], vocabulary.conditions[kv[0]].name))]
    order: list[int] = []  # 1-based passage numbers in citation order
    candidates = []
    for cid, name, score, evidence, vs, matched in entries[:top_k]:
        cond = vocabulary.conditions[cid]
        cites, support = [], []
        for _, i, link in vs[:CITATIONS_PER_CANDIDATE]:
            if i + 1 not in order:
                order.append(i + 1)
            n = order.index(i + 1) + 1
            cites.append(n)
            quote = _quote(passages[i].title + "\n" + passages[i].text, cond.forms) if link in ("text", "title") else ""
            support.append({"n": n, "doc_id": passages[i].doc_id, "chunk_id": passages[i].chunk_id, "link": link, "quote": quote})
        candidates.append(
            Candidate(
                condition=name, key=cond.key, cuis=sorted(cond.cuis), semantic_group=cond.semantic_group,
                score=round(score, 6), evidence=round(evidence, 6), citations=cites, evidence_count=len(votes[cid]),
                matched_findings=matched, unexplained_findings=[f for f in findings if f not in matched], support=support,
                named_in_findings=cid in named,
            )
        )
    refs = references_for(passages, order)
    notes = []
    if any(c.named_in_findings for c in candidates):
        notes.append("some candidates are named in the findings themselves (marked); they may be history rather than a new diagnosis")
    return Diagnosis(findings_text, findings, context, candidates, refs, notes=notes)
