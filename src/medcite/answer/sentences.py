"""Sentences of a retrieved passage, each with the part of the abstract it belongs to.

An answer should lead with what the papers *found*. Each sentence of a passage is given a role —
``conclusion``, ``results``, ``methods``, ``objective`` (background and aims) or ``""`` — from
its section label when the abstract is structured (``"CONCLUSIONS"``, ``"RESULTS"`` …, mapped
with :func:`medcite.clinical.summarize.part_of_label`), else from cue wording and position
(:func:`medcite.clinical.summarize.part_of_sentence`). Sentences that report effect sizes,
confidence intervals or p-values are flagged (:func:`effect_numbers`).

A sentence whose grammatical subject points back at an earlier sentence ("This treatment …",
"These results …", "It …", "They …") cannot stand alone: :func:`is_dangling` detects it and
:func:`with_antecedents` returns the sentences that must precede it in a quotation. Self
references to the paper ("This study …", "The present trial …") are not dangling: the citation
names the paper.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..chunking import split_sentences
from ..documents import SECTION_SEPARATOR, Passage
from ..clinical.summarize import part_of_label, part_of_sentence

#: Roles, most useful to a clinician first.
ROLES = ("conclusion", "results", "methods", "objective", "")

#: Connectives that may precede a sentence's subject ("However, these results …").
_LEAD = (
    r"(?:(?:however|moreover|furthermore|additionally|in addition|therefore|thus|hence|consequently|overall|finally|"
    r"importantly|interestingly|notably|in conclusion|in summary|taken together|collectively|together|in contrast|"
    r"similarly|likewise|nevertheless|nonetheless|in particular|specifically|as a result|accordingly|indeed|also)\s*,?\s+)?"
)
#: Nouns with which "this"/"the present" refers to the cited paper itself (not dangling).
_SELF = (
    r"(?:study|studies|trial|paper|report|review|meta-analysis|analysis|work|investigation|article|survey|"
    r"research|manuscript|series|audit|experiment|project|guideline|systematic review|cohort study)"
)
_DANGLING = re.compile(
    rf"^{_LEAD}(?:"
    rf"(?:this|these|those|that|such)\s+(?!{_SELF}\b)[a-z-]+"    # This treatment …, These results …
    r"|(?:this|these|that|those)\s*(?:,|\b(?:is|was|are|were|has|have|had|may|might|can|could|suggests?|shows?|indicates?|demonstrates?|"
    r"implies|supports?|means|confirms?|led|leads|resulted|results|provides?)\b)"  # This suggests …
    r"|(?:it|they|he|she|its|their|his|her|both|the latter|the former|the same|the other|the remaining|the rest|"
    r"the latter two|these two|the two|all three|all four)\b"
    r")",
    re.IGNORECASE,
)
#: "It is unclear whether …", "It was found that …": "it" refers to nothing before.
_EXPLETIVE = re.compile(rf"^{_LEAD}it\s+(?:\S+\s+){{0,4}}?(?:that|to|whether|if)\b", re.IGNORECASE)
_SELF_START = re.compile(rf"^{_LEAD}(?:this|the present|the current|our)\s+(?:[a-z-]+\s+){{0,2}}{_SELF}\b", re.IGNORECASE)

#: Effect sizes, confidence intervals and p-values (the numbers a finding is judged by).
EFFECT = re.compile(
    r"\b(?:p|P)\s*[<=>≤≥]\s*0?\.\d+|\bp\s*(?:value)?\s*(?:of|was|=)\s*0?\.\d+"
    r"|\b(?:95|99|90)\s*%\s*(?:CI|confidence interval)|\bCI\b\s*[:,]?\s*-?\d+(?:\.\d+)?(?:\s*(?:-|to|–)\s*-?\d+(?:\.\d+)?)?"
    r"|\b(?:odds ratio|hazard ratio|relative risk|risk ratio|rate ratio|mean difference|OR|HR|RR|aOR|aHR|SMD|WMD|MD|NNT|ARR)\b\s*[:=,]?\s*\(?\s*-?\d+(?:\.\d+)?"
    r"|-?\d+(?:\.\d+)?\s*%|\b\d+(?:\.\d+)?\s*(?:-|to|–)\s*\d+(?:\.\d+)?\b",
)


@dataclass(frozen=True)
class PassageSentence:
    """One sentence of a passage.

    Attributes:
        text: the sentence, a verbatim substring of the passage text.
        start, end: its character span ``[start, end)`` in the passage text.
        role: one of :data:`ROLES` (``""``: undecided).
        section: the section label it sits in (``""`` when unknown).
        labelled: whether ``role`` comes from a section label (more reliable than cue words).
        index: 0-based position among the passage's sentences.
    """

    text: str
    start: int
    end: int
    role: str
    section: str
    labelled: bool
    index: int

    @property
    def dangling(self) -> bool:
        """Whether the subject refers to an earlier sentence (see :func:`is_dangling`)."""
        return is_dangling(self.text)

    @property
    def has_effect(self) -> bool:
        """Whether the sentence reports an effect size, CI, p-value or percentage."""
        return bool(EFFECT.search(self.text))


#: Connectives that compare with the sentence before ("Similarly, the lateral slope was …" says
#: nothing of what it is similar to): the sentence is read with its predecessor, whatever its subject.
_COMPARATIVE = re.compile(
    r"^(?:similarly|likewise|in contrast|by contrast|conversely|on the other hand|in comparison|by comparison|"
    r"on the contrary|in the same way|in addition to this|correspondingly)\s*,",
    re.IGNORECASE,
)


def is_dangling(sentence: str) -> bool:
    """Whether ``sentence`` opens with a reference to something said before it.

    ``"This treatment resulted in …"``, ``"These results suggest …"``, ``"It was …"``,
    ``"However, they …"`` and comparisons with the sentence before (``"Similarly, …"``,
    ``"In contrast, …"``: :data:`_COMPARATIVE`) are dangling; ``"This study shows …"``,
    ``"In this trial, …"`` and sentences with their own subject are not.
    """
    s = sentence.strip().lstrip("([\"“'")
    if _COMPARATIVE.match(s):
        return True
    if _SELF_START.match(s) or _EXPLETIVE.match(s):
        return False
    return bool(_DANGLING.match(s))


#: A call for more research ("Prospective studies should examine …", "… warrants further study").
_FUTURE = re.compile(
    r"\b(?:further|future|more|larger|additional|prospective|randomi[sz]ed|well-designed)\s+(?:\w+\s+){0,2}"
    r"(?:studies|study|research|trials|investigations?|work|evaluation|data)\b[^.]*\b(?:needed|required|warranted|necessary|should|must|are\s+needed)\b"
    r"|\b(?:warrants?|merits?|deserves?|requires?)\s+(?:further|more)\s+(?:study|studies|research|investigation|evaluation)\b",
    re.IGNORECASE,
)


def is_future_work(sentence: str) -> bool:
    """Whether ``sentence`` asks for more research ("Further trials are needed", "Prospective
    studies should examine …") rather than reporting a finding."""
    return bool(_FUTURE.search(sentence))


def effect_numbers(sentence: str) -> list[str]:
    """The effect sizes, CIs, p-values and percentages quoted in ``sentence`` (verbatim pieces)."""
    return [m.group(0).strip() for m in EFFECT.finditer(sentence)]


def _sections_of(passage: Passage) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` of each section piece of the passage text.

    A chunk's ``section`` joins the labels of the sections it spans with " / " (labels that
    repeat or are empty are dropped), and its text joins the section texts with
    :data:`~medcite.documents.SECTION_SEPARATOR`; when the counts match they are zipped, when
    there is one label it covers everything, otherwise the labels are unknown.
    """
    text = passage.text or ""
    labels = [x.strip() for x in (passage.section or "").split(" / ") if x.strip()]
    pieces, pos = [], 0
    for part in text.split(SECTION_SEPARATOR):
        pieces.append((pos, pos + len(part)))
        pos += len(part) + len(SECTION_SEPARATOR)
    if len(labels) == len(pieces):
        return [(s, e, lab) for (s, e), lab in zip(pieces, labels)]
    if len(labels) == 1:
        return [(0, len(text), labels[0])]
    return [(0, len(text), "")]


def passage_sentences(passage: Passage, min_chars: int = 20) -> list[PassageSentence]:
    """Sentences of ``passage.text`` (the title when there is no text) with roles.

    Args:
        passage: a retrieved passage.
        min_chars: shorter sentences (headings, fragments) are dropped.

    Returns:
        sentences in reading order; ``index`` counts every sentence, dropped ones included, so
        ``index - 1`` is the sentence before.
    """
    text = passage.text or ""
    if not text.strip():
        title = passage.title.strip()
        return [PassageSentence(title, 0, len(title), "", "TITLE", False, 0)] if len(title) >= min_chars else []
    spans = []
    for s0, e0, label in _sections_of(passage):
        for s, e in split_sentences(text[s0:e0]):
            spans.append((s + s0, e + s0, label))
    n = max(len(spans), 1)
    out = []
    for k, (s, e, label) in enumerate(spans):
        sent = text[s:e]
        role = part_of_label(label) if label else ""
        labelled = bool(role)
        if not role:
            role = part_of_sentence(sent, k / n)
        out.append(PassageSentence(sent, s, e, role, label, labelled, k))
    return [p for p in out if len(p.text.strip()) >= min_chars]


def with_antecedents(sentence: PassageSentence, all_sentences: list[PassageSentence], max_back: int = 2) -> list[PassageSentence] | None:
    """The sentences to quote for ``sentence``: itself, preceded by its antecedents when dangling.

    Walks back over dangling predecessors (at most ``max_back`` sentences).

    Returns:
        the contiguous run ending with ``sentence`` whose first sentence is not dangling, or
        ``None`` when no such run exists within ``max_back`` sentences (the sentence cannot be
        quoted intelligibly).
    """
    if not sentence.dangling:
        return [sentence]
    by_index = {s.index: s for s in all_sentences}
    run = [sentence]
    k = sentence.index
    for _ in range(max_back):
        prev = by_index.get(k - 1)
        if prev is None:
            return None
        run.insert(0, prev)
        if not prev.dangling:
            return run
        k -= 1
    return None


_AUX = re.compile(r"^\s*(?:does|do|did|is|are|was|were|can|could|should|would|will|has|have|had|may|might|must)\b", re.IGNORECASE)
_PLURAL = (
    r"(?:drugs|medications|medicines|treatments|therapies|agents|inhibitors|genes|proteins|mutations|symptoms|signs|"
    r"features|manifestations|causes|risk factors|complications|side effects|adverse (?:effects|events)|biomarkers|markers|"
    r"tests|types|subtypes|components|members|diseases|disorders|conditions|syndromes|examples|options|receptors|enzymes|"
    r"pathways|cells|tissues|organs|viruses|bacteria|organisms|species|methods|tools|databases|algorithms|indications|"
    r"contraindications|variants|factors|molecules|compounds|antibodies|vaccines|targets|cancers|tumors|tumours|"
    r"hormones|cytokines|interventions|procedures|medications|diagnoses|phenotypes|isoforms|domains|loci|alleles|ligands|"
    r"substrates|subunits|miRNAs|microRNAs|lncRNAs|kinases|channels|transporters|products|programs|packages|software)"
)
_LIST = re.compile(
    rf"^\s*(?:list|name|enumerate|mention)\b|\bwhich\s+(?:[\w'-]+\s+){{0,2}}{_PLURAL}\b|^\s*what\s+(?:are|were)\b.*\b{_PLURAL}\b",
    re.IGNORECASE,
)


def question_kind(question: str) -> str:
    """``"yesno"`` (asks whether something holds: "Does …?", "Is …?"), ``"list"`` (asks for
    several items: "Which drugs …?", "List …"), or ``"other"`` (what / how / describe …)."""
    q = question.strip()
    if _AUX.match(q):
        return "yesno"
    if _LIST.search(q):
        return "list"
    return "other"
