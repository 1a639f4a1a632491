"""The key concepts of an English question: what is given or done (intervention / exposure) and
what it is for (the condition or outcome), as stemmed words.

A passage about the right condition but not the asked intervention is a neighbouring topic, not
evidence: on the demo index (1,000 PubMedQA abstracts) "Does aspirin prevent colorectal cancer in
Lynch syndrome?" reached cosine 0.86 against a Lynch-syndrome *screening* paper and was answered
from it. :func:`key_concepts` splits a yes/no question at its relation verb ("Does X prevent Y",
"Is X associated with Y", "Can X predict Y"): the content words before it are the exposure, those
after it the condition. :func:`has_concepts` then requires a passage to share at least one stemmed
word of each side (only one side when the question has a single side, nothing when it has none).
This is the PICO split of evidence-based medicine (Richardson et al. 1995, "The well-built clinical
question", ACP J Club 123:A12) read from the question's syntax, not a classifier: a question
without a relation verb keeps the weaker rule of sharing any key word.

Words every clinical question uses (patients, effective, risk, outcome …, :data:`GENERIC`) are
not concepts. Matching is on Snowball stems as BM25 indexes them
(:func:`medcite.index.lexical.tokenize`), so "anticoagulation" meets "anticoagulant", and a stem
inside a longer one counts ("motor" in "psychomotor", :data:`MIN_PART`); a synonym
with another stem is matched only through the small table :data:`SYNONYMS` (obesity reported as
BMI, "heart attack" for "myocardial infarction"), which is why a side needs only one of its words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..index.lexical import tokenize

#: Relation verbs (and their forms) that separate exposure from condition in a yes/no question.
RELATION = re.compile(
    r"\b(?:prevent|cause|reduce|lower|decrease|increase|raise|improve|worsen|affect|influence|predict|"
    r"treat|cure|clear|shorten|protect|induce|help|benefit|alter|change|modify|promote|delay|"
    r"associated with|related to|linked to|correlated with|effective (?:for|in|against)|"
    r"safe (?:for|in)|a risk factor for|a predictor of|useful (?:for|in)|lead to|result in|contribute to)"
    r"(?:s|es|d|ed)?\b",
    re.IGNORECASE,
)
#: Stems of words any clinical question uses: never a concept on their own.
GENERIC = frozenset(tokenize([
    "patient patients people person adult adults child children women men woman man subject subjects "
    "effective effectiveness efficacy efficacious effect effects safe safety risk risks factor factors "
    "outcome outcomes result results benefit benefits role use used using impact improve improvement "
    "increase increased reduce reduced decrease decreased prevent prevention treat treatment treatments "
    "therapy therapies help cause causes associated association related relation predict predictor "
    "affect influence change changes better worse clinical study studies trial evidence really still "
    "necessary need needed possible useful value valuable good bad new level levels rate rates "
    # function words the BM25 stop list keeps
    "do does did done doing after before from should shall must versus vs among within without "
    "can could would will may might we our us you your there here over one two"
])[0])
#: Clinical equivalents written with other stems (a question's word → words an abstract uses for
#: the same concept); the usual reporting forms (obesity reported as BMI, smoking as tobacco use).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "obesity": ("bmi", "body mass index", "overweight", "adiposity"),
    "overweight": ("bmi", "body mass index", "obesity"),
    "smoking": ("tobacco", "cigarette", "smokers"),
    "alcohol": ("drinking", "ethanol"),
    "heart attack": ("myocardial infarction",),
    "myocardial infarction": ("heart attack", "mi"),
    "stroke": ("cerebrovascular", "cerebral infarction"),
    "cancer": ("carcinoma", "tumour", "tumor", "malignancy", "neoplasm"),
    "tumor": ("cancer", "carcinoma", "neoplasm"),
    "elderly": ("older", "aged", "geriatric"),
    "kidney": ("renal",),
    "liver": ("hepatic",),
    "heart": ("cardiac",),
    "lung": ("pulmonary",),
    "brain": ("cerebral",),
    "children": ("paediatric", "pediatric", "child"),
    "pregnancy": ("pregnant", "gestation", "prenatal", "antenatal"),
}


def _synonym_stems() -> dict[str, frozenset[str]]:
    """:data:`SYNONYMS` as stems: a question stem → the stems that also stand for it."""
    out: dict[str, set[str]] = {}
    for word, alts in SYNONYMS.items():
        key = tokenize([word])[0]
        for alt in alts:
            for k in key:  # each stem of a multi-word entry stands for the whole concept
                out.setdefault(k, set()).update(tokenize([alt])[0])
    return {k: frozenset(v) for k, v in out.items()}


_SYN = _synonym_stems()
_YESNO = re.compile(r"^\s*(?:does|do|did|is|are|was|were|can|could|will|would|should|may|might|has|have)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Concepts:
    """The key concepts of a question (stems).

    Attributes:
        exposure: stems before the relation verb (the intervention or exposure); empty when the
            question has no relation verb.
        condition: stems after it (condition or outcome); all key stems when there is no verb.
    """

    exposure: frozenset[str]
    condition: frozenset[str]

    def sides(self) -> list[frozenset[str]]:
        """The non-empty sides a passage must each share a stem with."""
        return [s for s in (self.exposure, self.condition) if s]


def _key(text: str) -> frozenset[str]:
    return frozenset(w for w in tokenize([text])[0] if w not in GENERIC and not w.isdigit())


def key_concepts(question: str) -> Concepts:
    """Exposure and condition stems of an English ``question`` (see the module docstring).

    Returns:
        :class:`Concepts`; both sides empty for a question without content words.
    """
    m = RELATION.search(question) if _YESNO.match(question) else None
    if m:
        exposure, condition = _key(question[: m.start()]), _key(question[m.end():])
        if exposure and condition:
            return Concepts(exposure, condition)
    return Concepts(frozenset(), _key(question))


#: Shortest stem matched inside a longer one (a compound: "motor" in "psychomotor").
MIN_PART = 5


def _shares(side: frozenset[str], have: set[str]) -> bool:
    """Whether a stem of ``side`` is in ``have``, or one contains the other (both sides of a
    compound: "psychomotor deficits" meets "motor function"; parts of at least :data:`MIN_PART`)."""
    if side & have:
        return True
    if any(_SYN.get(q, frozenset()) & have for q in side):
        return True
    return any((len(w) >= MIN_PART and w in q) or (len(q) >= MIN_PART and q in w) for q in side for w in have)


def has_concepts(concepts: Concepts, text: str) -> bool:
    """Whether ``text`` (a passage's title and text) shares a stem with every side of ``concepts``
    (``True`` when the question has no key concept)."""
    have = set(tokenize([text])[0])
    return all(_shares(side, have) for side in concepts.sides())
