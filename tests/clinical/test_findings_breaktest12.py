"""Break-test 12 (issue 15): a Chinese stroke note, a Spanish pyelonephritis note, pregnancy as
context, proteinuria from values, and lab tables in "|" or tab columns. Each test failed on main
3a41849."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import extract_findings
from medcite.clinical.findings.demographics import read_pregnancy
from medcite.clinical.findings.labs import read_proteinuria

HEMIPARESIS, DYSARTHRIA, EXPRESSIVE_APHASIA, FACIAL_PALSY = "HP:0001269", "HP:0001260", "HP:0002427", "HP:0010628"
BABINSKI, AF, ICH, PROTEINURIA = "HP:0003487", "HP:0005110", "HP:0002170", "HP:0000093"

ZH_STROKE = ("男，72岁，今晨突发右侧肢体无力、言语不清。神志清，运动性失语，右侧中枢性面瘫，右侧巴氏征阳性。"
             "心电图：心房颤动。头颅CT：未见出血，左侧大脑中动脉高密度征。")
ES_PYELO = ("Mujer de 34 años con disuria, polaquiuria y dolor en fosa renal derecha. Niega flujo vaginal. "
            "Puñopercusión renal derecha positiva. Analítica: procalcitonina 2,4 ng/mL. Test de embarazo negativo.\n"
            "Sedimento urinario: nitritos positivos, leucocituria >100/campo.")


def _status(case, cid):
    return {f.status for f in case.findings if f.concept_id == cid}


def test_chinese_stroke_note_is_understood():
    case = extract_findings(ZH_STROKE)
    present = set(case.present_ids())
    assert {HEMIPARESIS, DYSARTHRIA, EXPRESSIVE_APHASIA, FACIAL_PALSY, BABINSKI, AF,
            "MEDCITE:hyperdense-mca-sign"} <= present
    assert _status(case, ICH) == {"negated"}  # 头颅CT：未见出血
    assert "HP:0001324" not in present  # 肢体无力 is the hemiparesis, not a second "Muscle weakness"


@pytest.mark.parametrize("text, cid, status", [
    ("CT head: no haemorrhage.", ICH, "negated"),
    ("Non-contrast CT of the head shows a left basal ganglia haemorrhage.", ICH, "present"),
    ("TC craneal sin hemorragia.", ICH, "negated"),
    ("Chest X-ray: no consolidation.", "HP:0032177", "negated"),
    ("Sudden right-sided weakness; right Babinski positive.", HEMIPARESIS, "present"),
    ("Sudden right-sided weakness; right Babinski positive.", BABINSKI, "present"),
])
def test_english_and_spanish_stroke_equivalents(text, cid, status):
    assert _status(extract_findings(text), cid) == {status}


def test_a_bleed_outside_head_imaging_is_not_intracranial():
    assert ICH not in {f.concept_id for f in extract_findings("GI bleeding with melena. CT abdomen: no free air.").findings}


def test_spanish_pyelonephritis_note_is_understood():
    case = extract_findings(ES_PYELO)
    present = set(case.present_ids())
    assert {"HP:0100518", "HP:0100515", "HP:0030157", "HP:6000106", "HP:0032308", "HP:0031812", "HP:0012085"} <= present
    assert _status(case, "HP:0034269") == {"negated"}  # niega flujo vaginal
    assert _status(case, "MEDCITE:positive-pregnancy-test") == {"negated"}
    assert case.pregnancy is None  # a negative test is not a pregnancy


@pytest.mark.parametrize("text, weeks", [
    ("31-year-old G1P0 at 34 weeks' gestation presents with headache.", 34),
    ("She is 34 weeks pregnant.", 34),
    ("孕34周，头痛2天。", 34),
    ("Paciente embarazada de 34 semanas con cefalea.", 34),
    ("A pregnant woman with dysuria.", None),
])
def test_pregnancy_is_context_with_its_weeks(text, weeks):
    case = extract_findings(text)
    assert case.pregnancy is not None and case.pregnancy.weeks == weeks
    assert case.sex == "female"
    spans = [(f.start, f.end) for f in case.findings]
    assert all(e <= case.pregnancy.start or s >= case.pregnancy.end for s, e in spans)  # not a finding
    assert any("pregnant" in line and "not a finding" in line for line in case.mapping_lines())
    assert case.to_json()["pregnancy"]["weeks"] == weeks


@pytest.mark.parametrize("text", ["Not pregnant.", "Niega embarazo.", "否认怀孕。", "Pregnancy test negative."])
def test_no_pregnancy_when_denied(text):
    assert read_pregnancy(text) is None


@pytest.mark.parametrize("text, found", [
    ("Urine protein:creatinine ratio 0.9 mg/mg.", True),
    ("Urine protein/creatinine ratio 0.2 mg/mg.", False),
    ("UPCR 45 mg/mmol.", True),
    ("UPCR 20 mg/mmol.", False),
    ("Dipstick protein 3+.", True),
    ("Urine protein trace.", False),
    ("尿蛋白(++)。", True),
    ("24-hour urine protein 450 mg.", True),
    ("PCR 186 mg/L.", False),  # Spanish C-reactive protein, not a ratio
])
def test_proteinuria_from_values(text, found):
    assert bool(read_proteinuria(text)) is found
    assert (PROTEINURIA in extract_findings(text).present_ids()) is found


def test_pipe_and_tab_lab_tables_read_like_prose():
    table = ("Labs:\n| Test | Result | Reference |\n|---|---|---|\n| Glucose | 486 mg/dL | 70-140 |\n"
             "| pH (venous) | 7.08 | 7.32-7.42 |\n| Sodium | 131 mmol/L | 135-145 |\n| Potassium | | 3.5-5.0 |")
    prose = "Labs: glucose 486 mg/dL, venous pH 7.08, sodium 131 mmol/L."
    got = [(f.concept_id, f.value) for f in extract_findings(table).findings]
    assert got == [(f.concept_id, f.value) for f in extract_findings(prose).findings]
    assert len(got) == 3  # the header row and an empty value cell give nothing
    tabbed = "Glucose\t486 mg/dL\t70-140\nSodium\t131 mmol/L\t135-145"
    assert {"HP:0003074", "HP:0002902"} <= set(extract_findings(tabbed).present_ids())


def test_the_case_summary_shows_the_pregnancy():
    from medcite.clinical.differential import _context

    case = extract_findings("31-year-old G1P0 at 34 weeks' gestation with headache and BP 168/112 mmHg.")
    assert _context(case) == ["age 31 years", "female", "pregnant, 34 weeks' gestation"]


@pytest.mark.parametrize("text, cid", [
    ("Varón de 45 años con dolor lumbar mecánico tras cargar peso.", "HP:0003419"),  # lumbar pain is low back pain
    ("Mujer con dolor en fosa lumbar izquierda.", "HP:0030157"),  # the lumbar fossa is the flank
])
def test_spanish_lumbar_pain_and_flank_pain(text, cid):
    assert cid in extract_findings(text).present_ids()


def test_a_list_after_a_colon_is_negated_on_chest_x_ray():
    case = extract_findings("Chest X-ray: no widened mediastinum, no pneumothorax.")
    assert _status(case, "HP:0034501") == {"negated"}
    assert _status(case, "HP:0002107") == {"negated"}
