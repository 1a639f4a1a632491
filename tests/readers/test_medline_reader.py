"""MEDLINE text reader: CRLF, continuation lines, structured abstracts, MeSH qualifiers."""

from __future__ import annotations

import pytest

from medcite.errors import ReaderError
from medcite.readers import medline, reader_for
from medcite.readers.medline import mesh_descriptor, split_abstract

from ._helpers import read_all, sample

RECORD = [
    "PMID- 23039619",
    "OWN - NLM",
    "DP  - 2012 Oct",
    "TI  - Effects of different parameters in the fast scanning method for HIFU ",
    "      treatment.",
    "AB  - PURPOSE: To study the fast scanning method. METHODS: Simulations were done",
    "      in a phantom (95% CI: 1-2). RESULTS: Heating was faster. CONCLUSIONS AND",
    "      RELEVANCE: It works.",
    "PT  - Journal Article",
    "PT  - Research Support, Non-U.S. Gov't",
    "TA  - Med Phys",
    "JT  - Medical physics",
    "MH  - Blood Circulation",
    "MH  - *High-Intensity Focused Ultrasound Ablation/instrumentation/*methods",
    "LID - 10.1118/1.4752422 [doi]",
]


def test_crlf_record_with_structured_abstract(tmp_path):
    second = ["PMID- 42", "TI  - Title only record.", "DP  - 1999"]
    third = ["PMID- 43", "DP  - 1999"]
    path = tmp_path / "export.nbib"
    path.write_bytes(("\r\n".join(RECORD + [""] + second + ["", ""] + third) + "\r\n").encode())
    docs, report = read_all(medline.read, path)
    assert [d.id for d in docs] == ["PMID:23039619", "PMID:42"]
    doc = docs[0]
    assert doc.title == "Effects of different parameters in the fast scanning method for HIFU treatment."
    assert [s.label for s in doc.sections] == ["PURPOSE", "METHODS", "RESULTS", "CONCLUSIONS AND RELEVANCE"]
    assert doc.sections[1].text == "Simulations were done in a phantom (95% CI: 1-2)."
    assert doc.year == 2012 and doc.journal == "Medical physics"
    assert doc.mesh_terms == ["Blood Circulation", "High-Intensity Focused Ultrasound Ablation"]
    assert doc.publication_types == ["Journal Article", "Research Support, Non-U.S. Gov't"]
    assert doc.extra["doi"] == "10.1118/1.4752422"
    assert not any("\r" in s.text for s in doc.sections) and "\r" not in doc.title
    assert docs[1].sections == [] and docs[1].title == "Title only record."
    assert report.skipped == [("PMID:43", "no title and no abstract")]


def test_records_without_blank_line_between_them(tmp_path):
    path = tmp_path / "x.txt"
    path.write_text("PMID- 1\nTI  - One.\nPMID- 2\nTI  - Two.\n", encoding="utf-8")
    assert reader_for(path)[0] == "medline"
    assert [d.title for d in read_all(medline.read, path)[0]] == ["One.", "Two."]


def test_real_pubmed_export_with_crlf():
    path = sample("medline_txt", "nbib_pubmed-balloongui-set.nbib")
    assert b"\r\n" in path.read_bytes()[:200]
    docs, report = read_all(medline.read, path)
    assert len(docs) == 75 and report.skipped == []
    assert len({d.id for d in docs}) == 75
    structured = [d for d in docs if len(d.sections) > 1]
    assert len(structured) >= 40
    assert sum(1 for d in docs if not d.sections) == 5  # records without AB, kept by title
    first = next(d for d in docs if d.pmid == "28754806")
    assert first.sections[0].label == "BACKGROUND AND PURPOSE"
    assert all("/" not in m and "*" not in m for d in docs for m in d.mesh_terms)


def test_pmc_medlars_export_with_empty_abstract():
    docs, _ = read_all(medline.read, sample("medline_txt", "nbib_pmc_medlars.txt"))
    assert len(docs) == 5
    methodsx = next(d for d in docs if d.pmid == "30042925")
    assert methodsx.sections == [] and methodsx.extra["pmcid"] == "PMC6055010"
    assert methodsx.title.startswith(
        "A method package for electrophysiological evaluation of reconstructed or regenerated"
    )


def test_split_abstract_and_mesh_helpers():
    sections = split_abstract("Biopython parses PDB files. AVAILABILITY: The code is free.")
    assert [(s.label, s.text) for s in sections] == [
        ("ABSTRACT", "Biopython parses PDB files."),
        ("AVAILABILITY", "The code is free."),
    ]
    assert [s.label for s in split_abstract("Plain abstract, OR 1.2 (95% CI: 1.0-1.5).")] == ["ABSTRACT"]
    assert mesh_descriptor("*Brain Ischemia/diagnostic imaging/*surgery") == "Brain Ischemia"


def test_empty_and_non_medline_files(tmp_path):
    empty = tmp_path / "empty.nbib"
    empty.write_bytes(b"\r\n\r\n")
    docs, report = read_all(medline.read, empty)
    assert docs == [] and report.skipped == [("empty.nbib", "empty file")]
    other = tmp_path / "other.nbib"
    other.write_text("just some prose\nwithout tags\n", encoding="utf-8")
    with pytest.raises(ReaderError, match="not MEDLINE"):
        read_all(medline.read, other)
