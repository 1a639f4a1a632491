"""Chinese and Spanish case notes with laboratory values and bedside signs (issue 15): the lab
reader knows the analytes by their Chinese and Spanish names, and the zh/es lexicons the signs an
emergency note carries."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import extract_findings
from medcite.clinical.findings.labs import read_labs


@pytest.mark.parametrize("text, analyte, cid", [
    ("血钠 152 mmol/L", "sodium", "HP:0003228"),
    ("血钾 2.9 mmol/L", "potassium", "HP:0002900"),
    ("血钙 1.9 mmol/L", "calcium", "HP:0002901"),
    ("血浆渗透压 360 mOsm/kg", "osmolality", "HP:6000681"),
    ("渗透压 360 mOsm/kg H2O", "osmolality", "HP:6000681"),
    ("脂肪酶 2860 U/L", "lipase", "HP:0032932"),
    ("淀粉酶 1500 U/L", "amylase", "HP:0410288"),
    ("尿素氮 14.2 mmol/L", "bun", "HP:0003138"),
    ("肌钙蛋白T 0.35 ng/mL", "troponin_t", "HP:0410174"),
    ("肌钙蛋白I 2.1 ng/mL", "troponin", "HP:0410173"),
    ("C反应蛋白 85 mg/L", "crp", "HP:0011227"),
    ("乳酸 4.2 mmol/L", "lactate", "HP:0002151"),
    ("碳酸氢根 9 mmol/L", "bicarbonate", "HP:0001942"),
    ("D-二聚体 3.2 mg/L", "d_dimer", "HP:0033106"),
    ("glucemia 650 mg/dL", "glucose", "HP:0003074"),
    ("lipasa 1250 U/L", "lipase", "HP:0032932"),
    ("amilasa 640 U/L", "amylase", "HP:0410288"),
    ("osmolalidad plasmática 345 mOsm/kg", "osmolality", "HP:6000681"),
])
def test_chinese_and_spanish_analyte_names(text, analyte, cid):
    got = read_labs(text)
    assert [(r.analyte, r.concept_id) for r in got] == [(analyte, cid)]


def test_a_point_for_thousands_in_a_spanish_count():
    got = {r.analyte: r for r in read_labs("leucocitos 16.000/mm3, plaquetas 98.000/mm3")}
    assert got["leukocytes"].concept_id == "HP:0001974" and got["leukocytes"].canonical == 16.0  # not 16 per µL
    assert got["platelets"].canonical == 98.0


@pytest.mark.parametrize("text", ["尿钠 152 mmol/L", "尿渗透压 800 mOsm/kg", "补钾 20 mmol", "血钠 140 mmol/L"])
def test_urine_values_doses_and_normal_values_give_nothing(text):
    assert read_labs(text) == []


@pytest.mark.parametrize("text, present", [
    ("D-二聚体升高", {"HP:0033106"}),
    ("肌钙蛋白明显升高，脂肪酶显著升高", {"HP:0410173", "HP:0032932"}),
    ("血钙降低", {"HP:0002901"}),
    ("dímero D elevado", {"HP:0033106"}),
])
def test_a_direction_without_a_value(text, present):
    assert set(extract_findings(text).present_ids()) == present


def test_d_dimer_normal_in_chinese_is_negated():
    case = extract_findings("D-二聚体阴性")
    assert [(f.concept_id, f.status) for f in case.findings] == [("HP:0033106", "negated")]


@pytest.mark.parametrize("text, present", [
    ("突发撕裂样胸痛，放射至背部", {"MEDCITE:tearing-pain", "HP:0100749", "HP:0003418"}),
    ("双上肢血压不对称，舒张期杂音，胸片示纵隔增宽", {"HP:0025749", "HP:0030148", "HP:0034501"}),
    ("中上腹痛，恶心呕吐", {"HP:0410019", "HP:0002018", "HP:0002013"}),
    ("右上腹痛，墨菲征阳性", {"HP:0002027", "HP:0034753"}),  # not epigastric
    ("皮肤干燥，胸膜炎性胸痛", {"HP:0000958", "HP:0033771"}),
    ("Dolor torácico desgarrante irradiado a la espalda, soplo diastólico", {"MEDCITE:tearing-pain", "HP:0100749", "HP:0003418", "HP:0030148"}),
    ("dolor epigástrico, piel seca", {"HP:0410019", "HP:0000958"}),
])
def test_signs_of_a_chinese_or_spanish_emergency_note(text, present):
    assert set(extract_findings(text).present_ids()) == present


def test_a_chinese_clause_end_stops_a_vital_sign():
    # "呼吸深快。血糖 28.6" is deep rapid breathing, then a glucose: not a respiratory rate of 28
    got = {f.concept_id for f in extract_findings("呼吸深快。血糖 28.6 mmol/L").present()}
    assert "HP:0002789" not in got and "HP:0003074" in got
