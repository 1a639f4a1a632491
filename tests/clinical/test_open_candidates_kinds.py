"""Open-differential rows that are no new diagnosis (break-test 12, issue 15): physiological
measurements typed as findings, MedQuAD publication titles shown as their condition or set aside,
and the patient's own known history set aside with its reason."""

from __future__ import annotations

from medcite.clinical.candidate_filter import KNOWN_HISTORY, SEVERAL_CONDITIONS, split_open, title_condition
from medcite.clinical.findings import CaseFindings, Finding
from medcite.clinical.given_rows import Entry
from medcite.clinical.knowledge.kinds import CONDITION, FINDING, classify
from medcite.clinical.terms import normalize


def test_physiological_measurements_are_findings_not_candidates():
    for name in ("Stroke Volume", "Cardiac Output", "Blood Pressure", "Heart Rate", "Heart Rate, Fetal", "Vascular Resistance"):
        assert classify(name) == FINDING, name
    for name in ("Stroke", "Ischemic stroke", "Low cardiac output syndrome", "Heart failure with reduced ejection fraction",
                 "Pulmonary embolism", "Heart block"):
        assert classify(name) == CONDITION, name


def test_a_publication_title_shows_as_its_condition_or_is_no_candidate():
    assert title_condition("Heart Disease in Women") == "Heart Disease"
    assert title_condition("Diabetic Neuropathies: The Nerve Damage of Diabetes") == "Diabetic Neuropathies"
    assert title_condition("Viral Hepatitis: A through E and Beyond") == "Viral Hepatitis"
    assert title_condition("Diabetes, Heart Disease, and Stroke") is None
    for name in ("Hand, foot and mouth disease", "Diabetes Mellitus, Type 1", "Meningitis and Encephalitis", "Influenza, Human"):
        assert title_condition(name) == name


def _case(text: str, label: str, phrase: str, status: str = "present") -> CaseFindings:
    i = text.index(phrase)
    f = Finding("HP:0100651", label, phrase, i, i + len(phrase), status, "disease", None, "hpo-synonym")
    return CaseFindings(text, (f,), None, None, "en")


def _names(e: Entry) -> set[str]:
    return {normalize(e.name)}


def _entries() -> list[Entry]:
    return [Entry("K:1", "Diabetic ketoacidosis", 0.6, None, None), Entry("K:2", "Diabetes Type 1", 0.4, None, None),
            Entry("K:3", "Diabetes, Heart Disease, and Stroke", 0.3, None, None),
            Entry("K:4", "Heart Disease in Women", 0.2, None, None)]


def test_known_history_is_set_aside_with_its_reason():
    case = _case("19-year-old woman with type 1 diabetes on insulin, 2 days of vomiting", "Type I diabetes mellitus", "type 1 diabetes")
    kept, aside = split_open(_entries(), case, [], _names)
    assert [e.name for e in kept] == ["Diabetic ketoacidosis", "Heart Disease"]
    assert {a["condition"]: a["reason"] for a in aside} == {"Diabetes Type 1": KNOWN_HISTORY,
                                                           "Diabetes, Heart Disease, and Stroke": SEVERAL_CONDITIONS}
    hist = _case("Past: history of type 1 diabetes. Now vomiting.", "Type I diabetes mellitus", "type 1 diabetes", "historical")
    assert "Diabetes Type 1" not in [e.name for e in split_open(_entries(), hist, [], _names)[0]]


def test_a_condition_stated_as_new_is_not_history():
    case = _case("Vomiting and abdominal pain; glucose 486 mg/dL, suspect new type 1 diabetes", "Type I diabetes mellitus", "type 1 diabetes")
    kept, _ = split_open(_entries(), case, [], _names)
    assert "Diabetes Type 1" in [e.name for e in kept]


def test_a_title_is_not_shortened_into_a_finding():
    # seed 7 of eval_diagnosis listed "Urinary Incontinence" (a finding) as a candidate: the
    # MedQuAD title "Urinary Incontinence in Men" had been shortened to it
    entries = [Entry("K:5", "Urinary Incontinence in Men", 0.5, None, None), Entry("K:4", "Heart Disease in Women", 0.2, None, None)]
    finding = lambda name: normalize(name) == "urinary incontinence"  # noqa: E731
    case = CaseFindings("70-year-old, dribbling", (), None, None, "en")
    kept, _ = split_open(entries, case, [], _names, finding)
    assert [e.name for e in kept] == ["Urinary Incontinence in Men", "Heart Disease"]
