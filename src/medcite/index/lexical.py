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

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query``: ``(n_rows,) float32`` (0 where no term matches)."""
        if self.bm25 is None:
            return np.zeros(0, np.float32)
        toks = [t for t in tokenize([query])[0] if t in self.bm25.vocab_dict]
        if not toks:
            return np.zeros(len(self.chunk_ids), np.float32)
        return np.asarray(self.bm25.get_scores(toks), dtype=np.float32)
