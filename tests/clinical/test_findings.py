"""Findings extraction in English: HPO names and synonyms, the lay lexicon, longest match,
ConText status, kinds, age/sex, the JSON form and bad input."""

from __future__ import annotations

import pytest

from medcite.clinical.findings import CaseFindings, Finding, extract_findings
from medcite.clinical.findings.hpo import vocabulary
from medcite.clinical.findings.lexicon import LAY_EN, LEXICON_ES, LEXICON_ZH, NEGATED_EN, SIGN_LABELS, SYMPTOM_IDS
from medcite.errors import UsageError

FEVER, COUGH, HEADACHE = "HP:0001945", "HP:0012735", "HP:0002315"


def _status(case: CaseFindings) -> dict[str, str]:
    return {f.concept_id: f.status for f in case.findings}


def test_every_lexicon_id_is_a_phenotype_of_the_bundled_hpo():
    names = vocabulary().names
    for table in (LAY_EN, NEGATED_EN, LEXICON_ZH, LEXICON_ES):
        missing = {p: t for p, t in table.items() if t not in names and t not in SIGN_LABELS}
        assert not missing
    assert SYMPTOM_IDS <= set(names)


def test_vocabulary_is_phenotypic_abnormalities_only():
    v = vocabulary()
    assert v.names[FEVER] == "Fever"
    assert "HP:0000006" not in v.names  # autosomal dominant inheritance: not a finding
    assert "HP:0012825" not in v.names  # "Mild": a modifier
    assert len(v.core) > 500


def test_seed_english_case():
    case = extract_findings("high fever, headache, cough")
    assert case.present_ids() == [FEVER, HEADACHE, COUGH]
    assert case.language == "en"
    fever = case.present()[0]
    assert (fever.text, fever.via, fever.kind) == ("high fever", "lexicon", "symptom")


def test_names_synonyms_and_lay_terms():
    text = "productive cough, pleuritic chest pain, rales, shortness of breath and feeling tired"
    case = extract_findings(text)
    got = {f.concept_id: f.via for f in case.findings}
    assert got == {"HP:0031245": "hpo-name", "HP:0033771": "hpo-name", "HP:0030830": "hpo-synonym",
                   "HP:0002094": "hpo-synonym", "HP:0012378": "lexicon"}
    for f in case.findings:
        assert text[f.start:f.end] == f.text


def test_longest_match_wins_and_no_match_inside_words():
    case = extract_findings("productive cough")
    assert [f.concept_id for f in case.findings] == ["HP:0031245"]  # not Cough as well
    assert extract_findings("coughlike noises; feverfew tea").findings == ()


def test_a_disease_name_is_not_read_as_present_when_it_is_history():
    case = extract_findings("She has a history of hypertension and presents with palpitations.")
    assert _status(case) == {"HP:0000822": "historical", "HP:0001962": "present"}


@pytest.mark.parametrize(
    "text,concept",
    [
        ("no fever", FEVER), ("denies chest pain", "HP:0100749"), ("without fever", FEVER),
        ("afebrile", FEVER), ("negative for cough", COUGH), ("headache was ruled out", HEADACHE),
        ("no rebound tenderness", "MEDCITE:rebound-tenderness"), ("Fever: absent", FEVER),
    ],
)
def test_negations(text, concept):
    case = extract_findings(text)
    assert _status(case)[concept] == "negated"
    assert concept not in case.present_ids()
    assert [f.concept_id for f in case.negated()] == [concept]


def test_negation_scope_runs_over_a_list_and_stops_at_but():
    case = extract_findings("denies fever, chills, or cough but reports headache")
    assert _status(case) == {FEVER: "negated", "HP:0025143": "negated", COUGH: "negated", HEADACHE: "present"}


def test_negation_stops_at_the_sentence_end():
    case = extract_findings("No chest pain. Fever and cough.")
    assert _status(case) == {"HP:0100749": "negated", FEVER: "present", COUGH: "present"}


def test_family_and_history():
    case = extract_findings("Family history of seizures. Her mother has hypothyroidism. History of asthma.")
    assert _status(case) == {"HP:0001250": "family", "HP:0000821": "family", "HP:0002099": "historical"}


def test_duration_history_is_the_present_illness():
    case = extract_findings("A 3-day history of fever and cough.")
    assert case.present_ids() == [FEVER, COUGH]


def test_kinds_follow_the_sentence():
    case = extract_findings("Chest x-ray shows a right lower lobe consolidation. A blood smear shows schistocytes. "
                            "Splenomegaly. Headache.")
    kinds = {f.label: f.kind for f in case.findings}
    assert kinds == {"Parenchymal consolidation": "imaging", "Schistocytosis": "lab", "Splenomegaly": "sign",
                     "Headache": "symptom"}


@pytest.mark.parametrize(
    "text,age,sex",
    [
        ("A 34-year-old woman with fever", 34.0, "female"), ("45 yo M, chest pain", 45.0, "male"),
        ("8-month-old boy with cough", 0.67, "male"), ("男，45岁，发热", 45.0, "male"),
        ("Mujer de 62 años con fiebre", 62.0, "female"), ("fever and cough", None, None),
        ("She reports fever", None, "female"),
    ],
)
def test_age_and_sex(text, age, sex):
    case = extract_findings(text)
    assert (case.age_years, case.sex) == (age, sex)


def test_json_lists_every_finding_with_span_status_and_value():
    case = extract_findings("Platelet count 45,000/mm3; no fever")
    js = case.to_json()
    assert js["language"] == "en" and js["age_years"] is None
    assert js["findings"] == [{**f.to_json(), "also": []} for f in case.findings]  # one mention per concept here
    plt, fever = js["findings"]
    assert plt["concept_id"] == "HP:0001873" and plt["value"] == "45,000/mm3" and plt["via"] == "lab-range"
    assert plt["text"] == "Platelet count 45,000/mm3" and plt["status"] == "present"
    assert fever["status"] == "negated" and fever["value"] is None
    assert case.mapping_lines()[0].startswith("Platelet count 45,000/mm3 → Thrombocytopenia (HP:0001873)")


def test_findings_are_frozen():
    f = extract_findings("fever").findings[0]
    assert isinstance(f, Finding)
    with pytest.raises(AttributeError):
        f.status = "negated"  # type: ignore[misc]


@pytest.mark.parametrize("bad", ["", "   ", None, 42, "x" * 20_001])
def test_bad_input_is_a_usage_error(bad):
    with pytest.raises(UsageError):
        extract_findings(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["He presents with a history of fever and cough for 3 days.",
                                  "history of cough over the past two weeks"])
def test_a_history_with_a_recent_duration_is_present(text):
    assert COUGH in extract_findings(text).present_ids()


def test_a_history_without_duration_stays_historical():
    assert extract_findings("history of cough; now fever").present_ids() == [FEVER]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Fever: yes\nCough: no\nRash: none", {FEVER: "present", COUGH: "negated", "HP:0000988": "negated"}),
        ("fever (+), cough (-), headache -ve", {FEVER: "present", COUGH: "negated", HEADACHE: "negated"}),
        ("- fever\n- cough\n- no rash", {FEVER: "present", COUGH: "present", "HP:0000988": "negated"}),
        ("发热（+），咳嗽（-）", {FEVER: "present", COUGH: "negated"}),
    ],
)
def test_checklist_notation(text, expected):
    assert _status(extract_findings(text)) == expected


def test_abbreviation_synonyms_and_ordinary_words_are_not_findings():
    case = extract_findings("ordering labs; the gist is on the PACS image; corn and a mole in the garden")
    assert case.findings == ()
    assert [f.label for f in extract_findings("ARDS, COPD").findings] == [
        "Acute respiratory distress syndrome", "Chronic pulmonary obstruction"]


def test_imaging_kind_needs_an_imaging_word_not_letters_inside_words():
    assert extract_findings("Direct tenderness with splenomegaly").findings[0].kind == "sign"
    assert extract_findings("胸部CT示胸腔积液").findings[0].kind == "imaging"
