"""Extractive summaries: every sentence is verbatim from the section it cites."""

from __future__ import annotations

import pytest

from medcite.clinical.summarize import PARTS, part_of_label, strip_reference_markers, summarize_document
from medcite.documents import Document, Section
from medcite.errors import UsageError
from tests.conftest import DATA


def _check_verbatim(summary) -> None:
    assert summary.sentences
    for s in summary.sentences:
        assert len(s.citations) == 1
        ref = summary.references[s.citations[0] - 1]
        assert s.verbatim in ref.passage, (s.verbatim, ref.section)
        assert s.text == strip_reference_markers(s.verbatim)
        assert ref.section == s.section


def test_structured_abstract(cdocs):
    doc = next(d for d in cdocs if d.id == "PMID:301")
    s = summarize_document(doc)
    _check_verbatim(s)
    assert [x.part for x in s.sentences] == ["objective", "methods", "results", "results", "conclusion"]
    results = [x.text for x in s.sentences if x.part == "results"]
    assert any("8.2 mmHg" in t for t in results)  # numbers preferred
    body = doc.body()
    for r in s.references:
        assert body[r.span[0] : r.span[1]] == r.passage
    assert s.evidence_level == "Randomized Controlled Trial"


def test_unlabelled_text_uses_cues():
    text = (
        "Anaemia is common in older adults. We aimed to describe its causes in a primary care population. "
        "We reviewed the records of 812 patients aged over 75 years. Iron deficiency was found in 31% and chronic kidney disease in 22%. "
        "Vitamin B12 deficiency was rare (4%). In conclusion, most anaemia in this group has a treatable cause."
    )
    s = summarize_document(Document("file:x", "Anaemia in older adults", [Section("TEXT", text)]), per_part=1)
    _check_verbatim(s)
    parts = {x.part: x.text for x in s.sentences}
    assert set(parts) == set(PARTS)
    assert parts["conclusion"].startswith("In conclusion")
    assert "%" in parts["results"]


def test_label_mapping():
    assert part_of_label("BACKGROUND AND AIMS") == "objective"
    assert part_of_label("MATERIALS AND METHODS") == "methods"
    assert part_of_label("Case presentation") == "results"
    assert part_of_label("CONCLUSIONS AND RELEVANCE") == "conclusion"
    assert part_of_label("ABSTRACT") == ""


def test_real_pubmedqa_abstracts_are_verbatim():
    from itertools import islice
    from pathlib import Path

    from medcite.readers import FileReport, read_documents

    path = Path(DATA) / "pubmedqa" / "abstracts.jsonl"
    if not path.exists():
        pytest.skip("../shared/data is not present")
    for doc in islice(read_documents(path, FileReport(str(path))), 40):
        _check_verbatim(summarize_document(doc, per_part=2))


def test_bad_quota():
    with pytest.raises(UsageError):
        summarize_document(Document("x", "t", [Section("A", "Some text here that is long enough.")]), per_part=0)


def test_a_sources_own_reference_markers_are_not_shown():
    """PDF text keeps the source's "[12]" markers; shown beside medcite's "[1]" they read as its citations."""
    doc = Document("upload:1", "", [Section("INTRODUCTION", "Statins reduce the risk of stroke in adults [12]. Earlier trials "
                                                           "enrolled 4,444 patients [3, 4] and found fewer events [5–7]."),
                                    Section("RESULTS", "Mortality fell by 30% (95% CI 20-40) [18] in the statin group of 412 patients.")])
    s = summarize_document(doc, per_part=2)
    _check_verbatim(s)
    shown = " ".join(x.text for x in s.sentences)
    assert "[" not in shown and "(95% CI 20-40)" in shown  # the markers only: the rest is the quote
    assert any(x.verbatim != x.text for x in s.sentences)
    assert any("reference markers" in n for n in s.notes)
    assert strip_reference_markers("Fewer events [5–7].") == "Fewer events."
    assert strip_reference_markers("IL-6 [pg/ml] rose in [3H]-labelled cells.") == "IL-6 [pg/ml] rose in [3H]-labelled cells."


def test_conclusion_is_the_main_finding_not_a_connective_or_a_call_for_research():
    """PMID 24785562: "However, more research is needed …" was shown as the conclusion, the main one dropped."""
    from medcite.clinical.summarize import is_secondary

    doc = Document("pmid:1", "Dexamethasone for asthma", [
        Section("RESULTS", "Relapse rates were similar with dexamethasone and prednisone (RR 0.90, 95% CI 0.46 to 1.78)."),
        Section("CONCLUSIONS", "The current literature suggests that dexamethasone can be used as an effective alternative to prednisone "
                               "in acute asthma exacerbations in children. However, more research is needed to establish the optimal "
                               "dose of dexamethasone for asthma in children and adults."),
    ])
    for quota in (1, 2):
        s = summarize_document(doc, per_part={"conclusion": quota})
        conc = [x.text for x in s.sentences if x.part == "conclusion"]
        assert conc[0].startswith("The current literature suggests"), quota
        _check_verbatim(s)
    assert is_secondary("However, the observed trend was not significant.")
    assert is_secondary("Further prospective studies are warranted to confirm these findings.")
    assert not is_secondary("Statins reduced mortality by 20%.") and not is_secondary("Dexamethasone is an effective alternative.")
    alone = Document("pmid:2", "x", [Section("CONCLUSIONS", "However, larger trials are needed before dexamethasone is adopted.")])
    assert [x.text for x in summarize_document(alone).sentences if x.part == "conclusion"]  # the only sentence is still shown


def test_garbled_text_is_refused_not_summarised():
    from medcite.clinical.summarize import garbled

    junk = "\ufffd4\ufffd\ufffd'\ufffd28> \ufffd.\ufffdc\ufffds\ufffds-\ufffd\ufffdm\ufffdc" * 20
    doc = Document(id="file:junk.txt", title="", sections=[Section("BODY", junk)])
    with pytest.raises(UsageError, match="not readable"):
        summarize_document(doc)
    assert not garbled("Aspirin lowers the risk of stroke.\n\tIt was well tolerated.")
    assert not garbled("阿司匹林可降低卒中风险。")
    assert garbled("ab\x00\x01\x02cd")
