"""``Medcite``: the one object the front ends (CLI, HTTP, LangChain) call.

It owns the settings, loads the index and the embedder once (lazily), and exposes ``ask``,
``search``, ``index_build``, ``index_update``, ``index_info``. It never prints.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .answer import Answerer
from .answer.extractive import ExtractiveAnswerer
from .chunking import ChunkerSettings
from .config import Settings
from .documents import Answer, Document, Passage
from .embedding import Embedder, get_embedder
from .errors import UsageError
from .index import Index, resolve_index_path
from .index.manifest import Manifest
from .index.versions import IndexDir
from .index.writer import IndexWriter, WriteReport
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

    def embedder_for_index(self) -> Embedder:
        """The embedder: the injected one, else the one the index manifest names."""
        if self._embedder is None:
            d = IndexDir(self.index_path)
            name = Manifest.read(d.current_path()).embedder["name"] if d.exists() else self.settings.embedder
            self._embedder = get_embedder(name)
        return self._embedder

    def index(self) -> Index:
        """The loaded index (opened once; reopened when a newer version was published)."""
        with self._lock:
            if self._index is None:
                self._index = Index(self.index_path)
            return self._index

    def reload_if_changed(self) -> bool:
        """Reopen the index when ``CURRENT`` names a newer version. Returns whether it did."""
        d = IndexDir(self.index_path)
        with self._lock:
            if self._index is not None and d.exists() and d.current_name() != self._index.version:
                new = Index(self.index_path)
                self._index, self._retriever = new, None
                return True
        return False

    def retriever(self) -> Retriever:
        """Retriever over the loaded index."""
        ix = self.index()
        if self._retriever is None or self._retriever.index is not ix:
            self._retriever = Retriever(ix, self.embedder_for_index())
        return self._retriever

    def options(self, **overrides) -> SearchOptions:
        """:class:`SearchOptions` from settings, with ``overrides`` (``None`` values ignored)."""
        s = self.settings
        base = dict(
            top_k=s.top_k, max_per_paper=s.max_per_paper, candidates=s.candidates, rrf_k=s.rrf_k,
            bm25_weight=s.bm25_weight, dense_weight=s.dense_weight,
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
        if not question or not question.strip():
            raise UsageError("the question is empty")
        t0 = time.perf_counter()
        passages = self.search(question, **opts)
        t1 = time.perf_counter()
        answerer = answerer or ExtractiveAnswerer(
            self.embedder_for_index(), self.settings.answer_sentences, self.settings.abstain_threshold
        )
        ans = answerer.answer(question, passages)
        ans.timings = {"retrieve": t1 - t0, **ans.timings, "total": time.perf_counter() - t0}
        return ans

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
        emb = embedder or self._embedder or get_embedder(self.settings.embedder)
        chunker = None
        if self.settings.chunk_max_tokens:
            chunker = ChunkerSettings(self.settings.chunk_max_tokens, self.settings.chunk_overlap_tokens)
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
