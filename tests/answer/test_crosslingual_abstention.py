"""A question in another language abstains when its English form would (the metformin bug).

Fast tests check the rule of :mod:`medcite.answer.relevance` on hand-made scores; the slow test
runs the real e5-small embedder on the demo index's neighbourhood of the absent-topic questions
(``absent_neighbours`` of the fixture) and checks that every absent question abstains in English,
Chinese and Spanish while three Chinese questions the index does answer are still answered.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medcite.answer import relevance
from medcite.answer.extractive import ExtractiveAnswerer
from medcite.documents import Passage
from tests.conftest import DATA, need_shared

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "questions_multilingual.json"


def _p(cid, text, score):
    return Passage(chunk_id=cid, doc_id=f"PMID:{cid}", pmid=str(cid), text=text, section="CONCLUSIONS", start=0, end=len(text), dense_score=score)


def test_distinctiveness_is_the_lead_over_the_runners_up():
    assert relevance.distinctiveness([0.80, 0.90, 0.85, 0.85, 0.85, 0.85, 0.10]) == pytest.approx(0.05)
    assert relevance.distinctiveness([0.9]) == 0.0
    bars = relevance.Floor(strict=0.835, distinct=0.808, gap=0.035)
    assert bars.admits(0.836, 0.0)
    assert not bars.admits(0.820, 0.010)  # a vague match in a crowded topic
    assert bars.admits(0.820, 0.040)  # one passage clearly apart
    assert not bars.admits(0.800, 0.100)  # below even the lower bar


def test_english_keeps_its_single_threshold_and_non_english_is_never_laxer_than_calibrated():
    en = relevance.cross_lingual_floor("e5-small", "English", 0.86)
    assert en.strict == en.distinct == 0.86
    zh = relevance.cross_lingual_floor("e5-small@bf16", "Chinese", 0.86)
    assert zh.distinct <= zh.strict < 0.86
    assert relevance.cross_lingual_floor("e5-small", "Klingon", 0.86).strict == 0.86


def test_chinese_question_with_a_crowded_neighbourhood_abstains(monkeypatch, embedder):
    monkeypatch.setitem(relevance.LANGUAGE_THRESHOLDS, "hashing", {"Chinese": (0.60, 0.40)})
    a = ExtractiveAnswerer(embedder)
    a.threshold = 0.7
    # passages naming both sides (metformin, lactic acidosis), so that only their crowding decides
    crowded = [_p(i, f"Metformin use and lactic acidosis were associated with mortality in cohort {i}.", 0.50 - i * 0.002) for i in range(1, 6)]
    zh = a.answer("二甲双胍会引起乳酸酸中毒吗？", crowded)
    assert zh.abstained and zh.references == []
    assert "does not stand apart" in zh.notes[0]
    apart = [_p(1, "Statins reduced mortality after stroke in a cohort of 500 patients.", 0.50)] + crowded[1:]
    apart[1:] = [_p(i, f"Unrelated cohort {i} was followed.", 0.40) for i in range(2, 6)]
    ok = a.answer("他汀类药物能降低卒中后的死亡率吗？", apart)
    assert not ok.abstained and ok.references[0].pmid == "1"
    # an explicit threshold applies to every language alike
    assert ExtractiveAnswerer(embedder, threshold=0.55).answer("他汀类药物能降低卒中后的死亡率吗？", apart).abstained


@pytest.mark.slow
def test_absent_topics_abstain_in_every_language_on_the_demo_neighbourhood(tmp_path):
    need_shared()
    from medcite.config import Settings
    from medcite.readers import FileReport, read_documents
    from medcite.service import Medcite

    fx = json.loads(FIXTURE.read_text())
    keep = set(fx["absent_neighbours"]["pmids"])
    docs = [d for d in read_documents(DATA / "pubmedqa" / "abstracts.jsonl", FileReport("pubmedqa")) if d.pmid in keep]
    assert len(docs) == len(keep)
    svc = Medcite(Settings(index="nb", index_root=tmp_path, embedder="e5-small"))
    svc.index_build(docs)
    en = fx["english_absent"]["absent"]
    zh = fx["languages"]["Chinese"]["absent"]
    es = fx["languages"]["Spanish"]["absent"]
    assert en[0] == "Does metformin cause lactic acidosis?" and zh[0] == "二甲双胍会引起乳酸酸中毒吗？"
    answered = [q for q in en + zh + es if not svc.ask(q).abstained]
    assert answered == [], f"answered although no indexed paper covers them: {answered}"
    dev = {json.loads(line)["id"]: json.loads(line)["question"] for line in open(DATA / "pubmedqa" / "questions_dev.jsonl")}
    for q in fx["languages"]["Chinese"]["questions"]:
        if q["id"] in ("pubmedqa-10966337", "pubmedqa-25957366", "pubmedqa-15703931"):
            for text in (q["question"], dev[q["id"]]):
                ans = svc.ask(text)
                assert not ans.abstained and q["gold_pmids"][0] in {r.pmid for r in ans.references}, text
