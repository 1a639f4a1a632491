"""Acronyms a passage writes for a phrase the question spells out ("DBE" for "double balloon
enteroscopy").

Abstracts define an acronym once, in the background sentence, and then use it alone; a passage
cut from the rest of the abstract (PubMedQA 23831910: only "DBE" in its methods, results and
conclusions) then shares no word with a question that names the procedure in full, and the
key-concept rules (:mod:`medcite.answer.concepts`, :func:`medcite.answer.relevance.term_evidence`)
set it aside although it answers the question. An upper-case token of the passage of at least
:data:`MIN_LETTERS` letters stands for a run of consecutive question words whose initials spell it
(the initial-letter match of Schwartz & Hearst 2003, "A simple algorithm for identifying
abbreviation definitions in biomedical text", PSB, here between question and passage rather
than within one text). Two-letter acronyms (MI, AF) are too ambiguous to match by initials; the
question-side ones are read through :data:`medcite.answer.concepts.SYNONYMS`, and a passage's own
definitions ("Base Deficit (BD)", :func:`definitions`) are read at any length.
"""

from __future__ import annotations

import re

#: Shortest acronym matched by initials (two letters meet too many word pairs by chance).
MIN_LETTERS = 3
_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]{2,7})s?\b")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
#: Words an acronym skips ("quality of life" → QOL keeps "of"; "length of stay" → LOS too): both tried.
_LINKS = frozenset("of and the in for to with".split())


def phrase_initials(text: str, longest: int = 8) -> dict[str, str]:
    """Runs of 2 to ``longest`` consecutive words of ``text`` by their initials (lower case):
    ``{"dbe": "double balloon enteroscopy", …}``; a linking word ("of", "and") may be skipped
    or kept. Hyphenated words count as their parts ("double-balloon")."""
    words = _WORD.findall(text)
    out: dict[str, str] = {}
    for i in range(len(words)):
        for j in range(i + 2, min(len(words), i + longest) + 1):
            run = words[i:j]
            if run[0].lower() in _LINKS or run[-1].lower() in _LINKS:
                continue
            phrase = " ".join(run)
            out.setdefault("".join(w[0] for w in run).lower(), phrase)
            out.setdefault("".join(w[0] for w in run if w.lower() not in _LINKS).lower(), phrase)
    return out


_DEFINED = re.compile(r"((?:[A-Za-z][\w'-]*\s+){1,8})\(([A-Z][A-Za-z]{1,7})s?\)")


def definitions(text: str) -> dict[str, str]:
    """Acronyms ``text`` defines in the Schwartz & Hearst form, long form then the acronym in
    parentheses, the long form's last words having the acronym's letters as initials:
    ``{"BD": "Base Deficit"}`` from "Base Deficit (BD) is a marker …"."""
    out: dict[str, str] = {}
    for m in _DEFINED.finditer(text):
        short, words = m.group(2), _WORD.findall(m.group(1))
        for n in range(len(short), min(len(words), len(short) + 2) + 1):  # up to two linking words inside
            run = words[-n:]
            if "".join(w[0] for w in run if n == len(short) or w.lower() not in _LINKS).lower() == short.lower():
                out.setdefault(short, " ".join(run))
                break
    return out


def expand(text: str, question_phrases: dict[str, str], defined: dict[str, str] | None = None) -> str:
    """``text`` with, after it, the question phrase each of its acronyms stands for
    (:func:`phrase_initials` of the question) and the long form of each acronym ``defined``
    (:func:`definitions` of the whole passage); ``text`` itself when there is none."""
    found = {question_phrases[a.lower()] for a in _ACRONYM.findall(text)
             if len(a) >= MIN_LETTERS and a.isalpha() and a.lower() in question_phrases}
    found |= {long for short, long in (defined or {}).items() if re.search(rf"\b{re.escape(short)}s?\b", text)}
    return f"{text} {' '.join(sorted(found))}" if found else text
