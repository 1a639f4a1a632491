"""Is a name a finding (sign, symptom, laboratory abnormality) or a condition (disease, syndrome)?

A differential lists conditions only: "Fever", "Abdominal pain", "Back pain", "Hemorrhage",
"Neck pain", "Anemia", "Thrombocytopenia" are findings; "Sickle cell anemia", "Pneumonia",
"Migraine", "Influenza" are conditions. The rule, first match wins:

1. a **disease word** (:data:`DISEASE_WORDS`: syndrome, disease, disorder, infection, cancer,
   pneumonia, influenza, leukemia …, structural diagnoses such as infarction, cirrhosis,
   thrombosis, stenosis, aneurysm, failure, or a word ending in "-itis") → condition ("Complex
   regional pain syndrome", "Hepatitis", "Myocardial infarction", "Pneumonia" although HPO lists
   them as phenotypes);
   A numbered or lettered subtype ("Hypomagnesemia 6", "Syndactyly type 9") is a condition too,
   and so is a bleed inside the skull named by its compartment (:data:`_INTRACRANIAL_BLEED`:
   "Subarachnoid hemorrhage", "Intracerebral haemorrhage", "Subdural hematoma": a diagnosis
   in itself, a stroke or a head injury, not a sign on the way to one);
2. the name of an **OMIM, Orphanet or DECIPHER disease** (same strong key,
   :func:`.names.strong_keys`) → condition ("Sickle cell anemia", "Obesity");
3. a **bare laboratory abnormality**: the one word "anemia", or hypo-/hyper-…-emia, or a blood
   cell word ending in -penia/-cytosis/-philia ("Thrombocytopenia", "Hypokalemia",
   "Leukocytosis", "Eosinophilia") → finding ("Citrullinemia", "Hemophilia",
   "Neuroacanthocytosis" go on to rules 5–6);
   A **laboratory analyte** named alone ("Creatinine", "Hemoglobin", "Platelet count", "Glucose":
   the names of :data:`medcite.clinical.findings.labs.ANALYTES` of four letters or more, as MedQuAD's
   MedlinePlus test pages name their focus) is a finding too: a test, never a diagnosis;
4. **pain or bleeding**: the name ends in "pain"/"ache"/"bleeding" or is "Hemorrhage" → finding
   ("Neck pain"; "Retinal hemorrhage" goes on to rule 5 and is a finding);
   A **general pathological process or state** named alone, without an organ or cause
   (:data:`GENERAL_PROCESSES`: MeSH headings such as "Atrophy", "Dislocations", "Disabilities",
   "Necrosis", "Inflammation", "Fibrosis", which indexed papers carry and which name no diagnosis)
   is a finding too;
   A **physiological measurement** (:data:`_MEASUREMENT`: MeSH headings of tree G09 such as
   "Stroke Volume", "Cardiac Output", "Blood Pressure", "Heart Rate", "Vascular Resistance",
   which indexed papers carry) is a finding too — checked before rule 1, since "stroke" in
   "Stroke Volume" is not the disease; a name with another disease word ("Low cardiac output
   syndrome") is not a measurement;
5. **finding evidence** — an HPO "Phenotypic abnormality" term name or synonym, or UMLS semantic
   types (from MedQuAD) Sign or Symptom (T184) or Laboratory result (T034); Finding (T033) is
   not enough alone, MedQuAD gives it to many rare diseases —
   makes a finding, unless MedQuAD types the same name as a disease (T047 Disease or Syndrome,
   T191 Neoplastic Process, T048 Mental or Behavioral Dysfunction, T037 Injury or Poisoning):
   "Fever" (HPO, T033) and "Jaundice" (HPO, T046/T184) are findings, "Migraine", "Asthma",
   "Stroke", "Hypothyroidism" (HPO and T047) conditions;
6. anything else → condition (a name no source knows as a finding).

Known grey zones, decided by the rule: "Hypertension", "Seizure", "Scoliosis" and "Patent ductus
arteriosus" are findings (HPO, no disease word or typing);
"Epilepsy", "Depression" and "Iron deficiency anemia" are conditions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..findings.labs import ANALYTES
from ..terms import normalize
from .condition import Condition
from .ontology import Ontology

FINDING = "finding"
CONDITION = "condition"
DISEASE_WORDS = {
    "syndrome", "disease", "disorder", "infection", "cancer", "carcinoma", "sarcoma", "lymphoma", "leukemia",
    "leukaemia", "melanoma", "myeloma", "glioma", "neoplasm", "tumor", "tumour", "pneumonia", "influenza", "sepsis",
    "septicemia", "tuberculosis", "malaria", "deficiency", "dystrophy", "asthma", "migraine", "epilepsy", "diabete",
    "diabetes", "dementia", "stroke",
    # structural and organ diagnoses that HPO also lists as phenotypes
    "infarction", "cirrhosis", "thrombosis", "embolism", "stenosis", "aneurysm", "hernia", "fracture", "ulcer",
    "failure", "arrest", "defect", "insufficiency", "dissection", "prolapse", "abscess", "polyp", "stone",
    "occlusion", "regurgitation", "cardiomyopathy", "ketoacidosis", "torsion", "volvulus", "intussusception",
}
DISEASE_SUFFIXES = ("itis", "oma")
#: Words ending in "-oma" that name a finding, not a tumour or disease.
NOT_DISEASE_OMA = {"hematoma", "haematoma", "granuloma", "scotoma", "coma", "stoma", "xanthoma"}
FINDING_TYPES = {"T184", "T034"}
DISEASE_TYPES = {"T047", "T191", "T048", "T037"}
_LAB = re.compile(
    r"^(?:anemia|anaemia|(?:hypo|hyper)[a-z]+(?:emia|aemia)|"
    r"(?:leuko|leuco|lympho|mono|thrombo|erythro|granulo|neutro|eosino|baso|pancyto|reticulo)[a-z]*(?:penia|cytosis|philia))$"
)
#: Normalised analyte names (rule 3): "creatinine", "hemoglobin", "platelet count" … (short
#: abbreviations such as "hb", "na", "cr" are left out: they are also parts of disease names).
ANALYTE_NAMES = frozenset(normalize(n) for a in ANALYTES for n in (a.key, *a.names) if len(n) >= 4 and n.isascii())
#: Rule 4: single-word MeSH headings of general pathological processes and states (tree C23,
#: "Pathological Conditions, Signs and Symptoms"), singular and plural: never a diagnosis alone.
GENERAL_PROCESSES = frozenset({
    "atrophy", "atrophies", "dislocation", "dislocations", "disability", "disabilities", "necrosis", "inflammation",
    "fibrosis", "hypertrophy", "hyperplasia", "metaplasia", "dysplasia", "edema", "oedema", "calcinosis",
    "calcification", "ischemia", "ischaemia", "shock", "wounds", "injuries", "injury", "recurrence", "pathology",
    "disease", "diseases", "syndrome", "emergencies", "critical illness", "chronic disease", "acute disease",
    "cicatrix", "adhesions", "dilatation", "constriction", "obstruction", "rupture", "hemorrhage", "infarction",
    "ulcer", "abscess", "cyst", "cysts", "neoplasms", "tumor", "tumour", "cancer", "infection", "infections",
})
#: Rule 4: a physiological quantity named alone (MeSH tree G09 headings and the vital signs).
_MEASURE_TAIL = (r"(?:volume|output|pressure|rate|flow|velocity|resistance|saturation|consumption|fraction|temperature|"
                 r"index|circulation|determination|function|monitoring)")
_MEASUREMENT = re.compile(
    r"^(?:(?:left|right|fetal|maternal|cardiac|arterial|venous|central|pulmonary|artery|wedge|intracranial|portal|blood|pulse|"
    r"heart|respiratory|body|oxygen|cerebral|regional|renal|glomerular|filtration|ventricular|ejection|stroke|systolic|"
    r"diastolic|mean|capillary|vascular|ambulatory) )+" + _MEASURE_TAIL + r"(?: " + _MEASURE_TAIL + r")*$")
_SUBTYPED = re.compile(r"(?:^| )(?:type |group )?(?:\d+[a-z]?|[ivx]+)$")
_PAIN = re.compile(r"(?:^| )(?:pain|ache|bleeding)$|^(?:hemorrhage|haemorrhage)$")
_IDENTIFIED = ("omim", "orpha", "decipher")
#: Sources whose entries are conditions by definition (rule 2): the curated disease sources and
#: the criteria entries of common conditions (:mod:`.criteria`: "Hypoglycemic disorder",
#: "Subarachnoid hemorrhage" as a diagnosis with its criteria).
CONDITION_KINDS = (*_IDENTIFIED, "criteria")
#: a bleed inside the skull named by its compartment (rule 1): a diagnosis
_INTRACRANIAL_BLEED = re.compile(
    r"^(?:(?:aneurysmal|non ?aneurysmal|spontaneous|traumatic|nontraumatic|non traumatic|acute|chronic) )*"
    r"(?:subarachnoid|intracerebral|intracranial|intraparenchymal|intraventricular|subdural|epidural|extradural|"
    r"cerebral|pontine|cerebellar) (?:hemorrhage|haemorrhage|hematoma|haematoma|bleed|bleeding)$")


def has_disease_word(norm: str) -> bool:
    """Whether a normalised name has a word of :data:`DISEASE_WORDS` or a disease suffix (rule 1)."""
    return any(w in DISEASE_WORDS or (len(w) > 5 and w.endswith(DISEASE_SUFFIXES) and w not in NOT_DISEASE_OMA)
               for w in norm.split())


def classify(name: str, *, ontology: Ontology | None = None, semantic_types: Iterable[str] = (),
             disease_name: bool = False) -> str:
    """:data:`FINDING` or :data:`CONDITION` for ``name`` by the module's rule.

    Args:
        ontology: the HPO (rule 5's phenotype names); ``None`` skips that evidence.
        semantic_types: UMLS semantic types known for the name (MedQuAD).
        disease_name: the name is an OMIM/Orphanet/DECIPHER disease name (rule 2).
    """
    norm = normalize(name)
    if not norm:
        return CONDITION
    if norm in GENERAL_PROCESSES:
        return FINDING
    head = normalize(name.split(",")[0])  # MeSH's inverted headings: "Heart Rate, Fetal", "Ventricular Function, Left"
    if not disease_name and _MEASUREMENT.match(head) and not has_disease_word(norm.replace("stroke ", "")):
        return FINDING
    if (has_disease_word(norm) or disease_name or (len(norm.split()) >= 2 and _SUBTYPED.search(norm))
            or _INTRACRANIAL_BLEED.match(norm)):
        return CONDITION
    if _LAB.match(norm) or _PAIN.search(norm) or norm in ANALYTE_NAMES:
        return FINDING
    types = set(semantic_types)
    evidence = bool(types & FINDING_TYPES)
    if ontology is not None and not evidence:
        t = ontology.lookup(name)
        evidence = t is not None and ontology.is_phenotype(t)
    if evidence and not (types & DISEASE_TYPES):
        return FINDING
    return CONDITION


def classify_condition(cond: Condition, ontology: Ontology | None) -> str:
    """:data:`CONDITION` for anything OMIM, Orphanet or DECIPHER list as a disease or a criteria
    entry defines (:data:`CONDITION_KINDS`); else :func:`classify` of the display name with the
    condition's semantic types."""
    from .names import strong_keys

    if any(e.kind in CONDITION_KINDS for e in cond.entries):
        return CONDITION
    keys = strong_keys(cond.name)
    disease_name = any(e.kind in _IDENTIFIED and strong_keys(e.name) & keys for e in cond.entries)
    return classify(cond.name, ontology=ontology, semantic_types=cond.semantic_types, disease_name=disease_name)
