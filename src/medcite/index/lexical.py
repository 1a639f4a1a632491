"""BM25 over chunk texts with bm25s (Lù 2024), English stop words and Snowball stemming.

BM25 itself: Robertson & Zaragoza 2009, "The Probabilistic Relevance Framework: BM25 and
Beyond"; k1=1.5, b=0.75 (bm25s defaults, "lucene" variant). Saved with ``bm25s.BM25.save``
(JSON + ``.npy`` without pickle) plus ``chunk_ids.npy`` mapping row → chunk id.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np


@lru_cache(maxsize=1)
def _stemmer():
    try:
        import Stemmer

        return Stemmer.Stemmer("english").stemWords
    except ImportError:  # pragma: no cover - PyStemmer is a dependency
        return None


@lru_cache(maxsize=256)
def query_tokens(query: str) -> tuple[str, ...]:
    """:func:`tokenize` of one query, cached (a search tokenizes its question more than once;
    ~0.5 ms each)."""
    return tuple(tokenize([query])[0])


def tokenize(texts: list[str]) -> list[list[str]]:
    """Lower-cased, stop-word-free, stemmed tokens of each text."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


class LexicalIndex:
    """BM25 index whose rows are chunks.

    Attributes:
        chunk_ids: ``(n_rows,) int64`` chunk id of each row, ascending.
    """

    def __init__(self, bm25: bm25s.BM25 | None, chunk_ids: np.ndarray) -> None:
        self.bm25 = bm25
        self.chunk_ids = np.asarray(chunk_ids, dtype=np.int64)

    @classmethod
    def build(cls, texts: list[str], chunk_ids: np.ndarray) -> LexicalIndex:
        """Index ``texts`` (row i belongs to ``chunk_ids[i]``)."""
        if not texts:
            return cls(None, np.zeros(0, np.int64))
        model = bm25s.BM25()
        model.index(tokenize(texts), show_progress=False)
        return cls(model, chunk_ids)

    def save(self, directory: Path) -> None:
        """Write into ``directory`` (created)."""
        directory.mkdir(parents=True, exist_ok=True)
        np.save(directory / "chunk_ids.npy", self.chunk_ids, allow_pickle=False)
        if self.bm25 is not None:
            self.bm25.save(str(directory), allow_pickle=False)

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        """Read what :meth:`save` wrote."""
        chunk_ids = np.load(directory / "chunk_ids.npy", allow_pickle=False)
        if not len(chunk_ids):
            return cls(None, chunk_ids)
        return cls(bm25s.BM25.load(str(directory), mmap=False, load_corpus=False), chunk_ids)

    def query_terms(self, query: str) -> list[int]:
        """Vocabulary ids of the query's tokens that occur in the index (repeats kept, as
        :meth:`scores` counts them)."""
        if self.bm25 is None:
            return []
        return [self.bm25.vocab_dict[t] for t in query_tokens(query) if t in self.bm25.vocab_dict]

    def _term_rows(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The BM25 term weights by row, ``(indptr, term ids, weights)`` in CSR layout (bm25s
        stores them by term; the row layout is derived once, on first use)."""
        if getattr(self, "_csr", None) is None:
            import scipy.sparse as sp

            s = self.bm25.scores
            csc = sp.csc_matrix((s["data"], s["indices"], s["indptr"]), shape=(int(s["num_docs"]), len(s["indptr"]) - 1))
            csr = csc.tocsr()
            self._csr = (csr.indptr, csr.indices, csr.data)
        return self._csr

    def feedback_scores(self, query: str, rows: np.ndarray, terms: int = 30, query_weight: float = 0.7) -> np.ndarray:
        """BM25 scores of every row for the query expanded from feedback rows (pseudo-relevance
        feedback, RM3-style).

        RM3 (Abdul-Jaleel et al. 2004, "UMass at TREC 2004: Novelty and HARD", after Lavrenko &
        Croft 2001, "Relevance-based language models") interpolates the original query with the
        ``terms`` most probable terms of the feedback documents. Here each feedback row's term
        distribution is its BM25 term weights normalised to sum to 1 (so rare, specific terms
        weigh more than under raw term frequency), the rows are averaged uniformly, and the new
        query weighs each original token ``query_weight / n_tokens`` and each expansion term
        ``(1 − query_weight) × its share of the top-``terms`` mass``.

        Args:
            query: the question.
            rows: ``(m,)`` row numbers of the feedback passages.
            terms: expansion terms kept (count).
            query_weight: λ, the original query's share of the weight (0–1).

        Returns:
            ``(n_rows,) float32``; the plain :meth:`scores` when there is nothing to expand with.
        """
        qt = self.query_terms(query)
        if self.bm25 is None or not qt or len(rows) == 0 or terms < 1:
            return self.scores(query)
        indptr, term_ids, weights = self._term_rows()
        parts_t, parts_w = [], []
        for r in np.asarray(rows, dtype=np.int64).tolist():
            t, w = term_ids[indptr[r]:indptr[r + 1]], weights[indptr[r]:indptr[r + 1]].astype(np.float64)
            if w.sum() > 0:
                parts_t.append(t)
                parts_w.append(w / w.sum() / len(rows))
        if not parts_t:
            return self.scores(query)
        vocab, inverse = np.unique(np.concatenate(parts_t), return_inverse=True)
        tw = np.bincount(inverse, weights=np.concatenate(parts_w))
        top = np.lexsort((vocab, -tw))[:terms]  # heaviest first, ties by term id
        expanded: dict[int, float] = {}
        for t in qt:
            expanded[t] = expanded.get(t, 0.0) + query_weight / len(qt)
        mass = float(tw[top].sum())
        for t, w in zip(vocab[top].tolist(), tw[top].tolist()):
            expanded[t] = expanded.get(t, 0.0) + (1.0 - query_weight) * w / mass
        s = self.bm25.scores
        cols = [(s["indices"][s["indptr"][t]:s["indptr"][t + 1]], s["data"][s["indptr"][t]:s["indptr"][t + 1]] * w) for t, w in expanded.items()]
        return np.bincount(
            np.concatenate([c for c, _ in cols]), weights=np.concatenate([v for _, v in cols]), minlength=len(self.chunk_ids)
        ).astype(np.float32)

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query``: ``(n_rows,) float32`` (0 where no term matches)."""
        if self.bm25 is None:
            return np.zeros(0, np.float32)
        toks = [t for t in query_tokens(query) if t in self.bm25.vocab_dict]
        if not toks:
            return np.zeros(len(self.chunk_ids), np.float32)
        return np.asarray(self.bm25.get_scores(toks), dtype=np.float32)
