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
        return [self.bm25.vocab_dict[t] for t in tokenize([query])[0] if t in self.bm25.vocab_dict]

    def _matrices(self):
        """``(csc, csr)``: the BM25 term weights as ``(n_rows, vocabulary)`` scipy sparse
        matrices (bm25s stores them by term; rows are derived once, on first use)."""
        if getattr(self, "_csc", None) is None:
            import scipy.sparse as sp

            s = self.bm25.scores
            csc = sp.csc_matrix((s["data"], s["indices"], s["indptr"]), shape=(int(s["num_docs"]), len(s["indptr"]) - 1))
            self._csr = csc.tocsr()
            self._csc = csc
        return self._csc, self._csr

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
        csc, csr = self._matrices()
        sub = csr[np.asarray(rows, dtype=np.int64)]
        norms = np.asarray(sub.sum(axis=1)).ravel()
        tw = np.asarray(sub.multiply(1.0 / np.maximum(norms, 1e-12)[:, None]).sum(axis=0)).ravel() / len(rows)
        nz = np.flatnonzero(tw)
        if not len(nz):
            return self.scores(query)
        top = nz[np.argsort(-tw[nz], kind="stable")[:terms]]
        weights: dict[int, float] = {}
        for t in qt:
            weights[t] = weights.get(t, 0.0) + query_weight / len(qt)
        mass = float(tw[top].sum())
        for t in top.tolist():
            weights[t] = weights.get(t, 0.0) + (1.0 - query_weight) * float(tw[t]) / mass
        ids = np.fromiter(weights, dtype=np.int64)
        w = np.fromiter(weights.values(), dtype=np.float64)
        return np.asarray(csc[:, ids] @ w, dtype=np.float32).ravel()

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query``: ``(n_rows,) float32`` (0 where no term matches)."""
        if self.bm25 is None:
            return np.zeros(0, np.float32)
        toks = [t for t in tokenize([query])[0] if t in self.bm25.vocab_dict]
        if not toks:
            return np.zeros(len(self.chunk_ids), np.float32)
        return np.asarray(self.bm25.get_scores(toks), dtype=np.float32)
