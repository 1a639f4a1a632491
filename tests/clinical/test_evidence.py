"""Evidence levels: publication types first (strongest wins), design wording otherwise."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pytest

from medcite.clinical.evidence import (
    FROM_TEXT,
    LEVELS,
    PUBLICATION_TYPES,
    evidence_level,
    evidence_rank,
    is_from_text,
    level_from_publication_types,
)
from medcite.errors import MedciteError
from tests.conftest import SAMPLES


def test_strongest_publication_type_wins_regardless_of_order():
    pts = ["Journal Article", "Review", "Randomized Controlled Trial", "Multicenter Study"]
    assert evidence_level(pts, "") == "Randomized Controlled Trial"
    assert evidence_level(list(reversed(pts)), "") == "Randomized Controlled Trial"
    assert evidence_level(["Review", "Meta-Analysis", "Systematic Review"], "") == "Meta-Analysis"
    assert evidence_level(["Clinical Trial, Phase III"], "") == "Clinical Trial"
    assert evidence_level(["Case Reports", "Journal Article"], "") == "Case Report"


def test_publication_types_beat_text_wording():
    text = "We performed a meta-analysis of randomized trials."
    assert evidence_level(["Case Reports"], text) == "Case Report"


def test_design_detected_from_text_is_marked():
    cases = {
        "We searched MEDLINE and pooled 12 studies in a meta-analysis.": "Meta-Analysis",
        "Patients were randomly assigned to drug or placebo.": "Randomized Controlled Trial",
        "This retrospective cohort study included 4,000 adults.": "Observational Study",
        "We report a case of a 34-year-old woman with fever.": "Case Report",
        "In this review we summarise current concepts.": "Review",
        "An open-label phase II trial enrolled 40 patients.": "Clinical Trial",
        "Olokizumab versus placebo in rheumatoid arthritis.": "Clinical Trial",
    }
    for text, level in cases.items():
        got = evidence_level(["Journal Article"], text)
        assert got == level + FROM_TEXT, text
        assert is_from_text(got)
        assert evidence_rank(got) == LEVELS[level]


def test_unknown_design_gives_empty_label_and_rank_zero():
    assert evidence_level([], "Metformin lowers glucose.") == ""
    assert evidence_level(["Journal Article", "Research Support, N.I.H., Extramural"], "") == ""
    assert evidence_rank("") == 0


def test_future_trials_wording_is_not_an_rct():
    assert evidence_level([], "Further randomized controlled trials are needed.") == ""


def test_ranking_follows_the_pyramid():
    order = ["Meta-Analysis", "Systematic Review", "Randomized Controlled Trial", "Clinical Trial", "Observational Study", "Case Report", "Review"]
    ranks = [evidence_rank(x) for x in order]
    assert ranks == sorted(ranks, reverse=True) and len(set(ranks)) == len(ranks) and min(ranks) > 0


@lru_cache(maxsize=1)
def _read_samples() -> tuple:
    from medcite.readers import FileReport, read_documents

    folder = Path(SAMPLES) / "pubmed_xml"
    if not folder.is_dir():
        pytest.skip("../shared/samples/pubmed_xml is not present")
    docs = []
    for f in sorted(folder.iterdir()):
        if not f.name.endswith((".xml", ".xml.gz")):
            continue
        try:
            docs.extend(read_documents(f, FileReport(str(f))))
        except MedciteError:  # unreadable samples are the readers' tests' business
            continue
    return tuple(docs)


def _sample_documents():
    return list(_read_samples())


def test_real_pubmed_samples_show_their_strongest_publication_type():
    docs = _sample_documents()
    with_level = 0
    for d in docs:
        named = [(LEVELS[PUBLICATION_TYPES[pt.lower()]], PUBLICATION_TYPES[pt.lower()]) for pt in d.publication_types if pt.lower() in PUBLICATION_TYPES]
        got = evidence_level(d.publication_types, d.title + "\n" + d.body())
        if named:
            with_level += 1
            assert got == max(named)[1], (d.id, d.publication_types, got)
            assert not is_from_text(got)
        else:
            assert got == "" or is_from_text(got), (d.id, got)
    assert with_level >= 50  # the samples hold RCTs, reviews, case reports, a meta-analysis …


def test_real_samples_cover_several_levels():
    docs = _sample_documents()
    seen = {level_from_publication_types(d.publication_types) for d in docs} - {""}
    assert {"Randomized Controlled Trial", "Review", "Case Report", "Meta-Analysis"} <= seen


def test_consumer_health_pages_get_no_level_from_their_wording():
    text = "A registry of patients with this condition is kept; a retrospective review found it rare."
    assert evidence_level([], text, "medquad:0001") == ""
    assert evidence_level([], text, "PMID:1").endswith(FROM_TEXT)
