"""Number of participants of a study, parsed from its abstract.

Abstracts state their sample size in many ways: ``"n = 2229"``, ``"2,229 patients"``,
``"we randomized 412 adults"``, ``"a total of 96 women were enrolled"``, ``"Thirty-nine stroke
patients"``, ``"a cohort of 1,250 children"``. :func:`parse_participants` finds all of them and
picks the study total: a count tied to enrolment wording ("a total of", "enrolled",
"randomized", "included", "a cohort of" …) wins over a bare count, and among counts of the same
kind the largest wins (subgroups are smaller than the whole). Counts that are years ("in 2009
patients …" is rare; "from 1998 to 2004" is not) are ignored, and so are cases within the sample
("in three cases we switched to open surgery": events, not participants). Groups counted side by
side in one sentence ("each case (n=125) … 2 referents per case (n=250)") add up to the sample,
unless they are the same people at two times ("at time 1 (n = 447) and 18 months later (n = 274)")
or one of them is the sum of the others ("Patients (N=22): VS; n=10 and MCS; n=12"). A count of patients
*identified* or *screened* gives way to the count included from them ("116 … identified, and 77 of
them were included"), a decision model's "base case" ("a 69-year-old man") is no participant, and a total less the exclusions a later sentence states is the sample when the
group sizes confirm it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..chunking import split_sentences

#: Nouns that name study participants (plural; singular for "1 patient" is not a sample).
PARTICIPANT_NOUNS = (
    "patients", "participants", "subjects", "women", "men", "adults", "children", "infants", "individuals", "persons",
    "people", "volunteers", "cases", "mothers", "neonates", "newborns", "respondents", "residents", "students",
    "physicians", "nurses", "doctors", "surgeons", "veterans", "smokers", "girls", "boys", "adolescents", "youths",
    "pregnancies", "pregnant women", "couples", "families", "parents", "caregivers", "survivors", "recipients",
    "donors", "athletes", "workers", "employees", "elderly", "inpatients", "outpatients", "controls", "twins",
    "infants", "preterm infants", "deliveries", "births", "users", "members", "pairs", "dyads", "consumers",
    "clinicians", "practitioners", "trainees", "residents", "candidates", "probands", "carriers", "decedents",
)
_NOUN = "(?:" + "|".join(sorted({re.escape(n) for n in PARTICIPANT_NOUNS}, key=len, reverse=True)) + ")"

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_WORD = "(?:" + "|".join(list(_UNITS) + list(_TENS) + ["hundred", "thousand", "and"]) + ")"
#: A count: digits with optional thousands separators, or number words ("Two hundred forty-one").
_COUNT = rf"(?P<num>\d{{1,3}}(?:[,\u2009 ]\d{{3}})+(?!\d)|\d+(?![.,]\d)|{_WORD}(?:[\s-]+{_WORD})*)"
#: Up to three adjectives between the count and the noun ("412 consecutive adult patients").
_ADJ = r"(?:(?!(?:and|or|of|with|in|to|were|was|who)\b)[A-Za-z][\w'-]*,?\s+){0,3}"

_STRONG = [
    rf"\b(?:a\s+total\s+of|in\s+total,?|overall,?|altogether,?)\s+{_COUNT}\s+{_ADJ}{_NOUN}\b",
    rf"\b{_COUNT}\s+{_ADJ}{_NOUN}\s+(?:\([^)]*\)\s+)?(?:were|was|had\s+been|have\s+been|are)\s+(?:\w+\s+)?(?:enrolled|randomi[sz]ed|included|recruited|studied|"
    r"analy[sz]ed|evaluated|examined|assessed|investigated|surveyed|interviewed|followed|identified|assigned|allocated|treated|operated|screened|selected|reviewed|eligible)\b",
    rf"\b(?:enrolled|enrolling|randomi[sz]ed|randomi[sz]ing|recruited|recruiting|included|including|studied|analy[sz]ed|evaluated|examined|surveyed|interviewed|"
    rf"followed|identified|reviewed|involved|involving|comprised|comprising|consisted\s+of|enrolment\s+of|enrollment\s+of)\s+(?:the\s+(?:data|records|charts)\s+of\s+)?{_COUNT}\s+{_ADJ}{_NOUN}\b",
    rf"\b(?:cohort|sample|series|population|group|total|study|trial|survey|analysis|review|audit|evaluation|assessment|comparison)\s+"
    rf"(?:of|included|comprised|consisted\s+of)\s+{_COUNT}\s+{_ADJ}{_NOUN}\b",
    # "Of 655 patients, 398 had …", "Of the 40 participants, the mean …": the denominator of the results
    rf"(?:^|(?<=[.;:]\s)|(?<=\n))of\s+(?:the\s+|all\s+|these\s+)?{_COUNT}\s+{_ADJ}{_NOUN}\s*,",
    rf"\b(?:data|records|charts|files|questionnaires)\s+(?:of|from|on)\s+{_COUNT}\s+{_ADJ}{_NOUN}\b",
    r"\bN\s*=\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)\b",
    # "One hundred sixteen patients with PE were identified, and 77 of them (66%) were included"
    rf"\b{_COUNT}\s+of\s+(?:them|these|those|whom|the(?:se)?\s+{_ADJ}{_NOUN})\s+(?:\([^)]*\)\s+)?(?:were|was)\s+(?:\w+\s+)?"
    r"(?:enrolled|randomi[sz]ed|included|recruited|studied|analy[sz]ed)\b",
]
_WEAK = [
    rf"(?<![\d.,])(?<!of\s){_COUNT}\s+{_ADJ}{_NOUN}\b",
    r"\(\s*n\s*=\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)\s*\)",
    r"(?<![\w(])n\s*=\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)\b",
]
#: A single-patient case report ("A 52-year-old woman …"): one participant, used only when nothing else is stated.
_CASE = re.compile(r"\b(?:an?)\s+\d+[- ](?:year|month|week|day)s?[- ]old\s+(?:[a-z-]+\s+){0,2}(?:man|woman|boy|girl|male|female|patient|infant|child|neonate)\b", re.IGNORECASE)
_STRONG_RE = [re.compile(p, (re.IGNORECASE if not p.startswith(r"\bN") else 0) | re.MULTILINE) for p in _STRONG]
#: A decision or simulation model: its "base case" ("a 69-year-old man with …") is a modelled
#: patient, not a participant; such a study states no sample.
_MODEL = re.compile(r"\b(?:decision[- ]analy\w*|decision (?:tree|model)|markov|base[- ]case|simulation model|microsimulation|hypothetical cohort)\b", re.IGNORECASE)
#: Screening wording: the patients found before selection ("116 patients were identified, and 77
#: of them were included"); such a count is the study's only when no inclusion count is stated.
_SCREENED = re.compile(r"\b(?:identified|identifying|screened|screening|eligible|assessed\s+for\s+eligibility)\b", re.IGNORECASE)
#: A sentence stating exclusions from the sample ("14 patients … and 4 patients … were excluded").
_EXCLUDED = re.compile(r"\b(?:were|was|been)\s+(?:\w+\s+)?excluded\b", re.IGNORECASE)
_WEAK_RE = [re.compile(p, re.IGNORECASE) for p in _WEAK]
_YEAR_CONTEXT = re.compile(r"\b(?:in|since|from|to|between|and|until|during|through|by|of)\s*$", re.IGNORECASE)
#: "in three cases we switched …", "In 12 cases, …": cases within the sample, an event count
#: (but "in 75 cases of cholangiocarcinoma", "in 19,752 T2D cases and controls" are the sample).
_CASES_WITHIN = re.compile(r"\bin\s*$", re.IGNORECASE)
_CASES_SAMPLE = re.compile(r"^\s*(?:of\b|and\s+(?:\w+\s+)?controls\b)", re.IGNORECASE)
#: A group's size in parentheses: "(n=125)", "(VS; n = 10)", "(N = 250, 40%)".
_GROUP_N = re.compile(r"\((?:[^()]*?[;,:]\s*)?n\s*=\s*(?P<num>\d{1,3}(?:,\d{3})+|\d+)(?:\s*[,;][^()]*)?\)", re.IGNORECASE)
#: Wording between two group sizes that makes them the same people at two times (not to be added).
_REPEATED = re.compile(r"\b(?:later|time\s*\d|follow[- ]?up|baseline|wave|visit|re-?test|again|after|before|completed|remaining|of\s+whom|among\s+them)\b", re.IGNORECASE)
#: A group size that is a share of another ("(7%; n = 25)", "1% (n = 485)") or a year's count ("2003 (n=21,650)").
_SHARE = re.compile(r"%|\b(?:19|20)\d\d\s*$")


#: Two groups named together ("2979 men and 3324 women", "5624 and 791 consecutive patients"): their sum.
_PAIR = re.compile(
    rf"(?<![\d.,])(?P<a>\d{{1,3}}(?:,\d{{3}})+|\d+|[A-Za-z]+(?:[\s-][a-z]+)*?)\s+(?:(?P<noun1>{_ADJ}{_NOUN})\s+(?:of\s+[\w-]+\s+)?(?:\([^)]*\)\s+)?)?and\s+"
    rf"(?P<b>\d{{1,3}}(?:,\d{{3}})+|\d+)\s+{_ADJ}{_NOUN}\b",
    re.IGNORECASE,
)


def words_to_int(text: str) -> int | None:
    """Value of an English number written in words or digits (``"Two hundred forty-one"`` → 241,
    ``"2,229"`` → 2229); ``None`` when it is not one."""
    t = text.strip().lower().replace("\u2009", ",")
    if re.fullmatch(r"\d{1,3}(?:[, ]\d{3})+|\d+", t):
        return int(re.sub(r"[, ]", "", t))
    total, current, seen = 0, 0, False
    for w in re.split(r"[\s-]+", t):
        if w == "and" or not w:
            continue
        if w in _UNITS:
            current += _UNITS[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
        seen = True
    return total + current if seen else None


@dataclass(frozen=True)
class ParticipantCount:
    """A sample size found in a text.

    Attributes:
        n: the number of participants.
        phrase: the verbatim phrase it was read from (``"a total of 96 women"``).
        strong: whether the phrase ties the count to enrolment (else a bare count).
    """

    n: int
    phrase: str
    strong: bool


def _counts(text: str, patterns: list[re.Pattern], strong: bool) -> list[ParticipantCount]:
    out = []
    for pat in patterns:
        for m in pat.finditer(text):
            raw = m.group("num")
            n = words_to_int(raw)
            if n is None or n < 2:
                continue
            before = text[max(0, m.start("num") - 12) : m.start("num")]
            if 1900 <= n <= 2030 and raw.isdigit() and _YEAR_CONTEXT.search(before):
                continue
            if (m.group(0).lower().rstrip().endswith("cases") and _CASES_WITHIN.search(before)
                    and not _CASES_SAMPLE.match(text[m.end() : m.end() + 30])):
                continue  # "in three cases we switched to open surgery"
            out.append(ParticipantCount(n, m.group(0).strip(), strong))
    return out


def _pairs(text: str, strong: list[ParticipantCount]) -> list[ParticipantCount]:
    """Sums of two groups ("20 failure cases of ACLR and 20 … controls"); strong when either group
    is an enrolment count already found ("Seventy-five PSV cases and 273 controls … were interviewed")."""
    firsts = {c.n for c in strong}
    out = []
    for m in _PAIR.finditer(text):
        a, b = words_to_int(m.group("a")), words_to_int(m.group("b"))
        if a and b and a >= 2 and not (1900 <= a <= 2030 and m.group("a").isdigit()):
            out.append(ParticipantCount(a + b, m.group(0).strip(), a in firsts or b in firsts))
    return out


def _group_sums(text: str) -> list[ParticipantCount]:
    """Per sentence, the sum of two or more group sizes given in parentheses ("cases (n=125) …
    referents (n=250)" → 375); none when the wording between them makes them the same people at
    two times (:data:`_REPEATED`) or when one size is the sum of the others (it is the total,
    found on its own). The phrase runs from the first group to the last, verbatim."""
    out = []
    for start, end in split_sentences(text):
        groups = [g for g in _GROUP_N.finditer(text, start, end)
                  if not (_SHARE.search(g.group(0)) or _SHARE.search(text[max(start, g.start() - 6) : g.start()]))]
        if len(groups) < 2:
            continue
        sizes = [int(g.group("num").replace(",", "")) for g in groups]
        between = text[groups[0].end() : groups[-1].start()]
        if _REPEATED.search(between) or any(2 * n == sum(sizes) for n in sizes):
            continue
        out.append(ParticipantCount(sum(sizes), text[groups[0].start() : groups[-1].end()], False))
    return out


def all_participant_counts(text: str) -> list[ParticipantCount]:
    """Every sample-size phrase in ``text``, strong ones first, each list in text order; two
    groups named together ("13 patients and 15 healthy subjects", "cases (n=125) … referents
    (n=250)") count as their sum."""
    strong = _counts(text or "", _STRONG_RE, True)
    return strong + _counts(text or "", _WEAK_RE, False) + _pairs(text or "", strong) + _group_sums(text or "")


def parse_participants(text: str) -> ParticipantCount | None:
    """The study's number of participants, or ``None`` when the text states none.

    A count tied to enrolment wording wins over a bare count; among counts of the same kind the
    largest wins.
    """
    found = all_participant_counts(text)
    if not found:
        m = _CASE.search(text or "")
        return ParticipantCount(1, m.group(0), False) if m and not _MODEL.search(text or "") else None
    strong = [c for c in found if c.strong]
    included = [c for c in strong if not _SCREENED.search(c.phrase)]
    best = max(included or strong or found, key=lambda c: c.n)
    return _after_exclusions(text, best, found)


def _after_exclusions(text: str, best: ParticipantCount, found: list[ParticipantCount]) -> ParticipantCount:
    """``best`` less the participants a later sentence excludes, when the study's group sizes
    confirm the difference ("221 patients underwent CABG. 14 patients with preoperative AF and 4
    patients with concomitant valve surgery were excluded … (n = 77) … (n = 126)" → the groups,
    203); ``best`` otherwise (an exclusion the group sizes do not confirm is not guessed at)."""
    at = text.find(best.phrase)
    excluded = 0
    for start, end in split_sentences(text):
        if start > at >= 0 and _EXCLUDED.search(text, start, end):
            excluded += sum(c.n for c in _counts(text[start:end], _WEAK_RE, False))
    if not excluded or excluded >= best.n:
        return best
    groups = [c for c in _group_sums(text) if c.n == best.n - excluded]
    return groups[0] if groups else best
