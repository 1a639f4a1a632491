"""The default answerer: quotes what the best papers found, with an evidence table.

No language model is involved, so every sentence is verbatim from a retrieved passage and every
citation is correct by construction. Sentences of the passages that clear the relevance rules
are scored by their similarity to the question plus a prior for their role in the abstract
(conclusions and results before background and methods; see :mod:`medcite.answer.selection`);
a dangling sentence ("This treatment …") is quoted only with the sentence it refers to. The
answer quotes the best unit of each strong paper (2–5 sentences), strongest evidence level
first, notes when the papers' findings disagree, and carries an evidence table
(:mod:`medcite.answer.evidence_table`). When the best passage's similarity is below the
embedder's calibrated threshold the answerer abstains.
"""

from __future__ import annotations

import time

import numpy as np

from .citations import references_for
from ..documents import Answer, AnswerSentence, Passage
from ..embedding import Embedder
from .multilingual import detect_language
from . import ABSTAIN_TEXT
from .evidence_table import evidence_table
from .relevance import Z_WEAK_MARGIN, relevance_z, z_threshold_for
from .selection import choose_units, disagreement_note, score_units
from .sentences import question_kind

#: Cosine similarity (query vs best retrieved passage) below which the answerer abstains,
#: per embedder. Calibrated with ``scripts/calibrate_abstention.py``: midpoint between the
#: 2nd percentile of answerable dev questions (PubMedQA + BioASQ) and the 98th percentile of
#: off-topic questions. Unknown embedders use ``DEFAULT_THRESHOLD``. Measured 2026-11-30 on the
#: 14,449-record bench indexes (200 answerable, 30 off-topic): e5-small p2 0.863 vs off-topic max
#: 0.859; MiniLM p2 0.439 vs off-topic p98 0.465. e5's margin is thin: medical questions the
#: corpus does not cover can still clear it, so the answer says when evidence is weak.
ABSTAIN_THRESHOLDS = {"e5-small": 0.86, "minilm": 0.45, "hashing": 0.05}
DEFAULT_THRESHOLD = 0.5
#: Passages whose similarity is this far below the best one are not quoted (cosine units).
RELATIVE_MARGIN = {"e5-small": 0.04, "minilm": 0.15}
WEAK_MARGIN = {"e5-small": 0.02, "minilm": 0.08}


def threshold_for(embedder_name: str, override: float | None = None) -> float:
    """Abstention threshold (cosine) for an embedder; ``override`` wins when given."""
    if override is not None:
        return override
    return ABSTAIN_THRESHOLDS.get(embedder_name.split("@")[0], DEFAULT_THRESHOLD)  # "minilm@int8" → minilm


class ExtractiveAnswerer:
    """Extractive answers with one citation per sentence.

    Args:
        embedder: the index's embedder (for sentence scores).
        max_sentences: sentences in the answer (each from a different passage).
        threshold: abstain below this cosine similarity (``None``: calibrated per embedder).
        scan_passages: how many top passages are read for sentences.
        min_sentences: quote a second finding of the top paper when fewer papers qualify.
        background: ``(m, d)`` vectors sampled from the index
            (:func:`medcite.answer.relevance.background_sample`); with it, a question not in
            English that misses the cosine threshold is answered when its standardised relevance
            clears the embedder's z threshold (calibrated on English questions).
    """

    name = "extractive"

    def __init__(
        self, embedder: Embedder, max_sentences: int = 3, threshold: float | None = None, scan_passages: int = 3,
        min_sentences: int = 2, background: np.ndarray | None = None,
    ) -> None:
        self.embedder = embedder
        self.background = background
        self.z_threshold = z_threshold_for(embedder.name)
        self.max_sentences = max_sentences
        self.min_sentences = min_sentences
        self.threshold = threshold_for(embedder.name, threshold)
        self.scan_passages = scan_passages
        self.margin = RELATIVE_MARGIN.get(embedder.name.split("@")[0], 0.1)
        self.weak_margin = WEAK_MARGIN.get(embedder.name.split("@")[0], 0.05)

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        """See :class:`~medcite.answer.Answerer`. ``confidence`` is the best passage's cosine."""
        t0 = time.perf_counter()
        scores = [p.dense_score if p.dense_score is not None else -1.0 for p in passages]
        best = max(scores, default=-1.0)
        language = detect_language(question)
        floor, notes, z = self.threshold, [], None
        if passages and best < self.threshold and language != "English" and self.background is not None and self.z_threshold is not None:
            z = relevance_z(self.embedder.embed_query(question), best, self.background)
            if z >= self.z_threshold:  # answered across languages: the cosine scale of this language is lower
                floor = best - self.margin
                notes.append(f"cross-language relevance z {z:.2f} clears {self.z_threshold:.2f} (cosine {best:.3f} is below the English threshold {self.threshold:.3f})")
        if not passages or best < floor:
            return Answer(
                question, ABSTAIN_TEXT, True, generator=self.name, confidence=float(best),
                notes=[f"best evidence similarity {best:.3f} is below the threshold {self.threshold:.3f}"] if passages else ["no passages retrieved"],
                timings={"answer": time.perf_counter() - t0}, extra={"evidence_table": []},
            )
        if language != "English":
            notes.insert(0, f"the question ({language}) was matched across languages; the sources are quoted verbatim in their own language")
        # passages worth quoting: strong enough in absolute and relative terms, best rank first
        keep = [
            i for i, p in enumerate(passages[: self.scan_passages])
            if scores[i] >= floor and scores[i] >= best - self.margin
        ]
        if 0 not in keep and scores[0] >= floor:
            keep.insert(0, 0)  # the top-ranked passage is always considered
        units = choose_units(score_units(question, passages, keep, self.embedder), passages, self.max_sentences, self.min_sentences)
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
        if (best < self.threshold + self.weak_margin) if z is None else (z < self.z_threshold + Z_WEAK_MARGIN):
            notes.append("weak evidence: the best passage only just clears the relevance threshold; read the sources")
        if question_kind(question) == "yesno":
            clash = disagreement_note(units, passages, number)
            if clash:
                notes.append(clash)
        ans = Answer(
            question, text, False, refs, sentences, generator=self.name, confidence=float(best), notes=notes,
            timings={"answer": time.perf_counter() - t0},
        )
        ans.extra["evidence_table"] = [row.to_json() for row in evidence_table(ans, passages)]
        return ans
