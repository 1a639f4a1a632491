"""``medcite diagnose | treatments | summarize``: JSON shapes, rendering, errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from medcite.cli import app
from medcite.clinical.diagnose import DISCLAIMER

runner = CliRunner()
SHAPE = {"task", "input", "items", "references", "generator", "notes", "disclaimer", "timings"}


def _ix(clinical_index) -> str:
    return str(clinical_index.dir.root)


def test_diagnose_json_and_text(clinical_index):
    r = runner.invoke(app, ["diagnose", "fever; night sweats; weight loss; chronic cough", "--index", _ix(clinical_index), "--json", "-k", "3"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert SHAPE <= set(d) and d["task"] == "diagnose" and len(d["items"]) <= 3
    # the fixture's "Tuberculosis" joins the curated criteria entry, whose name displays first
    assert d["items"][0]["condition"] == "Pulmonary tuberculosis" and d["disclaimer"] == DISCLAIMER
    r = runner.invoke(app, ["diagnose", "fever; night sweats; weight loss", "--index", _ix(clinical_index)])
    assert r.exit_code == 0, r.output
    assert "tuberculosis" in r.stdout and "References" in r.stdout
    assert r.stdout.rstrip().endswith(DISCLAIMER.split()[-1])  # the disclaimer is the last thing printed
    assert "not a diagnosis" in r.stdout.replace("\n", " ")


def test_treatments_json(clinical_index):
    r = runner.invoke(app, ["treatments", "type 2 diabetes", "--index", _ix(clinical_index), "--json", "--passages", "13"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert SHAPE <= set(d) and d["task"] == "treatments"
    keys = [o["key"] for o in d["items"]]
    assert keys[0] == "metformin"
    assert all(ref["evidence_level"] is not None for ref in d["references"])


def test_summarize_pmid_and_file(clinical_index, tmp_path):
    r = runner.invoke(app, ["summarize", "301", "--index", _ix(clinical_index), "--json"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert SHAPE <= set(d) and d["task"] == "summarize" and d["input"] == "PMID:301"
    for s in d["items"]:
        assert s["text"] in d["references"][s["citations"][0] - 1]["passage"]
    f = tmp_path / "case.txt"
    f.write_text("Case report: fever in a traveller\n\nA 34-year-old woman returned from Kenya with fever. "
                 "We aimed to describe her course. Her platelet count was 45,000 per microliter on day 3. "
                 "Malaria was diagnosed on a blood smear and treated with artemether. In conclusion, travel history matters.\n")
    r = runner.invoke(app, ["summarize", str(f), "--index", _ix(clinical_index)])
    assert r.exit_code == 0, r.output
    assert "45,000" in r.stdout


def test_errors_are_one_line(clinical_index, tmp_path):
    r = runner.invoke(app, ["diagnose", "  ", "--index", _ix(clinical_index)])
    assert r.exit_code == 2 and "empty" in r.output
    r = runner.invoke(app, ["summarize", "99999999", "--index", _ix(clinical_index)])
    assert r.exit_code == 2 and "neither a file nor a document" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["treatments", "asthma", "--index", str(tmp_path / "none")])
    assert r.exit_code == 3
