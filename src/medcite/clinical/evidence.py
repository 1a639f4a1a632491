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


def level_from_publication_types(publication_types: list[str]) -> str:
    """Strongest level named by ``publication_types`` ("" when none maps to a level)."""
    best, best_rank = "", 0
    for pt in publication_types or []:
        label = PUBLICATION_TYPES.get(" ".join(pt.lower().split()))
        if label and LEVELS[label] > best_rank:
            best, best_rank = label, LEVELS[label]
    return best


def level_from_text(text: str) -> str:
    """Level detected from design wording in ``text``, without the :data:`FROM_TEXT` suffix."""
    if not text:
        return ""
    low = text.lower()
    for label, words, pattern in TEXT_PATTERNS:
        if any(w in low for w in words) and pattern.search(low):
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
