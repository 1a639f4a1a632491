"""Which sentences an extractive answer quotes, and in which order.

Each sentence of the passages worth quoting gets a score: its similarity to the question
(standardised over all candidate sentences, so the scale does not depend on the embedder) plus
a prior for its role in the abstract (:mod:`medcite.answer.sentences`): conclusions and results
up, background, aims and methods down, and a bonus for sentences that report effect sizes, CIs or
p-values. The prior is full strength for yes/no questions ("Does … reduce …?": they ask what a
study found) and half strength otherwise ("What is …?": a definition may sit in the background),
and weaker for roles guessed from wording than for roles read from section labels.

An objective or aim sentence ("This study was planned to evaluate whether …") is never quoted
from a passage that has a results or conclusion sentence: it restates the question, so its
similarity is high, but it says nothing of what was found (break-test 12, PMID 21190419).

A dangling sentence ("This treatment resulted in …") is quoted only together with the sentences
it refers back to (:func:`medcite.answer.sentences.with_antecedents`), at a small cost, so a
self-contained sentence of similar value wins.

The first sentence of a labelled CONCLUSIONS section (the authors' main finding) gets a bonus;
hedged sentences a cost; a further-research sentence ("Prospective studies should examine …") and a
labelled methods sentence are, like an aim, never quoted from a passage with a finding (they name
what should be or was measured, not what was found: break test askbt, PMIDs 25503376, 12632437);
a methods sentence is kept when the question asks how.

The answer takes the best unit of each paper, strongest papers first (retrieval rank among the
passages that clear the relevance rules), adds a second unit of the top paper when fewer than
``min_units`` papers qualify, and orders the units by evidence level, then by rank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..clinical.evidence import evidence_level, evidence_rank
from ..documents import Passage
from .sentences import PassageSentence, is_future_work, passage_sentences, question_kind, with_antecedents

#: Prior per role, in standard deviations of the question–sentence similarity.
ROLE_PRIOR = {"conclusion": 1.0, "results": 0.6, "methods": -0.6, "objective": -1.0, "": 0.0}
#: Bonus for a results / conclusion sentence that reports effect sizes, CIs or p-values.
EFFECT_BONUS = 0.3
#: Cost of quoting a dangling sentence with its antecedents (per extra sentence).
ANTECEDENT_COST = 0.35
#: Prior strength for roles guessed from wording and position (labels count 1.0).
GUESSED_ROLE_WEIGHT = 0.6
#: Prior strength by question kind (see :func:`medcite.answer.sentences.question_kind`).
KIND_WEIGHT = {"yesno": 1.0, "list": 0.5, "other": 0.5}
#: A paper beyond the first is quoted only when its best unit scores at least this.
MIN_UNIT_SCORE = 0.0
#: Bonus for the first sentence of a labelled CONCLUSIONS section: structured abstracts put the
#: authors' main finding there (the PubMedQA "long answer" is that section), while later conclusion
#: sentences add caveats, speculation or advice (askbt break test, session 11).
LEAD_CONCLUSION_BONUS = 0.6
#: Cost of a sentence that hedges ("may", "might", "could", "potentially") or asks for more research
#: ("Prospective studies should examine …"; such a sentence is dropped outright from a passage with
#: findings): it says what could be, not what was found.
HEDGE_COST = 0.3
FUTURE_WORK_COST = 0.8

_HEDGE = re.compile(r"\b(?:may|might|could|possibly|potentially|perhaps|presumably|speculate)\b", re.IGNORECASE)
#: A question about how something is done or measured may be answered by a methods sentence.
_HOW = re.compile(r"^\s*how\b", re.IGNORECASE)

_NEGATIVE = re.compile(
    r"\bno (?:statistically )?(?:significant |clear |major |meaningful )?(?:difference|differences|effect|effects|association|benefit|"
    r"improvement|change|increase|reduction|evidence|correlation|relationship|advantage|impact)\b"
    r"|\b(?:was|were|is|are|did|does|do|has|have)\s+not\s+(?:\w+\s+)?(?:associated|different|improve|improved|reduce|reduced|increase|increased|"
    r"affect|affected|effective|beneficial|superior|related|correlated|significant|significantly|change|changed|predict|predictive)\b"
    r"|\bfailed to\b|\bnot (?:significantly |statistically )?(?:different|associated|significant|superior|effective)\b|\bnon-?significant\b"
    r"|\bsimilar (?:in|between|among|rates|outcomes)\b|\bcomparable\b|\bdid not (?:differ|reduce|improve|increase|affect|change|show|find)\b",
    re.IGNORECASE,
)


@dataclass
class Unit:
    """A quotable unit: one sentence, preceded by its antecedents when it is dangling.

    Attributes:
        passage: index into the passages list.
        sentences: the sentences quoted, in reading order (the last one is the scored one).
        score: selection score (see the module doc).
        similarity: cosine of the question and the scored sentence.
    """

    passage: int
    sentences: list[PassageSentence]
    score: float
    similarity: float

    @property
    def main(self) -> PassageSentence:
        """The scored sentence (antecedents precede it)."""
        return self.sentences[-1]


def finding_polarity(sentence: str) -> str:
    """``"none"`` when a finding reports no difference / no effect / no association, else ``"effect"``."""
    return "none" if _NEGATIVE.search(sentence) else "effect"


def is_lead_conclusion(sentence: PassageSentence, sentences: list[PassageSentence]) -> bool:
    """Whether ``sentence`` opens a labelled CONCLUSIONS section (the sentence before it, among
    ``sentences`` of the same passage, is in another section, or there is none)."""
    if sentence.role != "conclusion" or not sentence.labelled:
        return False
    prev = next((x for x in sentences if x.index == sentence.index - 1), None)
    return prev is None or prev.section != sentence.section


def score_units(question: str, passages: list[Passage], keep: list[int], embedder) -> list[Unit]:
    """Every quotable unit of the passages ``keep`` (indices into ``passages``), scored.

    Args:
        embedder: has ``embed_query(str) -> (d,)`` and ``embed_documents(list[str]) -> (n, d)``
            (L2-normalised float32).
    """
    cands: list[tuple[int, PassageSentence, list[PassageSentence]]] = []
    for i in keep:
        sents = passage_sentences(passages[i])
        if not sents:
            text = (passages[i].text or passages[i].title).strip()[:400]
            if text:
                sents = [PassageSentence(text, 0, len(text), "", passages[i].section, False, 0)]
        for s in sents:
            cands.append((i, s, sents))
    if not cands:
        return []
    q = embedder.embed_query(question)
    sims = np.asarray(embedder.embed_documents([c[1].text for c in cands]) @ q, dtype=np.float64)
    mu, sd = float(sims.mean()), float(sims.std())
    z = (sims - mu) / sd if sd > 1e-6 else np.zeros_like(sims)
    kind_w = KIND_WEIGHT.get(question_kind(question), 0.5)
    found = {i for i, s, _ in cands if s.role in ("conclusion", "results")}
    lead = {(i, s.index) for i, s, sents in cands if is_lead_conclusion(s, sents)}
    how = bool(_HOW.match(question))
    units: list[Unit] = []
    for (i, s, sents), zi, si in zip(cands, z, sims):
        if s.role == "objective" and i in found:  # an aim restates the question; the finding answers it
            continue
        if s.role == "methods" and s.labelled and i in found and not how:  # what was measured, not what was found
            continue
        if is_future_work(s.text) and i in found:  # what should be studied next, not what was found
            continue
        prior = ROLE_PRIOR.get(s.role, 0.0) * (1.0 if s.labelled else GUESSED_ROLE_WEIGHT)
        bonus = EFFECT_BONUS if s.role in ("results", "conclusion") and s.has_effect else 0.0
        if (i, s.index) in lead:
            bonus += LEAD_CONCLUSION_BONUS
        bonus -= FUTURE_WORK_COST if is_future_work(s.text) else HEDGE_COST if _HEDGE.search(s.text) else 0.0  # cost: a passage without findings
        n_words = len(s.text.split())
        length = -0.5 if n_words < 6 or n_words > 70 else 0.0
        run = with_antecedents(s, sents)
        if run is None:
            continue
        cost = ANTECEDENT_COST * (len(run) - 1)
        units.append(Unit(i, run, float(zi) + kind_w * (prior + bonus) + length - cost, float(si)))
    return units


#: Roles a second unit of the same paper may have (findings, or undecided).
FINDING_ROLES = ("conclusion", "results", "")
#: Most sentences an answer quotes (antecedents included).
MAX_SENTENCES = 5


def choose_units(units: list[Unit], passages: list[Passage], max_units: int = 3, min_units: int = 2) -> list[Unit]:
    """The units to quote: the best of each paper in passage-rank order (the first paper always,
    later ones when they score at least :data:`MIN_UNIT_SCORE`), then, while fewer than
    ``min_units``, the next best findings (results / conclusion) of the first paper, never
    overlapping a chosen unit. Returned ordered by evidence level (strongest first), then by
    passage rank, then within a paper conclusions before results, each in reading order."""
    best_per_paper: dict[str, Unit] = {}
    for u in units:
        doc = passages[u.passage].doc_id
        if doc not in best_per_paper or u.score > best_per_paper[doc].score:
            best_per_paper[doc] = u
    ordered = sorted(best_per_paper.values(), key=lambda u: u.passage)
    chosen: list[Unit] = []
    for u in ordered:
        if chosen and (u.score < MIN_UNIT_SCORE or sum(len(c.sentences) for c in chosen) + len(u.sentences) > MAX_SENTENCES):
            continue
        chosen.append(u)
        if len(chosen) == max_units:
            break
    if chosen and len(chosen) < min(min_units, max_units):
        used = {(u.passage, s.index) for u in chosen for s in u.sentences}
        extra = sorted(
            (u for u in units if u.passage == chosen[0].passage and u.main.role in FINDING_ROLES
             and not any((u.passage, s.index) in used for s in u.sentences)),
            key=lambda u: -u.score,
        )
        for u in extra:
            if len(chosen) >= min(min_units, max_units):
                break
            if u.score >= MIN_UNIT_SCORE and sum(len(c.sentences) for c in chosen) + len(u.sentences) <= MAX_SENTENCES:
                chosen.append(u)
                used |= {(u.passage, s.index) for s in u.sentences}
    ranks = {}
    for u in chosen:
        p = passages[u.passage]
        ranks[u.passage] = evidence_rank(evidence_level(p.publication_types, p.text, p.doc_id))
    # papers: evidence level, then rank; within a paper: conclusions, then results, then the rest, each in reading order
    return sorted(chosen, key=lambda u: (-ranks[u.passage], u.passage, _ROLE_ORDER.get(u.main.role, 2), u.main.index))


#: Order of a paper's quoted units by role (what it concluded, then the results behind it).
_ROLE_ORDER = {"conclusion": 0, "results": 1}


def disagreement_note(units: list[Unit], passages: list[Passage], numbers: dict[int, int]) -> str:
    """A note naming which cited papers report an effect and which report none, or ``""`` when
    they agree. ``numbers`` maps a passage index to its reference number. A paper whose quoted
    sentences go both ways (an effect on one outcome, none on another) sides with neither: only
    different papers can disagree."""
    pols: dict[int, set[str]] = {}
    for u in units:
        pols.setdefault(numbers[u.passage], set()).add(finding_polarity(u.main.text))
    by_pol = {pol: [n for n, ps in pols.items() if ps == {pol}] for pol in ("effect", "none")}
    if not by_pol["effect"] or not by_pol["none"]:
        return ""

    def says(ns: list[int]) -> str:
        designs = []
        for n in ns:
            i = next(i for i, k in numbers.items() if k == n)
            p = passages[i]
            lvl = evidence_level(p.publication_types, p.text, p.doc_id).removesuffix(" (from text)")
            designs.append(f"{(lvl or 'study').lower()} [{n}]")
        return ", ".join(designs)

    return (f"the cited papers disagree: {says(by_pol['effect'])} report an effect or association; "
            f"{says(by_pol['none'])} report no difference or none; read both")
