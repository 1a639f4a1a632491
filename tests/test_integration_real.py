"""End to end with the real packaged default embedder (e5-small) on a slice of real data.

50 PubMedQA dev questions; their 50 gold abstracts plus 150 other abstracts are indexed; the
gold PMID must be cited for at least 45 questions, and an off-topic question must abstain.
"""

from __future__ import annotations

import json

import pytest

from tests.conftest import DATA, need_shared

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    need_shared()
    from medcite.config import Settings
    from medcite.readers import FileReport, read_documents
    from medcite.service import Medcite

    questions = [json.loads(line) for line in open(DATA / "pubmedqa" / "questions_dev.jsonl")][:50]
    gold = {p for q in questions for p in q["gold_pmids"]}
    docs = list(read_documents(DATA / "pubmedqa" / "abstracts.jsonl", FileReport("pubmedqa")))
    chosen = [d for d in docs if d.pmid in gold]
    others = [d for d in docs if d.pmid not in gold][:150]
    assert len(chosen) == 50
    root = tmp_path_factory.mktemp("real")
    svc = Medcite(Settings(index="real", index_root=root, embedder="e5-small"))
    rep = svc.index_build(chosen + others)
    assert rep.documents == 200
    return svc, questions


def test_gold_paper_is_cited_for_most_questions(service):
    svc, questions = service
    hits = 0
    for q in questions:
        ans = svc.ask(q["question"])
        if not ans.abstained:
            # every [n] marker points at a listed reference that was retrieved
            assert {r.n for r in ans.references} == set(range(1, len(ans.references) + 1))
        hits += bool({r.pmid for r in ans.references} & set(q["gold_pmids"]))
    assert hits >= 45, f"gold PMID cited for only {hits}/50 questions"


def test_off_topic_question_abstains(service):
    svc, _ = service
    ans = svc.ask("What is the best way to repair a cracked smartphone screen at home?")
    assert ans.abstained and ans.references == []
    assert "does not answer" in ans.answer
