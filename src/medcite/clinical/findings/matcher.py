"""Dictionary matching of phenotype names in tokenised text: HPO names and EXACT synonyms, the
hand-checked lay lexicon, and the Chinese/Spanish fallback lexicons.

Longest match wins (a span is never matched inside another match), and a phrase only matches
whole tokens (see :mod:`.tokens`). The phrase tables are built once per process.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass

from .hpo import vocabulary
from .lexicon import ABBREVIATIONS, LAY_EN, LEXICON_ES, LEXICON_ZH, NEGATED_EN, SKIP_PHRASES
from .tokens import Token, normalise, phrase_key, tokenize

MAX_PHRASE_TOKENS = 12
_MIN_SYNONYM_CHARS = 4  # shorter synonyms are mostly abbreviations ("ASD", "VSD")


@dataclass(frozen=True)
class Entry:
    """What a phrase means: the HPO id, how it is known (``via``) and whether the phrase itself
    names the finding as absent (``"afebrile"``)."""

    concept_id: str
    via: str
    negated: bool = False


@dataclass(frozen=True)
class Match:
    """A matched phrase: token span ``[i, j)``, characters ``[start, end)`` and its entry."""

    i: int
    j: int
    start: int
    end: int
    entry: Entry


_TABLES: dict[str, dict[tuple[str, ...], Entry]] = {}
_LOCK = threading.Lock()


def _build_en() -> dict[tuple[str, ...], Entry]:
    vocab = vocabulary()
    table: dict[tuple[str, ...], Entry] = {}
    skip = {phrase_key(p) for p in SKIP_PHRASES}
    for tid, syns in vocab.synonyms.items():
        for s in syns:
            key = phrase_key(s)
            if sum(c.isupper() for c in s) >= 2 and " " not in s and len(s) <= 6 and s.lower() not in ABBREVIATIONS:
                continue  # "PACs", "GIST", "SRED": abbreviations that are other words in case notes
            if len(s) >= _MIN_SYNONYM_CHARS and key and key not in skip and len(key) <= MAX_PHRASE_TOKENS:
                table.setdefault(key, Entry(tid, "hpo-synonym"))
    for tid, name in vocab.names.items():  # names override synonyms of other terms
        key = phrase_key(name)
        if key and key not in skip and len(key) <= MAX_PHRASE_TOKENS:
            table[key] = Entry(tid, "hpo-name")
    for phrase, tid in LAY_EN.items():
        key = phrase_key(phrase)
        if table.get(key, Entry("", "")).concept_id != tid:
            table[key] = Entry(tid, "lexicon")
    for phrase, tid in NEGATED_EN.items():
        table[phrase_key(phrase)] = Entry(tid, "lexicon", negated=True)
    return table


def _build_es() -> dict[tuple[str, ...], Entry]:
    return {phrase_key(p): Entry(t, "lexicon") for p, t in LEXICON_ES.items()}


def table(name: str = "en") -> dict[tuple[str, ...], Entry]:
    """The phrase table ``name`` (``"en"`` or ``"es"``): normalised token tuple → :class:`Entry`."""
    if name not in _TABLES:
        with _LOCK:
            if name not in _TABLES:
                _TABLES[name] = _build_en() if name == "en" else _build_es()
    return _TABLES[name]


#: punctuation that separates list items or clauses: a phrase never matches across it ("knee and
#: ankle reflexes absent, biceps reflexes reduced" holds no "absent biceps")
_SEPARATOR = re.compile(r"[,;:()\[\]，、；：。（）]|[.!?](?=\s|$)")


def match_tokens(tokens: list[Token], tables: list[dict[tuple[str, ...], Entry]], text: str | None = None) -> list[Match]:
    """Longest-first, left-to-right matches of the phrases of ``tables`` in ``tokens`` (earlier
    tables win ties of equal length). Matches never overlap. With ``text`` (the string the
    tokens come from), a phrase never spans a separator (comma, semicolon, colon, bracket,
    sentence end) between two of its tokens."""
    norms = [t.norm for t in tokens]
    n = len(tokens)
    # reach[i]: the first token index after i that lies beyond a separator (phrases stop before it)
    reach = [n] * n
    if text is not None:
        nxt = n
        for k in range(n - 1, -1, -1):
            reach[k] = nxt
            if k > 0 and _SEPARATOR.search(text, tokens[k - 1].end, tokens[k].start):
                nxt = k
    out: list[Match] = []
    i = 0
    while i < n:
        found = None
        for j in range(min(n, i + MAX_PHRASE_TOKENS, reach[i]), i, -1):
            key = tuple(norms[i:j])
            for tab in tables:
                e = tab.get(key)
                if e is not None:
                    found = Match(i, j, tokens[i].start, tokens[j - 1].end, e)
                    break
            if found:
                break
        if found:
            out.append(found)
            i = found.j
        else:
            i += 1
    return out


def match_zh(text: str) -> list[tuple[int, int, Entry]]:
    """Chinese lexicon phrases in ``text`` as ``(start, end, entry)``, longest first, not overlapping
    (Chinese has no spaces, so this matches substrings of CJK runs)."""
    phrases = sorted(LEXICON_ZH, key=len, reverse=True)
    taken = [False] * len(text)
    out = []
    for p in phrases:
        start = text.find(p)
        while start >= 0:
            end = start + len(p)
            if not any(taken[start:end]):
                out.append((start, end, Entry(LEXICON_ZH[p], "lexicon")))
                for k in range(start, end):
                    taken[k] = True
            start = text.find(p, end)
    return sorted(out)


def is_known_word(word: str) -> bool:
    """Whether ``word`` alone is a phrase of the English table (used to keep context triggers
    such as ``"no"`` from being read as findings)."""
    return (normalise(word),) in table("en")


def concepts_in(text: str) -> set[str]:
    """HPO ids of the English phrases named anywhere in ``text`` (HPO names, synonyms and the lay
    lexicon; status not read), e.g. to see which findings a passage about a condition mentions
    in its own words ("painful urination" → Dysuria)."""
    return {m.entry.concept_id for m in match_tokens(tokenize(text), [table("en")], text) if not m.entry.negated}
