"""Which sentence of a passage to quote for a candidate condition.

Of the sentences that name the candidate, the quote is the one that also names the most of the
case's findings; a negated or hedging sentence about the candidate ("It does not always mean that
you are having a heart attack", "Half the people who have pulmonary embolism have no symptoms",
"Most kidney stones pass out of the body without help") says nothing for it and is quoted only
when no other sentence names it. Ties keep the passage's order.

A sentence names the candidate as support only when it speaks of it (:func:`naming_sentences`):
not as a look-alike ("abdominal pain may mimic appendicitis", "differential diagnosis includes
..."), not as one item of a symptom list of the passage's own condition ("Signs and Symptoms -
Axillary freckling - Congestive heart failure - ..."), and, in a passage whose question title is
about another condition ("What are the symptoms of Adenocarcinoma of the appendix ?"), only as
the sentence's subject ("The most common clinical symptom is acute appendicitis" is not).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ._text import content_tokens, sentences
from .terms import normalize

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


#: Cues that what follows in the sentence is a look-alike or an alternative, not the subject.
LOOKALIKE = re.compile(
    r"\b(?:mimic\w*|mistaken (?:for|as)|misdiagnos\w* (?:as|with)|confused with|resembl\w*|simulat\w*|masquerad\w*|"
    r"differential diagnos\w*|distinguish\w* (?:it |them )?from|differentiat\w* from|look-?alikes?|"
    r"like those of|rather than|instead of|other than)\b", re.IGNORECASE)
#: A study's exclusion criteria name conditions its patients did NOT have ("Exclusion criteria were
#: tense ascites, cancer, spontaneous bacterial peritonitis …", "patients with sepsis were excluded"):
#: such a sentence never supports the condition it names.
EXCLUSION = re.compile(r"\b(?:exclusion criteri\w*|(?:were|was|are|is|being|been) excluded|excluding|exclude[sd]? (?:patients|subjects|those|cases))\b",
                       re.IGNORECASE)
#: List items: " - item - item" or bulleted lines; two separators or more make a list.
_LIST_SEP = re.compile(r"\s+[-\u2013\u2022*]\s+|\n\s*[-\u2013\u2022*]\s*")
#: The verb ending a sentence's subject (a rough clause split: names before it are the subject).
_VERB = re.compile(r" (?:is|are|was|were|has|have|had|causes?|caused|presents?|presented|occurs?|occurred|"
                   r"affects?|results?|may|can|could|might|should|will|develops?|leads?|refers?) ")


def _position(ns: str, forms: Iterable[str]) -> int:
    """Where the first of ``forms`` starts in the normalised, space-padded sentence ``ns``; -1 if none."""
    hits = [i for f in forms if (i := ns.find(f" {f} ")) >= 0]
    return min(hits) if hits else -1


def names_as_support(sentence: str, forms: Iterable[str], subject_only: bool = False) -> bool:
    """Whether ``sentence`` names one of ``forms`` (normalised names, :func:`.terms.normalize`)
    as what it speaks of: not after a :data:`LOOKALIKE` cue, not only in a list item after the
    list's lead, not as "X-like", not in a study's exclusion criteria (:data:`EXCLUSION`), not as
    a sentence that is the bare name; with ``subject_only``, only before the sentence's first verb."""
    forms = [f for f in forms if f]
    low = sentence.lower()
    if any(f"{f}-like" in low for f in forms):  # "a flu-like illness" is not about flu
        return False
    if EXCLUSION.search(sentence):  # named among a study's exclusion criteria
        return False
    if normalize(sentence).strip(" .") in forms:  # the bare name ("Hepatorenal syndrome.") says nothing of it
        return False
    parts = _LIST_SEP.split(sentence)
    if len(parts) >= 3:  # a list: only its lead speaks (the items are the passage's condition's)
        sentence = parts[0]
    ns = f" {normalize(sentence)} "
    at = _position(ns, forms)
    if at < 0:
        return False
    cue = LOOKALIKE.search(sentence)
    if cue and _position(f" {normalize(sentence[:cue.start()])} ", forms) < 0:
        return False  # the name comes only after "may mimic", "differential diagnosis includes"
    if subject_only:
        verb = _VERB.search(ns)
        return verb is None or at < verb.start()
    return True


#: A MedQuAD question title about one condition: "What are the symptoms of X ?", "What causes X ?".
_QUESTION_TITLE = re.compile(r"\?\s*$")


def naming_sentences(text: str, title: str, forms: Iterable[str]) -> list[str]:
    """Sentences of a passage's ``text`` (then its ``title``) that name one of ``forms`` as
    support (:func:`names_as_support`), in passage order. MedQuAD question headers ("What is (are)
    X ?") are not quotes; when the passage's question title does not name the candidate (the
    passage is about another condition), a sentence counts only with the candidate as subject."""
    forms = [f for f in forms if f]
    if _position(f" {normalize(text)} {normalize(title or '')} ", forms) < 0:
        return []  # no sentence can name a form the whole passage does not (same tokens, joined)
    about_other = bool(_QUESTION_TITLE.search(title or "")) and _position(f" {normalize(title)} ", forms) < 0
    out = []
    for s in [*sentences(text), *sentences(title)]:
        if s.rstrip().endswith("?"):
            continue
        if names_as_support(s, forms, subject_only=about_other):
            out.append(s.strip())
    return out
