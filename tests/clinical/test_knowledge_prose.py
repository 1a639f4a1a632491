"""Phenotypes read from MedQuAD prose with the findings extractor: present findings only, the
skipped question types, the JSON cache, and the leave-one-out of a record's prose."""

from __future__ import annotations

import gzip
import json

from medcite.clinical.knowledge import KnowledgeBase
from medcite.clinical.knowledge.prose import ProseCache, prose_terms
from medcite.clinical.knowledge.sources import TEXT_FREQUENCY, medquad_entries
from medcite.documents import Document, Section

from .knowledge_fixtures import COUGH, FEVER, HEAD, RASH, tiny_ontology

FEVER_HP, COUGH_HP, HEADACHE_HP = "HP:0001945", "HP:0012735", "HP:0002315"


def _doc(qid, focus, qtype, text):
    meta = {"focus": focus, "cuis": ["C1"], "semantic_group": "Disorders", "qtype": qtype}
    return Document(f"medquad:{qid}", "", [Section("ANSWER", text)], extra=meta)


def test_prose_terms_keep_present_findings_and_drop_negated_ones():
    terms = prose_terms("Signs and symptoms include fever and cough. The condition is not usually associated with headache.")
    assert FEVER_HP in terms and COUGH_HP in terms
    assert HEADACHE_HP not in terms
    assert prose_terms("   ") == []


def test_prose_cache_reads_once_and_round_trips(tmp_path):
    path = tmp_path / "prose.json.gz"
    cache = ProseCache(path)
    text = "Affected people have fever."
    assert FEVER_HP in cache(text) and cache.added == 1
    cache(text)
    assert cache.added == 1  # second read from the cache
    cache.save()
    again = ProseCache(path)
    assert again.terms == cache.terms and again.added == 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        assert json.load(f)["terms"]  # plain JSON, no pickle


def test_medquad_prose_uses_the_reader_skips_treatment_and_is_left_out_with_its_record():
    # a fake reader standing in for the extractor: it "understands" only what the text lists
    reader = {"overview": [FEVER, COUGH], "symptoms": [RASH, HEAD], "treatment": [HEAD]}.get
    docs = [
        _doc("o", "Y disease", "information", "overview"),
        _doc("s", "Y disease", "symptoms", "symptoms"),
        _doc("t", "Y disease", "treatment", "treatment"),
    ]
    entries = {e.source_id: e for e in medquad_entries(docs, tiny_ontology(), prose=lambda text: reader(text, []))}
    assert entries["medquad:o"].phenotype == {FEVER: TEXT_FREQUENCY, COUGH: TEXT_FREQUENCY}
    assert entries["medquad:s"].phenotype_source == "text"
    assert not entries["medquad:t"].phenotype  # treatment answers name side effects, not features
    kb = KnowledgeBase.from_entries(tiny_ontology(), list(entries.values()))
    cond = kb.resolve("Y disease")
    assert set(cond.phenotype) == {FEVER, COUGH, RASH, HEAD}
    assert set(cond.phenotype_without({"medquad:s"})) == {FEVER, COUGH}  # the held-out record's prose is gone
    # a case made from the symptoms record: the rest of the condition's records still attest it,
    # but the held-out record's terms explain nothing
    match = next(m for m in kb.rank([RASH, FEVER], exclude_sources={"medquad:s"}) if m.condition is cond)
    assert FEVER in match.explained and RASH in match.unexplained
    assert not any(m.condition is cond for m in kb.rank([RASH, HEAD], exclude_sources={"medquad:s", "medquad:o"}))


def test_a_negation_in_an_earlier_clause_does_not_remove_the_finding():
    terms = prose_terms("It is not contagious but it causes fever. Affected people rarely have cough.")
    assert FEVER_HP in terms and COUGH_HP not in terms
