"""List answers (one cited item per line) and per-language abstention thresholds."""

from medcite.answer import relevance
from medcite.answer.extractive import ExtractiveAnswerer
from medcite.answer.lists import coordinated_items
from medcite.documents import Passage


def _p(cid, doc, text, score=0.9):
    return Passage(chunk_id=cid, doc_id=doc, pmid=doc.split(":")[1], text=text, section="ABSTRACT", start=0, end=len(text), dense_score=score)


def test_coordinated_items_are_trimmed_noun_phrases():
    assert coordinated_items("Class-defining mutations in NPM1, MLL and CEBPA drive FLT3-ITD-mutant AML.") == ["NPM1", "MLL", "CEBPA"]
    assert coordinated_items("Biallelic variants cause intellectual disability, microcephaly, epilepsy and hearing loss in children.") == [
        "intellectual disability", "microcephaly", "epilepsy", "hearing loss"]
    assert coordinated_items("Metformin lowered HbA1c in adults.") == []
    # markup left in BioASQ snippets is no item
    assert coordinated_items("Tools include htseq-count, featureCounts and the implementation</b>, and mmquant.") == [
        "htseq-count", "featureCounts", "mmquant"]


def test_list_question_gets_cited_items_one_per_line(embedder):
    ps = [
        _p(1, "PMID:31", "Drugs used for type 2 diabetes include metformin, sulfonylureas and basal insulin. Adherence was poor."),
        _p(2, "PMID:32", "Newer drugs for type 2 diabetes, such as GLP-1 receptor agonists and SGLT2 inhibitors, lower weight."),
    ]
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer("Which drugs are used for type 2 diabetes?", ps)
    lines = ans.answer.splitlines()
    assert len(lines) >= 4 and all(line.startswith("- ") and line.endswith("]") for line in lines)
    items = {i["item"] for i in ans.extra["list_items"]}
    assert {"metformin", "sulfonylureas", "basal insulin"} <= items
    for it in ans.extra["list_items"]:  # each item is verbatim in the passage it cites
        ref = ans.references[it["citation"] - 1]
        assert it["item"] in it["quote"] and it["quote"] in ref.passage


def test_language_thresholds(monkeypatch, embedder):
    assert relevance.language_threshold("e5-small", "English", 0.86) == 0.86
    assert relevance.language_threshold("e5-small@onnx", "Chinese", 0.86) < 0.86  # a runtime suffix: the model's table
    assert relevance.language_threshold("e5-small@int8", "Chinese", 0.86) == 0.86  # int8 vectors: its own (none yet)
    assert relevance.language_threshold("e5-small", "Klingon", 0.86) == 0.86  # uncalibrated: the English rule
    ps = [_p(1, "PMID:41", "Statins reduced mortality after stroke in a cohort of 500 patients.", score=0.5)]
    monkeypatch.setitem(relevance.LANGUAGE_THRESHOLDS, "hashing", {"Chinese": (0.4, 0.4)})
    a = ExtractiveAnswerer(embedder)
    a.threshold = 0.6  # the English threshold refuses this passage
    assert a.answer("Do statins reduce mortality after stroke?", ps).abstained
    zh = a.answer("他汀类药物能降低卒中后的死亡率吗？", ps)
    assert not zh.abstained and any("matched across languages" in n for n in zh.notes)
    assert relevance.language_threshold("hashing", "Chinese", 0.6) == 0.4
