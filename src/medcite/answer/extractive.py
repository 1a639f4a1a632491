"""The default answerer: picks the sentences of the top passages that best answer the question.

No language model is involved, so every sentence is verbatim from a retrieved passage and every
citation is correct by construction. Sentences are scored by cosine similarity between the
question (as a query) and each sentence (as a passage) under the index's embedder; one sentence
is taken per passage among the best-ranked passages, so the answer cites several papers when
several support it. When the best passage's similarity is below the embedder's calibrated
threshold the answerer abstains.
"""

from __future__ import annotations

import time

import numpy as np

from ..chunking import split_sentences
from .citations import references_for
from ..documents import Answer, AnswerSentence, Passage
from ..embedding import Embedder
from . import ABSTAIN_TEXT

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
    """

    name = "extractive"

    def __init__(self, embedder: Embedder, max_sentences: int = 3, threshold: float | None = None, scan_passages: int = 3) -> None:
        self.embedder = embedder
        self.max_sentences = max_sentences
        self.threshold = threshold_for(embedder.name, threshold)
        self.scan_passages = scan_passages
        self.margin = RELATIVE_MARGIN.get(embedder.name.split("@")[0], 0.1)
        self.weak_margin = WEAK_MARGIN.get(embedder.name.split("@")[0], 0.05)

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        """See :class:`~medcite.answer.Answerer`. ``confidence`` is the best passage's cosine."""
        t0 = time.perf_counter()
        scores = [p.dense_score if p.dense_score is not None else -1.0 for p in passages]
        best = max(scores, default=-1.0)
        if not passages or best < self.threshold:
            return Answer(
                question, ABSTAIN_TEXT, True, generator=self.name, confidence=float(best),
                notes=[f"best evidence similarity {best:.3f} is below the threshold {self.threshold:.3f}"] if passages else ["no passages retrieved"],
                timings={"answer": time.perf_counter() - t0},
            )
        # passages worth quoting: strong enough in absolute and relative terms, best rank first
        keep = [
            i for i, p in enumerate(passages[: self.scan_passages])
            if scores[i] >= self.threshold and scores[i] >= best - self.margin
        ]
        if 0 not in keep and scores[0] >= self.threshold:
            keep.insert(0, 0)  # the top-ranked passage is always considered
        cands: list[tuple[int, str]] = []
        for i in keep:
            text = passages[i].text or passages[i].title
            for s, e in split_sentences(text):
                sent = text[s:e].strip()
                if len(sent) >= 20:
                    cands.append((i, sent))
            if not any(c[0] == i for c in cands) and text.strip():
                cands.append((i, text.strip()[:400]))
        q = self.embedder.embed_query(question)
        sv = self.embedder.embed_documents([c[1] for c in cands]) if cands else np.zeros((0, len(q)), np.float32)
        sims = sv @ q if len(cands) else np.zeros(0)
        chosen: list[tuple[int, str, float]] = []
        for i in keep:
            idx = [j for j, c in enumerate(cands) if c[0] == i]
            if not idx:
                continue
            j = max(idx, key=lambda j: sims[j])
            chosen.append((i, cands[j][1], float(sims[j])))
            if len(chosen) == self.max_sentences:
                break
        order = [i + 1 for i, _, _ in chosen]  # 1-based passage numbers, rank order
        refs = references_for(passages, order)
        sentences = [AnswerSentence(f"{sent} [{n}]", [n], True, round(sim, 4)) for n, (_i, sent, sim) in enumerate(chosen, start=1)]
        text = " ".join(s.text for s in sentences)
        notes = []
        if best < self.threshold + self.weak_margin:
            notes.append("weak evidence: the best passage only just clears the relevance threshold; read the sources")
        return Answer(
            question, text, False, refs, sentences, generator=self.name, confidence=float(best), notes=notes,
            timings={"answer": time.perf_counter() - t0},
        )
