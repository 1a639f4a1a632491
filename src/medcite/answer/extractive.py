"""The default answerer: quotes what the best papers found, with an evidence table.

No language model is involved, so every sentence is verbatim from a retrieved passage and every
citation is correct by construction. Sentences of the passages that clear the relevance rules
are scored by their similarity to the question plus a prior for their role in the abstract
(conclusions and results before background and methods; see :mod:`medcite.answer.selection`);
a dangling sentence ("This treatment …") is quoted only with the sentence it refers to. The
answer quotes the best unit of each strong paper (2–5 sentences), strongest evidence level
first, notes when the papers' findings disagree, and carries an evidence table
(:mod:`medcite.answer.evidence_table`); an answer resting on one paper says so as weak evidence. When the best passage's similarity is below the
embedder's calibrated threshold the answerer abstains.
"""

from __future__ import annotations

import math
import time

from ..documents import Answer, AnswerSentence, Passage
from ..embedding import Embedder
from . import ABSTAIN_TEXT
from .citations import references_for
from .evidence_table import evidence_table
from .item_kinds import asked_kind
from .lists import list_items
from .multilingual import detect_language
from .relevance import calibrated, cross_lingual_floor, distinctiveness, term_evidence, topic_anchor
from .selection import choose_units, disagreement_note, score_units
from .sentences import question_kind

#: Cosine similarity (query vs best retrieved passage) below which the answerer abstains,
#: per embedder. Calibrated with ``scripts/calibrate_abstention.py``: midpoint between the
#: 2nd percentile of answerable dev questions (PubMedQA + BioASQ) and the 98th percentile of
#: off-topic questions. Unknown embedders use ``DEFAULT_THRESHOLD``. Measured 2026-11-30 on the
#: 14,449-record bench indexes (200 answerable, 30 off-topic): e5-small p2 0.863 vs off-topic max
#: 0.859; MiniLM p2 0.439 vs off-topic p98 0.465. e5's margin is thin: medical questions the
#: corpus does not cover can still clear it, so the answer says when evidence is weak.
#: e5-small@int8 (its own vectors), calibrated 2026-12-04 on a full int8 build of the same bench
#: corpus beside the float index, 300 answerable per dev set and the 30 off-topic questions:
#: int8 answerable p2 0.855, off-topic p98 0.853, max 0.858 (midpoint 0.854); float in the same run
#: p2 0.856, p98 0.854, max 0.859 (midpoint 0.855). The float threshold sits just above the
#: off-topic maximum; int8's does the same (0.859, the paired shift −0.001).
ABSTAIN_THRESHOLDS = {"e5-small": 0.86, "e5-small@int8": 0.859, "minilm": 0.45, "hashing": 0.05}
DEFAULT_THRESHOLD = 0.5
#: Passages whose similarity is this far below the best one are not quoted (cosine units).
RELATIVE_MARGIN = {"e5-small": 0.04, "minilm": 0.15}
WEAK_MARGIN = {"e5-small": 0.02, "minilm": 0.08}
#: Passages read for the items of a list question (the service retrieves at least this many).
LIST_PASSAGES = 10


def threshold_for(embedder_name: str, override: float | None = None) -> float:
    """Abstention threshold (cosine) for an embedder; ``override`` wins when given."""
    if override is not None:
        return override
    return calibrated(ABSTAIN_THRESHOLDS, embedder_name, DEFAULT_THRESHOLD)  # "minilm@int8" → minilm; e5-small@int8 its own


def below_figures(score: float, bar: float, digits: int = 3, most: int = 6) -> tuple[str, str]:
    """``score`` rounded down and ``bar`` rounded, as decimals (``digits``, or as many more up to
    ``most`` as it takes) that differ when ``score < bar``: 0.85995 below 0.86 → "0.859" and "0.860"
    (not "0.860 is below the threshold 0.860"); 0.86004 below 0.86006 → "0.8600" and "0.8601"."""
    for d in range(digits, most + 1):
        low, high = math.floor(score * 10**d + 1e-9) / 10**d, round(bar, d)  # 1e-9: float noise
        if low != high or d == most:
            return f"{low:.{d}f}", f"{high:.{d}f}"
    raise AssertionError("unreachable")


class ExtractiveAnswerer:
    """Extractive answers with one citation per sentence.

    Args:
        embedder: the index's embedder (for sentence scores).
        max_sentences: sentences in the answer (each from a different passage).
        threshold: abstain below this cosine similarity, in every language (``None``: calibrated
            per embedder and question language, :mod:`medcite.answer.relevance`).
        scan_passages: how many top passages are read for sentences.
        min_sentences: quote a second finding of the top paper when fewer papers qualify.
    """

    name = "extractive"

    def __init__(
        self, embedder: Embedder, max_sentences: int = 3, threshold: float | None = None, scan_passages: int = 3,
        min_sentences: int = 2,
    ) -> None:
        self.embedder = embedder
        self.threshold_set = threshold is not None
        self.max_sentences = max_sentences
        self.min_sentences = min_sentences
        self.threshold = threshold_for(embedder.name, threshold)
        self.scan_passages = scan_passages
        self.margin = calibrated(RELATIVE_MARGIN, embedder.name, 0.1)
        self.weak_margin = calibrated(WEAK_MARGIN, embedder.name, 0.05)

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        """See :class:`~medcite.answer.Answerer`. ``confidence`` is the best passage's cosine."""
        t0 = time.perf_counter()
        scores = [p.dense_score if p.dense_score is not None else -1.0 for p in passages]
        language = detect_language(question)
        bars = cross_lingual_floor(self.embedder.name, "English" if self.threshold_set else language, self.threshold)
        gap = distinctiveness([s for s in scores if s > -1.0])
        notes: list[str] = []
        if not self.threshold_set:
            scores = term_evidence(question, passages, scores, notes)
        best = max(scores, default=-1.0)
        anchor = topic_anchor(question, passages, scores)
        if not passages or not bars.admits(best, gap, anchor):
            return Answer(
                question, ABSTAIN_TEXT, True, generator=self.name, confidence=float(best),
                notes=[self._below_note(best, gap, bars, language)] + notes if passages else ["no passages retrieved"],
                timings={"answer": time.perf_counter() - t0}, extra={"evidence_table": []},
            )
        # once the question is admitted, passages near the best one may be quoted down to the lower bar
        floor = min(bars.distinct, anchor) if anchor >= bars.covered else bars.distinct
        if language != "English":
            notes.insert(0, f"the question ({language}) was matched across languages against the indexed literature; the sources are quoted verbatim in their own language")
        # passages worth quoting: strong enough in absolute and relative terms, best rank first
        # the first scan_passages passages that are evidence (term_evidence sets the others to -1.0:
        # a passage set aside must not push the one that admitted the question out of reach)
        evidence = [i for i, s in enumerate(scores) if s > -1.0][: self.scan_passages]
        keep = [i for i in evidence if scores[i] >= floor and scores[i] >= best - self.margin]
        if 0 not in keep and scores[0] >= floor:
            keep.insert(0, 0)  # the top-ranked passage is always considered
        if best < bars.strict + self.weak_margin:  # just above the bar, or admitted below it as a distinct passage
            notes.append("weak evidence: the best passage only just clears the relevance threshold; read the sources")
        if question_kind(question) == "list":
            listed = self._list_answer(question, passages, scores, floor, notes, t0)
            if listed is not None:
                return listed
        units = choose_units(score_units(question, passages, keep, self.embedder), passages, self.max_sentences, self.min_sentences)
        if not units:  # nothing quotable: never an empty answer
            return Answer(question, ABSTAIN_TEXT, True, generator=self.name, confidence=float(best),
                          notes=["no sentence of the admitted passages could be quoted"] + notes,
                          timings={"answer": time.perf_counter() - t0}, extra={"evidence_table": []})
        order: list[int] = []  # 1-based passage numbers, in the order the answer cites them
        for u in units:
            if u.passage + 1 not in order:
                order.append(u.passage + 1)
        refs = references_for(passages, order)
        number = {k - 1: n for n, k in enumerate(order, start=1)}
        sentences = [
            AnswerSentence(f"{s.text.strip()} [{number[u.passage]}]", [number[u.passage]], True, round(u.similarity, 4))
            for u in units for s in u.sentences
        ]
        text = " ".join(s.text for s in sentences)
        if len(order) == 1 and not any(n.startswith("weak evidence") for n in notes):
            notes.append("weak evidence: the answer rests on a single paper [1]; no other retrieved paper was quotable — read it before relying on it")
        if question_kind(question) == "yesno":
            clash = disagreement_note(units, passages, number)
            if clash:
                notes.append(clash)
        ans = Answer(
            question, text, False, refs, sentences, generator=self.name, confidence=float(best), notes=notes,
            timings={"answer": time.perf_counter() - t0},
        )
        keys: dict[int, str] = {}
        for u in units:  # best unit of each paper first (see choose_units)
            keys.setdefault(number[u.passage], " ".join(x.text.strip() for x in u.sentences))  # with its antecedent
        ans.extra["evidence_table"] = [row.to_json() for row in evidence_table(ans, passages, keys)]
        return ans

    @staticmethod
    def _below_note(best: float, gap: float, bars, language: str) -> str:
        """Why the answerer abstained (the figures compared)."""
        if best == -1.0 and language == "English":  # every passage was set aside by term_evidence
            return ("none of the retrieved passages shares a key concept of both the exposure (intervention) and the condition of the question"
                    " in one sentence: they are about a neighbouring topic")
        if best == -1.0:
            return (f"none of the retrieved passages contains the question's key terms ({language} question, dictionary-translated)"
                    " of both its exposure and its condition together: they are about a neighbouring topic, or about none")
        shown_best, shown_bar = below_figures(best, bars.strict)
        note = f"best evidence similarity {shown_best} is below the threshold {shown_bar}"
        if language == "English":
            return note
        note += f" ({language} questions)"
        if bars.distinct < bars.strict and best >= bars.distinct:
            note += (f"; the best passage does not stand apart from the others (distinctiveness {gap:.3f} < {bars.gap:.3f}),"
                     " as passages on a neighbouring topic do")
        return note

    def _list_answer(self, question: str, passages: list[Passage], scores: list[float], floor: float, notes: list[str], t0: float) -> Answer | None:
        """A list answer (one cited item per line) from up to :data:`LIST_PASSAGES` passages that
        clear the threshold — a single item too, said in a note —, or ``None`` (the sentence answer)
        when no item is found (a note says so) or the question asks for a kind of item the item
        typing does not know ("risk factors")."""
        kind = asked_kind(question)
        if kind is None:
            return None
        keep = [i for i, _ in enumerate(passages[:LIST_PASSAGES]) if scores[i] >= floor]
        items = list_items(question, passages, keep, self.embedder)
        if not items:
            notes.append(f"list question: the retrieved passages name no {kind}; the sentences closest to the question are quoted instead")
            return None
        if len(items) == 1:
            notes.append(f"list question: the retrieved passages name only one {kind}")
        order: list[int] = []
        for it in items:
            if it.passage + 1 not in order:
                order.append(it.passage + 1)
        refs = references_for(passages, order)
        number = {k - 1: n for n, k in enumerate(order, start=1)}
        sentences = [AnswerSentence(f"{it.text} [{number[it.passage]}]", [number[it.passage]], True, round(it.score, 4)) for it in items]
        ans = Answer(
            question, "\n".join(f"- {s.text}" for s in sentences), False, refs, sentences, generator=self.name,
            confidence=float(max(scores)), notes=notes + ["list question: items read from the cited sentences (see list_items)"],
            timings={"answer": time.perf_counter() - t0},
        )
        ans.extra["list_items"] = [{"item": it.text, "citation": number[it.passage], "quote": it.quote} for it in items]
        keys: dict[int, str] = {}
        for it in items:
            keys.setdefault(number[it.passage], it.quote.strip())
        ans.extra["evidence_table"] = [row.to_json() for row in evidence_table(ans, passages, keys)]
        return ans
