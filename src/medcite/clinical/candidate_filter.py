"""Candidates that are not diagnoses for this patient: a finding of the case restated as a
candidate ("Hypertension" for a case whose blood pressure is 150/92 mmHg), and conditions that
do not fit the patient's age or sex (:mod:`.demographic_fit`).

In the open differential both are taken out of the ranked list; the age/sex misfits are listed
apart ("not fitting the patient's age/sex"). Candidates a clinician or a model gave are kept but
their score is multiplied by :data:`MISFIT_FACTOR` (strongly down-weighted) and marked.

Also set aside in the open differential, with their reason (break-test 12): a condition the note
gives as the patient's known history (:func:`known_history`: "history of …", "known …", "a
19-year-old woman with type 1 diabetes"), which is not a new diagnosis — a clinician who gives it
as a candidate keeps it; and a MedQuAD publication title naming several conditions ("Diabetes,
Heart Disease, and Stroke"). A title about one condition is shown as that condition
(:func:`title_condition`: "Heart Disease in Women" → Heart Disease, "Viral Hepatitis: A through E
and Beyond" → Viral Hepatitis).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .demographic_fit import misfit
from .knowledge.kinds import has_disease_word
from .knowledge.names import strong_keys
from .terms import normalize

#: Factor on the score of a given candidate that does not fit the patient's age or sex.
MISFIT_FACTOR = 0.25
#: Reasons an open candidate is set aside besides age/sex (``set_aside`` items and notes).
KNOWN_HISTORY = "known history (the patient's own diagnosis), not a new diagnosis"
SEVERAL_CONDITIONS = "a publication title naming several conditions, not one diagnosis"
STATED_ABSENT = "stated absent in the case (negated there), not proposed"
#: Words just before a condition the note names that make it the patient's known history.
_HISTORY_CUE = re.compile(
    r"(?i)(?:\bknown|\bhistory of|\bhx of|\bh/o|\bdiagnosed with|\blong-?standing|\bestablished|\bpre-?existing|"
    r"\b(?:man|woman|male|female|boy|girl|patient|child|infant|adult|gentleman|lady)\s+with|"
    # Spanish and Chinese: "varón de 55 años con cirrosis", "antecedentes de", "既往…病史/有…史"
    r"\b(?:var[oó]n|mujer|hombre|paciente|niñ[oa]|años)\s+con|\bantecedentes?\s+(?:personales\s+)?de|"
    r"\bconocid[oa]s?\s+(?:de|por)|\bdiagnosticad[oa]\s+de|既往(?:有)?)"
    r"(?:\s+(?:a|an|poorly|well|controlled|uncontrolled|insulin-dependent|[\w-]+-year))*\s*$")
#: A population or setting after a condition in a MedQuAD title ("Heart Disease in Women").
_TITLE_POPULATION = re.compile(r"(?i)\s+(?:in|among|for)\s+(?:women|men|children|kids|teens|adolescents|older adults|"
                               r"seniors|the elderly|pregnancy|infants|babies|athletes)$")


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


def known_history(case: Any) -> set[str]:
    """Name keys (:func:`.knowledge.names.strong_keys`: "type 1 diabetes" and "Diabetes Type 1"
    share one) of the conditions the note gives as the patient's history: its ``"historical"``
    findings, and present findings preceded by a history cue (:data:`_HISTORY_CUE`: "known type 1
    diabetes", "woman with type 1 diabetes"); of their label and their text."""
    out: set[str] = set()
    for f in getattr(case, "findings", ()):
        before = case.text[max(0, f.start - 60): f.start]
        if f.status == "historical" or (f.status == "present" and _HISTORY_CUE.search(before)):
            out |= strong_keys(f.label) | strong_keys(f.text)
    return out - {""}


def title_condition(name: str) -> str | None:
    """The condition a MedQuAD publication-title focus is about, for display: ``name`` itself for
    an ordinary name, the part before ": " ("Diabetic Neuropathies: The Nerve Damage of Diabetes"
    → "Diabetic Neuropathies"), the name without a population ("Heart Disease in Women" → "Heart
    Disease"); ``None`` for a title listing several conditions ("Diabetes, Heart Disease, and
    Stroke"), which is no one candidate."""
    head = name.split(": ", 1)[0].strip() if ": " in name else name
    head = _TITLE_POPULATION.sub("", head).strip()
    parts = [p for p in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+(?:and|or)\s+", head) if p]
    # a list of three or more ("Meningitis and Encephalitis" stays: one MedQuAD record of two related conditions)
    if len(parts) >= 3 and all(has_disease_word(normalize(p)) for p in parts):
        return None
    return head or name


def split_open(entries: list, case: Any, present: Sequence[Any], names_of: Callable[[Any], set[str]],
               is_finding: Callable[[str], bool] = lambda name: False) -> tuple[list, list[dict]]:
    """Open differential: ``(kept entries, set aside)``; restated findings are dropped, conditions
    the case states absent ("No inguinal hernia") set aside; age/sex
    misfits, the patient's known history (:func:`known_history`) and titles of several conditions
    (:func:`title_condition`) set aside as ``{"condition", "reason", "condition_id"}``; a title
    about one condition is renamed to it (in place), or dropped when another row already is it,
    unless the shorter name would be a finding (``is_finding``: "Urinary Incontinence in Men"
    keeps its title, "Urinary Incontinence" alone names a finding); the age/sex fit reads the
    title as well ("… in Men")."""
    kept, aside = [], []
    history = known_history(case)
    negated = list(case.negated()) if hasattr(case, "negated") else []
    for e in entries:
        ids = entry_ids(e)
        if restates_finding(_restatable_names(e, names_of), ids, present):
            continue
        if negated and restates_finding(_restatable_names(e, names_of), ids, negated):
            # the note rules it out ("No inguinal hernia"): a candidate the clinician has excluded
            aside.append({"condition": e.name, "reason": STATED_ABSENT, "condition_id": "" if e.key.startswith("LIT:") else e.key})
            continue
        title = e.name
        shown = title_condition(e.name)
        if shown is not None and shown != e.name and is_finding(shown):
            shown = e.name
        if shown is None or (history and {k for n in names_of(e) for k in strong_keys(n)} & history):
            aside.append({"condition": e.name, "reason": SEVERAL_CONDITIONS if shown is None else KNOWN_HISTORY,
                          "condition_id": "" if e.key.startswith("LIT:") else e.key})
            continue
        if shown != e.name:
            if normalize(shown) in {normalize(k.name) for k in kept}:
                continue
            e.name = shown
        why = misfit(list(dict.fromkeys([title, *demographic_names(e)])), case.age_years, case.sex, ids)
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
    for reason in (KNOWN_HISTORY, SEVERAL_CONDITIONS):
        got = [a["condition"] for a in aside if a["reason"] == reason]
        if got:
            diag.notes.append(f"{reason}, left out of the list: " + "; ".join(got))
    fit = [a for a in aside if a["reason"] not in (KNOWN_HISTORY, SEVERAL_CONDITIONS)]
    if fit:
        diag.notes.append("not fitting the patient's age/sex, left out of the list: "
                          + "; ".join(f"{a['condition']} ({a['reason']})" for a in fit))
    for c in diag.candidates:
        key = c.given_as or c.condition
        if key in misfits:
            c.demographic_misfit = misfits[key]
    if misfits:
        diag.notes.append(f"given candidates not fitting the patient's age/sex are kept but their score is multiplied by {MISFIT_FACTOR:g} (marked)")

