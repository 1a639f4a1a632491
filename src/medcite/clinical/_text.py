"""Small text helpers shared by the clinical modules: content words and sentences."""

from __future__ import annotations

import functools
import re

from bm25s.stopwords import STOPWORDS_EN_PLUS

from ..chunking import split_sentences
from .spelling import american
from .terms import fold_token, tokens

#: Words that carry no clinical content in findings ("patient presents with …").
FILLER = {
    "patient", "patients", "presents", "presenting", "presented", "complains", "complaining", "history", "reports",
    "reported", "noted", "sign", "signs", "symptom", "symptoms", "include", "includes", "including", "may", "can",
    "also", "often", "usually", "sometimes", "common", "commonly", "people", "person", "individual", "affected",
    "condition", "feature", "features", "other", "some", "many", "most", "approximately", "number", "about",
    "year", "old", "month", "week", "day", "new", "recent", "recently", "mild", "severe", "moderate", "onset", "abnormality",
}
STOP = {fold_token(w) for w in set(STOPWORDS_EN_PLUS) | FILLER} | set(STOPWORDS_EN_PLUS) | FILLER


def content_tokens(text: str) -> list[str]:
    """Normalised tokens of ``text`` without stop words, filler words and 1-letter tokens, in
    American spelling (:func:`medcite.clinical.spelling.american`: "paediatric" → "pediatric")."""
    return [american(t) for t in tokens(text) if t not in STOP and (len(t) > 1 or t.isdigit())]


def sentences(text: str) -> list[str]:
    """Sentences of ``text`` (verbatim substrings), via :func:`medcite.chunking.split_sentences`.
    A new list each call (the split itself is memoised per text)."""
    return list(_sentences(text))


@functools.lru_cache(maxsize=1 << 14)
def _sentences(text: str) -> tuple[str, ...]:
    """The memoised split behind :func:`sentences`."""
    return tuple(text[s:e] for s, e in split_sentences(text))


def has_number(sentence: str) -> bool:
    """Whether a sentence reports a quantity (digits, %, p-value, CI)."""
    return bool(re.search(r"\d", sentence))
