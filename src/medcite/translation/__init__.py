"""Translation of question terms across languages for retrieval and relevance.

:mod:`medcite.translation.cedict`: Chinese terms to English glosses with CC-CEDICT (a BM25 query
beside the dense one, and a language-independent check that a passage is about the question).
"""

from .cedict import cedict, coverage, is_chinese, key_terms, lexical_query, matched_terms, segment

__all__ = ["cedict", "coverage", "is_chinese", "key_terms", "lexical_query", "matched_terms", "segment"]
