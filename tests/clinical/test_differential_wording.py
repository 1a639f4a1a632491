"""What the differential says about its candidates (issue 15, break-test 9): given names with no
data are not scored against the others, "against" says which reason applies and needs a very
frequent feature, age/sex misfits and restated findings leave the list, a finding is explained
or unexplained (not both), and a hedging sentence is not a candidate's quote."""

from __future__ import annotations

import json
from types import SimpleNamespace

from typer.testing import CliRunner

from medcite.cli import app
from medcite.clinical.against import against_reasons
from medcite.clinical.candidate_filter import down_weight_given, restates_finding, split_open
from medcite.clinical.demographic_fit import misfit
from medcite.clinical.differential import KB_ONLY, NO_DATA, differential
from medcite.clinical.findings import CaseFindings, Finding
from medcite.clinical.knowledge import KnowledgeBase, SourceEntry
from medcite.clinical.knowledge.sources import TEXT_FREQUENCY
from medcite.clinical.quote_choice import choose_sentence, rank_support
from medcite.retrieval import SearchOptions

from .knowledge_fixtures import COUGH, CRACK, FEVER, HEAD, RASH, case_kb, tiny_entries, tiny_kb, tiny_ontology

runner = CliRunner()


def _case(text, *terms, age=None, sex=None, location=None):
    fs = []
    for cid, label in terms:
        i = max(text.lower().find(label.lower()), 0)
        fs.append(Finding(cid, label, text[i:i + len(label)], i, i + len(label), "present", "symptom", None, "hpo-name",
                          location if cid == COUGH else None))
    return CaseFindings(text, tuple(fs), age, sex, "en")


def test_given_name_without_any_data_is_apart_and_not_scored(retriever, vocab):
    text = "fever; cough; crackles"
    case = _case(text, (FEVER, "Fever"), (COUGH, "Cough"), (CRACK, "Crackles"))
    d = differential(text, retriever, vocab, case_kb(), SearchOptions(top_k=20), case=case,
                     candidates=["zorblax fever", "tuberculosis"])
    z = next(c for c in d.candidates if c.given_as == "zorblax fever")
    assert z.grounding == NO_DATA and z.unexplained_findings == [] and z.matched_findings == [] and not z.citations
    assert d.candidates[-1] is z  # not ranked against the others
    assert json.loads(json.dumps(d.to_json()))["items"][-1]["grounding"] == NO_DATA


def test_cli_shows_no_data_apart_from_knowledge_base_only(clinical_index):
    r = runner.invoke(app, ["diagnose", "fever; night sweats; weight loss; chronic cough", "--index", str(clinical_index.dir.root),
                            "--candidates", "tuberculosis; zorblax fever"])
    assert r.exit_code == 0, r.output
    kb_head = KB_ONLY[0].upper() + KB_ONLY[1:]
    line = next(ln for ln in r.output.splitlines() if "zorblax fever" in ln and ln.strip()[:2].strip(". ").isdigit())
    assert "no data" in line and "score 0" not in line
    if kb_head in r.output:  # whatever is under "knowledge base only", zorblax is not
        section = r.output.split(kb_head, 1)[1].split("No data")[0]
        assert "zorblax" not in section


def test_absent_finding_argues_against_only_a_very_frequent_feature():
    kb = tiny_kb()
    ranked = {m.condition.name: m for m in kb.rank([FEVER], [COUGH], limit=20)}
    assert COUGH in ranked["Lobar pneumonia syndrome"].contradicted  # cough 90 %
    assert COUGH not in ranked["Flu-like disease"].contradicted  # cough 54.5 %: may be missing
    prose = KnowledgeBase.from_entries(tiny_ontology(), [SourceEntry("medquad:p1", "medquad", "Prose cough fever", phenotype={
        COUGH: TEXT_FREQUENCY, FEVER: TEXT_FREQUENCY})])  # prose names cough: how often is not said
    assert not prose.rank([FEVER], [COUGH], limit=5)[0].contradicted
    why = against_reasons(ranked["Lobar pneumonia syndrome"], kb, [FEVER])
    assert why == ["Cough: absent here; the knowledge base gives it as 90 % in this condition"]


def test_against_names_an_excluded_present_finding():
    kb = tiny_kb()
    m = next(m for m in kb.rank([FEVER, RASH, HEAD], [], limit=20) if m.condition.id == "OMIM:3")  # Rash fever syndrome
    assert any(r.startswith("Headache: present here") and "excludes" in r for r in against_reasons(m, kb, [FEVER, RASH, HEAD]))


def test_misfit_by_age_and_sex_only_when_known():
    assert "neonatal" in misfit(["Idiopathic neonatal atrial flutter"], 54, "female")
    assert misfit(["Pediatric acute respiratory distress syndrome"], 67, None)
    assert misfit(["Prostatic Hyperplasia"], 32, "female") and misfit(["Ovarian cancer"], 40, "male")
    assert misfit(["Idiopathic neonatal atrial flutter"], None, None) is None
    assert misfit(["Prostatic Hyperplasia"], 70, "male") is None and misfit(["Pediatric asthma"], 8, "female") is None
    assert misfit(["Cervical spondylosis"], 50, "male") is None


def test_a_condition_of_children_is_set_aside_for_an_adult():
    # MedQuAD titles restrict a condition to children this way ("... in Children")
    assert "childhood" in misfit(["Kidney Disease in Children"], 45, "male")
    assert "childhood" in misfit(["Urinary Tract Infections in Children"], 30, "female")
    assert misfit(["Kidney Disease in Children"], 9, "male") is None
    assert misfit(["Hodgkin Lymphoma in Adults and Children"], 45, None) is None


def test_open_differential_sets_aside_a_condition_for_another_age_group(retriever, vocab):
    kb = KnowledgeBase.from_entries(tiny_ontology(), tiny_entries() + [
        SourceEntry("ORPHA:77", "orpha", "Neonatal cough crackle syndrome", phenotype={COUGH: 1.0, CRACK: 1.0, FEVER: 0.9})])
    text = "fever; cough; crackles"
    terms = ((FEVER, "Fever"), (COUGH, "Cough"), (CRACK, "Crackles"))
    unknown = differential(text, retriever, vocab, kb, SearchOptions(top_k=20), case=_case(text, *terms), ground=False)
    assert "Neonatal cough crackle syndrome" in [c.condition for c in unknown.candidates]
    adult = differential(text, retriever, vocab, kb, SearchOptions(top_k=20), case=_case(text, *terms, age=54, sex="female"), ground=False)
    assert "Neonatal cough crackle syndrome" not in [c.condition for c in adult.candidates]
    assert [a["condition"] for a in adult.set_aside] == ["Neonatal cough crackle syndrome"]
    assert any("age/sex" in n and "Neonatal cough crackle syndrome" in n for n in adult.notes)
    assert adult.to_json()["set_aside"] == adult.set_aside


def _entry(key, name, given=None, score=1.0):
    return SimpleNamespace(key=key, name=name, given=given, kb=None, score=score)


def test_a_present_finding_restated_as_candidate_is_dropped():
    present = [Finding("HP:0000822", "Hypertension", "BP 150/92 mmHg", 0, 14, "present", "vital", "150/92 mmHg", "vital-range")]
    assert restates_finding({"hypertension"}, ["LIT:hypertension"], present)
    assert restates_finding({"high blood pressure"}, ["HP:0000822"], present)
    assert not restates_finding({"pulmonary hypertension"}, ["MESH:Hypertension, Pulmonary"], present)
    case = SimpleNamespace(age_years=62, sex="male")
    kept, aside = split_open([_entry("LIT:hypertension", "Hypertension"), _entry("MESH:MI", "Myocardial Infarction")], case, present,
                             lambda e: {e.name.lower()})
    assert [e.name for e in kept] == ["Myocardial Infarction"] and aside == []


def test_a_criteria_condition_named_like_its_defining_finding_is_kept():
    # "Hypoglycemic disorder" (criteria entry, synonym "Hypoglycemia") is the diagnosis of a case
    # whose glucose is low: it was dropped as a restated finding on a sulfonylurea note
    present = [Finding("HP:0001943", "Hypoglycemia", "glucose 38 mg/dL", 0, 16, "present", "lab", "38 mg/dL", "lab-range")]
    crit = SimpleNamespace(condition=SimpleNamespace(entries=[SimpleNamespace(kind="criteria")], xrefs=()))
    medquad = SimpleNamespace(condition=SimpleNamespace(entries=[SimpleNamespace(kind="medquad")], xrefs=()))
    both = lambda e: {"hypoglycemia", e.name.lower()}  # noqa: E731 — all names, synonyms included
    case = SimpleNamespace(age_years=71, sex="female")
    e1 = SimpleNamespace(key="CRITERIA:hypoglycemic-disorder", name="Hypoglycemic disorder", given=None, kb=crit, score=1.0)
    e2 = SimpleNamespace(key="medquad:1", name="Hypoglycemia", given=None, kb=medquad, score=0.9)
    kept, _ = split_open([e1, e2], case, present, both)
    assert [e.name for e in kept] == ["Hypoglycemic disorder"]


def test_given_misfit_is_kept_but_down_weighted():
    es = [_entry("A", "Prostatic Hyperplasia", "BPH", 0.9), _entry("B", "Cystitis", "cystitis", 0.5)]
    why = down_weight_given(es, SimpleNamespace(age_years=32, sex="female"))
    assert [e.name for e in es] == ["Cystitis", "Prostatic Hyperplasia"] and "male-only" in why["BPH"]


def test_a_finding_is_either_explained_or_unexplained(retriever, vocab):
    # a sited cough: the knowledge base explains "Cough", but no passage names the site
    text = "fever; right lower lobe cough; crackles"
    case = _case(text, (FEVER, "Fever"), (COUGH, "Cough"), (CRACK, "Crackles"), location="right lower lobe")
    d = differential(text, retriever, vocab, case_kb(), SearchOptions(top_k=20), case=case, candidates=["tuberculosis"])
    label_of = {f.query_label(): f.label for f in case.present()}
    for c in d.candidates:
        assert not set(c.explained_findings) & {label_of.get(u, u) for u in c.unexplained_findings}
        assert not set(c.matched_findings) & set(c.unexplained_findings)


def test_hedging_sentence_is_not_the_quote():
    naming = ["It does not always mean that you are having a heart attack.",
              "A heart attack causes chest pain, sweating and nausea."]
    assert choose_sentence(naming, ["Chest pain", "Nausea"]) == naming[1]
    assert choose_sentence(["Half the people who have pulmonary embolism have no symptoms.",
                            "Pulmonary embolism is a blockage of an artery in the lungs."]).startswith("Pulmonary embolism is")
    assert choose_sentence(["Most kidney stones pass out of the body without help from a doctor."]).startswith("Most")  # the only one
    sup = [(0, "text", naming[0]), (1, "text", "Heart attack: a blocked artery."), (2, "text", naming[1])]
    assert [i for i, _, _ in rank_support(sup, ["Chest pain", "Nausea"])] == [2, 1]
