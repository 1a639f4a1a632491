"""The citation guard: every generated answer passes through it, whatever the backend.

1. Markers naming no passage that was sent (``[7]`` when 3 were sent, ``[0]``, malformed) are
   removed and counted (:func:`medcite.answer.citations.clean_markers`).
2. The answer is split into sentences; each cited sentence is checked against each passage it
   cites. The support score is ``(cosine + overlap) / 2`` where ``cosine`` is the best cosine
   similarity (index embedder, both sides embedded as passages) between the sentence and a
   window of one or two consecutive sentences of the passage, and ``overlap`` is the fraction
   of the sentence's content words (lower-cased, stop words dropped, compared on their first
   6 characters, numbers kept) found in the passage. For a sentence not in Latin script (an
   answer in Chinese about English papers) word overlap means nothing and the score is the
   cosine alone, against its own threshold. A sentence whose numbers (``45%``, ``2.3``) do not
   occur in any cited passage is unsupported whatever its score. Thresholds per embedder are
   calibrated on PubMedQA dev questions by ``scripts/calibrate_support.py``.
3. Unsupported and uncited sentences are flagged (``supported=False``) and left out of the
   answer text; the reference list is rebuilt from stored passage metadata only
   (:func:`medcite.answer.citations.references_for`), numbered by first appearance in the answer.
4. When no supported sentence remains the caller falls back (extractive answer or abstention).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..chunking import split_sentences
from .citations import clean_markers, markers_in, references_for, renumber
from ..documents import AnswerSentence, Passage, Reference
from ..embedding import Embedder
from ..retrieval import uses_corpus_script

#: Support-score thresholds (0..1) per embedder: ``(latin-script sentences, other scripts)``.
#: Calibrated with ``scripts/calibrate_support.py`` (Youden's J over PubMedQA dev pairs: a
#: question's conclusion sentences vs its own abstract without the conclusion = supported; the
#: same sentences vs the nearest other abstract = unsupported). See that script for the rates.
SUPPORT_THRESHOLDS: dict[str, tuple[float, float]] = {
    "e5-small": (0.62, 0.84),
    # calibrate_support.py --embedder e5-small@int8 --limit 200 (seed 13, 389 + 389 pairs): combined
    # 0.645 (TPR 0.758, FPR 0.126), cosine alone 0.889 (TPR 0.722, FPR 0.082). The same run with float
    # e5-small today gives 0.645 / 0.889 too (FPR 0.085): the float entry above predates the current scorer
    "e5-small@int8": (0.645, 0.889),
    "minilm": (0.45, 0.55),
    "hashing": (0.35, 0.30),
}
DEFAULT_SUPPORT_THRESHOLD = (0.5, 0.6)

_STOP = set(
    ["a", "an", "the", "and", "or", "but", "if", "of", "in", "on", "at", "to", "for", "from", "by", "with", "without", "as", "is", "are", "was", "were", "be", "been", "being", "this", "that", "these", "those", "it", "its", "their", "there", "here", "which", "who", "whom", "whose", "what", "when", "where", "why", "how", "than", "then", "so", "such", "not", "no", "nor", "can", "could", "may", "might", "must", "should", "would", "will", "shall", "do", "does", "did", "done", "have", "has", "had", "having", "into", "onto", "over", "under", "between", "among", "also", "more", "most", "less", "least", "very", "both", "each", "either", "neither", "other", "another", "any", "all", "some", "many", "much", "few", "several", "our", "we", "you", "they", "he", "she", "his", "her", "them", "us", "i", "me", "my", "your", "study", "studies", "patients", "patient", "results", "result", "conclusion", "conclusions", "data", "group", "groups", "analysis", "using", "used", "use", "based", "however", "therefore", "thus", "while", "whether", "during", "after", "before", "about", "against", "within"]
)
_WORD = re.compile(r"[^\W_]+(?:[.,][0-9]+)?", re.UNICODE)
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?(?![\w])")
_CJK_END = re.compile(r"[。！？](?:\s*\[\d+\])*|[.!?](?:\s*\[\d+\])*\s+(?=[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af])")
_LEAD_MARKERS = re.compile(r"^(?:\s*\[\d+\])+")
NO_ANSWER_PATTERNS = (
    re.compile(r"sources do not answer", re.IGNORECASE),
    re.compile(r"not (?:answer|address)(?:ed)? (?:by|in) the sources", re.IGNORECASE),
    re.compile(r"资料(?:未|没有)回答|来源(?:未|没有|不能)回答"),
)


def split_answer(text: str) -> list[str]:
    """Split generated text into sentences, keeping each citation marker with the sentence it
    follows (``"A. [1] B."`` → ``["A. [1]", "B."]``); CJK full stops also end a sentence."""
    pieces: list[str] = []
    for s, e in split_sentences(text):
        seg = text[s:e]
        pos = 0
        for m in _CJK_END.finditer(seg):
            pieces.append(seg[pos:m.end()].rstrip())
            pos = m.end()
        if seg[pos:].strip():
            pieces.append(seg[pos:])
    out: list[str] = []
    for p in pieces:
        m = _LEAD_MARKERS.match(p)
        if m and out:
            out[-1] = out[-1].rstrip() + " " + m.group(0).strip()
            p = p[m.end():]
        if p.strip():
            out.append(p.strip())
    return out


def strip_markers(sentence: str) -> str:
    """The sentence without ``[n]`` markers."""
    return re.sub(r"\s*\[\d+\]", "", sentence).strip()


def content_words(text: str) -> list[str]:
    """Lower-cased content words (stop words dropped), truncated to 6 characters; numbers kept."""
    out = []
    for w in _WORD.findall(text.lower()):
        if w in _STOP or (len(w) < 3 and not w[0].isdigit()):
            continue
        out.append(w[:6])
    return out


def numbers_in(text: str) -> set[str]:
    """Numerals written in ``text`` (``"45"``, ``"2.3"``; commas as decimal points normalised)."""
    return {n.replace(",", ".") for n in _NUMBER.findall(text)}


def says_no_answer(text: str) -> bool:
    """Whether the model said the sources do not answer."""
    return any(p.search(text) for p in NO_ANSWER_PATTERNS)


def thresholds_for(embedder_name: str, override: float | None = None) -> tuple[float, float]:
    """``(latin, other-script)`` support thresholds; ``override`` replaces the Latin one."""
    lat, other = SUPPORT_THRESHOLDS.get(embedder_name, DEFAULT_SUPPORT_THRESHOLD)
    return (override if override is not None else lat), other


@dataclass
class SupportScore:
    """Support of one sentence by one passage: ``score`` (0..1), its parts, and whether the
    sentence's numbers all occur in the passage."""

    score: float
    cosine: float
    overlap: float
    numbers_ok: bool


class SupportScorer:
    """Scores how well a passage supports a sentence (see the module docstring).

    Args:
        embedder: the index's embedder.
    """

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self._windows: dict[str, tuple[list[str], np.ndarray]] = {}

    def _passage_windows(self, text: str) -> tuple[list[str], np.ndarray]:
        hit = self._windows.get(text)
        if hit is None:
            sents = [text[s:e] for s, e in split_sentences(text)] or [text]
            wins = sents + [a + " " + b for a, b in zip(sents, sents[1:])]
            hit = (wins, self.embedder.embed_documents(wins))
            if len(self._windows) > 256:
                self._windows.clear()
            self._windows[text] = hit
        return hit

    def score_many(self, sentences: list[str], passages: list[str]) -> list[SupportScore]:
        """Score ``sentences[i]`` against ``passages[i]`` (marker-free text)."""
        if not sentences:
            return []
        sv = self.embedder.embed_documents(sentences)
        out = []
        for i, (sent, ptext) in enumerate(zip(sentences, passages)):
            _wins, wv = self._passage_windows(ptext)
            cos = float(np.max(wv @ sv[i])) if len(wv) else 0.0
            cw = content_words(sent)
            pw = set(content_words(ptext))
            overlap = (sum(1 for w in cw if w in pw) / len(cw)) if cw else 0.0
            nums_ok = numbers_in(sent) <= numbers_in(ptext)
            if uses_corpus_script(sent):
                score = (max(cos, 0.0) + overlap) / 2
            else:
                score = max(cos, 0.0)
            out.append(SupportScore(round(score, 4), round(cos, 4), round(overlap, 4), nums_ok))
        return out

    def score(self, sentence: str, passage: str) -> SupportScore:
        """Score one sentence against one passage."""
        return self.score_many([sentence], [passage])[0]


@dataclass
class GuardReport:
    """What the guard did to one generated answer.

    Attributes:
        text: the answer shown to the user: supported sentences only, markers renumbered to
            the references (``""`` when none is supported).
        sentences: every sentence, in order, with its (renumbered) citations, support flag and
            score; unsupported and uncited sentences have ``supported=False``.
        references: rebuilt from passage metadata, numbered by first appearance (supported
            sentences first, then passages cited only by flagged ones).
        removed_markers: citation numbers removed as naming no sent passage.
        unsupported: cited sentences that no cited passage supports.
        uncited: sentences without any citation.
        model_said_no_answer: the model replied that the sources do not answer.
        threshold: the Latin-script support threshold used.
    """

    text: str
    sentences: list[AnswerSentence]
    references: list[Reference]
    removed_markers: int = 0
    unsupported: int = 0
    uncited: int = 0
    model_said_no_answer: bool = False
    threshold: float = 0.0
    reasons: list[str] = field(default_factory=list)

    @property
    def supported(self) -> int:
        """Number of supported sentences."""
        return sum(1 for s in self.sentences if s.supported)

    def to_json(self) -> dict:
        """Counts for ``--json`` (the sentences and references travel in the Answer)."""
        return {
            "removed_markers": self.removed_markers, "supported_sentences": self.supported,
            "unsupported_sentences": self.unsupported, "uncited_sentences": self.uncited,
            "model_said_no_answer": self.model_said_no_answer, "support_threshold": self.threshold,
            "flagged": self.reasons,
        }


class CitationGuard:
    """Checks a generated answer against the passages that were sent.

    Args:
        embedder: the index's embedder (for the support cosine).
        threshold: Latin-script support threshold (0..1); default: calibrated per embedder.
    """

    def __init__(self, embedder: Embedder, threshold: float | None = None) -> None:
        self.scorer = SupportScorer(embedder)
        self.threshold, self.other_threshold = thresholds_for(embedder.name, threshold)

    def check(self, raw: str, sent: list[Passage]) -> GuardReport:
        """Guard ``raw`` (model text) given the passages ``sent`` (numbered 1..k in that order)."""
        cleaned = clean_markers(raw, len(sent))
        sentences = split_answer(cleaned.text)
        no_answer = says_no_answer(raw)
        pairs: list[tuple[int, int]] = []  # (sentence index, passage number)
        cites = [markers_in(s) for s in sentences]
        for i, ns in enumerate(cites):
            for n in ns:
                pairs.append((i, n))
        bare = [strip_markers(s) for s in sentences]
        scores = self.scorer.score_many([bare[i] for i, _ in pairs], [sent[n - 1].text or sent[n - 1].title for _, n in pairs])
        best: dict[int, tuple[float, bool]] = {}
        for (i, _n), sc in zip(pairs, scores):
            thr = self.threshold if uses_corpus_script(bare[i]) else self.other_threshold
            ok = sc.score >= thr
            prev = best.get(i)
            if prev is None or (ok, sc.score) > (prev[1], prev[0]):
                best[i] = (sc.score, ok)
        # numbers must occur in at least one cited passage
        nums_ok = {i: any(sc.numbers_ok for (j, _), sc in zip(pairs, scores) if j == i) for i in best}
        flags: list[tuple[bool, float | None]] = []
        reasons: list[str] = []
        unsupported = uncited = 0
        for i, s in enumerate(sentences):
            if not cites[i]:
                if bare[i] and not no_answer:
                    uncited += 1
                    reasons.append(f"uncited: {bare[i][:120]}")
                flags.append((False, None))
                continue
            score, ok = best[i]
            if ok and not nums_ok[i]:
                ok = False
                reasons.append(f"numbers not in the cited source: {bare[i][:120]}")
            elif not ok:
                reasons.append(f"unsupported (score {score:.2f} < {self.threshold:.2f}): {bare[i][:120]}")
            unsupported += 0 if ok else 1
            flags.append((ok, score))
        order: list[int] = []
        for want in (True, False):
            for i, ns in enumerate(cites):
                if flags[i][0] == want:
                    order.extend(n for n in ns if n not in order)
        refs = references_for(sent, order)
        out_sents = []
        for i, s in enumerate(sentences):
            if not bare[i]:
                continue
            mapping = {old: new for new, old in enumerate(order, start=1)}
            out_sents.append(AnswerSentence(renumber(s, order), [mapping[n] for n in cites[i]], flags[i][0], flags[i][1]))
        text = " ".join(s.text for s in out_sents if s.supported)
        return GuardReport(
            text, out_sents, refs, cleaned.removed, unsupported, uncited, no_answer, self.threshold, reasons,
        )
