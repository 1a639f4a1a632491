"""Which sentence of a passage to quote for a candidate condition.

Of the sentences that name the candidate, the one read for the case's findings
(:func:`choose_sentence`) names the most of them; a negated or hedging sentence about the
candidate ("It does not always mean that you are having a heart attack", "Half the people who have
pulmonary embolism have no symptoms", "Most kidney stones pass out of the body without help") says
nothing for it and is read only when no other sentence names it.

The quote shown (:func:`quote_sentence`) is chosen apart, so that how it reads never changes which
findings a candidate explains or its rank: not boilerplate (:data:`BOILERPLATE`: an ontology list's
preamble, "the incidence of X is unknown", "X is diagnosed by testing your blood", vaccines and
boosters, where to learn more, surveillance), not hedging, then the sentence naming the most
findings, then the candidate's own phenotype terms, then one listing its symptoms ("Symptoms of X
include …"), then its definition ("X is a viral infection …"), then any other; ties keep the
passage's order. Boilerplate is shown only as "[n] is about it" (:func:`shown_quote`); on a page
whose question title names the candidate, a quote naming none of the findings gives way to the
page's sentence that names them.

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


#: Sentences that name a condition without saying why it would fit a case: an ontology list's
#: preamble ("The Human Phenotype Ontology provides the following list of signs and symptoms for
#: X"), unknown epidemiology ("The exact incidence of X is unknown"), how it is tested for ("X is
#: diagnosed by testing your blood"), vaccines and boosters, where to learn more or take part in
#: research, and public-health reporting. Wording of MedQuAD/GARD/MedlinePlus pages (the kinds of
#: sentence, not one page's text).
BOILERPLATE = re.compile(
    r"\b(?:human phenotype ontology|following list of (?:signs|symptoms|features)|"
    r"this (?:table|list) (?:lists|includes|shows|provides)|"
    r"(?:incidence|prevalence|frequency|number of (?:people|cases|individuals))\b[^.;]*?\b(?:is|are|remains?) "
    r"(?:unknown|not known|uncertain|unclear|not well (?:known|established))|"
    r"(?:it is|it's) (?:not known|unknown|unclear) how (?:many|common)|"
    r"(?:is|are|be|usually|often|typically|generally) diagnosed (?:by|through|using|with (?:a|an|the)?\s*(?:\w+ )?tests?)|"
    r"(?:blood|lab|laboratory|diagnostic) tests? (?:can|may|will|to) (?:detect|diagnose|confirm)|"
    r"vaccin\w*|booster|immuni[sz](?:ation|ed|e)\b|"
    r"for more information|(?:contact|visit|call) (?:your|the|a)\b|clinicaltrials\.gov|"
    r"genetic and rare diseases information center|medlineplus|"
    r"surveillance|notifiable|reportable|reported to (?:the )?(?:cdc|health))",
    re.IGNORECASE)
#: A sentence listing the condition's features ("Symptoms of X include fever …", "X is
#: characterised by …", "X presents with …"); "Symptoms of X vary" lists none.
_FEATURES = re.compile(
    r"\b(?:(?:symptoms?|signs?|features?|manifestations?|findings?|complaints?)\b[^.;]{0,80}?\b(?:include|including|are|such as|may be|consist)|"
    r"characteri[sz]ed by|presents? with|presenting with|manifests? (?:as|with))\b",
    re.IGNORECASE)
#: A definition: the name, then "is a/an …", "refers to", "is caused by" (checked on the sentence's subject).
_DEFINES = re.compile(r"^(?:is|are) (?:a|an|the|one|any|usually a|often a|rare|common|an? \w+)\b|^(?:refers? to|describes?|means)\b|"
                      r"^(?:is|are) (?:\w+ )?caused by\b", re.IGNORECASE)
#: A sentence speaking of the condition's symptoms without listing them ("Symptoms of X vary").
_MENTIONS_SYMPTOMS = re.compile(r"\b(?:symptoms?|signs?|features?)\b", re.IGNORECASE)


def is_boilerplate(sentence: str) -> bool:
    """Whether ``sentence`` is :data:`BOILERPLATE`: it names a condition without saying why it fits."""
    return bool(BOILERPLATE.search(sentence or ""))


def sentence_kind(sentence: str, forms: Iterable[str] = ()) -> int:
    """How much ``sentence`` tells about the condition it names (one of ``forms``, normalised):
    3 lists its features (:data:`_FEATURES`), 2 defines it (the name, then "is a …", "refers to",
    "is caused by"), 1 speaks of its symptoms without listing them, 0 otherwise."""
    if _FEATURES.search(sentence):
        return 3
    ns = f" {normalize(sentence)} "
    for f in (f for f in forms if f):
        at = ns.find(f" {f} ")
        if at >= 0 and _DEFINES.search(ns[at + len(f) + 2:]):
            return 2
    return 1 if _MENTIONS_SYMPTOMS.search(sentence) else 0


def choose_sentence(naming: Sequence[str], findings: Iterable[str] = ()) -> str:
    """The sentence whose words say what a passage tells about the candidate, for matching the
    case's findings (not for display: :func:`quote_sentence`), among ``naming`` (sentences that
    name it, in passage order): not hedging first, then most findings mentioned, then the
    earliest. "" when empty. Kept apart from the quote shown so that how a quote reads never
    changes which findings a candidate explains, nor its rank."""
    if not naming:
        return ""
    fs = list(findings)
    best = min(range(len(naming)), key=lambda i: (bool(HEDGE.search(naming[i])), -finding_hits(naming[i], fs), i))
    return naming[best]


def quote_sentence(naming: Sequence[str], findings: Iterable[str] = (), phenotype_hits=None,
                   forms: Iterable[str] = ()) -> str:
    """The sentence to show as the quote among ``naming`` (sentences that name the candidate, in
    passage order), by, in turn: not boilerplate (:func:`is_boilerplate`), not hedging, most
    ``findings`` mentioned (:func:`finding_hits`), most of the candidate's phenotype terms
    (``phenotype_hits``, a function sentence → count; none when omitted), its
    :func:`sentence_kind` (features, then a definition of one of ``forms``), the earliest. ""
    when ``naming`` is empty."""
    if not naming:
        return ""
    fs = list(findings)
    forms = list(forms)
    pheno = phenotype_hits or (lambda s: 0)

    def key(i: int):
        s = naming[i]
        return (is_boilerplate(s), bool(HEDGE.search(s)), -finding_hits(s, fs), -pheno(s), -sentence_kind(s, forms), i)

    return naming[min(range(len(naming)), key=key)]


def shown_quote(quote: str, text: str = "", title: str = "", forms: Iterable[str] = (), findings: Iterable[str] = ()) -> str:
    """The quote to show for a supporting passage (``text``, ``title``) whose naming sentence is
    ``quote``. When ``quote`` names none of the case's ``findings`` (or is boilerplate) and the
    passage's question title names the candidate (a MedQuAD page about it: every sentence speaks
    of it), the page's sentence naming the most ``findings`` (at least one; not hedging, not
    boilerplate, not a question: "If you have symptoms, they may include … fever, cough,
    headache"). Else ``quote``, or "" when it is boilerplate (the citation is then shown as
    "is about it")."""
    fs = list(findings)
    forms = [f for f in forms if f]
    if (finding_hits(quote, fs) == 0 or is_boilerplate(quote)) and _QUESTION_TITLE.search(title or "") \
            and _position(f" {normalize(title)} ", forms) >= 0:
        pool = [x.strip() for x in sentences(text) if not x.rstrip().endswith("?") and not is_boilerplate(x) and not HEDGE.search(x)]
        best = max(((finding_hits(x, fs), -i, x) for i, x in enumerate(pool)), default=(0, 0, ""))
        if best[0] > 0:
            return best[2]
    return "" if is_boilerplate(quote) else quote


def rank_support(support: Sequence[tuple[int, str, str]], findings: Iterable[str] = ()) -> list[tuple[int, str, str]]:
    """Supporting passages ``(pool index, link, quote)`` in citation order: passages whose quote
    hedges are dropped when another passage supports the candidate (by a quote that does not
    hedge, or by metadata: an empty quote); the rest by findings their quote mentions, most first,
    then as given (metadata links, which quote nothing, keep their place among zero-hit quotes)."""
    fs = list(findings)
    hedged = [bool(q) and bool(HEDGE.search(q)) for _, _, q in support]
    keep = [s for s, h in zip(support, hedged) if not h] if not all(hedged) else list(support)
    order = sorted(range(len(keep)), key=lambda k: (is_boilerplate(keep[k][2]), -finding_hits(keep[k][2], fs), k))
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
