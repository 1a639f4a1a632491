"""Extractive summary of one paper or long text: key sentences per part, each citing its section.

Parts: objective, methods, results, conclusion. Labelled sections are assigned to a part by
their label ("BACKGROUND"/"AIMS" → objective, "CASE PRESENTATION" → results, "DISCUSSION" →
conclusion …); sentences of unlabelled or unrecognised sections are assigned by cue wording
("we aimed to …", "were enrolled", "in conclusion …") and, failing that, by position and by
whether they report numbers. Within a part, sentences are ranked with SumBasic (Nenkova &
Vanderwende 2005, "The impact of frequency on summarization", MSR-TR-2005-101): the mean
document probability of their content words, with the probabilities of the words of each chosen
sentence squared to avoid repeating it. Results sentences reporting numbers get a bonus.

Every summary sentence is a verbatim substring of the section it cites (``verbatim``); the text
shown (``text``) is that sentence without the source's own bracketed reference markers ("… in
adults [12].", "[3, 4]", "[5–7]"), which would read as medcite's citations
(:func:`strip_reference_markers`); nothing else of the quote is changed.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from ..documents import Document, Reference
from ..errors import UsageError
from ._text import content_tokens, has_number, sentences
from .evidence import evidence_level
from .result import ClinicalResult, clinical_json

PARTS = ("objective", "methods", "results", "conclusion")
#: Sentences per part when ``per_part`` is not given.
DEFAULT_PER_PART = {"objective": 1, "methods": 1, "results": 2, "conclusion": 1}

_LABEL_WORDS = {
    "objective": ("BACKGROUND", "INTRODUCTION", "OBJECTIVE", "AIM", "PURPOSE", "CONTEXT", "RATIONALE", "IMPORTANCE", "HYPOTHES", "QUESTION"),
    "methods": ("METHOD", "DESIGN", "SETTING", "PATIENTS", "PARTICIPANTS", "SUBJECTS", "INTERVENTION", "MEASURE", "MATERIAL", "POPULATION", "PROCEDURE", "DATA SOURCE", "STUDY SELECTION", "ANALYSIS"),
    "results": ("RESULT", "FINDING", "OUTCOME", "CASE PRESENTATION", "CASE REPORT", "CASE DESCRIPTION", "CASE", "OBSERVATION"),
    "conclusion": ("CONCLUSION", "INTERPRETATION", "DISCUSSION", "IMPLICATION", "RELEVANCE", "SIGNIFICANCE", "SUMMARY", "RECOMMENDATION", "TAKE-HOME", "LESSON"),
}
_CUES = {
    "objective": re.compile(r"\b(?:aims?|aimed|objectives?|purpose|we (?:sought|investigated|examined|evaluated|assessed|hypothesi[sz]ed|asked)|"
                            r"(?:to|was to) (?:determine|assess|evaluate|investigate|examine|compare|describe|explore|identify)|this (?:study|review|report|guideline))\b", re.IGNORECASE),
    "methods": re.compile(r"\b(?:we (?:conducted|performed|enrolled|recruited|analy[sz]ed|reviewed|used|searched|included|randomi[sz]ed)|"
                          r"were (?:enrolled|recruited|randomi[sz]ed|included|assigned|measured|collected|followed|allocated)|"
                          r"retrospective|prospective|cohort of|was (?:measured|assessed|performed)|data (?:were|was))\b", re.IGNORECASE),
    "results": re.compile(r"\b(?:significant(?:ly)?|increased|decreased|reduced|higher|lower|associated with|odds ratio|hazard ratio|"
                          r"relative risk|confidence interval|ci\b|p\s*[<=>]|compared with|versus|showed|revealed|demonstrated|found)\b|%", re.IGNORECASE),
    "conclusion": re.compile(r"\b(?:in conclusion|we conclude|conclusions?|in summary|these (?:findings|results|data) (?:suggest|indicate|show|support)|"
                             r"suggests? that|our (?:findings|results|data)|should be|recommend(?:ed|s)?)\b", re.IGNORECASE),
}


#: A source's own numeric reference marker in brackets: "[12]", "[3, 4]", "[5-7]", "[1,3–5]".
REFERENCE_MARKER = re.compile(r"\s*\[\d{1,3}(?:\s*[,\u2013\u2014-]\s*\d{1,3})*\]")


def strip_reference_markers(sentence: str) -> str:
    """``sentence`` without the source's bracketed numeric reference markers and the space before
    them ("Statins reduce strokes [12]." → "Statins reduce strokes."); unchanged otherwise."""
    return REFERENCE_MARKER.sub("", sentence)


@dataclass
class SummarySentence:
    """One summary sentence.

    Attributes:
        part: objective, methods, results or conclusion.
        text: the sentence as shown: ``verbatim`` without the source's reference markers.
        section: the label of the section it came from.
        citations: its citation (the section's reference number).
        verbatim: the sentence exactly as in the section ( = ``text`` when it has no markers).
    """

    part: str
    text: str
    section: str
    citations: list[int]
    verbatim: str = ""

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return asdict(self)


@dataclass
class Summary(ClinicalResult):
    """Summary of one document.

    Attributes:
        doc_id, title: the document summarised.
        evidence_level: the paper's evidence level (see :mod:`medcite.clinical.evidence`).
        sentences: summary sentences, grouped by part in :data:`PARTS` order.
        references: one reference per cited section (``passage`` = the section text,
            ``span`` = the section's span in :meth:`Document.body`).
    """

    doc_id: str
    title: str
    evidence_level: str
    sentences: list[SummarySentence]
    references: list[Reference]

    def to_json(self) -> dict[str, Any]:
        """The shared clinical JSON shape: task, input, items, references, notes."""
        return clinical_json("summarize", self.doc_id, self.sentences, self, title=self.title, evidence_level=self.evidence_level)


def part_of_label(label: str) -> str:
    """The part a section label belongs to ("" when the label says nothing, e.g. "ABSTRACT")."""
    up = label.upper()
    best, pos = "", len(up) + 1
    for part, words in _LABEL_WORDS.items():
        for w in words:
            i = up.find(w)
            if 0 <= i < pos:
                best, pos = part, i
    return best


def part_of_sentence(s: str, position: float) -> str:
    """Part of an unlabelled sentence: from cue wording, else from its relative ``position``
    (0..1) in the text and whether it reports numbers."""
    for part in ("conclusion", "objective", "methods"):
        if _CUES[part].search(s):
            return part
    if has_number(s) and _CUES["results"].search(s):
        return "results"
    if position < 0.2:
        return "objective"
    if position > 0.85:
        return "conclusion"
    return "results" if has_number(s) else "methods"


#: Sentences that cannot carry a paper's conclusion on their own: led by a connective that refers
#: back ("However, more research is needed", "However, the observed trend …"), or calling for
#: future research ("Further studies are warranted").
SECONDARY = re.compile(
    r"^\W*(?:however|nevertheless|nonetheless|but|yet|still|although|though|in contrast|on the other hand|moreover|furthermore|"
    r"additionally|in addition|also|conversely|alternatively)\b"
    r"|\b(?:more|further|future|additional|larger|long-term|well-designed|prospective)\b[\w\s,-]{0,60}?\b(?:research|stud(?:y|ies)|trials?|"
    r"investigations?|work|data|evidence)\b[\w\s,-]{0,40}?\b(?:is|are|will be|would be|may be)?\s*(?:needed|required|warranted|necessary|"
    r"justified|called for)\b|\bremains? to be (?:determined|established|elucidated|clarified|seen)\b",
    re.IGNORECASE,
)


def is_secondary(sentence: str) -> bool:
    """Whether ``sentence`` cannot open a summary's conclusion (see :data:`SECONDARY`)."""
    return bool(SECONDARY.search(sentence))


#: Share of a text's characters that may be undecodable (U+FFFD) or control characters.
GARBLED_MAX = 0.05


def garbled(text: str) -> bool:
    """Whether more than :data:`GARBLED_MAX` of ``text``'s characters are replacement (U+FFFD,
    undecodable bytes) or control characters: binary content read as text."""
    bad = sum(1 for ch in text if ch == "\ufffd" or (unicodedata.category(ch) in ("Cc", "Co", "Cs") and ch not in "\n\r\t"))
    return bad > GARBLED_MAX * max(len(text), 1)


def summarize_document(doc: Document, per_part: dict[str, int] | int | None = None) -> Summary:
    """Extractive summary of ``doc`` (see the module doc).

    Args:
        doc: the document.
        per_part: sentences per part: one number for all parts, a ``{part: n}`` dict, or
            ``None`` for :data:`DEFAULT_PER_PART`.

    Raises:
        UsageError: the document has no text to summarise, or ``per_part`` < 1.
    """
    if isinstance(per_part, int):
        if per_part < 1:
            raise UsageError("sentences per part must be at least 1")
        quota = {p: per_part for p in PARTS}
    else:
        quota = {**DEFAULT_PER_PART, **(per_part or {})}
    if not doc.sections:
        raise UsageError(f"{doc.id} has no text to summarise")
    if garbled(" ".join(sec.text for sec in doc.sections)):
        raise UsageError(f"{doc.id}: the text is not readable (binary or undecodable characters); nothing to summarise")
    starts = doc.section_starts()
    # candidates: (part, section index, sentence, order)
    cands: list[tuple[str, int, str, int]] = []
    all_sents = [(si, s) for si, sec in enumerate(doc.sections) for s in sentences(sec.text)]
    n_all = max(len(all_sents), 1)
    for k, (si, s) in enumerate(all_sents):
        s = s.strip()
        if len(content_tokens(s)) < 3:
            continue
        part = part_of_label(doc.sections[si].label) or part_of_sentence(s, k / n_all)
        cands.append((part, si, s, k))
    if not cands:
        raise UsageError(f"{doc.id} has no sentence long enough to summarise")
    words = Counter(t for _, _, s, _ in cands for t in content_tokens(s))
    total = sum(words.values()) or 1
    prob = {w: c / total for w, c in words.items()}

    def score(part: str, c: tuple[str, int, str, int]) -> float:
        toks = content_tokens(c[2])
        base = sum(prob[t] for t in toks) / len(toks)
        n_words = len(c[2].split())
        if n_words < 6 or n_words > 70:
            base *= 0.5
        if part == "results" and has_number(c[2]):
            base *= 1.5
        if _CUES[part].search(c[2]):
            base *= 1.3
        return base

    def last_resort(part: str, c: tuple[str, int, str, int]) -> bool:
        """A conclusion sentence that is picked and shown only after every other one (:func:`is_secondary`)."""
        return part == "conclusion" and is_secondary(c[2])

    chosen: list[tuple[str, int, str, int]] = []
    for part in PARTS:
        pool = [c for c in cands if c[0] == part]
        for _ in range(min(quota.get(part, 0), len(pool))):
            best = max(pool, key=lambda c, part=part: (not last_resort(part, c), score(part, c), -c[3]))
            chosen.append(best)
            pool.remove(best)
            for t in set(content_tokens(best[2])):
                prob[t] = prob[t] ** 2
    sec_order: list[int] = []
    out = []
    level = evidence_level(doc.publication_types, doc.title + "\n" + doc.body())
    for part in PARTS:
        for _p, si, s, _k in sorted((c for c in chosen if c[0] == part), key=lambda c, part=part: (last_resort(part, c), c[3])):
            if si not in sec_order:
                sec_order.append(si)
            out.append(SummarySentence(part, strip_reference_markers(s), doc.sections[si].label, [sec_order.index(si) + 1], s))
    refs = []
    for n, si in enumerate(sec_order, start=1):
        sec = doc.sections[si]
        refs.append(
            Reference(
                n=n, id=doc.id, pmid=doc.pmid, title=doc.title or (" ".join(sec.text.split()[:12]) + "…"), year=doc.year,
                journal=doc.journal, url=doc.url, passage=sec.text, score=0.0, section=sec.label,
                span=(starts[si], starts[si] + len(sec.text)), evidence_level=level,
            )
        )
    notes = []
    if any(x.text != x.verbatim for x in out):
        notes.append("the source's own reference markers ([12]) are left out of the quoted sentences")
    missing = [p for p in PARTS if quota.get(p, 0) and not any(s.part == p for s in out)]
    if missing:
        notes.append(f"no sentence found for: {', '.join(missing)}")
    return Summary(doc.id, doc.title, level, out, refs, notes=notes)
