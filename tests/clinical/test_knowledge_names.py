"""Condition identity across sources (name keys, merging) and the candidate/finding typing."""

from __future__ import annotations

import pytest

from medcite.clinical.knowledge import KnowledgeBase, SourceEntry, classify
from medcite.clinical.knowledge.kinds import CONDITION, FINDING
from medcite.clinical.knowledge.merge import merge_entries
from medcite.clinical.knowledge.names import strong_keys, weak_keys

from .knowledge_fixtures import tiny_kb, tiny_ontology


@pytest.mark.parametrize("a, b", [
    ("Usher syndrome, type I", "Usher syndrome type 1"),
    ("Diabetes Mellitus, Type 2", "Type 2 diabetes mellitus"),
    ("Tourette's syndrome", "Tourette Syndrome"),
    ("Tetralogy of Fallot", "Fallot tetralogy"),
    ("Mucolipidosis II alpha/beta", "mucolipidosis 2 alpha-beta"),
    ("Microduplication Xp11.22-p11.23 syndrome", "Microduplication Xp11.22p11.23 syndrome"),
    ("Klippel-Trenaunay syndrome (KTS)", "Klippel Trenaunay syndrome"),
    ("α-thalassemia", "alpha thalassemia"),
    ("Flu", "Influenza"),
    ("Heart attack", "Myocardial infarction"),
    ("Tetrasomy X", "tetrasomy x"),
])
def test_same_condition_same_strong_key(a, b):
    assert strong_keys(a) & strong_keys(b)


@pytest.mark.parametrize("a, b", [
    ("Spastic paraplegia 10", "Spastic paraplegia 15"),
    ("Non-Hodgkin lymphoma", "Hodgkin lymphoma"),
    ("Usher syndrome type 1B", "Usher syndrome type 1C"),
    ("X-linked ichthyosis", "Ichthyosis"),
    ("Tetrasomy X", "Tetrasomy 10"),  # a trailing X is the chromosome, not a roman ten
])
def test_different_conditions_different_keys(a, b):
    assert not strong_keys(a) & strong_keys(b)


def test_weak_keys_drop_generic_heads_and_inheritance_words():
    assert weak_keys("Autosomal recessive spastic paraplegia type 15") & strong_keys("Spastic paraplegia 15")
    assert weak_keys("Tourette disorder") & weak_keys("Tourette syndrome")
    assert weak_keys("Mac Dermot Winter syndrome") & weak_keys("Macdermot-Winter syndrome")


@pytest.mark.parametrize("a, b", [
    ("Autosomal dominant intermediate Charcot-Marie-Tooth disease type D", "Charcot-Marie-Tooth disease, dominant intermediate D"),
    ("Amyotrophic lateral sclerosis 6, with or without frontotemporal dementia", "Amyotrophic lateral sclerosis type 6"),
    ("Charcot-Marie-Tooth disease, axonal, type 2N", "Charcot-Marie-Tooth disease type 2N"),
    ("Transcobalamin I deficiency", "Transcobalamin 1 deficiency"),
    ("Tetrasomy X syndrome", "Tetrasomy X"),
    ("Conductive deafness with malformed external ear", "Conductive deafness-malformed external ear syndrome"),
    ("Ichthyosis with alopecia, eclabion, ectropion, and mental retardation", "Ichthyosis alopecia eclabion ectropion mental retardation"),
    ("Neonatal intrahepatic cholestasis caused by citrin deficiency", "Neonatal intrahepatic cholestasis due to citrin deficiency"),
    ("Chromosome 8q24.3 deletion syndrome", "8q24.3 microdeletion syndrome"),
    ("Isolated aniridia", "Aniridia"),
])
def test_weak_key_variants(a, b):
    assert (weak_keys(a) | strong_keys(a)) & (weak_keys(b) | strong_keys(b))


@pytest.mark.parametrize("a, b", [
    ("Chromosome 8q24.3 deletion syndrome", "8q24.3 microduplication syndrome"),
    ("Chromosome 8q24.3 deletion syndrome", "Chromosome 8q24.31 deletion syndrome"),
    ("Deafness with goiter", "Deafness"),
])
def test_connectors_and_cytogenetic_words_join_no_different_conditions(a, b):
    assert not (weak_keys(a) | strong_keys(a)) & (weak_keys(b) | strong_keys(b))


@pytest.mark.parametrize("entries, same, apart", [
    # dominant and recessive forms keep apart under the narrow key
    ([SourceEntry("OMIM:607791", "omim", "Charcot-Marie-Tooth disease, dominant intermediate D"),
      SourceEntry("OMIM:616039", "omim", "Charcot-Marie-Tooth disease, recessive intermediate D"),
      SourceEntry("medquad:d", "medquad", "Autosomal dominant intermediate Charcot-Marie-Tooth disease type D")],
     ("medquad:d", "OMIM:607791"), ("OMIM:616039", "OMIM:607791")),
    # an OMIM name with connectors and its Orphanet twin without them are one condition
    ([SourceEntry("OMIM:221300", "omim", "Conductive deafness with malformed external ear"),
      SourceEntry("ORPHA:3216", "orpha", "Conductive deafness-malformed external ear syndrome"),
      SourceEntry("ORPHA:3236", "orpha", "Conductive deafness-ptosis-skeletal anomalies syndrome")],
     ("OMIM:221300", "ORPHA:3216"), ("ORPHA:3236", "ORPHA:3216")),
])
def test_weak_key_merges_and_keeps_apart(entries, same, apart):
    by_source = {e.source_id: c for c in merge_entries(entries) for e in c.entries}
    assert by_source[same[0]] is by_source[same[1]]
    assert by_source[apart[0]] is not by_source[apart[1]]


def _terms(*ks: int) -> dict[str, float]:
    return {f"HP:{k:07d}": 0.5 for k in ks}


def test_a_copied_symptom_table_joins_the_curated_disease_it_copies():
    entries = [
        SourceEntry("OMIM:122780", "omim", "Vitamin K antagonist embryofetopathy", phenotype=_terms(*range(1, 11))),
        SourceEntry("OMIM:200000", "omim", "Other embryopathy", phenotype=_terms(*range(5, 20))),
        SourceEntry("medquad:w", "medquad", "Warfarin syndrome", phenotype=_terms(*range(1, 10)), phenotype_source="table"),
        # prose phenotypes are not annotation lists: never linked this way
        SourceEntry("medquad:p", "medquad", "Prose syndrome", phenotype=_terms(*range(1, 11)), phenotype_source="text"),
    ]
    by_source = {e.source_id: c for c in merge_entries(entries) for e in c.entries}
    assert by_source["medquad:w"] is by_source["OMIM:122780"]
    assert by_source["medquad:w"].name == "Warfarin syndrome" or "Warfarin syndrome" in by_source["medquad:w"].synonyms
    assert by_source["medquad:p"] is not by_source["OMIM:122780"]


def test_a_copied_table_joins_an_omim_entry_and_its_orphanet_twin():
    entries = [
        SourceEntry("OMIM:601812", "omim", "Premature aging syndrome, Penttinen type", phenotype=_terms(*range(1, 11))),
        SourceEntry("ORPHA:2663", "orpha", "Progeroid syndrome, Penttinen type", phenotype=_terms(*range(1, 12))),
        SourceEntry("medquad:pa", "medquad", "Penttinen-Aula syndrome", phenotype=_terms(*range(1, 11)), phenotype_source="table"),
    ]
    conds = merge_entries(entries)
    assert len(conds) == 1 and {e.source_id for e in conds[0].entries} == {"OMIM:601812", "ORPHA:2663", "medquad:pa"}


def test_a_copied_table_links_nothing_when_ambiguous_or_of_another_subtype():
    entries = [
        SourceEntry("OMIM:1", "omim", "Mirror movements 2", phenotype=_terms(*range(1, 9))),
        SourceEntry("OMIM:2", "omim", "Mirror movements 4", phenotype=_terms(*range(1, 9))),
        SourceEntry("medquad:m", "medquad", "Congenital mirror movement disorder", phenotype=_terms(*range(1, 9)), phenotype_source="table"),
        SourceEntry("OMIM:5", "omim", "Kallmann syndrome 5", phenotype=_terms(*range(20, 30))),
        SourceEntry("medquad:k", "medquad", "Kallmann syndrome 6", phenotype=_terms(*range(20, 30)), phenotype_source="table"),
        SourceEntry("ORPHA:9", "orpha", "Spondylocostal dysostosis", phenotype=_terms(*range(40, 50))),
        SourceEntry("medquad:s", "medquad", "Spondylocostal dysostosis 4", phenotype=_terms(*range(40, 50)), phenotype_source="table"),
    ]
    by_source = {e.source_id: c for c in merge_entries(entries) for e in c.entries}
    for sid in ("medquad:m", "medquad:k", "medquad:s"):
        assert len(by_source[sid].entries) == 1, sid


def _generic_cui_entries() -> list[SourceEntry]:
    # C0012634 ("Disease") is given to many differently named foci: generic, not an identity
    return [SourceEntry(f"medquad:g{i}", "medquad", f"Unrelated disease {i}", cuis=("C0012634", f"C90000{i}")) for i in range(6)]


def test_merge_links_names_through_cuis_and_keys():
    entries = [
        SourceEntry("OMIM:252500", "omim", "Mucolipidosis II alpha/beta"),
        SourceEntry("ORPHA:576", "orpha", "Mucolipidosis type II"),
        SourceEntry("medquad:ghr1", "medquad", "mucolipidosis II alpha/beta", cuis=("C0020725",)),
        SourceEntry("medquad:gard1", "medquad", "I cell disease", cuis=("C0020725", "C0012634")),
        *_generic_cui_entries(),
    ]
    conds = merge_entries(entries)
    by_source = {e.source_id: c for c in conds for e in c.entries}
    assert by_source["medquad:gard1"] is by_source["OMIM:252500"] is by_source["medquad:ghr1"]
    assert by_source["ORPHA:576"] is not by_source["OMIM:252500"]  # different names, no link
    assert by_source["OMIM:252500"].id == "OMIM:252500"
    assert by_source["medquad:g1"] is not by_source["medquad:g2"]  # a generic CUI merges nothing


def test_a_generic_cui_named_in_a_composite_name_keeps_it_apart_from_its_other_part():
    # C0035334 (retinitis pigmentosa) is carried by five differently named foci: generic; but it
    # is also the one CUI of "Retinitis pigmentosa", a part of the composite name
    rp = [SourceEntry(f"medquad:r{i}", "medquad", f"Retinitis pigmentosa {i}", cuis=("C0035334", f"C900{i}")) for i in range(5)]
    entries = [
        SourceEntry("medquad:ataxia", "medquad", "Ataxia", cuis=("C0004134",)),
        SourceEntry("medquad:rp", "medquad", "Retinitis pigmentosa", cuis=("C0035334",)),
        SourceEntry("medquad:narp", "medquad", "Neuropathy, ataxia, and retinitis pigmentosa", cuis=("C0004134", "C0035334")),
        SourceEntry("medquad:narp2", "medquad", "NARP", cuis=("C0004134", "C0035334")),
        *rp,
    ]
    by_source = {e.source_id: c for c in merge_entries(entries) for e in c.entries}
    assert by_source["medquad:narp"] is not by_source["medquad:ataxia"]
    assert by_source["medquad:narp"] is by_source["medquad:narp2"]  # the full set still links


def test_cannot_link_rules_stop_weak_merges():
    entries = [
        SourceEntry("ORPHA:553", "orpha", "Cushing syndrome"),
        SourceEntry("ORPHA:96253", "orpha", "Cushing disease"),
        SourceEntry("medquad:c1", "medquad", "Cushing's syndrome", cuis=("C0010481",)),
        SourceEntry("OMIM:307800", "omim", "Hypophosphatemic rickets, X-linked dominant"),
        SourceEntry("OMIM:241520", "omim", "Hypophosphatemic rickets, autosomal recessive, 1"),
        SourceEntry("OMIM:999999", "omim", "Hypophosphatemic rickets, autosomal recessive"),
        SourceEntry("medquad:h1", "medquad", "Hypophosphatemic rickets", cuis=("C0020630",)),
        SourceEntry("ORPHA:100995", "orpha", "Autosomal recessive spastic paraplegia type 15"),
        SourceEntry("medquad:s1", "medquad", "Spastic paraplegia 15", cuis=("C1858679",)),
    ]
    conds = merge_entries(entries)
    by_source = {e.source_id: c for c in conds for e in c.entries}
    assert by_source["medquad:c1"] is by_source["ORPHA:553"]  # strong key
    assert by_source["ORPHA:96253"] is not by_source["ORPHA:553"]  # two Orphanet ids never merge
    assert len({id(by_source[s]) for s in ("OMIM:307800", "OMIM:999999", "medquad:h1")}) == 3  # ambiguous weak key
    assert by_source["medquad:s1"] is by_source["ORPHA:100995"]


def test_resolve_by_name_synonym_id_and_abbreviation():
    kb = tiny_kb()
    rf = kb.resolve("rash-fever syndrome")
    assert rf is not None and rf.id == "OMIM:3"
    assert kb.resolve("OMIM:3") is rf and kb.resolve("UMLS:C0000003") is rf
    assert kb.resolve("Rash fever disease") is rf  # weak key, one owner
    assert kb.resolve("") is None and kb.resolve("Unheard-of syndrome") is None
    k = KnowledgeBase.from_entries(tiny_ontology(), [SourceEntry("ORPHA:7", "orpha", "Klippel-Trenaunay syndrome (KTS)")])
    assert k.resolve("KTS") is not None and k.resolve("kts") is None


@pytest.mark.parametrize("name, types, expected", [
    ("Fever", (), FINDING),
    ("Abdominal Pain", (), FINDING),
    ("Back Pain", (), FINDING),
    ("Neck Pain", (), FINDING),
    ("Hemorrhage", (), FINDING),
    ("Anemia", ("T047",), FINDING),
    ("Thrombocytopenia", ("T047",), FINDING),
    ("Hypokalemia", (), FINDING),
    ("Headache", ("T184",), FINDING),
    ("Sickle cell anemia", ("T047",), CONDITION),
    ("Pneumonia", (), CONDITION),  # HPO lists it, the disease word decides
    ("Migraine", ("T047",), CONDITION),
    ("Influenza", (), CONDITION),
    ("Myocardial infarction", (), CONDITION),
    ("Complex regional pain syndrome", (), CONDITION),
    ("Hemophilia", (), CONDITION),
    ("Hypomagnesemia 6", (), CONDITION),
    ("Typhoid fever", (), CONDITION),
    ("Creatinine", ("T033",), FINDING),  # MedQuAD's MedlinePlus test page: a test, not a diagnosis
    ("Platelet count", (), FINDING),
    ("Lactate dehydrogenase", (), FINDING),
    ("Hemoglobin E disease", ("T047",), CONDITION),
    ("Glucose-6-phosphate dehydrogenase deficiency", ("T047",), CONDITION),
    # MeSH headings of general pathological processes name no diagnosis (full-index differential
    # listed "Atrophy" in 65 of 600 top-10s, and "Disabilities", "Dislocations")
    ("Atrophy", (), FINDING),
    ("Disabilities", (), FINDING),
    ("Dislocations", (), FINDING),
    ("Ischemia", (), FINDING),
    ("Spinal muscular atrophy", ("T047",), CONDITION),
    ("Shoulder dislocation", (), CONDITION),
])
def test_finding_or_condition(name, types, expected):
    assert classify(name, ontology=tiny_ontology(), semantic_types=types) == expected


def test_hpo_phenotype_name_is_a_finding_unless_typed_as_a_disease():
    onto = tiny_ontology()
    assert classify("Pyrexia", ontology=onto) == FINDING  # an HPO synonym
    assert classify("Rash", ontology=onto) == FINDING
    assert classify("Rash", ontology=onto, semantic_types=("T047",)) == CONDITION
    assert classify("Rash", ontology=None) == CONDITION  # no evidence without the ontology


def test_disease_names_from_omim_or_orphanet_are_conditions():
    kb = KnowledgeBase.from_entries(tiny_ontology(), [SourceEntry("OMIM:601665", "omim", "Anemia", phenotype={})])
    assert classify("Anemia", disease_name=True) == CONDITION
    assert kb.is_finding_name("Anemia") is False
