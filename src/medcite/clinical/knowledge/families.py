"""Phenotypes for a condition from its numbered subtypes.

MedQuAD and Orphanet often name a condition ("Hemophagocytic lymphohistiocytosis",
"Pitt-Hopkins-like syndrome") whose HPO annotations sit only on OMIM's numbered subtypes
("Hemophagocytic lymphohistiocytosis, familial, 2", "Pitt-Hopkins-like syndrome 1"). A condition
without OMIM/Orphanet/DECIPHER phenotype whose :func:`.names.family_key` equals that of conditions
whose names carry a subtype number or letter gets one extra source entry, ``FAMILY:<id>`` of kind
"family", whose phenotype is the union of the subtypes' phenotypes (largest weight per term).
Nothing is added when no subtype is annotated; a condition with its own HPO annotations keeps them
alone (a group is not its subtypes).
"""

from __future__ import annotations

from collections import defaultdict

from .condition import Condition, SourceEntry, merged_phenotype
from .names import family_key, name_tokens

_ANNOTATED = ("omim", "orpha", "decipher")


def _subtyped(name: str) -> bool:
    return any(t.isdigit() or len(t) == 1 for t in name_tokens(name))


def add_family_profiles(conditions: list[Condition]) -> list[Condition]:
    """``conditions`` with family entries added where the module docstring says (new objects
    for the conditions that change, the others as they are)."""
    members: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(conditions):
        if _subtyped(c.name) and any(e.kind in _ANNOTATED and e.phenotype for e in c.entries):
            members[family_key(c.name)].append(i)
    out = list(conditions)
    for i, c in enumerate(conditions):
        if any(e.kind in _ANNOTATED and e.phenotype for e in c.entries):
            continue
        keys = {family_key(n) for n in c.all_names() if not _subtyped(n)} - {""}
        subs = sorted({j for k in keys for j in members.get(k, ()) if j != i})
        if not subs:
            continue
        ph = merged_phenotype(e for j in subs for e in conditions[j].entries if e.kind in _ANNOTATED)
        fam = SourceEntry(f"FAMILY:{c.id}", "family", c.name, phenotype=ph)
        out[i] = Condition.from_entries([*c.entries, fam])
    return out
