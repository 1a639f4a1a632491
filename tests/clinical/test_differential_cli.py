"""``medcite diagnose`` with the knowledge base: --candidates, the "knowledge base only" section,
--json findings, and case text masked before it reaches a remote model."""

from __future__ import annotations

import json
import re

from typer.testing import CliRunner

from medcite.cli import app
from medcite.clinical.differential import KB_ONLY, NO_DATA
from medcite.privacy import is_loopback_url

from ..generate.scripted_server import ScriptedServer

runner = CliRunner()


def _ix(clinical_index) -> str:
    return str(clinical_index.dir.root)


def test_candidates_ranks_exactly_those_each_cited_or_marked(clinical_index):
    given = ["tuberculosis", "hypothyroidism", "zorblax fever"]
    r = runner.invoke(app, ["diagnose", "fever; night sweats; weight loss; chronic cough", "--index", _ix(clinical_index),
                            "--candidates", "; ".join(given), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert sorted(i["given_as"] for i in d["items"]) == sorted(given)
    n_refs = len(d["references"])
    for i in d["items"]:
        if i["grounding"] in (KB_ONLY, NO_DATA):
            assert i["citations"] == [] and i["support"] == []
        else:
            assert i["citations"] and all(1 <= n <= n_refs for n in i["citations"])
    assert d["items"][0]["given_as"] == "tuberculosis"
    assert any("zorblax fever" in n and "no data" in n for n in d["notes"])
    assert not any("zorblax fever" in n and "literature alone" in n for n in d["notes"])  # it has none
    assert d["understood"]["findings"] and all("concept_id" in f and "status" in f for f in d["understood"]["findings"])
    assert any("→" in line for line in d["mapping"])


def test_text_output_lists_knowledge_base_only_apart(clinical_index):
    r = runner.invoke(app, ["diagnose", "fever, cough, night sweats", "--index", _ix(clinical_index), "-k", "8"])
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert "Findings understood:" in out and "Knowledge sources:" in out
    assert "not a diagnosis" in out.replace("\n", " ")
    if "Knowledge base only" in out:
        section = out.split("Knowledge base only", 1)[1].split("note:", 1)[0].split("References", 1)[0]
        assert not re.search(r"\[\d+\]", section) and "supporting passage(s)" not in section


def test_case_text_is_masked_before_a_remote_model(clinical_index, monkeypatch):
    planted = ["John Smith", "1961-04-02", "MRN: 88231977", "+1 (555) 201-7788", "j.smith@example.org"]
    case = (f"Patient Mr. {planted[0]}, DOB {planted[1]}, {planted[2]}, phone {planted[3]}, e-mail {planted[4]}: "
            "fever, night sweats, weight loss and chronic cough.")
    monkeypatch.setenv("MEDCITE_PHI_MASK", "always")  # the scripted server is on 127.0.0.1; treat it as remote
    with ScriptedServer([("ok", "Tuberculosis: night sweats and cough [1]")]) as s:
        r = runner.invoke(app, ["diagnose", case, "--index", _ix(clinical_index), "--generator", "openai",
                                "--base-url", s.base_url, "--model", "scripted"])
    assert r.exit_code == 0, r.output
    assert s.requests, "the model was not called"
    sent = json.dumps([q["body"] for q in s.requests], ensure_ascii=False)
    for ident in planted:
        assert ident not in sent
    assert "night sweats" in sent
    assert "masked" in r.stdout and "identifier" in r.stdout
    assert "Tuberculosis" in r.stdout and "proposed by the model" in r.stdout


def test_loopback_detection():
    assert is_loopback_url("http://127.0.0.1:8000/v1") and is_loopback_url("http://localhost:11434/v1")
    assert is_loopback_url("http://[::1]:8080") and is_loopback_url(None)
    assert not is_loopback_url("https://api.example.com/v1") and not is_loopback_url("http://10.0.0.5:8000/v1")
