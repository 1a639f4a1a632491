"""Reading the knowledge sources: HPO annotation rows, frequencies, MedQuAD tables and synonyms,
MeSH headings, and the subtype-family phenotypes."""

from __future__ import annotations

import pytest

from medcite.clinical.knowledge import KnowledgeBase, SourceEntry
from medcite.clinical.knowledge.families import add_family_profiles
from medcite.clinical.knowledge.frequency import UNKNOWN_FREQUENCY, frequency_weight
from medcite.clinical.knowledge.merge import merge_entries
from medcite.clinical.knowledge.sources import (
    TEXT_FREQUENCY, hpoa_entries, medquad_entries, mesh_entries, stated_synonyms, symptom_table, title_synonyms,
)
from medcite.documents import Document, Section

from .knowledge_fixtures import COUGH, FEVER, HEAD, INHERIT, RASH, tiny_ontology


@pytest.mark.parametrize("value, weight", [
    ("HP:0040280", 1.0), ("HP:0040285", 0.0), ("3/4", 0.75), ("45%", 0.45), ("7.5%", 0.075), ("", UNKNOWN_FREQUENCY),
    ("1/0", UNKNOWN_FREQUENCY), ("often", UNKNOWN_FREQUENCY),
])
def test_frequency_weights(value, weight):
    assert frequency_weight(value) == pytest.approx(weight)


def test_hpoa_rows_become_entries_with_frequencies_and_exclusions(tmp_path):
    header = "database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\taspect\tbiocuration"
    rows = [
        "OMIM:1\tTest disease\t\tHP:1000005\tPMID:1\tPCS\t\tHP:0040281\t\t\tP\tx",
        "OMIM:1\tTest disease\t\tHP:9999999\tPMID:1\tPCS\t\t1/2\t\t\tP\tx",  # alt id of fever: larger weight kept
        "OMIM:1\tTest disease\tNOT\tHP:1000007\tPMID:1\tPCS\t\t\t\t\tP\tx",
        "OMIM:1\tTest disease\t\tHP:0000005\tPMID:1\tPCS\t\t\t\t\tI\tx",  # inheritance row: not a phenotype
        "ORPHA:2\tOther disease\t\tHP:1000002\tORPHA:2\tTAS\t\tHP:0040283\t\t\tP\tx",
        "MONDO:3\tIgnored\t\tHP:1000002\tx\tTAS\t\t\t\t\tP\tx",
    ]
    p = tmp_path / "phenotype.hpoa"
    p.write_text("#description: test\n" + header + "\n" + "\n".join(rows) + "\n")
    entries = {e.source_id: e for e in hpoa_entries(str(p), tiny_ontology())}
    assert set(entries) == {"OMIM:1", "ORPHA:2"}
    assert entries["OMIM:1"].phenotype == {FEVER: pytest.approx(0.895)}
    assert entries["OMIM:1"].excluded == (RASH,)
    assert entries["ORPHA:2"].kind == "orpha" and entries["ORPHA:2"].phenotype == {COUGH: pytest.approx(0.17)}
    bad = tmp_path / "bad.hpoa"
    bad.write_text("not a header\n")
    with pytest.raises(OSError):
        hpoa_entries(str(bad), tiny_ontology())


GARD_TABLE = (
    "What are the signs and symptoms of X? The Human Phenotype Ontology provides the following list of signs and "
    "symptoms for X. Signs and Symptoms Approximate number of patients (when available) Fever 90% Productive cough 7.5% "
    "Pyrexia - Headache - Mode of inheritance - Unknown sign - The Human Phenotype Ontology (HPO) has collected information"
)


def test_symptom_table_reads_terms_and_percentages():
    ph = symptom_table(GARD_TABLE, tiny_ontology())
    assert ph[FEVER] == pytest.approx(0.9)  # "Pyrexia -" (unknown) does not lower the 90 %
    assert ph[HEAD] == pytest.approx(UNKNOWN_FREQUENCY)
    assert "HP:1000003" in ph and ph["HP:1000003"] == pytest.approx(0.075)
    assert INHERIT not in ph
    assert symptom_table("No table here.", tiny_ontology()) == {}


def _doc(qid, focus, qtype, text, cuis=("C1",), **extra):
    meta = {"focus": focus, "cuis": list(cuis), "semantic_group": "Disorders", "qtype": qtype, **extra}
    return Document(f"medquad:{qid}", "", [Section("ANSWER", text)], extra=meta)


def test_medquad_entries_one_per_record_with_table_prose_or_synonyms():
    docs = [
        _doc("1", "X syndrome", "symptoms", GARD_TABLE),
        _doc("2", "X syndrome", "information", "X syndrome, also known as Why disease, is rare. It causes rash."),
        _doc("3", "X syndrome", "treatment", "There is no cure."),
        _doc("4", "X syndrome", "causes", "Unknown."),
        _doc("5", "Surgery", "information", "About surgery.", semantic_group=None, focus_category="Other"),
    ]
    entries = {e.source_id: e for e in medquad_entries(docs, tiny_ontology())}
    assert set(entries) == {"medquad:1", "medquad:2", "medquad:3"}  # 4 folds into 3, 5 is no disorder
    assert FEVER in entries["medquad:1"].phenotype and entries["medquad:1"].phenotype_source == "table"
    assert entries["medquad:2"].phenotype == {RASH: TEXT_FREQUENCY} and entries["medquad:2"].phenotype_source == "text" and entries["medquad:2"].synonyms == ("Why disease",)
    kb = KnowledgeBase.from_entries(tiny_ontology(), list(entries.values()))
    assert kb.resolve("Why disease") is kb.resolve("X syndrome") is not None


def test_stated_synonyms_only_from_the_opening_definition():
    assert stated_synonyms("Crusted scabies (also called Norwegian scabies) is a severe form") == ["Norwegian scabies"]
    assert stated_synonyms("CREST syndrome, also known as limited scleroderma or limited systemic sclerosis, is a") == [
        "limited scleroderma", "limited systemic sclerosis"]
    assert stated_synonyms("A disease. Later text, also known as Something, is here.") == []


def test_stated_synonym_after_or_only_for_the_focus_and_not_an_abbreviation():
    text = "LCHAD deficiency, or long-chain 3-hydroxyacyl-CoA dehydrogenase deficiency, is a mitochondrial condition"
    assert stated_synonyms(text, "LCHAD deficiency") == ["long-chain 3-hydroxyacyl-CoA dehydrogenase deficiency"]
    assert stated_synonyms(text) == []  # whose name it is must be known
    assert stated_synonyms(text, "Another condition") == []
    assert stated_synonyms("Deep Vein Thrombosis, or DVT, is a blood clot", "Deep Vein Thrombosis") == []


def test_mesh_entries_keep_disorder_headings_only():
    d = Document("PMID:1", "", [Section("A", "x")], mesh_terms=["Influenza, Human", "Humans", "Fever", "Vaccines"])
    names = {e.name for e in mesh_entries([d])}
    assert "Influenza, Human" in names and "Humans" not in names and "Vaccines" not in names
    kb = KnowledgeBase.from_entries(tiny_ontology(), mesh_entries([d]))
    assert kb.resolve("influenza") is kb.resolve("Influenza, Human") is not None


def test_family_phenotype_from_numbered_subtypes():
    entries = [
        SourceEntry("OMIM:10", "omim", "Hemophagocytic lymphohistiocytosis, familial, 1", phenotype={FEVER: 0.9}),
        SourceEntry("OMIM:11", "omim", "Hemophagocytic lymphohistiocytosis, familial, 2", phenotype={RASH: 0.5}),
        SourceEntry("medquad:h", "medquad", "Hemophagocytic lymphohistiocytosis", cuis=("C2",)),
        SourceEntry("ORPHA:20", "orpha", "Stargardt disease", phenotype={HEAD: 1.0}),
        SourceEntry("OMIM:21", "omim", "Stargardt disease 1", phenotype={COUGH: 1.0}),
    ]
    conds = {c.name: c for c in add_family_profiles(merge_entries(entries))}
    hlh = conds["Hemophagocytic lymphohistiocytosis"]
    assert hlh.phenotype == {FEVER: 0.9, RASH: 0.5} and "family" in hlh.sources
    assert conds["Stargardt disease"].phenotype == {HEAD: 1.0}  # annotated itself: unchanged
    assert conds["Hemophagocytic lymphohistiocytosis, familial, 1"].phenotype == {FEVER: 0.9}


@pytest.mark.parametrize("focus, names", [
    ("What I need to know about Cirrhosis", ["Cirrhosis"]),
    ("Pyelonephritis: Kidney Infection", ["Pyelonephritis", "Kidney Infection"]),
    ("Parasites - Trichinellosis (also known as Trichinosis)", ["Trichinellosis", "Trichinosis"]),
    ("Fuhrmann syndrome", []),
    ("L-arginine:glycine amidinotransferase deficiency", []),
])
def test_title_synonyms(focus, names):
    got = title_synonyms(focus)
    assert all(n in got for n in names) and (names or not got)
