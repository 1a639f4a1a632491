"""Word tokens with character offsets, normalised the same way for the text and the vocabulary.

Normalisation: Unicode NFKD with accents dropped, lower case, British spellings of the
commonest clinical stems folded to American (``haem``→``hem``, ``oedema``→``edema``,
``diarrhoea``→``diarrhea``, ``anaem``→``anem``), and a plural ``-s`` dropped from words of more
than four letters (not ``-ss``, ``-us``, ``-is``), so ``crackles`` meets ``Crackles`` and
``headaches`` meets ``Headache``. No matching inside words: a phrase only matches whole tokens.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_UK = [("haem", "hem"), ("oedema", "edema"), ("oesoph", "esoph"), ("diarrhoea", "diarrhea"),
       ("anaem", "anem"), ("aemia", "emia"), ("dyspnoea", "dyspnea"), ("tachypnoea", "tachypnea"),
       ("apnoea", "apnea")]


@dataclass(frozen=True)
class Token:
    """One word: ``norm`` is the normalised form, ``start``/``end`` offsets in the text."""

    norm: str
    start: int
    end: int


@lru_cache(maxsize=65536)
def normalise(word: str) -> str:
    """The normalised form of one word (see the module docstring)."""
    w = unicodedata.normalize("NFKD", word)
    w = "".join(ch for ch in w if not unicodedata.combining(ch)).lower()
    for uk, us in _UK:
        if uk in w:
            w = w.replace(uk, us)
    if len(w) > 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")) and w.isalpha():
        w = w[:-1]
    return w


def tokenize(text: str) -> list[Token]:
    """Word tokens of ``text`` (letters and digits; punctuation and spaces separate)."""
    return [Token(normalise(m.group(0)), m.start(), m.end()) for m in _WORD.finditer(text)]


def phrase_key(phrase: str) -> tuple[str, ...]:
    """The normalised token tuple a vocabulary phrase is indexed under."""
    return tuple(t.norm for t in tokenize(phrase))


_SENTENCE = re.compile(r"(?<=[.!?])\s+|[\n;；。！？]")


def sentence_at(text: str, pos: int) -> str:
    """The sentence (or list item: ``;`` and line breaks also end one) of ``text`` holding
    character ``pos``."""
    left = 0
    for m in _SENTENCE.finditer(text, 0, pos):
        left = m.end()
    m = _SENTENCE.search(text, pos)
    return text[left:m.start() if m else len(text)]
