"""`medcite eval retrieval|answers` on a tiny hashing-embedder index: JSON and PNG plots."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from medcite.cli import app

runner = CliRunner()
PNG = b"\x89PNG\r\n\x1a\n"


def _questions(tmp_path):
    rows = [
        {"id": "q-statin", "question": "Do statins reduce recurrent myocardial infarction?", "gold_pmids": ["2"], "answer": "yes"},
        {"id": "q-aspirin", "question": "Does aspirin prevent cardiovascular events in older adults?", "gold_pmids": ["3"], "answer": "no"},
        {"id": "q-vitd", "question": "Vitamin D supplementation and fractures", "gold_pmids": ["4", "1"]},
        {"id": "q-none", "question": "A question without gold papers", "gold_pmids": []},
    ]
    p = tmp_path / "questions.jsonl"
    p.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return p


def test_eval_retrieval_json_and_plots(tmp_path, built_index):
    plots = tmp_path / "plots"
    r = runner.invoke(app, ["eval", "retrieval", str(_questions(tmp_path)), "--index", str(built_index), "--json", "--plot", str(plots), "-q"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    assert set(res["systems"]) == {"bm25", "dense", "hybrid"}
    assert res["skipped_no_relevant"] == ["q-none"]
    assert [row["id"] for row in res["per_question"]] == ["q-statin", "q-aspirin", "q-vitd"]
    for name, m in res["systems"].items():
        assert m["n"] == 3
        assert 0.0 <= m["recall@1"] <= m["recall@5"] <= m["recall@10"] <= m["recall@20"] <= 1.0
    # the index holds 6 papers, so a dense top-20 contains every gold paper
    assert res["systems"]["dense"]["recall@20"] == 1.0
    row = res["per_question"][0]["hybrid"]
    assert row["ranked"] and all(":" not in d or d.startswith("note") for d in row["ranked"])
    saved = json.loads((plots / "retrieval.json").read_text())
    assert saved["systems"] == res["systems"]
    for name in ("retrieval_recall.png", "retrieval_latency.png"):
        data = (plots / name).read_bytes()
        assert data.startswith(PNG) and len(data) > 5000


def test_eval_retrieval_table_and_bad_system(tmp_path, built_index):
    q = _questions(tmp_path)
    r = runner.invoke(app, ["eval", "retrieval", str(q), "--index", str(built_index), "--systems", "bm25,hybrid", "-q", "--per-question"])
    assert r.exit_code == 0, r.output
    assert "hybrid" in r.stdout and "dense " not in r.stdout and "q-statin" in r.stdout
    r = runner.invoke(app, ["eval", "retrieval", str(q), "--index", str(built_index), "--systems", "splade"])
    assert r.exit_code != 0 and "unknown retrieval system" in r.output and "Traceback" not in r.output


def test_eval_answers_extractive(tmp_path, built_index):
    plots = tmp_path / "ans"
    r = runner.invoke(app, ["eval", "answers", str(_questions(tmp_path)), "--index", str(built_index), "--json", "--plot", str(plots), "-q"])
    assert r.exit_code == 0, r.output
    res = json.loads(r.stdout)
    s = res["summary"]
    assert s["n"] == 4 and res["labels_requested"] is False and s["label_accuracy"] is None
    assert s["invalid_citations"] == 0  # extractive answers cite by construction
    recs = {x["id"]: x for x in res["per_question"]}
    assert recs["q-none"]["gold_cited"] is None
    n_gold = [x for x in res["per_question"] if x["gold_cited"] is not None]
    assert s["gold_cited_rate"] == sum(x["gold_cited"] for x in n_gold) / len(n_gold)
    assert (plots / "answers.png").read_bytes().startswith(PNG)
    assert json.loads((plots / "answers.json").read_text())["summary"]["n"] == 4
