"""Evidence level of a paper: from its PubMed publication types, else from its design wording.

The ranking follows the usual evidence pyramid (e.g. Murad et al. 2016, "New evidence pyramid",
Evid Based Med 21:125): syntheses of trials above trials, trials above observational studies,
observational studies above case reports, and narrative reviews (expert opinion) at the bottom.
Practice guidelines are placed just below systematic reviews. The label is the strongest level
among the record's publication types; when none maps to a level, design wording in the text
("we randomly assigned …", "a retrospective cohort study", "we report a case …") is used and the
label says so with the suffix :data:`FROM_TEXT`.
"""

from __future__ import annotations

import re

FROM_TEXT = " (from text)"

#: Levels, strongest first, with their rank (higher = stronger; 0 = unknown).
LEVELS: dict[str, int] = {
    "Meta-Analysis": 8,
    "Systematic Review": 7,
    "Practice Guideline": 6,
    "Randomized Controlled Trial": 5,
    "Clinical Trial": 4,
    "Observational Study": 3,
    "Case Report": 2,
    "Review": 1,
}

#: PubMed publication type (lower case) → level. Types not listed (Journal Article, Comparative
#: Study, Multicenter Study, Letter, Editorial, Research Support …) say nothing about design.
PUBLICATION_TYPES: dict[str, str] = {
    "meta-analysis": "Meta-Analysis",
    "systematic review": "Systematic Review",
    "practice guideline": "Practice Guideline",
    "guideline": "Practice Guideline",
    "randomized controlled trial": "Randomized Controlled Trial",
    "randomized controlled trial, veterinary": "Randomized Controlled Trial",
    "clinical trial": "Clinical Trial",
    "clinical trial, phase i": "Clinical Trial",
    "clinical trial, phase ii": "Clinical Trial",
    "clinical trial, phase iii": "Clinical Trial",
    "clinical trial, phase iv": "Clinical Trial",
    "clinical trial, veterinary": "Clinical Trial",
    "controlled clinical trial": "Clinical Trial",
    "pragmatic clinical trial": "Clinical Trial",
    "adaptive clinical trial": "Clinical Trial",
    "equivalence trial": "Clinical Trial",
    "observational study": "Observational Study",
    "observational study, veterinary": "Observational Study",
    "twin study": "Observational Study",
    "case reports": "Case Report",
    "case report": "Case Report",
    "review": "Review",
    "scoping review": "Review",
}

#: Design wording, strongest level first; the first level with a hit wins. Each entry is
#: ``(level, words one of which must occur, pattern)``; patterns run on the lower-cased text.
TEXT_PATTERNS: list[tuple[str, tuple[str, ...], re.Pattern]] = [
    ("Meta-Analysis", ("meta", "pooled"), re.compile(r"\bmeta-?analy(?:sis|ses|zed|sed)\b|\bpooled analysis of (?:\d+|several|randomi[sz]ed)")),
    ("Systematic Review", ("systematic", "prisma"), re.compile(r"\bsystematic(?:ally)?\s+(?:literature\s+)?(?:review|search|searched)\b|\bprisma\b")),
    ("Randomized Controlled Trial", ("random",), re.compile(
        r"\brandomly\s+(?:assigned|allocated|divided)\b|\bwere\s+randomi[sz]ed\b|\brandomi[sz]ed\s+(?:to|into|in a)\b"
        r"|\brandomi[sz]ed,?\s+(?:\w+[- ])?(?:\w+[- ])?(?:controlled|clinical|double-blind|placebo-controlled|crossover|cross-over)\s+(?:trial|study)\b(?!s)"
        r"|\b(?:a|this|our|the present)\s+(?:\w+[- ,]+){0,3}randomi[sz]ed\b")),
    ("Clinical Trial", ("phase", "label", "arm", "trial", "blind", "placebo"), re.compile(
        r"\bdouble[- ]blind(?:ed)?\b|\bplacebo[- ]controlled\b|\b(?:versus|vs\.?|or|compared with)\s+placebo\b|"
        r"\bphase\s+(?:i{1,3}v?|[1-4](?:/[1-4])?|i{1,3}/i{1,3})\s+(?:\w+\s+)?(?:trial|study)\b|\bopen[- ]label\b|\bsingle[- ]arm\b"
        r"|\b(?:a|this|our)\s+(?:\w+[- ]){0,2}(?:clinical|controlled|pilot)\s+trial\b|\bnon-?randomi[sz]ed\s+(?:controlled\s+)?trial\b")),
    ("Observational Study", ("cohort", "control", "sectional", "retrospective", "prospective", "observational", "registry", "population", "longitudinal"), re.compile(
        r"\bcohort\b|\bcase[- ]control\b|\bcross[- ]sectional\b|\bretrospective(?:ly)?\b|\bprospective(?:ly)?\s+(?:\w+\s+)?(?:study|studied|observational|followed|collected|enrolled|registry)\b"
        r"|\bobservational\s+study\b|\bregistry\b|\bpopulation-based\s+study\b|\blongitudinal\s+study\b")),
    ("Case Report", ("case", "report", "describe", "present", "old"), re.compile(
        r"\bcase\s+report\b|\bcase\s+series\b|\bwe\s+(?:report|describe|present)\s+(?:a|an|the|two|three|four|five|\d+)\s+"
        r"(?:\w+[- ]){0,3}(?:case|cases|patient|patients|man|woman|boy|girl|infant|neonate|child)\b"
        r"|\b(?:a|an)\s+\d+[- ](?:year|month|week|day)[- ]old\s+(?:\w+\s+)?(?:man|woman|male|female|boy|girl|patient|infant|child)\b")),
    ("Review", ("review",), re.compile(r"\b(?:this|the present|our|a|narrative|literature)\s+review\b|\bwe\s+review\b|\breview\s+of\s+the\s+literature\b|\bis\s+reviewed\b|\bare\s+reviewed\b")),
]


#: Cues that make a design phrase negated or hypothetical when they occur in the same sentence
#: within a few words before it ("in the absence of data from a clinical trial", "no randomized
#: controlled trial has …", "should be confirmed in a randomized trial"). The negation-cue idea is
#: NegEx's (Chapman et al. 2001, J Biomed Inform 34:301): a cue scopes over the next few words
#: of its sentence. "no"/"not"/"without" get a shorter window, as they usually negate a nearer
#: noun: "patients who did not respond were randomized", "men without prostate cancer in the
#: Baltimore Longitudinal Study of Aging" still count.
NEGATION_BEFORE = re.compile(
    r"\b(?:absence\s+of|lack\s+of|lacking|lacks?|never|would|could|should|"
    r"needs?\s+to\s+be|warrant(?:s|ed)?|future|further|awaits?|awaiting)\b")
NEGATION_WINDOW = 6
SHORT_NEGATION_BEFORE = re.compile(r"\b(?:no|not|none|without|neither|nor)\b")
SHORT_NEGATION_WINDOW = 3
#: Cues right after a design phrase that make it future work ("a randomized trial is warranted",
#: "a prospective study is ongoing"). "Required" is not a cue before a phrase: methods say "a
#: washout if required, and a 4-week randomized period" ("would require" is caught by "would");
#: nor is a bare "need" ("the need for progress … is reviewed in this article"), only "needs to be".
HYPOTHETICAL_AFTER = re.compile(
    r"^[^.;:!?]{0,40}?\b(?:(?:is|are|will\s+be|would\s+be)\s+(?:\w+\s+)?(?:needed|warranted|required|necessary|"
    r"recommended|indicated)|(?:is|are)\s+(?:ongoing|underway|planned)|should\s+be|would\s+be|could\s+be)\b")

#: Wording of a decision analysis or modelling study (Markov model, decision tree, simulation):
#: its inputs come from others' studies, so its own design is none of the primary-study levels
#: (trials, observational studies, case reports) even when it mentions them ("the base case was
#: a 69-year-old man", "data from a cohort"). Syntheses and reviews it performs still count.
MODELLING = re.compile(
    r"\bmarkov\b|\bdecision[- ]analy(?:sis|tic)\b|\bdecision\s+(?:tree|model)\b|\bmicro-?simulation\b"
    r"|\bsimulation\s+model|\bmonte\s+carlo\s+simulation|\bcost-effectiveness\s+model|\b(?:economic|cost-utility)\s+model")
PRIMARY_LEVELS = ("Randomized Controlled Trial", "Clinical Trial", "Observational Study", "Case Report")


def _negated_or_hypothetical(low: str, start: int, end: int) -> bool:
    """Whether the design phrase ``low[start:end]`` is negated or hypothetical in its sentence.

    Looks for :data:`NEGATION_BEFORE` within :data:`NEGATION_WINDOW` words (and
    :data:`SHORT_NEGATION_BEFORE` within :data:`SHORT_NEGATION_WINDOW` words) before the phrase,
    stopping at the sentence's start, and for :data:`HYPOTHETICAL_AFTER` right after it.
    """
    sentence = re.split(r"[.;:!?\n]", low[:start])[-1]
    words = sentence.split()
    if NEGATION_BEFORE.search(" ".join(words[-NEGATION_WINDOW:])):
        return True
    if SHORT_NEGATION_BEFORE.search(" ".join(words[-SHORT_NEGATION_WINDOW:])):
        return True
    return bool(HYPOTHETICAL_AFTER.search(low[end:end + 80]))


def level_from_publication_types(publication_types: list[str]) -> str:
    """Strongest level named by ``publication_types`` ("" when none maps to a level)."""
    best, best_rank = "", 0
    for pt in publication_types or []:
        label = PUBLICATION_TYPES.get(" ".join(pt.lower().split()))
        if label and LEVELS[label] > best_rank:
            best, best_rank = label, LEVELS[label]
    return best


def level_from_text(text: str) -> str:
    """Level detected from design wording in ``text``, without the :data:`FROM_TEXT` suffix.

    A design phrase counts only when it is not negated or hypothetical in its sentence (see
    :func:`_negated_or_hypothetical`); in a modelling study (:data:`MODELLING`) the primary-study
    levels (:data:`PRIMARY_LEVELS`) are not read from the text at all.
    """
    if not text:
        return ""
    low = text.lower()
    modelling = bool(MODELLING.search(low))
    for label, words, pattern in TEXT_PATTERNS:
        if modelling and label in PRIMARY_LEVELS:
            continue
        if any(w in low for w in words) and any(
                not _negated_or_hypothetical(low, m.start(), m.end()) for m in pattern.finditer(low)):
            return label
    return ""


#: Id prefixes of records that are not research papers (consumer-health pages): their wording
#: ("a registry of patients …") says nothing about a study design.
NOT_PAPERS = ("medquad:",)


def evidence_level(publication_types: list[str], text: str, doc_id: str = "") -> str:
    """Short evidence label for one paper.

    Args:
        publication_types: PubMed publication types of the record (may be empty).
        text: the record's abstract or passage text (used only when the types name no level).
        doc_id: the record's id; records with an id in :data:`NOT_PAPERS` get no level from text.

    Returns:
        a key of :data:`LEVELS` (from the publication types); or that key followed by
        :data:`FROM_TEXT` (detected from the text); or ``""`` when neither says anything.
    """
    label = level_from_publication_types(publication_types)
    if label or doc_id.startswith(NOT_PAPERS):
        return label
    detected = level_from_text(text)
    return detected + FROM_TEXT if detected else ""


def evidence_rank(label: str) -> int:
    """Rank of a label from :func:`evidence_level` (0 = unknown, 8 = meta-analysis).

    A level detected from text has the same rank as the publication type it names; use
    :func:`is_from_text` to break ties in favour of indexed publication types.
    """
    return LEVELS.get(base_level(label), 0)


def base_level(label: str) -> str:
    """The level without the :data:`FROM_TEXT` suffix."""
    return label.removesuffix(FROM_TEXT)


def is_from_text(label: str) -> bool:
    """Whether the label was detected from the text rather than read from publication types."""
    return label.endswith(FROM_TEXT)
