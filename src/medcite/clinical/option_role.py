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

* **background** — what every studied patient already took, not what was tested: "patients
  *treated with* sulfonylurea and metformin were randomised to …", "*added to* metformin", "*in
  addition to* X", "*continued* X", "X-*treated* patients".
* **setting** — the procedure the patients underwent, not a treatment of the condition: "AF
  *after* coronary artery bypass", "*undergoing* CABG", "*following* X", "X *patients*".
* **control arm** — "*non*-statin group", "placebo", "*no* X", "X-*naive*".
* **risk factor or exposure** — "diet *was a risk factor*", "*consumption of* hamburgers",
  "X *was associated with an increased risk*".

In a passage on the condition as a complication of surgery ("*postoperative* AF", "atrial
fibrillation, *which occurs in* 12% of foregut surgeries"), operations are the setting, not
options (:func:`surgical_setting`).

A mention as a compared intervention ("*randomised to* X", "X *versus* Y", "X *reduced* …") is an
option even when the same sentence names a background therapy. :func:`affirmed` says whether a name
has at least one mention in ``text`` that is an option: a name found only negated, as a cause, as
background, setting, control arm or risk factor gives no option.
"""

from __future__ import annotations

import itertools
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
#: Words that end a background or setting cue's reach ("patients treated with X *were randomised to* Y").
_CLAUSE = r"(?:were|was|is|are|randomi[sz]\w*|assigned|allocated|versus|vs\.?|compared|than|who|which|but|whereas|while|to)\b"
#: Background therapy cues up to six words before a name ("treated with maximal doses of sulfonylurea and metformin").
BACKGROUND_BEFORE = re.compile(
    r"\b(?:(?:patients|subjects|participants|people|adults|children|individuals|those|women|men)\s+(?:who\s+(?:were|are)\s+)?"
    r"(?:already\s+|currently\s+|previously\s+)?(?:on|receiving|treated\s+with|taking|using|maintained\s+on)|added\s+to|"
    r"in\s+addition\s+to|add-on\s+to|on\s+top\s+of|continued|unchanged|stable|background|inadequately\s+controlled\s+(?:on|with)|"
    rf"failing)\s+(?:(?!{_CLAUSE})[^\s.;:]+\s+){{0,6}}$", re.IGNORECASE)
#: "X-treated patients", "X-naive", "X users".
BACKGROUND_AFTER = re.compile(r"^-?(?:treated|pretreated|experienced)\s+(?:patients|subjects|participants|group|cohort)\b", re.IGNORECASE)
#: Setting cues right before a name ("after coronary artery bypass", "undergoing CABG").
SETTING_BEFORE = re.compile(r"\b(?:after|following|undergoing|underwent|undergo|scheduled\s+for|candidates\s+for|referred\s+for)"
                            r"\s+(?:\S+\s+){0,2}$|\b(?:admitted|hospitali[sz]ed)\s+(?:\S+\s+){0,10}?"
                            r"(?:because\s+of|because|for|with)\s+(?:\S+\s+){0,10}$", re.IGNORECASE)
#: "X patients", "X recipients": the population, not the intervention.
SETTING_AFTER = re.compile(r"^\s+(?:patients|recipients|candidates|survivors)\b", re.IGNORECASE)
#: Control-arm names ("Non-statin", "placebo", "no treatment") and cues ("X-naive").
CONTROL_NAME = re.compile(r"^(?:non[-\s]|no\s|without\s)|^(?:placebo|sham|usual\s+care|standard\s+care|control)s?\b", re.IGNORECASE)
CONTROL_BEFORE = re.compile(r"\b(?:non|no)[-\s]?$", re.IGNORECASE)
CONTROL_AFTER = re.compile(r"^-?na[iï]ve\b", re.IGNORECASE)
#: Risk factor or exposure cues ("consumption of hamburgers", "diet was a risk factor").
RISK_BEFORE = re.compile(r"\b(?:consumption\s+of|intake\s+of|exposure\s+to|exposed\s+to|(?:risk|lifestyle|environmental|dietary)\s+"
                         r"factors?,?(?:\s+(?:such\s+as|including|like|were|was|included|are|is|of))?)\s+(?:\S+\s+){0,3}$"
                         rf"|\badjust(?:ed|ing|ment)?\s+for\s+(?:(?!{_CLAUSE})[^\s.;:]+\s+){{0,6}}$", re.IGNORECASE)
RISK_AFTER = re.compile(r"^[^.;]{0,40}?\b(?:(?:is|was|are|were|as)\s+(?:an?\s+)?(?:independent\s+|significant\s+|major\s+)?risk\s+factors?|"
                        r"(?:was|were|is|are)\s+(?:independently\s+|significantly\s+)?associated\s+with\s+(?:an?\s+)?(?:increased|higher|greater|elevated)"
                        r"\s+(?:risk|odds|incidence|prevalence|likelihood))\b", re.IGNORECASE)
#: A compared intervention: "randomised to X", "X versus Y", "X reduced …".
INTERVENTION_BEFORE = re.compile(r"\b(?:randomi[sz]ed\s+(?:to|into)|assigned\s+to|allocated\s+to|compared\s+with|versus|vs\.?|than)\s+"
                                 r"(?:\S+\s+){0,3}$", re.IGNORECASE)
INTERVENTION_AFTER = re.compile(r"^[^.;(),]{0,30}?\b(?:versus|vs\.?|compared\s+with|than)\b|^\s+(?:\S+\s+){0,2}?(?:reduced|improved|lowered|"
                                r"decreased|prevented|was\s+(?:effective|superior|non-?inferior))\b", re.IGNORECASE)
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


def _condition_alternation(core: set[str]) -> str:
    """A regex alternation of the condition's content words and, for two or more, their initials ("AF")."""
    words = sorted(core)
    initials = {"".join(w[0] for w in order) for order in itertools.permutations(words)} if 1 < len(words) <= 3 else set()
    return "|".join([re.escape(w) for w in words] + [re.escape(i) for i in sorted(initials)])  # "prostate cancer" → "PC"


#: Randomisation after a name: the patients' treatment before the trial, not the tested one.
_RANDOMISED_AFTER = re.compile(r"\b(?:randomi[sz]\w*|randomly|assigned|allocated)\b", re.IGNORECASE)


def treats_the_patients_condition(before: str, after: str, core: set[str]) -> bool:
    """Whether a background or setting cue ("treated with", "underwent") names the treatment of the
    condition itself: "patients with clinically localized prostate cancer underwent radical
    prostatectomy", "breast cancer patients treated with radiotherapy", "treated with radical
    prostatectomy for prostate cancer" (not "stroke in patients
    undergoing coronary artery bypass", nor "patients treated with metformin were randomised to …")."""
    alt = _condition_alternation(core)
    if not alt or _RANDOMISED_AFTER.search(after):
        return False
    if re.match(rf"^\s*(?:\S+\s+){{0,4}}?(?:for|of)\s+(?:\S+\s+){{0,3}}?(?:{alt})\b", after, re.IGNORECASE):
        return True  # "treated with radical perineal prostatectomy for prostate cancer"
    lead = " ".join(before.split()[-12:])
    return bool(re.search(rf"\bwith\s+(?:\S+\s+){{0,4}}?(?:{alt})\b|\b(?:{alt})\s+(?:patients|women|men|children|adults|survivors)\b",
                          lead, re.IGNORECASE))


def as_control(surface: str, before: str, after: str) -> bool:
    """Whether the mention is a control arm ("Non-statin group", "placebo", "insulin-naive")."""
    return bool(CONTROL_NAME.search(surface) or CONTROL_BEFORE.search(before) or CONTROL_AFTER.match(after))


def as_background(before: str, after: str) -> bool:
    """Whether the mention is the patients' background therapy ("treated with X were randomised", "added to X")."""
    return bool(BACKGROUND_BEFORE.search(before) or BACKGROUND_AFTER.match(after))


def as_setting_or_risk(before: str, after: str) -> bool:
    """Whether the mention is the patients' setting ("undergoing X") or a risk factor / exposure."""
    return bool(SETTING_BEFORE.search(before) or SETTING_AFTER.match(after) or RISK_BEFORE.search(before) or RISK_AFTER.match(after))


def role(surface: str, before: str, after: str, core: set[str]) -> str:
    """The role of one mention of ``surface`` between ``before`` and ``after`` (its sentence's
    text), the first that applies of: ``"negated"``; ``"control"``; ``"intervention"`` when a
    comparison cue precedes it ("randomised to X", "versus X"); ``"background"``; ``"intervention"``
    when a comparison or effect follows ("X versus Y", "X reduced …"); ``"context"`` (the
    condition's cause, the setting or a risk factor); else ``"option"``."""
    if negated(before, after):
        return "negated"
    if as_control(surface, before, after):
        return "control"
    if INTERVENTION_BEFORE.search(before):
        return "intervention"
    if as_background(before, after) and not treats_the_patients_condition(before, after, core):
        return "background"
    if INTERVENTION_AFTER.match(after):
        return "intervention"
    if as_cause(before, after, core) or (as_setting_or_risk(before, after) and not treats_the_patients_condition(before, after, core)):
        return "context"
    return "option"


def roles(text: str, surface: str, core: set[str]) -> set[str]:
    """The roles (:func:`role`) of every mention of ``surface`` in ``text``; empty when it does not occur."""
    pattern = re.compile(r"(?<![\w-])" + re.escape(surface) + r"(?![\w])", re.IGNORECASE)
    return {role(surface, s[: m.start()], s[m.end():], core) for s in sentences(text) for m in pattern.finditer(s)}


def affirmed(text: str, surface: str, core: set[str]) -> bool:
    """Whether ``surface`` is named in ``text`` at least once as an option: neither negated, nor a
    control arm, nor the condition's cause, the patients' background therapy, their setting or a
    risk factor, unless compared as an intervention there (see the module doc). ``False`` when it
    does not occur."""
    return bool(roles(text, surface, core) & {"intervention", "option"})


#: Names of operations (the setting of a postoperative condition).
SURGICAL = re.compile(r"surger|surgical|bypass|graft|ectom|otomy|laparoscop|thoracoscop|\bcabg\b|operation|fundoplication|resection|"
                      r"transplant|\brepair", re.IGNORECASE)


def surgical_setting(text: str, core: set[str]) -> bool:
    """Whether ``text`` presents the condition (``core``: its content words; their initials, "AF",
    count too) as a complication of surgery: "postoperative AF", "new-onset atrial fibrillation",
    "atrial fibrillation, which occurs in 12% of all major foregut surgeries"."""
    alt = _condition_alternation(core)
    if not alt:
        return False
    pat = re.compile(rf"\b(?:post-?operative|post-?surgical|peri-?operative|new-onset)\s+(?:\S+\s+){{0,2}}?(?:{alt})\b|"
                     rf"\b(?:{alt})\b[^.;]{{0,20}}?\b(?:occurs?|occurring|develops?|developing)\s+(?:in|after|following)\b", re.IGNORECASE)
    return bool(pat.search(text))
