"""Ranking metrics against small cases worked out from their definitions."""

from __future__ import annotations

import math

import pytest

from medcite.errors import UsageError
from medcite.evaluation.retrieval import (
    EvalQuestion,
    dedupe,
    evaluate_retrieval,
    hit_at_k,
    mrr_at_k,
    ndcg_at_k,
    normalise_doc_id,
    parse_systems,
    recall_at_k,
    score_ranking,
)


def test_recall_counts_each_paper_once_and_respects_the_cut():
    ranked = ["a", "b", "a", "c", "d"]  # distinct order: a, b, c, d
    relevant = {"c", "x"}
    assert recall_at_k(ranked, relevant, 2) == 0.0  # top-2 distinct = a, b
    # top-3 distinct = a, b, c: one of the two relevant papers
    assert recall_at_k(ranked, relevant, 3) == pytest.approx(len({"c"}) / len(relevant))
    # the repeated "a" must not push "c" out of the top 3
    assert recall_at_k(ranked, {"c"}, 3) == 1.0
    with pytest.raises(ValueError):
        recall_at_k(ranked, set(), 3)


def test_hit_and_mrr_use_the_first_relevant_distinct_rank():
    ranked = ["a", "a", "b", "c", "c", "d"]  # distinct: a(1) b(2) c(3) d(4)
    assert mrr_at_k(ranked, {"c", "d"}, 10) == pytest.approx(1 / 3)
    assert mrr_at_k(ranked, {"d"}, 3) == 0.0  # d is 4th
    assert hit_at_k(ranked, {"d"}, 4) == 1.0 and hit_at_k(ranked, {"d"}, 3) == 0.0


def test_ndcg_follows_its_definition_with_graded_gains():
    gains = {"a": 3.0, "b": 1.0, "z": 2.0}  # z never retrieved
    ranked = ["b", "x", "a"]

    def dcg(gs):
        return sum(g / math.log2(i + 1) for i, g in enumerate(gs, start=1))

    expected = dcg([1.0, 0.0, 3.0]) / dcg(sorted(gains.values(), reverse=True))
    assert ndcg_at_k(ranked, gains, 3) == pytest.approx(expected)
    # the ideal order scores 1, and duplicates are not counted twice
    assert ndcg_at_k(["a", "z", "b"], gains, 3) == pytest.approx(1.0)
    assert ndcg_at_k(["a", "a", "z", "b"], gains, 3) == pytest.approx(1.0)
    # with a cut of 1 only the first position counts, against the best single gain
    assert ndcg_at_k(ranked, gains, 1) == pytest.approx(1.0 / 3.0)
    with pytest.raises(ValueError):
        ndcg_at_k(ranked, {"a": 0.0}, 3)


def test_score_ranking_keys_and_binary_relevance_equivalence():
    m = score_ranking(["p1", "p2", "p3"], {"p2": 1.0}, ks=(1, 2))
    assert set(m) == {"recall@1", "recall@2", "hit@10", "mrr@10", "ndcg@10"}
    assert m["recall@1"] == 0.0 and m["recall@2"] == 1.0
    # one relevant doc at rank r: nDCG = 1/log2(r+1), MRR = 1/r
    assert m["ndcg@10"] == pytest.approx(1 / math.log2(3)) and m["mrr@10"] == pytest.approx(1 / 2)


def test_ids_normalise_pmid_prefix_and_dedupe_keeps_order():
    assert normalise_doc_id("PMID:123") == normalise_doc_id(" 123 ") == "123"
    assert normalise_doc_id("note:6") == "note:6"
    assert dedupe(["b", "a", "b", "c", "a"]) == ["b", "a", "c"]


def test_parse_systems():
    assert parse_systems("hybrid, bm25,hybrid") == ["hybrid", "bm25"]
    with pytest.raises(UsageError):
        parse_systems("hybrid,colbert")
    with pytest.raises(UsageError):
        parse_systems(" , ")


def test_evaluate_retrieval_summaries_are_means_of_the_per_question_rows():
    qs = [
        EvalQuestion("q1", "first", {"1": 1.0}),
        EvalQuestion("q2", "second", {"2": 1.0, "3": 1.0}),
        EvalQuestion("q3", "no gold", {}),
    ]
    rankings = {
        "good": {"first": ["1", "9"], "second": ["2", "3"]},
        "bm25": {"first": ["9", "8", "1"], "second": ["7", "2"]},
    }
    embedded: list[str] = []

    def embed(text):
        embedded.append(text)
        return [0.0]

    def search(text, system, vec):
        assert vec is not None  # the shared vector is handed to every system
        return rankings[system][text]

    rep = evaluate_retrieval(qs, search, ["good", "bm25"], embed_query=embed, ks=(1, 2, 3))
    assert rep.skipped == ["q3"] and len(rep.per_question) == 2
    assert embedded == ["first", "second"]  # once per scored question, not once per system
    for s in ("good", "bm25"):
        for key in ("recall@1", "recall@3", "mrr@10", "ndcg@10"):
            rows = [r[s][key] for r in rep.per_question]
            assert rep.systems[s][key] == pytest.approx(sum(rows) / len(rows))
        assert rep.systems[s]["n"] == 2 and rep.systems[s]["latency_ms"]["p50"] >= 0
    assert rep.systems["good"]["recall@2"] == 1.0
    # bm25: q1 hit at distinct rank 3, q2 has one of two relevant at rank 2
    assert rep.systems["bm25"]["recall@2"] == pytest.approx((0.0 + 0.5) / 2)
    assert rep.systems["bm25"]["mrr@10"] == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert rep.per_question[0]["bm25"]["ranked"] == ["9", "8", "1"]
