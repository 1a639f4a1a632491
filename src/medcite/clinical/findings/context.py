"""Whether a finding is present, negated, historical or in the family: the ConText algorithm.

ConText (Harkema, Dowling, Thornblade & Chapman, "ConText: an algorithm for determining
negation, experiencer, and temporal status from clinical reports", J Biomed Inform
2009;42:839–851), itself built on NegEx (Chapman et al., J Biomed Inform 2001;34:301–310):
a trigger phrase opens a scope that runs *forward* (``"denies …"``) or *backward*
(``"… was ruled out"``) to the end of the sentence or to a termination term (``"but"``); a
finding inside the scope takes the trigger's category. Pseudo-triggers (``"no increase"``,
``"3-day history of"`` — and a history followed by a recent duration, ``"history of cough
for 3 weeks"``, is the present illness — Chinese ``无明显诱因`` "without obvious cause") are matched first and
open no scope; so does a relative who brings the patient or tells the story (``"brought in by his
mother with vomiting"``, ``"his mother reports that he …"``, ``"según su madre"``, ``"母亲代诉"``): a
relative word marks family history only when the finding is the relative's (``"his mother has
lupus"``). A negation that compares the finding with the present one (``"never had headaches
like this"``, ``"never had such a headache"``, ``"nunca … así"``, ``"从未有过这样的头痛"``) leaves
it present. Termination terms are of two strengths: ``but``/``however`` end every scope,
``has``/``with``/``reports`` only a negation's (``"denies fever, reports cough"``, while
``"her mother has lupus"`` stays in the family scope).

The English triggers follow medspaCy's default ConText rules (Eyre et al., AMIA 2021), the
Spanish and Chinese ones were written for this module. medspaCy itself is not used: its
release for Python 3.11 pins spaCy < 3.8, whose thinc requires NumPy < 2 (this project runs
NumPy 2), and it pulls QuickUMLS, PyRuSH and NLTK for a component that needs none of them;
negspacy covers negation only (no history/family) and English only.

Scope rules: Chinese scopes end at ``，。；`` (a Chinese list runs over ``、`` and ``和/及``);
English and Spanish scopes run over commas (``"no fever, chills or cough"``) and end at the
sentence end or a termination term, with two exceptions for negation: a comma followed by an
onset word (``", sudden"``, ``", acute onset"``) starts a new finding list, and a predicate
negation (``"not"``, ``"never"``) whose own phrase names no finding ends at the first comma
(``"not on anticoagulation, sudden right-sided weakness"``: only the medication is negated).
A postfix mark after a colon (``"Rash: no"``) binds backward only when nothing follows it on
its line; ``"Chest X-ray: no widened mediastinum"`` is a header and a forward ``"no"``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

NEGATED, HISTORICAL, FAMILY, PSEUDO = "negated", "historical", "family", "pseudo"
TERMINATE, TERMINATE_NEGATION = "terminate", "terminate-negation"
FORWARD, BACKWARD = "forward", "backward"

_EN: list[tuple[str, str, str]] = [
    # negation, forward
    *[(t, NEGATED, FORWARD) for t in (
        "no", "not", "without", "denies", "denied", "deny", "denying", "negative for", "free of", "absence of",
        "never had", "no evidence of", "no signs of", "no sign of", "no history of", "no hx of",
        "no complaints of", "neither", "nor", "does not have", "did not have", "doesn't have", "didn't have",
        "has not had", "hasn't had", "not have", "rules out", "ruled out", "r/o", "fails to reveal",
        "lack of", "lacks", "unremarkable for", "resolution of", "no further", "with no", "never")],
    # negation, backward
    *[(t, NEGATED, BACKWARD) for t in (
        "absent", "was negative", "were negative", "is negative", "are negative", "was ruled out",
        "were ruled out", "has resolved", "resolved", "not present", "not seen", "not observed", "none",
        "are absent", "is absent", "was absent", "were absent", "unlikely", "not appreciated", "not noted",
        "(-)", "-ve", "(neg)", ": no", ": none", ": negative", ": absent", ": denies", ": denied")],
    # history
    *[(t, HISTORICAL, FORWARD) for t in (
        "history of", "hx of", "h/o", "past medical history", "pmh", "past history of", "previous",
        "previously", "prior", "status post", "s/p", "in the past", "remote", "childhood")],
    # family
    *[(t, FAMILY, FORWARD) for t in (
        "family history of", "family history", "fh of", "fhx", "mother", "father", "sister", "brother",
        "mother's", "father's", "sibling", "siblings", "maternal", "paternal", "grandmother", "grandfather",
        "aunt", "uncle", "cousin", "parents", "daughter", "son")],
    # pseudo-triggers: look like triggers, open no scope
    *[(t, PSEUDO, FORWARD) for t in (
        "no increase", "no change", "not only", "no further change", "not certain", "gram negative",
        "history of present illness", "no improvement", "not improve", "not improved", "not resolve",
        "not resolved", "did not resolve", "has not resolved", "not respond", "without improvement",
        "no relief", "not relieved", "without relief", "no longer", "not necessarily", "prior to",
        "previously healthy", "previously well",
        # a manoeuvre or drug that does not change the finding leaves it present ("elevating the
        # testis does not relieve the pain", "antacids did not help the pain")
        "not relieve", "not relieving", "not alleviate", "not alleviated", "not ease", "not eased",
        "not help", "not helped", "not helping", "not change", "not changed", "not affect", "not affected")],
    # termination terms: end every scope ...
    *[(t, TERMINATE, FORWARD) for t in (
        "but", "however", "although", "though", "except", "apart from", "aside from", "yet", "which",
        "presents with", "presented with", "presenting with", "complains of", "complaining of", "now",
        # the present illness starts ("a man with a previous MI has had dyspnea for 3 weeks")
        "has had", "have had", "has been having", "is brought", "was brought", "comes in with", "came in with")],
    # ... and these end a negation's scope only ("denies fever, reports cough"; "mother has lupus")
    *[(t, TERMINATE_NEGATION, FORWARD) for t in (
        "reports", "reported", "endorses", "positive for", "notable for", "significant for", "found to have",
        "has", "with", "who", "and has", "and is",
        # a comma and an onset word start a new finding list ("not on anticoagulation, sudden weakness")
        ", sudden", ", suddenly", ", abrupt", ", abruptly", ", acute onset", ", new onset", ", new-onset")],
]
_RELATIVE_EN = (r"(?:mother|father|mom|mum|dad|parents?|grandmother|grandfather|grandparents?|aunt|uncle|sister|brother|"
                r"wife|husband|partner|daughter|son|caregiver|family|relatives?)")
_RELATIVE_ES = r"(?:madre|padre|padres|mam[aá]|pap[aá]|abuel[oa]s?|herman[oa]s?|familiares?|espos[oa]|hij[oa]s?|pareja)"
#: pseudo-triggers written as patterns: a recent "N-day history of"; a relative who brings the
#: patient or tells the story ("brought in by his mother with vomiting", "his mother reports that
#: he has had diarrhea", "según su madre") is not the experiencer of what follows
_PSEUDO_RE = {
    "en": [re.compile(r"(?i)\b(?:\d+|one|two|three|four|five|six|seven|several|few)[- ](?:hour|day|week|month|year)s?[- ](?:old\s+)?history\s+of\b"),
           re.compile(rf"(?i)\b(?:(?:is|was|being)\s+)?(?:brought(?:\s+(?:in|back))?(?:\s+to\s+(?:the\s+)?[\w ]{{1,40}}?)?|accompanied|escorted|"
                      rf"carried\s+in|referred|sent\s+in|driven\s+in|as\s+(?:reported|noted|described)|reported)\s+by\s+(?:(?:his|her|their|the(?:\s+patient's)?|a|an)\s+)?"
                      rf"(?:\w+\s+)?{_RELATIVE_EN}\b"),
           re.compile(rf"(?i)\b(?:according\s+to|per)\s+(?:(?:his|her|their|the(?:\s+patient's)?)\s+)?{_RELATIVE_EN}\b"),
           re.compile(rf"(?i)\b(?:(?:his|her|their|the(?:\s+patient's)?|whose)\s+)?{_RELATIVE_EN}\s+(?:(?:who|which)\s+)?(?:reports?|reported|says|said|states?|stated|"
                      rf"notes?|noted|notices?|noticed|describes?|described|brings?|brought|found|finds|observed|witnessed|tells|told|"
                      rf"is\s+(?:concerned|worried)|was\s+(?:concerned|worried)|explains?|explained|adds?|added|thinks?|thought)\b"),
           re.compile(rf"(?i)\b(?:with|and)\s+(?:his|her|their)\s+{_RELATIVE_EN}\s+(?=with\b|for\b|because\b|after\b|who\s+(?:reports?|says|noticed))")],
    "es": [re.compile(rf"(?i)\b(?:traíd[oa]|traid[oa]|acompañad[oa]|acompanad[oa]|llevad[oa])\s+(?:a\s+\w+\s+)?(?:por|de)\s+(?:su|sus)\s+{_RELATIVE_ES}\b"),
           re.compile(rf"(?i)\bsegún\s+(?:su|sus)\s+{_RELATIVE_ES}\b"),
           re.compile(rf"(?i)\b(?:su|sus)\s+{_RELATIVE_ES}\s+(?:refiere|refieren|relata|relatan|cuenta|cuentan|nota|notó|nota|dice|dicen|observó|informa)\b")],
    "zh": [re.compile(r"(?:由|被)(?:其)?(?:母亲|父亲|父母|家属|家人|妻子|丈夫|儿子|女儿)(?:陪同|带来|带至|送来|送至|送入|护送)|"
                      r"(?:母亲|父亲|父母|家属|家人|妻子|丈夫|儿子|女儿)(?:代诉|诉|述|发现|陪同|送来|带来)|据(?:其)?(?:母亲|父亲|父母|家属|家人)")],
}
#: "she has never had headaches like this", "never had such a headache", "从未有过这样的头痛":
#: a negation compared with the present complaint, which is therefore present
_LIKE_THIS_AFTER = {
    "en": re.compile(r"(?i)\s*(?:[\w'-]+\s+){0,4}?(?:like\s+(?:this|that|it|these|this\s+one|the\s+present\s+one)|"
                     r"(?:this|that|so|as)\s+(?:bad|severe|intense|painful|strong|sudden|violent)\b|(?:quite\s+)?like\s+(?:today|now))"),
    "es": re.compile(r"(?i)\s*(?:[\w'-]+\s+){0,4}?(?:así|asi|como\s+(?:este|esta|éste|ésta|el\s+actual|la\s+actual)|tan\s+(?:fuerte|intens[oa]|sever[oa]))\b"),
    "zh": re.compile(r"(?!)"),
}
_LIKE_THIS_BEFORE = {"en": re.compile(r"(?i)\bsuch\b|\ba\s+(?:\w+\s+)?(?:this|that)\s+(?:bad|severe|intense)\b"),
                     "es": re.compile(r"(?i)\btan\b|\btal\b"), "zh": re.compile(r"这样|这么|如此|这种|类似|这般")}

_ES: list[tuple[str, str, str]] = [
    *[(t, NEGATED, FORWARD) for t in ("no", "sin", "niega", "negó", "nego", "niegan", "ni", "ausencia de",
                                      "negativo para", "descarta", "no presenta", "no refiere", "no tiene", "nunca")],
    *[(t, NEGATED, BACKWARD) for t in ("negativo", "negativa", "ausente", "ausentes", "descartado", "descartada")],
    *[(t, HISTORICAL, FORWARD) for t in ("antecedentes de", "antecedente de", "historia de", "historial de",
                                         "previo", "previa", "anteriormente")],
    *[(t, FAMILY, FORWARD) for t in ("antecedentes familiares de", "antecedentes familiares", "familiares",
                                     "madre", "padre", "hermano", "hermana", "abuelo", "abuela")],
    *[(t, TERMINATE, FORWARD) for t in ("pero", "aunque", "sin embargo", "excepto", "salvo")],
    *[(t, TERMINATE_NEGATION, FORWARD) for t in ("con", "presenta", "refiere", "tiene")],
]

_ZH: list[tuple[str, str, str]] = [
    *[(t, PSEUDO, FORWARD) for t in ("无明显诱因", "无诱因", "无力", "不适", "不振", "未明", "无明显原因")],
    *[(t, NEGATED, FORWARD) for t in ("无", "否认", "没有", "未", "未见", "不伴", "不伴有", "无明显", "未出现", "未诉")],
    *[(t, NEGATED, BACKWARD) for t in ("阴性", "消失", "已缓解", "（-）", "(-)")],
    *[(t, HISTORICAL, FORWARD) for t in ("既往", "既往史", "曾患", "曾有", "以前")],
    *[(t, HISTORICAL, BACKWARD) for t in ("病史",)],
    *[(t, FAMILY, FORWARD) for t in ("家族史", "家族", "父亲", "母亲", "父母", "兄弟", "姐妹", "家人")],
    *[(t, TERMINATE, FORWARD) for t in ("但", "但是")],
    *[(t, TERMINATE_NEGATION, FORWARD) for t in ("伴", "伴有", "有", "出现")],
]

_SENTENCE_END = re.compile(r"(?<!\b[A-Z][a-z])(?<!\bDr)(?<!\bMr)(?<!\bMs)(?<!\bvs)[.!?](?=\s|$)|[\n;；。！？]")
_ZH_CLAUSE_END = re.compile(r"[，,\n;；。！？.]")
_BACKWARD_WORDS = 6
# "history of cough for 3 weeks": a history with a recent duration is the present illness
_RECENT = re.compile(r"(?i)[^.;\n]{0,60}?\b(?:for|since|x|over)\s+(?:the\s+(?:past|last)\s+)?(?:\d+|an?|one|two|three|four|five|"
                     r"six|seven|several|few|couple\s+of)\s*(?:-\s*)?(?:hours?|days?|weeks?|months?)\b")


def _compared(text: str, t: "Trigger", start: int, end: int, right: int, language: str) -> bool:
    """Whether the negation ``t`` only compares the finding with the present one ("never had
    pain like this", "never had such a headache", "从未有过这样的头痛"): the finding is present."""
    lang = language if language in _LIKE_THIS_BEFORE else "en"
    if _LIKE_THIS_BEFORE[lang].search(text, t.end, start):
        return True
    return bool(_LIKE_THIS_AFTER[lang].match(text, end, right))


@dataclass(frozen=True)
class Trigger:
    """A trigger matched in text: ``[start, end)``, its category and direction."""

    start: int
    end: int
    category: str
    direction: str


def _compile(rules: list[tuple[str, str, str]], cjk: bool) -> list[tuple[re.Pattern, str, str]]:
    out = []
    for phrase, cat, direction in sorted(rules, key=lambda r: len(r[0]), reverse=True):
        esc = re.escape(phrase).replace(r"\ ", r"\s+")
        lead = "" if cjk or not phrase[0].isalnum() else r"(?<![\w/'])"
        tail = "" if cjk or not phrase[-1].isalnum() else r"(?![\w/'])"
        if phrase.startswith(":") and direction == BACKWARD:
            # "Rash: no" is a postfix mark; "Chest X-ray: no widened mediastinum" is a header and a
            # forward "no": a word after the mark on its line leaves the mark to the forward rules
            tail += r"(?![ \t]*[^\W_])"
        pat = lead + esc + tail
        out.append((re.compile(pat, re.IGNORECASE), cat, direction))
    return out


_RULES = {"en": _compile(_EN, False), "es": _compile(_ES, False), "zh": _compile(_ZH, True)}


def find_triggers(text: str, language: str) -> list[Trigger]:
    """ConText triggers in ``text`` (longest first, not overlapping; pseudo-triggers included so
    callers can see them). Languages without rules of their own use the English ones."""
    rules = _RULES.get(language, _RULES["en"])
    taken = [False] * (len(text) + 1)
    out: list[Trigger] = []
    for pat in _PSEUDO_RE.get(language, _PSEUDO_RE["en"]) + (_PSEUDO_RE["en"] if language == "es" else []):
        for m in pat.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            out.append(Trigger(m.start(), m.end(), PSEUDO, FORWARD))
            for k in range(m.start(), m.end()):
                taken[k] = True
    for pat, cat, direction in rules:
        for m in pat.finditer(text):
            if any(taken[m.start():m.end()]):
                continue
            out.append(Trigger(m.start(), m.end(), cat, direction))
            for k in range(m.start(), m.end()):
                taken[k] = True
    return sorted(out, key=lambda t: t.start)


def _bounds(text: str, start: int, end: int, language: str) -> tuple[int, int]:
    ends = _ZH_CLAUSE_END if language == "zh" else _SENTENCE_END
    left = 0
    for m in ends.finditer(text, 0, start):
        left = m.end()
    m = ends.search(text, end)
    return left, (m.start() if m else len(text))


#: negations of a predicate ("not on anticoagulation", "never hospitalised"), not of a finding list
_PREDICATE_NEGATIONS = frozenset({"not", "never"})
_COMMA = re.compile(r"[,，]")


def _predicate_scope_ends(text: str, t: Trigger, start: int, language: str) -> bool:
    """Whether the negation ``t`` ("not", "never") ends at a comma before ``start``: its own
    phrase up to the comma names no finding ("atrial fibrillation not on anticoagulation, sudden
    weakness": the medication is negated, the weakness is not), while a negated finding list runs
    on ("not febrile, tachycardic or hypoxic")."""
    if language in ("es", "zh") or text[t.start:t.end].lower() not in _PREDICATE_NEGATIONS:
        return False
    comma = _COMMA.search(text, t.end, start)
    if comma is None:
        return False
    from .matcher import concepts_in  # the phrase tables; imported here to keep this module light

    return not concepts_in(text[t.end:comma.start()])


def status_of(text: str, start: int, end: int, triggers: list[Trigger], language: str) -> str:
    """The ConText status of the finding at ``text[start:end]``: ``"negated"``, ``"family"``,
    ``"historical"`` or ``"present"`` (negation wins, then family, then history)."""
    left, right = _bounds(text, start, end, language)
    cats: set[str] = set()
    stops = [t for t in triggers if t.category in (TERMINATE, TERMINATE_NEGATION) and left <= t.start < right]
    for t in triggers:
        if t.category in (PSEUDO, TERMINATE, TERMINATE_NEGATION) or not (left <= t.start < right):
            continue
        terminators = stops if t.category == NEGATED else [x for x in stops if x.category == TERMINATE]
        if t.direction == FORWARD and t.end <= start:
            recent = t.category == HISTORICAL and language != "zh" and _RECENT.match(text, end, right)
            if recent and not any(end <= x.start < recent.end() for x in stops):  # the duration is this finding's
                continue
            if t.category == NEGATED and (_compared(text, t, start, end, right, language)
                                          or _predicate_scope_ends(text, t, start, language)):
                continue
            if not any(t.end <= x.start and x.end <= start for x in terminators):
                cats.add(t.category)
        elif t.direction == BACKWARD and t.end <= start and t.category == NEGATED and text[t.start] == ":" \
                and len(text[t.end:start].split()) <= 3 and not any(c in text[t.end:start] for c in ",，;、:\n"):
            cats.add(NEGATED)  # "Chest X-ray: no consolidation", "CT head: no haemorrhage": the mark leads the term
        elif t.direction == BACKWARD and t.start >= end:
            between = text[end:t.start]
            if text[t.start] in "(:-（":  # a postfix mark ("cough (-)", "Rash: none") binds to the term before it
                if len(between.split()) <= 2 and not any(c in between for c in ",，;、\n"):
                    cats.add(t.category)
            elif len(between.split()) <= _BACKWARD_WORDS and not any(end <= x.start and x.end <= t.start for x in stops):
                cats.add(t.category)
    for cat in (NEGATED, FAMILY, HISTORICAL):
        if cat in cats:
            return cat
    return "present"
