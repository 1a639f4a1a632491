"""Named bedside signs, ECG findings, qualitative lab results and risk context in exam-style
case notes (issue 15 item 1, gaps found by the break-test of session 9)."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import extract_findings
from medcite.clinical.findings.hpo import vocabulary
from medcite.clinical.findings.lexicon import SIGN_HPO, SIGN_LABELS, nearest_hpo
from medcite.clinical.findings.qualitative import read_results
from medcite.clinical.findings.risk import read_risks

FEVER, PERITONITIS = "HP:0001945", "HP:0002586"
REBOUND, GUARDING = "MEDCITE:rebound-tenderness", "HP:0032546"


def _status(text: str) -> dict[str, str]:
    return {f.concept_id: f.status for f in extract_findings(text).findings}


@pytest.mark.parametrize("text,concept", [
    ("Examination: tenderness at McBurney's point.", "MEDCITE:mcburney-point-tenderness"),
    ("positive Rovsing sign", "MEDCITE:rovsing-sign"),
    ("Psoas sign positive.", "MEDCITE:psoas-sign"),
    ("Positive Kernig and Brudzinski signs.", "MEDCITE:kernig-sign"),
    ("Positive Kernig and Brudzinski signs.", "MEDCITE:brudzinski-sign"),
    ("Murphy's sign positive.", "HP:0034753"),
    ("breathing deeply and rapidly (Kussmaul)", "MEDCITE:kussmaul-breathing"),
    ("Right costovertebral angle tenderness.", "HP:6000106"),
    ("CVA tenderness on the left.", "HP:6000106"),
    ("Positive Homans' sign.", "MEDCITE:homan-sign"),
    ("ECG: ST elevation in leads II, III and aVF.", "HP:0012251"),
    ("2 mm ST-segment depression in V5-V6.", "HP:0012250"),
])
def test_named_signs_and_ecg_findings_are_present(text, concept):
    status = _status(text)
    assert status.get(concept) == "present"


def test_named_sign_ids_have_labels_and_are_not_hpo():
    case = extract_findings("positive Rovsing sign")
    f = case.findings[0]
    assert f.label == SIGN_LABELS[f.concept_id] == "Rovsing sign"
    assert all(cid.startswith("MEDCITE:") for cid in SIGN_LABELS)


def test_each_sign_hpo_counterpart_is_a_phenotype():
    names = vocabulary().names
    assert set(SIGN_HPO) <= set(SIGN_LABELS) and all(t in names for t in SIGN_HPO.values())
    assert nearest_hpo("MEDCITE:kernig-sign") == "HP:0031179"
    assert nearest_hpo("MEDCITE:rebound-tenderness") == "HP:0002586"  # evidence of peritoneal irritation
    assert nearest_hpo("HP:0001945") == "HP:0001945" and nearest_hpo("MEDCITE:homan-sign") is None


@pytest.mark.parametrize("text", ["ECG: ST elevation in leads II, III and aVF.", "Q waves in III and aVF; T inversion in V1-V3."])
def test_an_ecg_lead_is_never_a_finding(text):
    for f in extract_findings(text).findings:
        assert f.text not in ("II", "III", "aVF", "V1", "V3", "V1-V3")


def test_rebound_and_guarding_are_signs_not_peritonitis():
    status = _status("Abdomen soft, no rebound tenderness or guarding.")
    assert status == {REBOUND: "negated", GUARDING: "negated"}
    assert PERITONITIS not in status


@pytest.mark.parametrize("text,concept,status", [
    ("serum ketones positive", "HP:0410175", "present"),
    ("Urinalysis: ketones 3+.", "HP:0002919", "present"),
    ("urine nitrites positive", "HP:0031812", "present"),
    ("leukocyte esterase positive", "HP:0012085", "present"),
    ("haptoglobin undetectable", "HP:0020181", "present"),
    ("Direct Coombs test negative.", "HP:0032366", "negated"),
    ("direct antiglobulin test positive", "HP:0032366", "present"),
    ("Urine pregnancy test negative.", "MEDCITE:positive-pregnancy-test", "negated"),
    ("beta-hCG positive", "MEDCITE:positive-pregnancy-test", "present"),
    ("elevated D-dimer", "HP:0033106", "present"),
    ("indirect bilirubin elevated", "HP:0008282", "present"),
])
def test_qualitative_results(text, concept, status):
    case = extract_findings(text)
    got = [(f.concept_id, f.status, f.kind) for f in case.findings]
    assert got == [(concept, status, "lab")]


def test_a_test_name_alone_is_no_result():
    assert read_results("haptoglobin was sent; Coombs test pending") == []


@pytest.mark.parametrize("text,concept", [
    ("pH 7.12, bicarbonate 9 mEq/L", "HP:0001941"),
    ("anion gap 26", "HP:0031962"),
    ("Serum ferritin 8 ng/mL", "HP:0012343"),
    ("MCV 68 fL", "HP:0025066"),
    ("D-dimer 2.8 mg/L FEU", "HP:0033106"),
    ("白细胞15.1×10^9/L", "HP:0001974"),
])
def test_lab_values(text, concept):
    assert _status(text).get(concept) == "present"


def test_values_in_range_give_nothing():
    assert extract_findings("pH 7.40, anion gap 10 mEq/L, MCV 88 fL").findings == ()


def test_urine_ph_is_not_blood_ph():
    assert "HP:0001941" not in _status("Urinalysis: pH 5.0, specific gravity 1.020.")


def test_chinese_signs_and_negation():
    status = _status("麦氏点压痛，无反跳痛，白细胞15.1×10^9/L。")
    assert status == {"MEDCITE:mcburney-point-tenderness": "present", REBOUND: "negated", "HP:0001974": "present"}


def test_spanish_saturation_and_pleuritic_pain():
    status = _status("Disnea súbita, dolor pleurítico, SatO2 88 %, taquicardia.")
    assert status["HP:0033771"] == "present" and status["HP:0012418"] == "present"


def test_risk_context_is_kept_apart_from_findings():
    text = ("A 54-year-old woman, 5 days after a total knee arthroplasty, develops pleuritic chest pain. "
            "She has a history of oral contraceptive use and smoking, and returned from a long-haul flight.")
    case = extract_findings(text)
    names = {r.name for r in case.risk_factors}
    assert names == {"recent surgery", "oral contraceptive use", "smoking", "travel"}
    assert case.present_ids() == ["HP:0033771"]
    assert case.to_json()["risk_factors"][0]["name"] == "recent surgery"
    assert any("risk factor: smoking" in line for line in case.mapping_lines())


def test_risk_factor_status():
    got = {r.text: r.status for r in read_risks("She does not smoke. Former smoker. Bedridden for a week.")}
    assert got == {"smoke": "negated", "smoker": "historical", "Bedridden": "present"}


def test_no_fever_and_the_guard_cases_are_unchanged():
    assert FEVER not in extract_findings("no fever, no rebound").present_ids()
    pneumonia = extract_findings("fever, productive cough, pleuritic chest pain and crackles over the right lower lobe")
    assert pneumonia.present_ids() == ["HP:0001945", "HP:0031245", "HP:0033771", "HP:0030830"]
    zh = extract_findings("患者表现为高烧、头痛、咳嗽等症状，可能是什么疾病？")
    assert zh.present_ids() == ["HP:0001945", "HP:0002315", "HP:0012735"]
    assert zh.risk_factors == ()


def test_ecg_lead_names_left_over_are_not_literature_findings():
    from medcite.clinical.differential import _uncovered_pieces

    text = "Crushing chest pain. ECG: ST elevation in leads II, III and aVF, T-wave inversion in V1-V3."
    case = extract_findings(text)
    pieces = _uncovered_pieces(text, [(f.start, f.end) for f in case.findings], "en")
    assert not {"III", "aVF", "and aVF", "V1-V3"} & {p.strip() for p in pieces}


def test_tests_listed_before_a_result_share_it():
    got = {(r.concept_id, r.abnormal) for r in read_results("Leukocyte esterase and nitrite negative on dipstick.")}
    assert got == {("HP:0012085", False), ("HP:0031812", False)}
    # a result word that does not fit the listed test is not shared: haptoglobin is not "negative"
    assert [r.concept_id for r in read_results("haptoglobin, Coombs test negative")] == ["HP:0032366"]


def test_chinese_urinary_case_note_findings():
    """A Chinese pyelonephritis note lost its urgency, CVA tenderness, pyuria and nitrite (session 9)."""
    status = _status("发热3天，尿频、尿急、尿痛。右侧肋脊角叩痛。尿白细胞阳性，亚硝酸盐阳性。无腹泻。")
    assert status["HP:0000012"] == "present"  # 尿急 urinary urgency
    assert status["HP:6000106"] == "present"  # 肋脊角叩痛 costovertebral angle tenderness
    assert status["HP:0012085"] == "present"  # 尿白细胞阳性 pyuria
    assert status["HP:0031812"] == "present"  # 亚硝酸盐阳性 nitrituria
    assert status["HP:0002014"] == "negated"  # 无腹泻


@pytest.mark.parametrize("text,present,not_present", [
    ("Sudden tearing chest pain radiating to the back.", {"MEDCITE:tearing-pain", "HP:0100749", "HP:0003418"},
     {"HP:0009926"}),
    ("Ripping interscapular pain.", {"MEDCITE:tearing-pain"}, {"HP:0009926"}),
    ("Epigastric pain radiating to her back.", {"HP:0003418"}, set()),
    ("Her eyes are tearing; excessive tearing for a week.", {"HP:0009926"}, {"MEDCITE:tearing-pain"}),
    ("Right eye tearing and redness.", {"HP:0009926"}, {"MEDCITE:tearing-pain"}),
])
def test_tearing_is_the_quality_of_a_pain_unless_it_is_the_eyes(text, present, not_present):
    got = _status(text)
    assert present <= {c for c, s in got.items() if s == "present"}, got
    assert not (not_present & set(got)), got
