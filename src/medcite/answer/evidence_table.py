"""An evidence table for an answer: one row per cited paper.

Each row gives the paper's design / evidence level (:func:`medcite.clinical.evidence.evidence_level`:
publication types, else design wording), its number of participants and population
(:func:`medcite.answer.participants.parse_participants`), its year, and the key result sentence
quoted in the answer with the effect sizes, CIs and p-values it reports. Everything is read from
the retrieved passages' stored text and metadata; nothing is generated.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from ..clinical.evidence import evidence_level, evidence_rank
from ..documents import Answer, Passage
from .participants import PARTICIPANT_NOUNS, parse_participants
from .sentences import effect_numbers, passage_sentences

#: Words after the count that extend it into a population ("412 adults with asthma aged 18-65").
_POP_TAIL = re.compile(
    r"[^.;:()\[\]]{0,100}?(?=[.;:()\[\]]|,\s+(?:and|who|were|was|of|in|from)\b|\s+(?:were|was|had|underwent|received|completed)\b|$)"
)
_CLAUSE_START = re.compile(r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                           r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand)\b", re.IGNORECASE)


@dataclass
class EvidenceRow:
    """One cited paper in an answer's evidence table.

    Attributes:
        n: the reference number (``[n]`` in the answer).
        id, pmid, year, title: the paper.
        design: evidence level label (``"Randomized Controlled Trial"``; suffix ``" (from text)"``
            when read from design wording; ``""`` unknown).
        level: its rank (8 meta-analysis … 1 narrative review, 0 unknown).
        participants: number of participants, or ``None`` when the text states none.
        participants_phrase: the verbatim phrase the number was read from.
        population: who they were, verbatim from the text (``"412 adults with asthma"``), or ``""``.
        key_result: the sentence of this paper quoted in the answer (verbatim).
        key_result_section: its section label, or ``""``.
        numbers: effect sizes, CIs, p-values and percentages in ``key_result``.
    """

    n: int
    id: str
    pmid: str | None
    year: int | None
    title: str
    design: str
    level: int
    participants: int | None
    participants_phrase: str = ""
    population: str = ""
    key_result: str = ""
    key_result_section: str = ""
    numbers: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return asdict(self)


def population_of(text: str) -> tuple[int | None, str, str]:
    """``(participants, phrase, population)`` of a study text (see :class:`EvidenceRow`)."""
    pc = parse_participants(text)
    if pc is None:
        return None, "", ""
    at = text.find(pc.phrase)
    if at < 0:
        return pc.n, pc.phrase, ""
    if re.match(r"\(?\s*n\s*=", pc.phrase, re.IGNORECASE):  # "women with X (n = 96)": the words before
        words = re.split(r"[.;:()\[\]]", text[:at])[-1].strip(" ,").split()[-8:]
        named = any(w.lower().strip(",") in PARTICIPANT_NOUNS for w in words)
        return pc.n, pc.phrase, " ".join(words) if named else ""
    m = _CLAUSE_START.search(pc.phrase)
    begin = at + (m.start() if m else 0)
    tail = _POP_TAIL.match(text, at + len(pc.phrase))
    end = tail.end() if tail else at + len(pc.phrase)
    pop = " ".join(text[begin:end].split()).rstrip(" ,")
    words = pop.split()
    if len(words) > 18:
        pop = " ".join(words[:18]) + " …"
    return pc.n, pc.phrase, pop


def _paper_text(passages: list[Passage], doc_id: str) -> str:
    """All retrieved text of one paper (its passages in reading order, overlaps kept)."""
    ps = sorted((p for p in passages if p.doc_id == doc_id), key=lambda p: p.start)
    return "\n\n".join(p.text for p in ps if p.text)


def evidence_table(answer: Answer, passages: list[Passage], key_sentences: dict[int, str] | None = None) -> list[EvidenceRow]:
    """Rows for the papers cited in ``answer`` (reference order), read from ``passages``.

    Args:
        answer: an answer whose references point at ``passages`` (abstentions give ``[]``).
        passages: the retrieved passages the answer was built from.
        key_sentences: ``{reference number: sentence}``, the sentence the answerer chose as that
            paper's finding; default: the last answer sentence citing the reference.

    Returns:
        one :class:`EvidenceRow` per distinct cited paper.
    """
    if answer.abstained:
        return []
    rows: list[EvidenceRow] = []
    seen: set[str] = set()
    by_chunk = {p.chunk_id: p for p in passages}
    for ref in answer.references:
        if ref.id in seen:
            continue
        seen.add(ref.id)
        text = _paper_text(passages, ref.id) or ref.passage
        p = by_chunk.get(ref.chunk_id)
        design = ref.evidence_level or evidence_level(p.publication_types if p else [], text, ref.id)
        n, phrase, pop = population_of(text)
        cited = [s.text for s in answer.sentences if ref.n in s.citations]
        key = (key_sentences or {}).get(ref.n) or (re.sub(r"\s*\[\d+(?:\]\s*\[\d+)*\]\s*$", "", cited[-1]) if cited else "")
        key = key.strip()
        section = ""
        if key and p is not None:
            section = next((s.section for s in passage_sentences(p) if s.text.strip() == key), "")
        rows.append(EvidenceRow(
            n=ref.n, id=ref.id, pmid=ref.pmid, year=ref.year, title=ref.title, design=design, level=evidence_rank(design),
            participants=n, participants_phrase=phrase, population=pop, key_result=key, key_result_section=section,
            numbers=effect_numbers(key),
        ))
    return rows
