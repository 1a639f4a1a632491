"""A passage supports a candidate only when it speaks of it (break-test 12, issue 15): not a
symptom list of another condition naming it as a look-alike or a list item, not a passage about
another condition naming it as a symptom; a named sign is explained only by its classic condition."""

from __future__ import annotations

from medcite.clinical import findings as findings_pkg
from medcite.clinical.differential import _names_passage, differential
from medcite.clinical.findings import CaseFindings, Finding
from medcite.clinical.knowledge import KnowledgeBase, SourceEntry
from medcite.clinical.quote_choice import names_as_support, naming_sentences
from medcite.documents import Passage
from medcite.retrieval import SearchOptions

from .knowledge_fixtures import COUGH, FEVER, tiny_entries, tiny_ontology

APPY = {"appendicitis", "acute appendicitis"}
RMSF = ("The disease frequently begins as a sudden onset of fever and headache. The following is a list of "
        "symptoms commonly seen with this disease. \n - Fever \n - Nausea \n - Abdominal pain (may mimic appendicitis "
        "or other causes of acute abdominal pain) \n - Muscle pain \n")
PHEO = ("The Human Phenotype Ontology provides the following list of signs and symptoms. Signs and Symptoms "
        "Autosomal dominant inheritance - Axillary freckling - Cafe-au-lait spot - Congestive heart failure - Hypertension")


def test_a_look_alike_or_a_list_item_of_another_condition_is_no_support():
    rmsf = Passage(1, "medquad:rmsf", RMSF, "ANSWER", 0, len(RMSF), title="What are the symptoms of Rocky Mountain Spotted Fever (RMSF) ?")
    assert _names_passage(rmsf, APPY) == ""
    pheo = Passage(2, "medquad:pheo", PHEO, "ANSWER", 0, len(PHEO), title="What are the symptoms of Pheochromocytoma-islet cell tumor syndrome ?")
    assert _names_passage(pheo, {"heart failure", "congestive heart failure"}) == ""
    assert not names_as_support("The differential diagnosis includes appendicitis and ovarian torsion.", APPY)
    assert not names_as_support("Mesenteric adenitis is often mistaken for acute appendicitis.", APPY)
    # the candidate as what the sentence speaks of still supports it
    assert names_as_support("Acute appendicitis may mimic ovarian torsion.", APPY)
    assert names_as_support("Appendicitis presents with periumbilical pain that moves to the right lower quadrant.", APPY)


def test_in_a_passage_about_another_condition_only_the_subject_counts():
    text = "The most common clinical symptom is acute appendicitis. Other symptoms include a palpable mass."
    other = "What are the symptoms of Adenocarcinoma of the appendix ?"
    assert naming_sentences(text, other, APPY) == []
    assert naming_sentences(text, "What are the symptoms of Appendicitis ?", APPY) == ["The most common clinical symptom is acute appendicitis."]
    assert naming_sentences("Acute appendicitis is a rare presentation of it.", other, APPY) == ["Acute appendicitis is a rare presentation of it."]
    # a PubMed title is no question: the naming sentence speaks wherever the name stands
    assert naming_sentences(text, "Appendiceal tumours: a review", APPY) == ["The most common clinical symptom is acute appendicitis."]


def test_a_named_sign_is_explained_only_by_its_classic_condition(retriever, vocab, monkeypatch):
    """McBurney point tenderness stands for its broad HPO parent in the scorers; a condition with
    that parent in its phenotype (here: fever, for the tiny ontology) no longer "explains" the sign."""
    monkeypatch.setitem(findings_pkg.lexicon.SIGN_HPO, "MEDCITE:mcburney-point-tenderness", FEVER)
    kb = KnowledgeBase.from_entries(tiny_ontology(), tiny_entries() + [
        SourceEntry("OMIM:90", "omim", "Tuberculosis", phenotype={COUGH: 0.9, FEVER: 0.8}),
        SourceEntry("OMIM:95", "omim", "Acute appendicitis", phenotype={FEVER: 1.0}),
    ])
    text = "cough; McBurney point tenderness"
    i = text.index("McBurney")
    case = CaseFindings(text, (
        Finding(COUGH, "Cough", "cough", 0, 5, "present", "symptom", None, "hpo-name"),
        Finding("MEDCITE:mcburney-point-tenderness", "McBurney point tenderness", text[i:], i, len(text), "present", "sign", None, "lexicon"),
    ), None, None, "en")
    d = differential(text, retriever, vocab, kb, SearchOptions(top_k=20), case=case, candidates=["Tuberculosis", "Acute appendicitis"])
    by = {c.given_as: c for c in d.candidates}
    assert "McBurney point tenderness" in by["Acute appendicitis"].matched_findings
    assert "McBurney point tenderness" not in by["Tuberculosis"].matched_findings
    assert "Cough" in by["Tuberculosis"].matched_findings
