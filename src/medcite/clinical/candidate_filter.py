"""Candidates that are not diagnoses for this patient: a finding of the case restated as a
candidate ("Hypertension" for a case whose blood pressure is 150/92 mmHg), and conditions that
do not fit the patient's age or sex (:mod:`.demographic_fit`).

In the open differential both are taken out of the ranked list; the age/sex misfits are listed
apart ("not fitting the patient's age/sex"). Candidates a clinician or a model gave are kept but
their score is multiplied by :data:`MISFIT_FACTOR` (strongly down-weighted) and marked.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .demographic_fit import misfit
from .terms import normalize

#: Factor on the score of a given candidate that does not fit the patient's age or sex.
MISFIT_FACTOR = 0.25


def restates_finding(names: Iterable[str], concept_ids: Iterable[str], present: Sequence[Any]) -> bool:
    """Whether a candidate is one of the case's own present findings.

    Args:
        names: the candidate's names, normalised (:func:`medcite.clinical.terms.normalize`).
        concept_ids: its knowledge-base id and cross-references.
        present: the case's present findings (``label``, ``text``, ``concept_id`` attributes),
            without those that name a disease (they are flagged, not dropped).
    """
    own = {normalize(x) for f in present for x in (f.label, f.text)} - {""}
    ids = {f.concept_id for f in present}
    return bool(own & set(names)) or bool(ids & set(concept_ids))


def demographic_names(entry: Any) -> list[str]:
    """The names :func:`misfit` reads for an entry: its display name and the name it was given as."""
    return [n for n in (entry.name, getattr(entry, "given", None)) if n]


def entry_ids(entry: Any) -> list[str]:
    """An entry's knowledge-base id and the cross-references of its condition."""
    return [entry.key] + (list(entry.kb.condition.xrefs) if entry.kb is not None else [])


def _restatable_names(entry: Any, names_of: Callable[[Any], set[str]]) -> set[str]:
    """The names a restated finding is looked for under: all the entry's names, except for a
    condition defined by published diagnostic criteria (:mod:`.knowledge.criteria`), whose
    synonyms may name its defining finding ("Hypoglycemia" for "Hypoglycemic disorder", Whipple's
    triad) though the entry is a diagnosis: only its display name counts then."""
    kb = getattr(entry, "kb", None)
    if kb is not None and any(x.kind == "criteria" for x in kb.condition.entries):
        return {normalize(entry.name)}
    return names_of(entry)


def split_open(entries: list, case: Any, present: Sequence[Any], names_of: Callable[[Any], set[str]]) -> tuple[list, list[dict]]:
    """Open differential: ``(kept entries, set aside)``; restated findings are dropped, age/sex
    misfits set aside as ``{"condition", "reason", "condition_id"}``."""
    kept, aside = [], []
    for e in entries:
        ids = entry_ids(e)
        if restates_finding(_restatable_names(e, names_of), ids, present):
            continue
        why = misfit(demographic_names(e), case.age_years, case.sex, ids)
        if why:
            aside.append({"condition": e.name, "reason": why, "condition_id": "" if e.key.startswith("LIT:") else e.key})
            continue
        kept.append(e)
    return kept, aside


def down_weight_given(entries: list, case: Any) -> dict[str, str]:
    """Given candidates: scores of age/sex misfits multiplied by :data:`MISFIT_FACTOR` in place,
    entries re-sorted; ``{name as given: reason}``."""
    out = {}
    for e in entries:
        why = misfit(demographic_names(e), case.age_years, case.sex, entry_ids(e))
        if why:
            e.score = e.score * MISFIT_FACTOR if e.score > 0 else e.score / MISFIT_FACTOR
            out[e.given or e.name] = why
    entries.sort(key=lambda e: -e.score)
    return out


def mark_fit(diag: Any, aside: list[dict], misfits: dict[str, str]) -> None:
    """Record on a built diagnosis what was set aside (``diag.set_aside``, a note) and mark the
    down-weighted given candidates (``demographic_misfit``), in place."""
    diag.set_aside = aside
    if aside:
        diag.notes.append("not fitting the patient's age/sex, left out of the list: "
                          + "; ".join(f"{a['condition']} ({a['reason']})" for a in aside))
    for c in diag.candidates:
        key = c.given_as or c.condition
        if key in misfits:
            c.demographic_misfit = misfits[key]
    if misfits:
        diag.notes.append(f"given candidates not fitting the patient's age/sex are kept but their score is multiplied by {MISFIT_FACTOR:g} (marked)")

