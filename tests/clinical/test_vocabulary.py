"""Condition vocabulary: names, variants, abbreviations, matcher, IDF, persistence."""

from __future__ import annotations

from medcite.clinical.terms import looks_like_disorder, name_variants, normalize
from medcite.clinical.vocabulary import Vocabulary, vocabulary_for_index
from medcite.documents import Document, Section


def test_normalize_folds_case_accents_punctuation_and_plurals():
    assert normalize("Kaposi's Sarcomas") == normalize("kaposi sarcoma")
    assert normalize("Sjögren-Syndrome") == "sjogren syndrome"
    assert normalize("allergies") == "allergy"
    assert normalize("sepsis") == "sepsis" and normalize("pancreas") == "pancreas"
    from medcite.clinical.terms import fold_token

    words = ["tumors", "sarcomas", "allergies", "sepsis", "pancreas", "diseases", "virus", "glasses"]
    assert normalize(" ".join(words)).split() == [fold_token(w) for w in words]


def test_inverted_mesh_headings_get_natural_order_variant():
    variants, _ = name_variants("Diabetes Mellitus, Type 2")
    assert normalize("type 2 diabetes mellitus") in variants
    variants, abbrevs = name_variants("Klippel-Trenaunay Syndrome (KTS)")
    assert "klippel trenaunay syndrome" in variants and abbrevs == {"KTS"}


def test_disorder_mesh_headings_are_recognised():
    assert looks_like_disorder("Carcinoma, Hepatocellular")
    assert looks_like_disorder("Tuberculosis, Pulmonary")
    assert not looks_like_disorder("Humans")
    assert not looks_like_disorder("Prognosis")
    assert not looks_like_disorder("Disease Progression")


def test_vocabulary_from_documents(vocab):
    tb = vocab.lookup("tuberculosis")
    assert tb is not None and tb.cuis == {"C0041296"} and tb.semantic_group == "Disorders"
    assert "TB" in tb.abbreviations  # "Tuberculosis (TB) is …" in the record text
    assert vocab.lookup("Surgery") is None  # MedQuAD focus of category "Other" is not a condition
    assert vocab.lookup("pulmonary tuberculosis") is not None  # from a MeSH heading
    assert vocab.attached("medquad:tb-1") == {tb.id: "focus"}


def test_matcher_prefers_the_longest_name_and_matches_abbreviations(vocab):
    pul = vocab.lookup("Tuberculosis, Pulmonary")
    tb = vocab.lookup("tuberculosis")
    assert vocab.find("Signs of pulmonary tuberculosis in adults") == {pul.id}
    assert vocab.find("Screening for TB in prisons") == {tb.id}
    assert vocab.find("tb is lower case here") == set()  # abbreviations are case-sensitive
    assert vocab.find("") == set()


def test_generic_names_get_lower_idf():
    docs = [Document(f"d{i}", "", [Section("T", "This infection was common." if i < 8 else "A case of leprosy.")]) for i in range(10)]
    docs.append(Document("mq", "What is infection?", [Section("A", "Infection is common.")], extra={"focus": "Infection", "semantic_group": "Disorders"}))
    docs.append(Document("mq2", "What is leprosy?", [Section("A", "Leprosy is rare.")], extra={"focus": "Leprosy", "semantic_group": "Disorders"}))
    v = Vocabulary.from_documents(docs)
    assert v.lookup("infection").idf < v.lookup("leprosy").idf


def test_cui_merge_needs_similar_names():
    v = Vocabulary()
    a = v.add("Chronic Myeloid Leukemia", ["C0023473"])
    b = v.add("Chronic Myelogenous Leukemia", ["C0023473"])
    c = v.add("Adult Non-Hodgkin Lymphoma", ["C0019829"])
    d = v.add("Hodgkin lymphoma", ["C0019829"])
    assert a == b and c != d
    assert v.conditions[a].matches("chronic myelogenous leukemia")
    assert v.conditions[d].matches(cuis=["C0019829"]) and not v.conditions[d].matches("lymphoma")


def test_json_round_trip_and_disk_cache(clinical_index, vocab, tmp_path):
    again = Vocabulary.from_json(vocab.to_json())
    text = "Fever and night sweats in tuberculosis and influenza"
    assert again.find(text) == vocab.find(text) and len(again) == len(vocab)
    assert again.doc_conditions == vocab.doc_conditions and again.treatment_terms == vocab.treatment_terms
    first = vocabulary_for_index(clinical_index, tmp_path / "cache")
    files = list((tmp_path / "cache").iterdir())
    assert len(files) == 1
    second = vocabulary_for_index(clinical_index, tmp_path / "cache")
    assert second.to_json() == first.to_json()


def test_ambiguous_cui_sets():
    v = Vocabulary()
    for i in (1, 2, 3):
        v.add(f"Spastic paraplegia {i}", ["C0037773"])
    v.add("Usher syndrome type 1B", ["C1"])
    v.add("Usher syndrome type 1C", ["C1"])
    v.add("47 XXX syndrome", ["C0266463"])
    v.add("Triple X syndrome", ["C0266463"])
    amb = v.ambiguous_cui_sets()
    assert frozenset({"C0037773"}) in amb and frozenset({"C1"}) in amb
    assert frozenset({"C0266463"}) not in amb
    assert v.lookup("triple X syndrome").matches("47 XXX syndrome", ["C0266463"], amb)
    assert not v.lookup("spastic paraplegia 1").matches("Spastic paraplegia 3", ["C0037773"], amb)
