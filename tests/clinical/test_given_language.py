"""Given candidates typed in Chinese or Spanish, or with a leading location qualifier, resolve to
the knowledge base's English entries and say how (break-test 12, issue 15)."""

from __future__ import annotations

from medcite.clinical.findings import CaseFindings, Finding
from medcite.clinical.given import resolve_name
from medcite.clinical.given_language import english_forms
from medcite.clinical.given_rows import given_entries
from medcite.clinical.knowledge import KnowledgeBase, SourceEntry

from .knowledge_fixtures import COUGH, FEVER, tiny_entries, tiny_ontology


def _kb() -> KnowledgeBase:
    extra = [
        SourceEntry("ORPHA:70", "orpha", "Acute appendicitis", phenotype={FEVER: 0.8}),
        SourceEntry("ORPHA:71", "orpha", "Pyelonephritis", phenotype={FEVER: 0.9}),
        SourceEntry("ORPHA:72", "orpha", "Ischemic stroke", phenotype={COUGH: 0.1}),
        SourceEntry("criteria:ami", "criteria", "Acute myocardial infarction",
                    synonyms=("STEMI", "ST-elevation myocardial infarction"), phenotype={FEVER: 0.1}),
    ]
    return KnowledgeBase.from_entries(tiny_ontology(), tiny_entries() + extra)


def test_english_forms_of_chinese_and_spanish_names():
    assert english_forms("急性阑尾炎")[0] == "acute appendicitis"
    assert "ischemic stroke" in english_forms("急性缺血性脑卒中")
    assert english_forms("pielonefritis aguda") == ["acute pyelonephritis"]
    assert english_forms("cólico renal") == ["renal colic"]
    assert english_forms("acute appendicitis") == [] and english_forms("STEMI") == []


def test_chinese_and_spanish_candidates_resolve_and_the_mapping_is_shown(vocab):
    kb, notes = _kb(), []
    names = ["急性阑尾炎", "急性缺血性脑卒中", "pielonefritis aguda", "卵巢囊肿蒂扭转"]
    entries = given_entries(names, kb, vocab, [FEVER], [], (), {}, 0.5, notes)
    by = {e.given: e for e in entries}
    assert by["急性阑尾炎"].kb.condition.name == "Acute appendicitis"
    assert by["急性缺血性脑卒中"].kb.condition.name == "Ischemic stroke"
    assert by["pielonefritis aguda"].kb.condition.name == "Pyelonephritis"
    assert by["卵巢囊肿蒂扭转"].kb is None  # not in this knowledge base: its own row, no shared empty key
    assert len({e.key for e in entries}) == 4
    shown = next(n for n in notes if n.startswith("given names read in English"))
    assert "急性阑尾炎 → Acute appendicitis" in shown and "卵巢囊肿蒂扭转 → ovarian torsion" in shown
    assert not any("()" in n for n in notes)


def test_unknown_non_latin_names_never_share_an_empty_entry(vocab):
    notes = []
    given_entries(["甲乙丙病", "丁戊己病"], _kb(), vocab, [FEVER], [], (), {}, 0.5, notes)
    assert not any("resolve to one" in n for n in notes) and not any("()" in n for n in notes)


def test_a_leading_location_qualifier_resolves_to_the_criteria_condition(vocab):
    cond, exact = resolve_name("inferior ST-elevation myocardial infarction", _kb(), vocab)
    assert cond is not None and cond.name == "Acute myocardial infarction" and not exact


def test_a_translated_name_the_knowledge_base_lacks_is_shown_and_searched_in_english(vocab):
    entries = given_entries(["卵巢囊肿蒂扭转"], _kb(), vocab, [FEVER], [], (), {}, 0.5, notes := [])
    assert entries[0].name == "ovarian torsion" and entries[0].given == "卵巢囊肿蒂扭转"
    assert not any("names a finding" in n for n in notes)  # a torsion is a diagnosis


def test_a_given_name_in_another_language_is_searched_in_english():
    # the literature of '肠系膜淋巴结炎' was searched in Chinese against an English index ("no data")
    from medcite.clinical.differential import _search_name
    from medcite.clinical.given_rows import Entry

    zh = Entry("LIT:mesenteric lymphadenitis", "mesenteric lymphadenitis", 0.0, None, None, given="肠系膜淋巴结炎", resolved=False)
    en = Entry("OMIM:1", "Acute myocardial infarction", 0.0, None, None, given="inferior ST-elevation myocardial infarction")
    assert _search_name(zh) == "mesenteric lymphadenitis"
    assert _search_name(en) == "inferior ST-elevation myocardial infarction"  # the user's own (more specific) words
