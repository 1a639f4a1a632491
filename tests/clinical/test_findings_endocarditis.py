"""Endocarditis work-up wording (session 11): echocardiographic vegetations, bacteraemia,
cavitating lung lesions and injection drug use (a modified Duke predisposition) are read."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import extract_findings
from medcite.clinical.findings.risk import read_risks
from medcite.clinical.knowledge.criteria import load_criteria

VEGETATION, BACTEREMIA, CAVITY = "HP:6000326", "HP:0031864", "HP:0033655"


@pytest.mark.parametrize("text, concept", [
    ("Transthoracic echocardiogram: a 1.4 cm mobile vegetation on the tricuspid valve.", VEGETATION),
    ("超声心动图：二尖瓣赘生物。", VEGETATION),
    ("Ecocardiograma: vegetación en la válvula mitral.", VEGETATION),
    ("Positive blood cultures for Streptococcus viridans.", BACTEREMIA),
    ("Chest X-ray: multiple peripheral nodular opacities, some cavitating.", CAVITY),
])
def test_endocarditis_findings_are_read(text, concept):
    assert concept in extract_findings(text).present_ids()


def test_no_vegetation_is_negated():
    case = extract_findings("Echocardiogram shows no vegetation.")
    assert [f.status for f in case.findings if f.concept_id == VEGETATION] == ["negated"]


@pytest.mark.parametrize("text, status", [
    ("A 34-year-old man who injects heroin presents with fever.", "present"),
    ("Track marks on both forearms.", "present"),
    ("He denies intravenous drug use.", "negated"),
    ("Usuario de drogas por vía intravenosa.", "present"),
])
def test_injection_drug_use_is_risk_context_not_a_finding(text, status):
    risks = [r for r in read_risks(text) if r.name == "injection drug use"]
    assert risks and risks[0].status == status


def test_the_endocarditis_entry_counts_vegetations_and_injection_drug_use():
    entry = next(c for c in load_criteria() if c["slug"] == "infective-endocarditis")
    assert VEGETATION in entry["phenotype"] and BACTEREMIA in entry["phenotype"]
    assert entry["risk_factors"] == ["injection drug use"]


@pytest.mark.parametrize("text, status", [
    ("Blood cultures: 3 of 3 sets growing Staphylococcus aureus.", "present"),
    ("Blood cultures grew Escherichia coli.", "present"),
    ("Hemocultivos positivos para S. aureus.", "present"),
    ("血培养阳性。", "present"),
    ("Blood cultures were negative.", "negated"),
    ("Blood cultures: no growth at 48 hours.", "negated"),
])
def test_blood_culture_results_are_bacteremia(text, status):
    assert [f.status for f in extract_findings(text).findings if f.concept_id == BACTEREMIA] == [status]


def test_pending_blood_cultures_say_nothing():
    assert BACTEREMIA not in {f.concept_id for f in extract_findings("Blood cultures are pending.").findings}
