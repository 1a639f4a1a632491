"""Which sentence of a passage to quote for a candidate condition.

Of the sentences that name the candidate, the quote is the one that also names the most of the
case's findings; a negated or hedging sentence about the candidate ("It does not always mean that
you are having a heart attack", "Half the people who have pulmonary embolism have no symptoms",
"Most kidney stones pass out of the body without help") says nothing for it and is quoted only
when no other sentence names it. Ties keep the passage's order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ._text import content_tokens

#: Negation and hedging cues that make a sentence no support for the condition it names.
HEDGE = re.compile(
    r"\b(?:not always|not necessarily|(?:does|do|did|is|are|was|were|may|might|can|could|need|should) not|"
    r"(?:doesn't|don't|isn't|aren't|can't|cannot)|no (?:symptoms|signs)|without (?:any )?(?:symptoms|signs|help|treatment)|"
    r"asymptomatic|unlikely|rarely|seldom|ruled out|rule out)\b", re.IGNORECASE)


def finding_hits(sentence: str, findings: Iterable[str]) -> int:
    """How many of ``findings`` (labels such as "pleuritic chest pain") the sentence mentions: all
    but a third of a finding's content words are in it (as the candidate's grounding counts them)."""
    toks = set(content_tokens(sentence))
    n = 0
    for f in findings:
        ft = set(content_tokens(f))
        if ft and len(ft & toks) >= len(ft) - len(ft) // 3:
            n += 1
    return n


def choose_sentence(naming: Sequence[str], findings: Iterable[str] = ()) -> str:
    """The sentence to quote among ``naming`` (sentences that name the candidate, in passage
    order): not hedging first, then most findings mentioned, then the earliest. "" when empty."""
    if not naming:
        return ""
    fs = list(findings)
    best = min(range(len(naming)), key=lambda i: (bool(HEDGE.search(naming[i])), -finding_hits(naming[i], fs), i))
    return naming[best]


def rank_support(support: Sequence[tuple[int, str, str]], findings: Iterable[str] = ()) -> list[tuple[int, str, str]]:
    """Supporting passages ``(pool index, link, quote)`` in citation order: passages whose quote
    hedges are dropped when another passage supports the candidate (by a quote that does not
    hedge, or by metadata: an empty quote); the rest by findings their quote mentions, most first,
    then as given (metadata links, which quote nothing, keep their place among zero-hit quotes)."""
    fs = list(findings)
    hedged = [bool(q) and bool(HEDGE.search(q)) for _, _, q in support]
    keep = [s for s, h in zip(support, hedged) if not h] if not all(hedged) else list(support)
    order = sorted(range(len(keep)), key=lambda k: (-finding_hits(keep[k][2], fs), k))
    return [keep[k] for k in order]
