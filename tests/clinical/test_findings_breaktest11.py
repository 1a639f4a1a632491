"""Gaps found by the break-test of session 10 on four textbook notes (PE, DKA, acute
cholecystitis, bacterial meningitis; issue 15): ECG, blood-gas, ketone, ultrasound and Gram-stain
findings, low blood pressure by its diastolic value, and one shown finding per concept."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import extract_findings
from medcite.clinical.findings.labs import read_labs
from medcite.clinical.findings.lexicon import SIGN_CONDITION, SIGN_LABELS
from medcite.clinical.findings.vitals import read_vitals

HYPOXEMIA, HYPERKETONEMIA, HYPOTENSION, FEVER, MURPHY = "HP:0012418", "HP:0410175", "HP:0002615", "HP:0001945", "HP:0034753"


def _present(text: str) -> set[str]:
    return set(extract_findings(text).present_ids())


@pytest.mark.parametrize("text,concept", [
    ("ECG: sinus tachycardia, S1Q3T3.", "MEDCITE:s1q3t3-pattern"),
    ("ECG shows an S1 Q3 T3 pattern.", "MEDCITE:s1q3t3-pattern"),
    ("Ultrasound: gallstones, gallbladder wall thickening 5 mm, pericholecystic fluid.", "MEDCITE:pericholecystic-fluid"),
    ("Ultrasound: gallstones, gallbladder wall thickening 5 mm, pericholecystic fluid.", "HP:0034505"),
    ("Ultrasound: gallstones, gallbladder wall thickening 5 mm, pericholecystic fluid.", "HP:0001081"),
    ("Known cholelithiasis.", "HP:0001081"),
    ("Ultrasound: sonographic Murphy sign.", MURPHY),
    ("Gram stain: gram-negative diplococci.", "MEDCITE:gram-negative-diplococci"),
    ("Fruity breath odor.", "MEDCITE:fruity-breath-odor"),
])
def test_named_findings_are_read(text, concept):
    assert concept in _present(text)


def test_new_signs_have_labels_and_point_to_their_condition():
    assert SIGN_CONDITION["MEDCITE:s1q3t3-pattern"] == "pulmonary embolism"
    assert SIGN_CONDITION["MEDCITE:gram-negative-diplococci"] == "meningococcal meningitis"
    for cid in ("MEDCITE:s1q3t3-pattern", "MEDCITE:pericholecystic-fluid", "MEDCITE:gram-negative-diplococci"):
        assert SIGN_LABELS[cid]


@pytest.mark.parametrize("text,concept,canonical", [
    ("ABG: PaCO2 30 mmHg, PaO2 58 mmHg.", HYPOXEMIA, 58.0),
    ("PaO2 7.5 kPa on room air", HYPOXEMIA, 56.25),
    ("serum beta-hydroxybutyrate 6.2 mmol/L", HYPERKETONEMIA, 6.2),
    ("β-hydroxybutyrate 4.1 mmol/L", HYPERKETONEMIA, 4.1),
    ("BHB 3.4 mmol/L", HYPERKETONEMIA, 3.4),
    ("serum ketones 5.2 mmol/L", HYPERKETONEMIA, 5.2),
])
def test_blood_gas_and_ketone_values(text, concept, canonical):
    labs = read_labs(text)
    assert [r.concept_id for r in labs] == [concept]
    assert labs[0].canonical == pytest.approx(canonical, rel=1e-3)


@pytest.mark.parametrize("text", [
    "PaO2 92 mmHg", "beta-hydroxybutyrate 0.3 mmol/L", "Urine ketones 3+.", "venous pO2 35 mmHg", "ketones 2+",
])
def test_normal_or_unreadable_values_give_nothing(text):
    assert not read_labs(text)


@pytest.mark.parametrize("text,concept", [
    ("BP 96/58", HYPOTENSION), ("BP 85/50 mm Hg", HYPOTENSION), ("RR 22", "HP:0002789"),
    ("HR 101", "HP:0001649"), ("SpO2 93%", HYPOXEMIA),
])
def test_abnormal_vitals_at_their_limits(text, concept):
    assert [v.concept_id for v in read_vitals(text)] == [concept]


@pytest.mark.parametrize("text", ["BP 98/60", "BP 120/80", "RR 20", "HR 100", "SpO2 94%", "BP 150/55 mmHg"])
def test_vitals_inside_the_limits_give_no_low_blood_pressure(text):
    assert HYPOTENSION not in {v.concept_id for v in read_vitals(text)}


def test_one_shown_finding_per_concept_strongest_evidence_kept():
    case = extract_findings("Severe headache and fever. Vitals: T 39.8 C, HR 122. Positive Murphy sign. "
                            "Ultrasound: sonographic Murphy sign. SpO2 86%, PaO2 58 mmHg.")
    shown = case.shown()
    ids = [(f.concept_id, f.status) for f, _ in shown]
    assert len(ids) == len(set(ids))
    kept = {f.concept_id: (f, others) for f, others in shown}
    fever, others = kept[FEVER]
    assert fever.via == "vital-range" and [o.text for o in others] == ["fever"]
    assert [o.text for o in kept[MURPHY][1]] == ["sonographic Murphy sign"]
    lines = case.mapping_lines()
    assert sum("→ Fever" in line for line in lines) == 1 and sum("Murphy" in line.split("→")[1] for line in lines) == 1
    js = case.to_json()["findings"]
    assert sorted(f["concept_id"] for f in js) == sorted({f.concept_id for f in case.findings})
    assert [a["text"] for f in js if f["concept_id"] == FEVER for a in f["also"]] == ["fever"]


def test_present_and_negated_mentions_of_one_concept_are_shown_once_with_both_statuses():
    # one finding, one status (break-test 12): the negated mention goes under the present one
    case = extract_findings("No fever at home. T 38.9 C in the emergency department.")
    shown = [(f.status, [(o.text, o.status) for o in others]) for f, others in case.shown() if f.concept_id == FEVER]
    assert shown == [("present", [("fever", "negated")])]
    assert any("also: fever (negated)" in line for line in case.mapping_lines())
