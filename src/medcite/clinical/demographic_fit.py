"""Whether a candidate condition fits the patient's age and sex.

A condition whose name restricts it to another age group ("Idiopathic neonatal atrial flutter",
"Pediatric acute respiratory distress syndrome", "Kidney disease in children", "Juvenile ...") or to the other sex ("Prostatic
hyperplasia" for a woman, "Ovarian cancer" for a man, pregnancy-related conditions for a man) is
not a diagnosis to offer for this patient. The age groups follow the HPO "Onset" sub-ontology
(Köhler et al. 2021, "The Human Phenotype Ontology in 2021", NAR 49:D1207): neonatal onset
(first 28 days), infantile (28 days to 1 year), childhood (1 to 5 years), juvenile (5 to 15
years), adult onset (16 years and over); a name with one of these words is taken to restrict
the condition, with a margin (a 2-year-old may still present with an "infantile" condition).
A "congenital" condition (present at birth: "Congenital pulmonary alveolar proteinosis") is not
a new diagnosis for an adult (18 years and over), nor is an OMIM disease whose HPO onset
annotations all lie in the first year of life (:mod:`.knowledge.onset`: antenatal, congenital,
neonatal or infantile onset, no later one). Such a condition may persist into adult life and
a clinician may still weigh it: it is set aside with its reason shown, not hidden.

The name is read, and the condition's ids for the onset annotations; nothing is decided when
the patient's age or sex is unknown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .knowledge.onset import onset_of

#: age in years from which a congenital or first-year-onset condition is not a new diagnosis
ADULT = 18.0
#: (pattern on the normalised name, age in years from which the condition does not fit, label).
_TOO_OLD = (
    (re.compile(r"\b(?:neonatal|newborns?|neonates?|perinatal)\b"), 1.0, "neonatal"),
    (re.compile(r"\b(?:infantile|infants?|infancy)\b"), 5.0, "infantile"),
    (re.compile(r"\b(?:pediatric|paediatric|childhood|children)\b"), 18.0, "childhood / paediatric"),
    (re.compile(r"\bjuvenile\b"), 25.0, "juvenile"),
    (re.compile(r"\bcongenital\b"), ADULT, "congenital"),
)
#: A name that also names adults ("... in adults and children") restricts no age group.
_ALSO_ADULTS = re.compile(r"\badults?\b")
#: (pattern, age in years below which the condition does not fit, label).
_TOO_YOUNG = ((re.compile(r"\badult[- ]onset\b"), 16.0, "adult-onset"),)
#: Conditions of one sex only: a female patient cannot have the first, a male the second.
_MALE_ONLY = re.compile(r"\b(?:prostat\w*|testic\w*|testis|testes|scrot\w*|penile|penis|epididym\w*|"
                        r"erectile|male infertility|cryptorchidism|hypospadias)\b")
_FEMALE_ONLY = re.compile(r"\b(?:ovar\w*|ovary|uter\w*|endometri\w*|vagin\w*|vulv\w*|cervical (?:cancer|carcinoma|"
                          r"intraepithelial|dysplasia|insufficiency)|cervicitis|pregnan\w*|gestational|peripartum|"
                          r"postpartum|puerperal|pre-?eclampsia|eclampsia|hyperemesis gravidarum|placent\w*|"
                          r"menstrua\w*|dysmenorrh\w*|amenorrh\w*|menopaus\w*|fallopian|salping\w*)\b")


def misfit(names: Iterable[str], age_years: float | None, sex: str | None, ids: Iterable[str] = ()) -> str | None:
    """Why a condition does not fit the patient, or ``None`` when it may.

    Args:
        names: the condition's display name and the name it was given as (any case) — not
            every synonym: a synonym may name one age group of a condition seen at all ages.
        age_years: the patient's age in years, ``None`` when unknown.
        sex: ``"male"``, ``"female"`` or ``None``/"" when unknown.
        ids: the condition's id and cross-references ("OMIM:265120"), for its HPO onset
            annotations (:func:`.knowledge.onset.onset_of`).

    Returns:
        a short reason such as ``"neonatal condition, patient 54 years"`` or ``"male-only
        condition, patient female"``; ``None`` when nothing in the names conflicts (or age and
        sex are unknown).
    """
    for raw in names:
        name = " ".join(raw.lower().replace("_", " ").split())
        if age_years is not None:
            for pat, limit, label in _TOO_OLD:
                if pat.search(name) and age_years >= limit and not _ALSO_ADULTS.search(name):
                    return f"{label} condition, patient {age_years:g} years"
            for pat, limit, label in _TOO_YOUNG:
                if pat.search(name) and age_years < limit:
                    return f"{label} condition, patient {age_years:g} years"
        if sex == "female" and _MALE_ONLY.search(name):
            return "male-only condition, patient female"
        if sex == "male" and _FEMALE_ONLY.search(name):
            return "female-only condition, patient male"
    if age_years is not None and age_years >= ADULT:
        onset = onset_of(ids)
        if onset:
            return f"{onset}-onset condition (HPO onset annotation), patient {age_years:g} years"
    return None
