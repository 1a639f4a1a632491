"""How often a disease shows a phenotype: HPO frequency values → a weight in [0, 1].

The HPO annotation file (``phenotype.hpoa``, Köhler et al., "The Human Phenotype Ontology in
2021", Nucleic Acids Res 49:D1207) gives a frequency as a term of the HPO "Frequency"
sub-ontology, a fraction ``n/m`` or a percentage. The categories and their ranges are HPO's:

=============  ==========  ==========================  ==========
term           category    range                       weight
=============  ==========  ==========================  ==========
HP:0040280     obligate    100 %                       1.0
HP:0040281     very freq.  80–99 %                     0.895
HP:0040282     frequent    30–79 %                     0.545
HP:0040283     occasional  5–29 %                      0.17
HP:0040284     very rare   1–4 %                       0.025
HP:0040285     excluded    0 %                         0.0
=============  ==========  ==========================  ==========

(the weight is the middle of the range). Fractions and percentages are used as they are. A
missing frequency gets :data:`UNKNOWN_FREQUENCY`.
"""

from __future__ import annotations

import re

FREQUENCY_TERMS = {
    "HP:0040280": 1.0,
    "HP:0040281": 0.895,
    "HP:0040282": 0.545,
    "HP:0040283": 0.17,
    "HP:0040284": 0.025,
    "HP:0040285": 0.0,
}
#: Weight of an annotation without a frequency (HPO: "the sign or symptom may be rare or common").
UNKNOWN_FREQUENCY = 0.5
#: Weight from which a feature counts as frequent (HPO "frequent" starts at 30 %).
FREQUENT = 0.3
#: Weight ABOVE which an absent finding argues against a condition: HPO "very frequent" (80–99 %,
#: weight 0.895) and obligate; an occasional or merely frequent feature may well be missing.
#: Strictly above, because 0.8 is the weight a MedQuAD record's prose gives a feature it merely
#: names (:data:`.sources.TEXT_FREQUENCY`), which says nothing of how often.
VERY_FREQUENT = 0.8
_FRACTION = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")
_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")


def frequency_weight(value: str | None) -> float:
    """Weight in [0, 1] of an HPO frequency value ("HP:0040281", "3/7", "45%", "" …).

    Unknown or unparsable values (and fractions with a zero denominator) give
    :data:`UNKNOWN_FREQUENCY`.
    """
    v = (value or "").strip()
    if not v:
        return UNKNOWN_FREQUENCY
    if v in FREQUENCY_TERMS:
        return FREQUENCY_TERMS[v]
    m = _FRACTION.match(v)
    if m:
        n, d = int(m.group(1)), int(m.group(2))
        return min(1.0, n / d) if d else UNKNOWN_FREQUENCY
    m = _PERCENT.match(v)
    if m:
        return min(1.0, float(m.group(1)) / 100.0)
    return UNKNOWN_FREQUENCY
