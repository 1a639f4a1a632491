"""The command line: exit codes, one-line errors, JSON shapes."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from medcite.cli import app

runner = CliRunner()


def test_empty_question_is_a_usage_error_without_loading_anything(tmp_path):
    r = runner.invoke(app, ["ask", "   ", "--index", str(tmp_path / "missing")])
    assert r.exit_code == 2
    assert "empty" in r.output


def test_missing_index_is_one_line(tmp_path):
    r = runner.invoke(app, ["ask", "what?", "--index", str(tmp_path / "nothing" / "here")])
    assert r.exit_code == 3
    assert "no index" in r.output and "Traceback" not in r.output


def test_an_out_of_range_setting_names_the_variable(tmp_path, monkeypatch):
    _build(tmp_path, _jsonl(tmp_path))
    for var, value in (("MEDCITE_BM25_PRF_DOCS", "-1"), ("MEDCITE_BM25_PRF_QUERY_WEIGHT", "abc")):
        monkeypatch.setenv(var, value)
        r = runner.invoke(app, ["search", "statins", "--index", str(tmp_path / "ix")])
        assert r.exit_code == 2, r.output
        assert f"invalid setting {var}='{value}'" in r.output and "Traceback" not in r.output
        monkeypatch.delenv(var)


def _build(tmp_path, docs_file):
    return runner.invoke(app, ["index", "build", str(docs_file), "--index", str(tmp_path / "ix"), "--embedder", "hashing", "--quiet"])


def _jsonl(tmp_path):
    from tests.conftest import make_docs

    p = tmp_path / "docs.jsonl"
    with open(p, "w") as f:
        for d in make_docs():
            f.write(json.dumps({"id": d.id, "pmid": d.pmid, "title": d.title, "year": d.year,
                                "sections": [{"label": s.label, "text": s.text} for s in d.sections]}) + "\n")
    return p


def test_build_info_search_ask_json(tmp_path):
    r = _build(tmp_path, _jsonl(tmp_path))
    assert r.exit_code == 0, r.output
    info = json.loads(runner.invoke(app, ["index", "info", "--index", str(tmp_path / "ix"), "--json"]).stdout)
    assert info["counts"]["documents"] == 6 and info["embedder"]["name"] == "hashing"
    s = json.loads(runner.invoke(app, ["search", "statins infarction", "--index", str(tmp_path / "ix"), "--json", "-k", "2"]).stdout)
    assert s["passages"][0]["doc_id"] == "PMID:2" and len(s["passages"]) == 2
    r = runner.invoke(app, ["ask", "statins after myocardial infarction", "--index", str(tmp_path / "ix"), "--json"])
    assert r.exit_code == 0, r.output
    a = json.loads(r.stdout)
    for key in ("question", "answer", "abstained", "references"):
        assert key in a
    assert isinstance(a["abstained"], bool)
    if not a["abstained"]:
        for ref in a["references"]:
            assert {"n", "id", "pmid", "title", "year", "journal", "url", "passage", "score"} <= set(ref)
            assert f"[{ref['n']}]" in a["answer"]


def test_unreadable_file_fails_the_batch_exit_but_indexes_the_rest(tmp_path):
    good = _jsonl(tmp_path)
    bad = tmp_path / "bad.xml"
    bad.write_text("<html><body>not pubmed</body></html>")
    r = runner.invoke(app, ["index", "build", str(good), str(bad), "--index", str(tmp_path / "ix"), "--embedder", "hashing", "--quiet"])
    assert r.exit_code == 1
    assert "bad.xml" in r.output
    info = json.loads(runner.invoke(app, ["index", "info", "--index", str(tmp_path / "ix"), "--json"]).stdout)
    assert info["counts"]["documents"] == 6


def test_nothing_readable_writes_no_index(tmp_path):
    bad = tmp_path / "bad.xml"
    bad.write_text("<html>nope</html>")
    r = runner.invoke(app, ["index", "build", str(bad), "--index", str(tmp_path / "ix"), "--embedder", "hashing", "--quiet"])
    assert r.exit_code != 0
    assert not (tmp_path / "ix" / "CURRENT").exists()


def test_evidence_filters_and_the_evidence_table(tmp_path):
    assert _build(tmp_path, _jsonl(tmp_path)).exit_code == 0
    ix = ["--index", str(tmp_path / "ix")]
    r = runner.invoke(app, ["search", "statins infarction", *ix, "--json", "--evidence", "rct"])
    assert r.exit_code == 0 and json.loads(r.stdout)["passages"] == []  # no trial among the tiny corpus
    r = runner.invoke(app, ["search", "statins", *ix, "--evidence", "anecdote"])
    assert r.exit_code == 2 and "unknown evidence level" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["treatments", "myocardial infarction", *ix, "--json", "--publication-type", "Meta-Analysis"])
    assert r.exit_code == 0 and json.loads(r.stdout)["items"] == []
    a = json.loads(runner.invoke(app, ["ask", "statins after myocardial infarction", *ix, "--json"]).stdout)
    assert "evidence_table" in a and [row["n"] for row in a["evidence_table"]] == [ref["n"] for ref in a["references"]]
    if not a["abstained"]:
        shown = runner.invoke(app, ["ask", "statins after myocardial infarction", *ix]).stdout
        assert "Evidence" in shown and "design" in shown


def test_over_long_input_is_refused_like_the_api(tmp_path, monkeypatch):
    """A 120,000-character question ran 194 s and `treatments` echoed it whole (issue 16 break test)."""
    long = "statins " * 15_000
    for cmd in ("ask", "treatments", "search"):
        r = runner.invoke(app, [cmd, long, "--index", str(tmp_path / "missing")])
        assert r.exit_code == 2, (cmd, r.output)
        assert "characters long; the limit is 2000 (MEDCITE_MAX_QUESTION_CHARS)" in r.output and len(r.output) < 300, cmd
    r = runner.invoke(app, ["diagnose", long, "--index", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "the limit is 20000" in r.output and len(r.output) < 300
    # a case note with history, vitals and a lab table is longer than a question: not refused for length
    note = "A 54-year-old woman with fever 38.9 C, heart rate 112/min, platelets 45,000/mm3. " * 50
    assert 2_000 < len(note) < 20_000
    r = runner.invoke(app, ["diagnose", note, "--index", str(tmp_path / "missing")])
    assert "characters long" not in r.output and r.exit_code == 3, r.output
    monkeypatch.setenv("MEDCITE_MAX_QUESTION_CHARS", "10")
    r = runner.invoke(app, ["ask", "do statins help?", "--index", str(tmp_path / "missing")])
    assert r.exit_code == 2 and "limit is 10" in r.output
