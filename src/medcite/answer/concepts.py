"""The key concepts of an English question: what is given or done (intervention / exposure) and
what it is for (the condition or outcome), as stemmed words.

A passage about the right condition but not the asked intervention is a neighbouring topic, not
evidence: on the demo index (1,000 PubMedQA abstracts) "Does aspirin prevent colorectal cancer in
Lynch syndrome?" reached cosine 0.86 against a Lynch-syndrome *screening* paper and was answered
from it. :func:`key_concepts` splits a yes/no question at its relation verb ("Does X prevent Y",
"Is X associated with Y", "Can X predict Y"; the first one with content words on both sides, so "Is increased X associated
with Y" splits at "associated with"): the content words before it are the exposure, those after it
the condition; setting words ("gestational", "first trimester", :data:`SETTING`) count only for a
side that names nothing else. :func:`has_concepts` then requires a passage to share at least one stemmed
word of each side (only one side when the question has a single side, nothing when it has none).
This is the PICO split of evidence-based medicine (Richardson et al. 1995, "The well-built clinical
question", ACP J Club 123:A12) read from the question's syntax, not a classifier: a question
without a relation verb keeps the weaker rule of sharing any key word.

Words every clinical question uses (patients, effective, risk, outcome …, :data:`GENERIC`) are
not concepts. Matching is on Snowball stems as BM25 indexes them
(:func:`medcite.index.lexical.tokenize`), so "anticoagulation" meets "anticoagulant", and a stem
inside a longer one counts ("motor" in "psychomotor", :data:`MIN_PART`); a synonym
with another stem is matched only through the small table :data:`SYNONYMS` (obesity reported as
BMI, "heart attack" for "myocardial infarction", the common clinical abbreviations: "MI"), which is
why a side needs only one of its words.

**About both, in one sentence (session 10).** A passage that names the exposure in one place and
the condition in another is not about their relation: "Does aspirin lower mortality after MI?"
met a paper on hospital rankings (PMID 9920954) whose methods list aspirin use among the care
compared and whose results report 30-day mortality after myocardial infarction, and was answered
from it. So a two-sided question needs one *sentence* of the passage that names both sides
(:func:`has_concepts`; a sentence that refers back, "They …", is read with the one before, and an
acronym the passage defines, "Base Deficit (BD)", counts at any length). Over the 138 two-sided
PubMedQA dev questions every gold abstract has such a sentence, and over all 500 no retrieved gold
passage that main's rule kept is set aside.
Outcome words (mortality, survival, recurrence …, :data:`OUTCOMES`) do not stand for the condition
when the side names one ("mortality after MI": the condition is MI), and a passage acronym stands
for the question words whose initials it spells (:mod:`medcite.answer.acronyms`: "DBE").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..chunking import split_sentences
from ..index.lexical import tokenize
from .acronyms import definitions, expand, phrase_initials
from .sentences import is_dangling

#: Relation verbs (and their forms) that separate exposure from condition in a yes/no question.
RELATION = re.compile(
    r"\b(?:prevent|cause|reduce|lower|decrease|increase|raise|improve|worsen|affect|influence|predict|"
    r"treat|cure|clear|shorten|protect|induce|help|benefit|alter|change|modify|promote|delay|"
    r"associated with|related to|linked to|correlated with|effective (?:for|in|against)|"
    r"safe (?:for|in)|a risk factor for|a predictor of|useful (?:for|in)|lead to|result in|contribute to|"
    r"need|require|undergo)"  # "Do gallbladder polyps smaller than 10 mm need cholecystectomy?": the polyps, then the operation
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
    "can could would will may might we our us you your there here over one two "
    # comparison words ("smaller than 10 mm", "more cardiovascular events than"): they qualify a concept, they are none
    "than more less fewer greater smaller larger higher lower"
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
    # common clinical abbreviations a question writes and abstracts spell out
    "mi": ("myocardial infarction", "heart attack"),
    "ami": ("myocardial infarction",),
    "af": ("atrial fibrillation",),
    "cabg": ("coronary artery bypass",),
    "pci": ("percutaneous coronary intervention", "angioplasty"),
    "copd": ("chronic obstructive pulmonary", "chronic obstructive lung"),
    "dvt": ("deep vein thrombosis", "deep venous thrombosis"),
    "hf": ("heart failure",),
    "ckd": ("chronic kidney disease",),
    "uti": ("urinary tract infection",),
    "pylori": ("helicobacter",),
}
#: Outcome words: what a condition side reports, not the condition ("mortality after MI"); they
#: stand for the side only when it names nothing else ("Does X reduce mortality?").
OUTCOMES = frozenset(tokenize([
    "mortality mortalities survival death deaths die dying morbidity complication complications recurrence relapse "
    "incidence prognosis readmission readmissions"
])[0])


#: Setting words: when and in whom, not what ("gestational diabetes", "nuchal translucency in the
#: first trimester"). They stand for a side only when it names nothing else ("Is pregnancy ...?"):
#: a macrosomia paper screening "at 11-14 weeks' gestation" is not about gestational diabetes.
SETTING = frozenset(tokenize([
    "gestational gestation pregnancy pregnant trimester first second third early late week weeks month months "
    "year years day days acute chronic severe mild moderate"
])[0])


def _synonym_stems() -> dict[str, frozenset[frozenset[str]]]:
    """:data:`SYNONYMS` as stems: a question stem → the alternatives that also stand for it, each
    as the set of its stems (all needed: "atrial fibrillation", not "atrial" alone)."""
    out: dict[str, set[frozenset[str]]] = {}
    for word, alts in SYNONYMS.items():
        key = tokenize([word])[0]
        for alt in alts:
            for k in key:  # each stem of a multi-word entry stands for the whole concept
                out.setdefault(k, set()).add(frozenset(tokenize([alt])[0]))
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
    acronyms: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def sides(self) -> list[frozenset[str]]:
        """The non-empty sides a passage must each share a stem with."""
        return [s for s in (self.exposure, self.condition) if s]


def _key(text: str, condition: bool = False) -> frozenset[str]:
    """Key stems of ``text``; on the condition side without its outcome words (:data:`OUTCOMES`)
    when anything else remains."""
    stems = frozenset(w for w in tokenize([text])[0] if w not in GENERIC and not w.isdigit())
    stems = (stems - SETTING) or stems
    return (stems - OUTCOMES) or stems if condition else stems


def key_concepts(question: str) -> Concepts:
    """Exposure and condition stems of an English ``question`` (see the module docstring).

    Returns:
        :class:`Concepts`; both sides empty for a question without content words.
    """
    acronyms = phrase_initials(question)
    # the first relation verb with content words on both sides ("Is increased NT associated with
    # GDM?": "increased" is an adjective there, "associated with" the relation)
    for m in RELATION.finditer(question) if _YESNO.match(question) else ():
        exposure, condition = _key(question[: m.start()]), _key(question[m.end():], condition=True)
        if exposure and condition:
            return Concepts(exposure, condition, acronyms)
    return Concepts(frozenset(), _key(question), acronyms)


#: Shortest stem matched inside a longer one (a compound: "motor" in "psychomotor").
MIN_PART = 5


def _shares(side: frozenset[str], have: set[str]) -> bool:
    """Whether a stem of ``side`` is in ``have``, or one contains the other (both sides of a
    compound: "psychomotor deficits" meets "motor function"; parts of at least :data:`MIN_PART`)."""
    if side & have:
        return True
    if any(alt <= have for q in side for alt in _SYN.get(q, ())):
        return True
    # the part ends the compound ("psychomotor" ends in "motor"); a prefix is another word
    # ("aspir", from "aspiration", begins "aspirin")
    return any((len(w) >= MIN_PART and q.endswith(w)) or (len(q) >= MIN_PART and w.endswith(q)) for q in side for w in have)


def has_concepts(concepts: Concepts, text: str) -> bool:
    """Whether ``text`` (a passage's title and text) is about the question's concepts.

    One-sided question: ``text`` shares a stem with it. Two-sided: one sentence of ``text``
    shares a stem with the exposure and one with the condition (see the module docstring); an
    acronym of ``text`` counts as the question words it spells (:func:`medcite.answer.acronyms.expand`).
    ``True`` when the question has no key concept.
    """
    sides = concepts.sides()
    if len(sides) < 2:
        have = set(tokenize([expand(text, concepts.acronyms)])[0])
        return all(_shares(side, have) for side in sides)
    defined = definitions(text)
    prev = 0
    for start, end in split_sentences(text):
        # a sentence whose subject refers back ("They may represent … somatisation") is read with the one before
        unit = text[prev:end] if is_dangling(text[start:end]) else text[start:end]
        prev = start
        have = set(tokenize([expand(unit, concepts.acronyms, defined)])[0])
        if all(_shares(side, have) for side in sides):
            return True
    return False
