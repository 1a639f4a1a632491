"""Design words that are negated, hypothetical or part of a modelling study give no level."""

from __future__ import annotations

import json

import pytest

from medcite.clinical.evidence import FROM_TEXT, evidence_level, evidence_rank
from tests.conftest import DATA

NOT_A_DESIGN = [
    # negated: the paper says the design does not exist
    "To date, no randomized controlled trial has compared these two regimens in older adults.",
    "To date, no prospective comparative study of STIR versus T1-weighted imaging has been published.",
    "Lacking a placebo-controlled trial, clinicians rely on expert opinion.",
    # hypothetical / future work
    "These results should be confirmed in a randomized controlled trial before practice changes.",
    "A prospective, randomized trial is warranted to define the role of early LVAD implantation.",
    "Future double-blind studies would clarify the optimal dose.",
    "Longitudinal cohort studies are urgently needed to understand the course of the disease.",
    # decision analyses / modelling studies are not trials, cohorts or case reports
    "In the absence of data from a clinical trial, we used a decision-analysis model to compare warfarin with no anticoagulation.",
    "A Markov state-transition model was used. In the base case, a 79-year-old woman with a hip fracture was modelled.",
    "We used a validated simulation model of knee OA to evaluate prophylaxis in a high-risk cohort.",
]


@pytest.mark.parametrize("text", NOT_A_DESIGN)
def test_negated_hypothetical_or_modelled_design_gives_no_level(text):
    assert evidence_level(["Journal Article"], text) == ""
    assert evidence_rank(evidence_level([], text)) == 0


GENUINE = {
    # a negated mention does not hide the paper's own design stated elsewhere
    "No randomized trial has addressed this question. We therefore conducted a retrospective cohort study of 412 patients.":
        "Observational Study",
    "No placebo-controlled trial exists; we randomly assigned 120 patients to drug or placebo.":
        "Randomized Controlled Trial",
    # negation cues that negate a nearer noun, not the design
    "Patients who did not respond to induction were randomized to maintenance or observation.":
        "Randomized Controlled Trial",
    "We studied 994 men without prostate cancer in the Baltimore Longitudinal Study of Aging.":
        "Observational Study",
    "Forty patients with spondylolysis without spondylolisthesis and fifty controls were retrospectively reviewed.":
        "Observational Study",
    "After a placebo run-in (5 weeks if washout was required) patients entered a 4-week randomized, double-blind period.":
        "Randomized Controlled Trial",
}


@pytest.mark.parametrize("text", GENUINE)
def test_genuine_design_still_counts_next_to_negation_cues(text):
    assert evidence_level([], text) == GENUINE[text] + FROM_TEXT


def test_decision_analysis_abstract_is_not_labelled_a_trial():
    """PMID 12805495 (Markov decision analysis) was labelled "Clinical Trial (from text)"."""
    path = DATA / "pubmedqa" / "abstracts.jsonl"
    if not path.exists():
        pytest.skip("../shared/data/pubmedqa is not present")
    with path.open() as f:
        record = next((r for r in map(json.loads, f) if r["pmid"] == "12805495"), None)
    if record is None:
        pytest.skip("PMID 12805495 is not in this copy of the PubMedQA abstracts")
    text = "\n".join(s["text"] for s in record["sections"])
    assert evidence_level([], text, "PMID:12805495") == ""


def test_need_for_in_a_review_sentence_is_not_future_work():
    text = "Current information on the need for progress in psychosocial care is reviewed in this article."
    assert evidence_level([], text) == "Review" + FROM_TEXT
    assert evidence_level([], "The findings need to be confirmed in a randomized controlled trial.") == ""
