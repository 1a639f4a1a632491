"""Whether a treatment named in a sentence is offered there as an option for the condition.

A name is not an option where the sentence denies it or names it as the condition's cause or
context:

* **negated** — a negation cue shortly before it ("should *not* receive anticoagulant therapy",
  "*no* anticoagulation", "*avoid* NSAIDs") or a denial right after it ("warfarin *is
  contraindicated*", "aspirin *should be avoided*"). The cue words and windows are NegEx's
  (Chapman et al., J Biomed Inform 2001;34:301) as :mod:`medcite.clinical.evidence` uses them for
  design phrases (:data:`~medcite.clinical.evidence.SHORT_NEGATION_BEFORE` within
  :data:`~medcite.clinical.evidence.SHORT_NEGATION_WINDOW` words), plus avoidance cues; "with or
  without X" names X as an option.
* **cause or context** — the condition arises from it ("chemotherapy-induced", "fever *after*
  chemotherapy", "neutropenia *secondary to* chemotherapy"), or it is what the studied patients
  were already on ("All patients *were receiving* chemotherapy on admission" in a neutropenic-fever
  paper: the chemotherapy treats their cancer, not the fever).

:func:`affirmed` says whether a name has at least one mention in ``text`` that is neither: a name
found only negated or as a cause gives no option.
"""

from __future__ import annotations

import re

from ._text import content_tokens, sentences
from .evidence import SHORT_NEGATION_BEFORE, SHORT_NEGATION_WINDOW

#: Avoidance cues within a few words before a name ("avoid", "contraindicated", "withhold").
DENIED_BEFORE = re.compile(r"\b(?:avoid(?:ed|ing|s|ance\s+of)?|contraindicat\w*|withh[eo]ld(?:ing)?|discontinu\w*|refrain\s+from)\b")
#: Denials right after a name ("is contraindicated", "should be avoided", "was not recommended").
DENIED_AFTER = re.compile(
    r"^[^.;:!?]{0,25}?\b(?:is|are|was|were|be|being)\s+(?:not\s+(?:recommended|indicated|advised|given|used)|avoided|contraindicated|withheld)\b")
#: "with or without X": X is one arm, not negated.
_OR_WITHOUT = re.compile(r"\bor\s+without\b")
#: The condition as a consequence of the name ("chemotherapy-induced neutropenia", "statin-associated myopathy").
CAUSE_AFTER = re.compile(r"^[-\s]?(?:induced|related|associated|emergent|triggered|provoked)\b", re.IGNORECASE)
#: Cause cues right before a name, counted when the condition is named just before the cue ("fever after chemotherapy").
CAUSE_BEFORE = re.compile(r"\b(?:after|following|during|due\s+to|induced\s+by|caused\s+by|secondary\s+to|complicating|"
                          r"complications?\s+of|attributable\s+to)\s+(?:\S+\s+){0,2}$")
#: The studied patients' standing treatment ("were receiving chemotherapy", "was on warfarin").
STATE_BEFORE = re.compile(r"\b(?:were|was|are|is)\s+(?:all\s+|already\s+|currently\s+|still\s+)?(?:receiving|undergoing|on)\s+(?:\S+\s+){0,1}$")
#: Words before a cause cue searched for the condition.
CAUSE_WINDOW = 8


def negated(before: str, after: str) -> bool:
    """Whether a name between ``before`` and ``after`` (its sentence's text) is denied."""
    low = before.lower()
    words = low.split()
    near = " ".join(words[-SHORT_NEGATION_WINDOW:])
    if SHORT_NEGATION_BEFORE.search(near) and not _OR_WITHOUT.search(near):
        return True
    return bool(DENIED_BEFORE.search(" ".join(words[-4:])) or DENIED_AFTER.search(after.lower()))


def as_cause(before: str, after: str, core: set[str]) -> bool:
    """Whether a name between ``before`` and ``after`` is the cause or standing context of the
    condition (``core``: the condition's content words) rather than its treatment."""
    if CAUSE_AFTER.match(after) or STATE_BEFORE.search(before.lower()):
        return True
    m = CAUSE_BEFORE.search(before.lower())
    if not m:
        return False
    lead = before[: m.start()].split()[-CAUSE_WINDOW:]
    return bool(core) and bool(core & set(content_tokens(" ".join(lead))))


def affirmed(text: str, surface: str, core: set[str]) -> bool:
    """Whether ``surface`` is named in ``text`` at least once neither negated nor as the
    condition's cause or context (see the module doc). ``False`` when it does not occur."""
    pattern = re.compile(r"(?<![\w-])" + re.escape(surface) + r"(?![\w])", re.IGNORECASE)
    for s in sentences(text):
        for m in pattern.finditer(s):
            before, after = s[: m.start()], s[m.end():]
            if not negated(before, after) and not as_cause(before, after, core):
                return True
    return False
