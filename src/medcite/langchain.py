"""LangChain integration: a retriever over a medcite index, and the citation guard for any
chat model's answer.

- :class:`MedciteRetriever` — a ``langchain_core`` ``BaseRetriever``: ``invoke(question)``
  returns ``Document``s whose ``page_content`` is the passage text and whose ``metadata``
  holds ``pmid``, ``title``, ``year``, ``section``, ``score``, ``doc_id``, ``url``,
  ``chunk_id`` (and ``journal``, ``dense_score``, ``bm25_score``, ``rank``, ``start``, ``end``).
- :func:`guarded_answer` — numbered prompt (:func:`medcite.answer.prompting.build_prompt`) →
  any chat model → :func:`answer_from_text`: markers naming no sent passage are removed and
  counted, sentences are checked against their cited passages (:mod:`medcite.answer.guard`, given the
  index's embedder), references are rebuilt from stored metadata (never from model text).
- :func:`guarded_chain` — the two above as one LCEL runnable: ``question → Answer``.

See ``docs/langchain.md`` for an LCEL example.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import Runnable, RunnableLambda, RunnableParallel, RunnablePassthrough
from pydantic import ConfigDict, Field, PrivateAttr

from .answer import ABSTAIN_TEXT
from .answer.prompting import build_prompt
from .chunking import split_sentences
from .answer.citations import clean_markers, markers_in, references_for, renumber
from .documents import Answer, AnswerSentence, Passage

#: What the prompt tells a model to reply when the sources do not answer
#: (:data:`medcite.answer.prompting.SYSTEM_RULES`).
MODEL_ABSTAIN = re.compile(r"the sources do not answer (this|the) question", re.IGNORECASE)

PASSAGE_KEYS = ("doc_id", "chunk_id", "pmid", "title", "year", "journal", "section", "score", "dense_score", "bm25_score", "rank", "url", "start", "end")


def passage_to_document(p: Passage) -> LCDocument:
    """A LangChain ``Document`` for a retrieved :class:`Passage` (metadata: :data:`PASSAGE_KEYS`)."""
    meta = {k: getattr(p, k) for k in PASSAGE_KEYS}
    meta["mesh_terms"] = list(p.mesh_terms)
    meta["publication_types"] = list(p.publication_types)
    return LCDocument(page_content=p.text, metadata=meta, id=str(p.chunk_id))


def document_to_passage(d: LCDocument | Passage) -> Passage:
    """Inverse of :func:`passage_to_document` (a :class:`Passage` is returned as is).

    Raises:
        ValueError: the document has no ``doc_id`` in its metadata (it did not come from
            :class:`MedciteRetriever`).
    """
    if isinstance(d, Passage):
        return d
    m = d.metadata or {}
    if "doc_id" not in m:
        raise ValueError("a document without metadata['doc_id'] cannot be cited: use MedciteRetriever's documents")
    return Passage(
        chunk_id=int(m.get("chunk_id", -1)), doc_id=str(m["doc_id"]), text=d.page_content, section=m.get("section", ""),
        start=int(m.get("start", 0)), end=int(m.get("end", len(d.page_content))), title=m.get("title", ""),
        pmid=m.get("pmid"), year=m.get("year"), journal=m.get("journal", ""),
        mesh_terms=list(m.get("mesh_terms", [])), publication_types=list(m.get("publication_types", [])),
        score=float(m.get("score", 0.0)), dense_score=m.get("dense_score"), bm25_score=m.get("bm25_score"), rank=int(m.get("rank", 0)),
    )


class MedciteRetriever(BaseRetriever):
    """Retrieve passages from a medcite index as LangChain ``Document``s (best first).

    Attributes:
        service: the :class:`~medcite.service.Medcite` to search (it loads the index and
            embedder once and picks up newer versions through ``reload_if_changed``).
        top_k: passages per query (count).
        mode: ``"hybrid"``, ``"bm25"`` or ``"dense"``.
        year_from, year_to: inclusive publication-year filter.
        evidence: minimum evidence level (``"rct"``, ``"systematic-review"`` …), applied before the top-k cut.
        publication_types: only papers of these PubMed publication types (empty: any).
        max_per_paper: passages per paper (``None``: the service's setting).
        reload_check_seconds: at most this often (seconds) a query first checks for a newer
            index version published by another process and switches to it (``None``: never).

    Raises (from ``invoke``):
        UsageError, IndexNotFoundError, …: see :meth:`Medcite.search`.
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    service: Any = Field(description="a medcite.service.Medcite")
    top_k: int = 5
    mode: str = "hybrid"
    year_from: int | None = None
    year_to: int | None = None
    evidence: str | None = None
    publication_types: tuple[str, ...] = ()
    max_per_paper: int | None = None
    reload_check_seconds: float | None = 1.0
    _last_check: float = PrivateAttr(default=float("-inf"))

    @classmethod
    def from_index(cls, index: str, embedder=None, **kwargs) -> MedciteRetriever:
        """A retriever over the index ``index`` (name under ``indexes/`` or a path).

        Args:
            embedder: an :class:`~medcite.embedding.Embedder` to use (default: the one the
                index was built with).
            kwargs: the retriever's fields (``top_k``, ``mode`` …).
        """
        from .config import Settings
        from .service import Medcite

        return cls(service=Medcite(Settings(index=index), embedder=embedder), **kwargs)

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        now = time.monotonic()
        if self.reload_check_seconds is not None and now - self._last_check >= self.reload_check_seconds:
            self._last_check = now
            self.service.reload_if_changed()
        passages = self.service.search(
            query, top_k=self.top_k, mode=self.mode, year_from=self.year_from, year_to=self.year_to, max_per_paper=self.max_per_paper,
            evidence=self.evidence, publication_types=tuple(self.publication_types) or None,
        )
        return [passage_to_document(p) for p in passages]


def answer_from_text(
    question: str, text: str, passages: Sequence[Passage], generator: str = "chat-model", embedder=None
) -> Answer:
    """Apply medcite's citation guard to a model's answer text.

    ``[n]`` markers that name no passage of ``passages`` (``[7]`` when 3 were sent, ``[0]``,
    malformed ones) are removed and counted; references are rebuilt from the passages' stored
    metadata and renumbered by first appearance. With ``embedder`` (the index's) the full
    :class:`medcite.answer.guard.CitationGuard` also checks that each cited passage supports its
    sentence and leaves unsupported or uncited sentences out of the text (flagged in
    ``sentences``); without it only the markers are checked and the answer says so in its notes.
    The answer abstains (:data:`~medcite.answer.ABSTAIN_TEXT`) when the model said the sources do
    not answer, or when no valid (supported) citation remains.

    Args:
        question: the question asked.
        text: the model's raw answer.
        passages: the passages sent to the model, in their ``[n]`` order.
        generator: name recorded in :attr:`Answer.generator`.
        embedder: the index's embedder, for the support check (``None``: markers only).
    """
    passages = list(passages)
    guard = _citation_guard(embedder)
    if guard is not None:
        rep = guard.check(text or "", passages)
        notes = [f"{rep.removed_markers} invalid citation marker(s) removed"] if rep.removed_markers else []
        notes += [f"left out: {r}" for r in rep.reasons]
        extra = {"citations_removed": rep.removed_markers, "guard": rep.to_json()}
        if rep.model_said_no_answer or rep.supported == 0:
            if not rep.model_said_no_answer:
                notes.append("no sentence of the model's answer is supported by a cited source, so it is not shown")
            return Answer(question, ABSTAIN_TEXT, True, sentences=rep.sentences, generator=generator, notes=notes, extra=extra)
        cited = {n for s in rep.sentences if s.supported for n in s.citations}
        refs = [r for r in rep.references if r.n in cited]
        return Answer(question, rep.text, False, refs, rep.sentences, generator=generator, notes=notes, extra=extra)

    cleaned = clean_markers(text or "", len(passages))
    notes = [f"{cleaned.removed} invalid citation marker(s) removed"] if cleaned.removed else []
    extra = {"citations_removed": cleaned.removed}
    if MODEL_ABSTAIN.search(cleaned.text) or not cleaned.cited:
        if not MODEL_ABSTAIN.search(cleaned.text):
            notes.append("the model's answer cited none of the sources sent, so it is not shown")
        return Answer(question, ABSTAIN_TEXT, True, generator=generator, notes=notes, extra=extra)
    order = cleaned.cited
    body = renumber(cleaned.text, order)
    refs = references_for(passages, order)
    sentences = []
    for s, e in split_sentences(body):
        sent = body[s:e].strip()
        if sent:
            cites = markers_in(sent)
            sentences.append(AnswerSentence(sent, cites, supported=bool(cites)))
    notes.append("whether each cited passage supports its sentence was not checked (citation numbers and references only)")
    return Answer(question, body, False, refs, sentences, generator=generator, notes=notes, extra=extra)


def _citation_guard(embedder):
    """:class:`medcite.answer.guard.CitationGuard` for ``embedder``, or ``None`` (no embedder, or a
    medcite without the support checker)."""
    if embedder is None:
        return None
    try:
        from .answer.guard import CitationGuard
    except ImportError:
        return None
    return CitationGuard(embedder)


def _estimate_tokens(text: str) -> int:
    """≈ 4 characters per token (English; a stated estimate for models whose tokenizer is unknown)."""
    return len(text) // 4 + 1


def guarded_answer(
    question: str,
    passages: Sequence[Passage | LCDocument],
    chat_model: Runnable,
    count_tokens: Callable[[str], int] | None = None,
    context_tokens: int = 4096,
    reserve_tokens: int = 512,
    embedder=None,
) -> Answer:
    """Ask ``chat_model`` to answer from numbered ``passages`` and guard its citations.

    Args:
        question: the question.
        passages: retrieved passages, best first (medcite :class:`Passage`\\ s or the
            ``Document``\\ s of :class:`MedciteRetriever`).
        chat_model: any LangChain chat model (or runnable taking a message list and returning
            a message or a string).
        count_tokens: the model's tokenizer (tokens of a string); default ≈ 4 characters/token.
        context_tokens: the model's context window (tokens).
        reserve_tokens: room kept for the answer (tokens).
        embedder: the index's embedder, for the sentence support check (``None``: markers
            only; :func:`guarded_chain` passes the retriever's).

    Returns:
        a guarded :class:`Answer` (see :func:`answer_from_text`).

    Raises:
        ValueError: not even the question fits into ``context_tokens - reserve_tokens``.
    """
    from langchain_core.messages import HumanMessage, SystemMessage

    ps = [document_to_passage(p) for p in passages]
    prompt = build_prompt(question, ps, count_tokens or _estimate_tokens, context_tokens, reserve_tokens)
    reply = chat_model.invoke([SystemMessage(prompt.system), HumanMessage(prompt.user)])
    text = reply.content if hasattr(reply, "content") else str(reply)
    if isinstance(text, list):  # content blocks
        text = "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in text)
    name = getattr(chat_model, "model_name", None) or getattr(chat_model, "model", None) or type(chat_model).__name__
    ans = answer_from_text(question, str(text), prompt.passages, generator=str(name), embedder=embedder)
    if prompt.dropped:
        ans.notes.append(f"{prompt.dropped} passage(s) left out to fit the context window")
    return ans


def guarded_chain(retriever: BaseRetriever, chat_model: Runnable, **kwargs) -> Runnable:
    """LCEL runnable ``question (str) → Answer``: retrieve, prompt, call the model, guard.

    Equivalent to::

        {"question": RunnablePassthrough(), "docs": retriever}
        | RunnableLambda(lambda x: guarded_answer(x["question"], x["docs"], chat_model))

    Args:
        kwargs: passed to :func:`guarded_answer` (``count_tokens``, ``context_tokens`` …); for a
            :class:`MedciteRetriever` the index's embedder is passed as ``embedder`` so the
            guard also checks sentence support.
    """
    if isinstance(retriever, MedciteRetriever) and "embedder" not in kwargs:
        kwargs["embedder"] = retriever.service.embedder_for_index()
    return RunnableParallel(question=RunnablePassthrough(), docs=retriever) | RunnableLambda(
        lambda x: guarded_answer(x["question"], x["docs"], chat_model, **kwargs)
    )
