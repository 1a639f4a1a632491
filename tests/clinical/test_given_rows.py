"""Given candidates never disappear (issue 15, safety): every name the user gives keeps its own
row under that name, also when two names resolve to one knowledge-base entry ("viral
meningitis; bacterial meningitis" used to lose the second), and such rows say so and are not
scored apart by the order they were typed in."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from medcite.cli import app

runner = CliRunner()
CASE = "fever; night sweats; weight loss; chronic cough"
GIVEN = ["active tuberculosis", "hypothyroidism", "latent tuberculosis"]


def _rows(clinical_index, names: list[str]) -> dict:
    r = runner.invoke(app, ["diagnose", CASE, "--index", str(clinical_index.dir.root), "--candidates", "; ".join(names), "--json"])
    assert r.exit_code == 0, r.output
    return json.loads(r.stdout)


def test_two_names_of_one_entry_keep_their_own_rows_in_the_cli_json(clinical_index):
    d = _rows(clinical_index, GIVEN)
    assert sorted(i["given_as"] for i in d["items"]) == sorted(GIVEN)  # each exactly once
    tb = {i["given_as"]: i for i in d["items"] if "tuberculosis" in i["given_as"]}
    assert tb["active tuberculosis"]["condition_id"] and tb["active tuberculosis"]["condition_id"] == tb["latent tuberculosis"]["condition_id"]
    assert tb["active tuberculosis"]["same_entry_as"] == ["latent tuberculosis"]
    assert tb["latent tuberculosis"]["same_entry_as"] == ["active tuberculosis"]
    assert {n: i["condition"] for n, i in tb.items()} == {n: n for n in tb}  # shown under the user's name
    assert any("active tuberculosis" in n and "latent tuberculosis" in n and "one knowledge-base entry" in n for n in d["notes"])
    hypo = next(i for i in d["items"] if i["given_as"] == "hypothyroidism")
    assert hypo["same_entry_as"] == []


def test_the_order_names_are_typed_in_does_not_change_their_scores(clinical_index):
    one = {i["given_as"]: i["score"] for i in _rows(clinical_index, GIVEN)["items"]}
    two = {i["given_as"]: i["score"] for i in _rows(clinical_index, GIVEN[::-1])["items"]}
    assert one == two
    assert one["active tuberculosis"] == one["latent tuberculosis"]  # nothing indexed names either


def test_the_api_keeps_every_given_name(clinical_index, embedder):
    from fastapi.testclient import TestClient

    from medcite.server import ServerSettings, create_app
    from medcite.service import Medcite
    from medcite.config import Settings

    svc = Medcite(Settings(index=str(clinical_index.dir.root)), embedder=embedder)
    c = TestClient(create_app(svc, ServerSettings(rate_limit=0, reload_check_seconds=0)))
    r = c.post("/v1/diagnose", json={"findings": CASE, "candidates": GIVEN})
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert sorted(i["given_as"] for i in items) == sorted(GIVEN)
    assert next(i for i in items if i["given_as"] == "latent tuberculosis")["same_entry_as"] == ["active tuberculosis"]
