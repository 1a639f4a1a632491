"""Generative answers: retrieve → fitted prompt → language model → citation guard.

:class:`GenerativeAnswerer` implements :class:`~medcite.answer.Answerer` for any
:class:`~medcite.answer.generators.ChatGenerator`. The model never gets the last word:

* below the calibrated evidence threshold it is not called (the answer abstains, as the
  extractive answerer does);
* its text goes through :class:`~medcite.answer.guard.CitationGuard` (invalid markers removed and
  counted, cited sentences checked against their passages, references rebuilt from metadata);
* when no supported sentence remains, the answer falls back to the extractive answer or
  abstains (``fallback``), and says which in ``notes`` and ``extra["guard"]["fallback"]``.

For a non-English question (:mod:`medcite.answer.multilingual`) :meth:`queries` returns the English
rewrite and the question for RRF-fused retrieval, and the answer is requested in the
question's language.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from ..documents import Answer, Passage
from ..embedding import Embedder
from ..errors import GeneratorError
from .guard import CitationGuard, GuardReport
from .multilingual import detect_language, queries_for
from . import ABSTAIN_TEXT
from .extractive import ExtractiveAnswerer, threshold_for
from .generators.base import ChatGenerator, Generation
from .prompting import Prompt, build_prompt

FALLBACKS = ("extractive", "abstain")


class GenerativeAnswerer:
    """Answers with a generating model, every citation checked.

    Args:
        generator: the model (see :mod:`medcite.answer.generators`).
        embedder: the index's embedder (guard support scores, abstention threshold).
        fallback: ``"extractive"`` or ``"abstain"`` when nothing supported remains.
        max_tokens: answer length limit (tokens); also the room reserved in the prompt.
        abstain_threshold: evidence cosine below which the model is not called (default:
            calibrated per embedder, as for the extractive answerer).
        support_threshold: guard threshold override (0..1).
        multilingual: rewrite non-English questions into English for retrieval.

    Raises:
        GeneratorError: an unknown ``fallback``.
    """

    def __init__(
        self,
        generator: ChatGenerator,
        embedder: Embedder,
        fallback: str = "extractive",
        max_tokens: int | None = None,
        abstain_threshold: float | None = None,
        support_threshold: float | None = None,
        multilingual: bool = True,
        extractive: ExtractiveAnswerer | None = None,
    ) -> None:
        if fallback not in FALLBACKS:
            raise GeneratorError(f"unknown fallback {fallback!r}: use extractive or abstain")
        self.generator = generator
        self.embedder = embedder
        self.name = generator.name
        self.fallback = fallback
        self.max_tokens = max_tokens or generator.max_tokens
        self.threshold = threshold_for(embedder.name, abstain_threshold)
        self.guard = CitationGuard(embedder, support_threshold)
        self.multilingual = multilingual
        self.extractive = extractive or ExtractiveAnswerer(embedder, threshold=abstain_threshold)
        self._lang: dict[str, tuple[str, str]] = {}

    # -- retrieval side --------------------------------------------------------------------
    def queries(self, question: str) -> list[str]:
        """Queries to retrieve with: ``[question]``, or ``[english rewrite, question]`` for a
        non-English question (fused by RRF in :meth:`Retriever.search`).

        Raises:
            GeneratorError: the rewrite call failed.
        """
        if not self.multilingual:
            return [question]
        qs, lang, en = queries_for(self.generator, question)
        self._lang[question] = (lang, en)
        return qs

    # -- answer side -----------------------------------------------------------------------
    def prompt(self, question: str, passages: list[Passage]) -> Prompt:
        """The fitted prompt: ≤ context − max_tokens tokens as counted by the generator.

        Raises:
            GeneratorError: not even the question fits the context window.
        """
        lang = self._lang.get(question, (detect_language(question), ""))[0]
        hint = "" if lang == "English" else lang
        try:
            return build_prompt(
                question, passages, self._count_text, self.generator.context_tokens, self.max_tokens,
                language_hint=hint, count_messages=self.generator.count,
            )
        except ValueError as e:
            raise GeneratorError(f"{e} ({self.generator.name}: {self.generator.context_tokens}-token context)") from e

    def _count_text(self, text: str) -> int:  # only used when count_messages is absent
        return self.generator.count("", text)

    def _precheck(self, question: str, passages: list[Passage], t0: float) -> Answer | None:
        best = max((p.dense_score for p in passages if p.dense_score is not None), default=-1.0)
        if not passages or best < self.threshold:
            ans = self.extractive.answer(question, passages)  # abstains with its reason
            ans.generator = self.name
            ans.extra.update({
                "tokens_in": None, "tokens_out": None, "passages_sent": 0, "sent_chunk_ids": [],
                "guard": {"fallback": "abstain", "reason": "evidence below the relevance threshold; the model was not called"},
            })
            ans.timings = {"answer": time.perf_counter() - t0}
            return ans
        return None

    def answer(self, question: str, passages: list[Passage]) -> Answer:
        """See :class:`~medcite.answer.Answerer`.

        Raises:
            GeneratorError: the model failed or could not be reached.
        """
        out = None
        for item in self.stream(question, passages):
            if isinstance(item, Answer):
                out = item
        assert out is not None
        return out

    def stream(self, question: str, passages: list[Passage], live: bool = False) -> Iterator[str | Answer]:
        """Yield the model's raw text pieces as they come (``live=True`` streams from the model;
        otherwise one piece), then the guarded :class:`Answer`.

        Raises:
            GeneratorError: the model failed, could not be reached, or its stream was cut.
        """
        t0 = time.perf_counter()
        pre = self._precheck(question, passages, t0)
        if pre is not None:
            yield pre
            return
        prompt = self.prompt(question, passages)
        t1 = time.perf_counter()
        if not prompt.passages:
            yield self._fallback(question, passages, None, prompt, None, t0, {"prompt": t1 - t0}, "no passage fits the context window")
            return
        gen: Generation | None = None
        if live:
            for piece in self.generator.stream(prompt.system, prompt.user, self.max_tokens):
                if isinstance(piece, Generation):
                    gen = piece
                else:
                    yield piece
        else:
            gen = self.generator.generate(prompt.system, prompt.user, self.max_tokens)
            yield gen.text
        assert gen is not None
        t2 = time.perf_counter()
        report = self.guard.check(gen.text, prompt.passages)
        t3 = time.perf_counter()
        timings = {"prompt": t1 - t0, "generate": t2 - t1, "guard": t3 - t2}
        if report.supported == 0:
            why = ("the model said the sources do not answer" if report.model_said_no_answer
                   else "no generated sentence was supported by the passage it cites")
            yield self._fallback(question, passages, gen, prompt, report, t0, timings, why)
            return
        notes = self._notes(report, prompt)
        ans = Answer(
            question, report.text, False, report.references, report.sentences, generator=self.name,
            confidence=float(max(p.dense_score or -1.0 for p in passages)), notes=notes,
            timings={**timings, "answer": time.perf_counter() - t0},
        )
        ans.extra.update(self._extra(question, gen, prompt, report, None))
        yield ans

    @staticmethod
    def _notes(report: GuardReport, prompt: Prompt) -> list[str]:
        notes = []
        if report.removed_markers:
            notes.append(f"{report.removed_markers} invalid citation marker(s) removed (they named no source that was sent)")
        flagged = report.unsupported + report.uncited
        if flagged:
            notes.append(f"{flagged} generated sentence(s) flagged as not supported by a cited source and left out of the answer")
        if prompt.dropped:
            notes.append(f"{prompt.dropped} passage(s) left out to fit the model's context window")
        return notes

    def _extra(self, question: str, gen: Generation | None, prompt: Prompt, report: GuardReport | None, fallback: str | None) -> dict:
        lang, en = self._lang.get(question, (detect_language(question), ""))
        g = report.to_json() if report else {}
        g["fallback"] = fallback
        return {
            "language": lang,
            "english_query": en,
            "tokens_in": gen.tokens_in if gen else None,
            "tokens_out": gen.tokens_out if gen else None,
            "tokens_per_second": round(gen.tokens_per_second, 2) if gen and gen.tokens_per_second else None,
            "finish_reason": gen.finish_reason if gen else "",
            "prompt_tokens_counted": prompt.tokens,
            "context_tokens": self.generator.context_tokens,
            "passages_sent": len(prompt.passages),
            "sent_chunk_ids": [p.chunk_id for p in prompt.passages],
            "raw_answer": gen.text if gen else "",
            "guard": g,
        }

    def _fallback(self, question, passages, gen, prompt, report, t0, timings, why: str) -> Answer:
        if self.fallback == "extractive":
            ans = self.extractive.answer(question, passages)
            what = "abstained" if ans.abstained else "showing the extractive answer instead"
            mode = "abstain" if ans.abstained else "extractive"
        else:
            ans = Answer(question, ABSTAIN_TEXT, True, confidence=float(max((p.dense_score or -1.0) for p in passages)))
            what, mode = "abstained", "abstain"
        ans.notes = [f"{why}; {what}"] + (self._notes(report, prompt) if report else []) + ans.notes
        ans.generator = self.name
        ans.timings = {**timings, "answer": time.perf_counter() - t0}
        ans.extra.update(self._extra(question, gen, prompt, report, mode))
        if report is not None:
            ans.extra["flagged_sentences"] = flagged_json(report)
        return ans


def flagged_json(report: GuardReport) -> list[dict]:
    """The guard's unsupported/uncited sentences with the sources they cited (PMID or id),
    for showing beside a fallback answer: never presented as supported."""
    from .guard import strip_markers

    out = []
    for s in report.sentences:
        if s.supported:
            continue
        cited = [(report.references[n - 1].pmid or report.references[n - 1].id) for n in s.citations]
        out.append({"text": strip_markers(s.text), "cited": cited, "supported": False, "support_score": s.support_score})
    return out
