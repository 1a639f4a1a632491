"""Typed list items: the question's kind of item (drug, gene, condition …) filters the candidates."""

import pytest

from medcite.answer.extractive import ExtractiveAnswerer
from medcite.answer.item_kinds import asked_kind, is_kind, kind_mentions
from medcite.documents import Passage


def _p(cid, doc, text, score=0.9):
    return Passage(chunk_id=cid, doc_id=doc, pmid=doc.split(":")[1], text=text, section="ABSTRACT", start=0, end=len(text), dense_score=score)


@pytest.mark.parametrize("question,kind", [  # BioASQ dev list questions
    ("Which drugs are associated with pathological gambling?", "drug"),
    ("List the drug targets of Faricimab?", "gene"),  # the head noun is "targets"
    ("Which CYP genes' expression is decreased at the in vivo level following pomegranate juice consumption?", "gene"),
    ("List signs of patients with biallelic variants in KARS1", "condition"),
    ("Which diseases can be treated with Itepekimab?", "condition"),
    ("What methods are used to diagnose bowel endometriosis?", "procedure"),
    ("What are the 3 main bacteria found in human milk?", "organism"),
    ("Which databases are devoted to 3D genome interactions?", None),
])
def test_asked_kind_is_the_head_noun(question, kind):
    assert asked_kind(question) == kind


def test_candidates_of_another_kind_are_not_items():
    assert not is_kind("department", "drug") and not is_kind("data", "drug")
    assert is_kind("dopamine agonists", "drug") and is_kind("metformin", "drug")  # drug class, INN stem: no dictionary needed
    assert is_kind("NPM1", "gene") and is_kind("VEGF-A", "gene") and not is_kind("OR", "gene")
    assert is_kind("microcephaly", "condition") and is_kind("pulsatile abdominal mass", "condition") and not is_kind("department", "condition")
    assert not is_kind("disease", "condition") and not is_kind("inhibitors", None)  # a kind's name is not an item


def test_drug_dictionary_names():
    """Names without an INN stem (pramipexole, levodopa, brands) come from drug-named-entity-recognition."""
    pytest.importorskip("drug_named_entity_recognition")
    assert is_kind("pramipexole", "drug") and is_kind("levodopa", "drug") and not is_kind("department", "drug")
    assert kind_mentions("Gambling was reported with pramipexole, a dopamine agonist.", "drug") == ["pramipexole", "dopamine agonist"]
    assert kind_mentions("Juluca is a single tablet of dolutegravir/rilpivirine.", "drug") == ["Juluca", "dolutegravir", "rilpivirine"]  # a brand too


def test_drug_question_lists_drugs_only(embedder):
    """The break-test: "department" and "data" were listed as drugs."""
    pytest.importorskip("drug_named_entity_recognition")
    ps = [
        _p(1, "PMID:41", "Data from the neurology department, pharmacy and registry showed pathological gambling with pramipexole and ropinirole."),
        _p(2, "PMID:42", "Impulse control disorders such as pathological gambling were linked to levodopa in Parkinson disease."),
    ]
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer("Which drugs are associated with pathological gambling?", ps)
    items = [i["item"].lower() for i in ans.extra["list_items"]]
    assert {"pramipexole", "ropinirole", "levodopa"} <= set(items)
    assert not {"department", "data", "pharmacy", "registry"} & set(items)
    for it in ans.extra["list_items"]:  # each item cites a passage naming it
        assert it["item"] in it["quote"] and it["quote"] in ans.references[it["citation"] - 1].passage


@pytest.mark.parametrize("question,kind", [  # break-test questions (issue 16)
    ("What are the risk factors for surgical site infection after cesarean section?", None),  # exposures, not proteins
    ("Which tests predict appendicitis in elderly patients?", "test"),
    ("Class-defining mutations in which genes drive FLT3-ITD-mutant AML?", "gene"),  # "which" inside the question
    ("A combination of which two drugs was tested in the IMbrave150 trial?", "drug"),
])
def test_asked_kind_of_break_test_questions(question, kind):
    assert asked_kind(question) == kind


def test_tests_are_diagnostic_not_operations_or_statistics():
    assert is_kind("abdominal ultrasonography", "test") and is_kind("physical examination", "test") and is_kind("computed tomography", "test")
    assert not is_kind("open appendectomy", "test") and not is_kind("multivariate analysis", "test")
    assert not is_kind("negative appendectomy rate", "test")


def test_question_of_an_untyped_kind_gets_sentences_not_a_list(embedder):
    """Causes are no kind the typing knows: the answer is the extractive sentences, not items."""
    ps = [
        _p(1, "PMID:41", "Obesity, emergency surgery and prolonged labour were risk factors for surgical site infection after cesarean section."),
        _p(2, "PMID:42", "We reviewed a single institution robotic cystectomy database, positive surgical margins and lymph node metastases."),
    ]
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer("What are the causes of surgical site infection after cesarean section?", ps)
    assert "list_items" not in ans.extra
    assert not ans.answer.startswith("- ") and ans.sentences and all(s.text.rstrip().endswith("]") for s in ans.sentences)


def test_items_are_noun_phrases():
    from medcite.answer.lists import coordinated_items, is_noun_phrase

    assert not is_noun_phrase("underwent RARC since November 2005. •")
    assert not is_noun_phrase("patients who were treated") and not is_noun_phrase("cases in 2014")
    assert is_noun_phrase("positive surgical margins") and is_noun_phrase("GLP-1 receptor agonists")
    items = coordinated_items("Data were collected for 412 patients who underwent RARC since November 2005. • and lymph node metastases.")
    assert all(is_noun_phrase(i) for i in items)
    assert "abdominal ultrasonography" in coordinated_items(
        "17.6% underwent selective studies, mainly abdominal ultrasonography, chest radiography and computed tomography.")


# PMID 11978239, the only H. pylori paper of the demo index: it names antibiotics, no single drug
H_PYLORI = ("We interpreted the prescription of antibiotics for dyspepsia as evidence of attempted eradication of Helicobacter pylori. "
            "While Italian primary care physicians appropriately target eradication therapy for H pylori infection in patients "
            "with peptic ulcer disease rather than nonulcer disease, the intervention was still underused in these patients.")


def test_a_list_question_with_one_item_answers_with_a_list(embedder):
    a = ExtractiveAnswerer(embedder, threshold=0.5)
    ans = a.answer("Which drugs treat H. pylori?", [_p(1, "PMID:11978239", H_PYLORI)])
    assert not ans.abstained and ans.answer == "- antibiotics [1]"  # a drug class, cited, one line
    assert any("only one drug" in n for n in ans.notes)
    # no item of the asked kind at all: the closest sentences, and a note that says so
    none = a.answer("Which drugs treat H. pylori?", [_p(1, "PMID:1", "Eradication of H. pylori was underused in primary care.")])
    assert not ans.abstained and "[1]" in none.answer and any("name no drug" in n for n in none.notes)


def test_a_drug_named_condition_is_no_drug_and_salts_fold(embedder):
    """askbt break test: "Which drugs are used for perioperative anticoagulant bridging therapy?" listed
    "antithrombin III deficiency" as a drug, and "fondaparinux" and "fondaparinux sodium" apart."""
    from medcite.answer.item_kinds import DRUG

    assert not is_kind("antithrombin III deficiency", DRUG) and not is_kind("warfarin toxicity", DRUG)
    assert is_kind("unfractionated heparin", DRUG) and is_kind("fondaparinux", DRUG)
    text = ("Fondaparinux sodium is a synthetic pentasaccharide. Fondaparinux, low-molecular-weight heparin and "
            "unfractionated heparin are used for bridging; fondaparinux is contraindicated in antithrombin III deficiency.")
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer("Which drugs are used for anticoagulant bridging?", [_p(1, "PMID:1", text)])
    items = [x["item"].lower() for x in ans.extra["list_items"]]
    assert "fondaparinux" in items and "fondaparinux sodium" not in items
    assert not any("deficiency" in x for x in items)
