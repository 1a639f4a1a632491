"""Question files and qrels: BEIR TSV, TREC qrels, gold_pmids, answer labels, errors."""

from __future__ import annotations

import json

import pytest

from medcite.errors import UsageError
from medcite.evaluation.retrieval import load_qrels, load_questions


def _write(path, rows):
    path.write_text("".join((json.dumps(r) if not isinstance(r, str) else r) + "\n" for r in rows))
    return path


def test_beir_qrels_with_header_graded_and_zero_rows(tmp_path):
    p = tmp_path / "test.tsv"
    p.write_text("query-id\tcorpus-id\tscore\nq1\tPMID:11\t2\nq1\t12\t1\nq1\t13\t0\nq2\t21\t1\n\n")
    q = load_qrels(p)
    assert q == {"q1": {"11": 2.0, "12": 1.0}, "q2": {"21": 1.0}}


def test_trec_qrels_and_malformed_rows(tmp_path):
    p = tmp_path / "qrels.txt"
    p.write_text("q1 0 d1 1\nq1 0 d2 0\n")
    assert load_qrels(p) == {"q1": {"d1": 1.0}}
    bad = tmp_path / "bad.tsv"
    bad.write_text("query-id\tcorpus-id\tscore\nq1\td1\n")
    with pytest.raises(UsageError, match=":2:"):
        load_qrels(bad)
    bad.write_text("q1\td1\t1\nq2\td2\thigh\n")
    with pytest.raises(UsageError, match="not a number"):
        load_qrels(bad)
    with pytest.raises(UsageError, match="does not exist"):
        load_qrels(tmp_path / "missing.tsv")


def test_questions_with_gold_pmids_and_labels(tmp_path):
    p = _write(tmp_path / "q.jsonl", [
        {"id": "a", "question": "Does X help?", "gold_pmids": ["1", "2"], "answer": "Yes"},
        {"id": "b", "question": "Is Y safe?", "type": "yesno", "gold_pmids": ["3"], "exact_answer": "no"},
        {"id": "c", "question": "Which genes?", "type": "list", "gold_pmids": [], "exact_answer": [["BRCA1"]]},
        "",
    ])
    qs = load_questions(p)
    assert [q.id for q in qs] == ["a", "b", "c"]
    assert qs[0].gains == {"1": 1.0, "2": 1.0} and qs[0].label == "yes"
    assert qs[1].label == "no" and qs[1].type == "yesno"
    assert qs[2].label is None and qs[2].gains == {}
    assert len(load_questions(p, limit=2)) == 2


def test_beir_queries_take_relevance_from_qrels(tmp_path):
    p = _write(tmp_path / "queries.jsonl", [{"_id": "q1", "text": "statins"}, {"_id": "q2", "text": "aspirin", "gold_pmids": ["9"]}])
    qrels = tmp_path / "qrels.tsv"
    qrels.write_text("query-id\tcorpus-id\tscore\nq1\t2\t1\n")
    qs = load_questions(p, qrels)
    assert qs[0].gains == {"2": 1.0}
    assert qs[1].gains == {}  # qrels replace gold_pmids entirely


def test_bad_question_files(tmp_path):
    with pytest.raises(UsageError, match="does not exist"):
        load_questions(tmp_path / "nope.jsonl")
    p = _write(tmp_path / "bad.jsonl", [{"id": "a", "question": "ok?"}, "{not json"])
    with pytest.raises(UsageError, match=":2:"):
        load_questions(p)
    p = _write(tmp_path / "noq.jsonl", [{"id": "a", "gold_pmids": ["1"]}])
    with pytest.raises(UsageError, match="no question text"):
        load_questions(p)
    p = _write(tmp_path / "empty.jsonl", [""])
    with pytest.raises(UsageError, match="no questions"):
        load_questions(p)
