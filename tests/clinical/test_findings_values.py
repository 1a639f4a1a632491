"""Vital signs and laboratory values: thresholds, units, normal values giving nothing."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import extract_findings
from medcite.clinical.findings.labs import read_labs
from medcite.clinical.findings.vitals import read_vitals


def _ids(text: str) -> list[str]:
    return [f.concept_id for f in extract_findings(text).present()]


@pytest.mark.parametrize(
    "text,concept,value",
    [
        ("Temperature 39.4 °C", "HP:0001945", "39.4 °C"),
        ("temp 101.2F", "HP:0001945", "101.2 °F"),
        ("体温39.5℃", "HP:0001945", "39.5 °C"),
        ("T 34.6 C", "HP:0002045", "34.6 °C"),
        ("pulse is 112/min", "HP:0001649", "112/min"),
        ("HR 44 bpm", "HP:0001662", "44/min"),
        ("blood pressure 84/52 mm Hg", "HP:0002615", "84/52 mmHg"),
        ("BP 150/92", "HP:0000822", "150/92 mmHg"),
        ("BP 132/94 mmHg", "HP:0000822", "132/94 mmHg"),
        ("respirations are 28/min", "HP:0002789", "28/min"),
        ("SpO2 89% on room air", "HP:0012418", "89%"),
        ("oxygen saturation of 91%", "HP:0012418", "91%"),
    ],
)
def test_abnormal_vitals(text, concept, value):
    (r,) = read_vitals(text)
    assert (r.concept_id, r.value) == (concept, value)
    (f,) = extract_findings(text).findings
    assert (f.concept_id, f.kind, f.via, f.status, f.value) == (concept, "vital", "vital-range", "present", value)


@pytest.mark.parametrize(
    "text",
    ["Temperature 37.9 °C", "temp 100.2 F", "pulse 100/min", "BP 139/89 mmHg", "BP 90/60", "RR 20/min",
     "SpO2 94%", "T 45 cells", "P 130"],
)
def test_normal_or_ambiguous_vitals_give_nothing(text):
    assert read_vitals(text) == []


def test_fever_threshold_in_fahrenheit_and_celsius_agree():
    assert _ids("temperature 100.4 °F") == ["HP:0001945"]
    assert _ids("temperature 38.0 °C") == ["HP:0001945"]
    assert _ids("temperature 100.3 °F") == []


@pytest.mark.parametrize(
    "text,concept,value",
    [
        ("Hemoglobin 8.5 g/dL", "HP:0001903", "8.5 g/dL"),
        ("Hb 85 g/L", "HP:0001903", "85 g/L"),
        ("Platelet count 45,000/mm3", "HP:0001873", "45,000/mm3"),
        ("platelets 45 x 10^9/L", "HP:0001873", "45 x 10^9/L"),
        ("Platelets 45,000/µL", "HP:0001873", "45,000/µL"),
        ("platelets 620 × 10⁹/L", "HP:0001894", "620 × 10⁹/L"),
        ("Leukocyte count 18,500/mm3", "HP:0001974", "18,500/mm3"),
        ("WBC 2.1 K/uL", "HP:0001882", "2.1 K/uL"),
        ("Sodium 124 mEq/L", "HP:0002902", "124 mEq/L"),
        ("potassium 6.1 mmol/L", "HP:0002153", "6.1 mmol/L"),
        ("Creatinine 2.4 mg/dL", "HP:0003259", "2.4 mg/dL"),
        ("creatinine 250 µmol/L", "HP:0003259", "250 µmol/L"),
        ("Urea nitrogen 32 mg/dL", "HP:0003138", "32 mg/dL"),
        ("Total bilirubin 3.2 mg/dL", "HP:0002904", "3.2 mg/dL"),
        ("Lactate dehydrogenase 1658 U/L", "HP:0025435", "1658 U/L"),
        ("ALT 310 U/L", "HP:0031964", "310 U/L"),
        ("AST 240 IU/L", "HP:0031956", "240 IU/L"),
        ("Glucose 42 mg/dL", "HP:0001943", "42 mg/dL"),
        ("glucose 22 mmol/L", "HP:0003074", "22 mmol/L"),
        ("CRP 145 mg/L", "HP:0011227", "145 mg/L"),
        ("CRP 4.5 mg/dL", "HP:0011227", "4.5 mg/dL"),
        ("Troponin I 2.4 ng/mL", "HP:0410173", "2.4 ng/mL"),
        ("Haptoglobin 12 mg/dL", "HP:0020181", "12 mg/dL"),
    ],
)
def test_abnormal_labs(text, concept, value):
    (r,) = read_labs(text)
    assert (r.concept_id, r.value) == (concept, value)
    (f,) = extract_findings(text).findings
    assert (f.concept_id, f.kind, f.via, f.value, f.text) == (concept, "lab", "lab-range", value, text)


@pytest.mark.parametrize(
    "text",
    ["Hemoglobin 13.5 g/dL", "Hb 135 g/L", "Platelet count 250,000/mm3", "platelets 210 x 10^9/L",
     "WBC 7.2 x 10^9/L", "Sodium 140 mEq/L", "Creatinine 0.9 mg/dL", "creatinine 80 µmol/L",
     "LDH 180 U/L", "glucose 5.4 mmol/L", "CRP 3 mg/L", "HbA1c 9%",
     "direct bilirubin 2.0 mg/dL", "urine sodium 20 mEq/L", "Hemoglobin 8.5 mm/h"],
)
def test_normal_values_foreign_units_and_other_analytes_give_nothing(text):
    assert read_labs(text) == []


def test_sex_specific_limits():
    assert [r.concept_id for r in read_labs("Hemoglobin 12.8 g/dL", "male")] == ["HP:0001903"]
    assert read_labs("Hemoglobin 12.8 g/dL", "female") == []
    case = extract_findings("A 50-year-old man. Hemoglobin 12.8 g/dL")
    assert case.present_ids() == ["HP:0001903"]


def test_a_lab_table_in_a_vignette():
    text = ("Laboratory studies show:\nHemoglobin 8.5 g/dL\nLeukocyte count 9,800/mm3\nPlatelet count 45,000/mm3\n"
            "Serum\n Sodium 138 mEq/L\n Lactate dehydrogenase 1658 U/L\nA blood smear shows schistocytes.")
    case = extract_findings(text)
    assert case.present_ids() == ["HP:0001903", "HP:0001873", "HP:0025435", "HP:0001981"]
    assert [f.kind for f in case.present()] == ["lab"] * 4


def test_values_of_other_specimens_are_not_read_as_blood():
    # CSF values are read against CSF limits (csf_*), never as blood values
    text = ("CSF shows 1,200 leukocytes/mm3 with 90% neutrophils, glucose 20 mg/dL and protein 250 mg/dL. "
            "Serum glucose 40 mg/dL.")
    got = [(r.analyte, r.value) for r in read_labs(text)]
    assert [g for g in got if not g[0].startswith("csf_")] == [("glucose", "40 mg/dL")]
    assert {("csf_glucose", "20 mg/dL"), ("csf_protein", "250 mg/dL")} <= set(got)
    table = "Cerebrospinal fluid\n Leukocyte count 1,200/mm3\n Glucose 20 mg/dL\nSerum\n Glucose 40 mg/dL"
    got = [(r.analyte, r.value) for r in read_labs(table)]
    assert [g for g in got if not g[0].startswith("csf_")] == [("glucose", "40 mg/dL")]
    assert ("csf_leukocytes", "1,200/mm3") in got
    assert read_labs("Urinalysis: protein 300 mg/dL, glucose 500 mg/dL") == []  # urine: not read at all


def test_csf_values_against_csf_limits():
    labels = {r.concept_id for r in read_labs("Cerebrospinal fluid: leukocytes 2,400/mm3, protein 210 mg/dL, glucose 22 mg/dL.")}
    assert labels == {"HP:0012229", "HP:0002922", "HP:0011972"}  # pleocytosis, raised protein, hypoglycorrhachia
    assert read_labs("Lumbar puncture: CSF WBC 3/mm3, protein 30 mg/dL, glucose 60 mg/dL") == []


@pytest.mark.parametrize("text,cid", [
    ("Bicarbonate 8 mEq/L", "HP:0001942"), ("arterial pH 7.08", "HP:0001941"), ("Serum uric acid 9.6 mg/dL", "HP:0002149"),
    ("Mean corpuscular volume 68 fL", "HP:0025066"), ("Ferritin 6 ng/mL", "HP:0012343"), ("free T4 0.4 ng/dL", "HP:0033078"),
    ("Total cholesterol 262 mg/dL", "HP:0003124"), ("BNP 1,450 pg/mL", "HP:0031138")])
def test_vignette_analytes(text, cid):
    assert [r.concept_id for r in read_labs(text)] == [cid]


def test_lipid_fractions_and_normal_values_are_not_read():
    assert read_labs("LDL cholesterol 250 mg/dL; HDL cholesterol 30 mg/dL") == []
    assert read_labs("bicarbonate 25 mEq/L, arterial pH 7.40, uric acid 5 mg/dL, ferritin 80 ng/mL") == []


def test_values_given_as_bounds():
    (r,) = read_labs("TSH <0.01 mU/L")
    assert (r.concept_id, r.value) == ("HP:0031098", "0.01 mU/L")


@pytest.mark.parametrize("text,n", [("Hb 85", 0), ("Hb 8.5", 1), ("glucose 6.1", 0), ("glucose 42", 1),
                                    ("creatinine 250", 0), ("Cr 2.4", 1), ("creatinine 2.4", 1), ("LDH 1658", 1),
                                    ("platelets 45,000", 1), ("platelets 45", 1)])
def test_values_without_units_are_read_only_when_unambiguous(text, n):
    assert len(read_labs(text)) == n
