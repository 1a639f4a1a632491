"""PDF reader: ligatures, sections, titles, image-only PDFs, broken files, quiet pypdf."""

from __future__ import annotations

import logging
import re

import pytest

from medcite.errors import ReaderError
from medcite.readers import pdf, reader_for

from ._helpers import read_all, sample

LIGATURES = re.compile("[\ufb00-\ufb06]")
_cache: dict[str, tuple] = {}


def read_sample(name: str):
    """Read a sample PDF once per test session (pypdf extraction takes ~0.5 s per file)."""
    if name not in _cache:
        _cache[name] = read_all(pdf.read, sample("pdf", name))
    return _cache[name]


@pytest.mark.parametrize(
    "name, words",
    [
        ("hindawi_heart_failure_2col_ligatures.pdf", ["confidence", "staff", "significant", "effects", "first"]),
        (
            "clinsci_ace_inhibitors_2col_ligatures_figures.pdf",
            ["fibrosis", "specific", "affinity", "fluorogenic", "inflammatory"],
        ),
    ],
)
def test_ligatures_become_plain_letters(name, words):
    docs, report = read_sample(name)
    assert len(docs) == 1 and report.skipped == []
    text = docs[0].title + docs[0].body()
    assert not LIGATURES.search(text)
    for word in words:
        assert re.search(rf"\b{word}\b", text), word


def test_sections_at_headings_and_references_dropped():
    doc = read_sample("bmc_hsr_malawi_quality_2col.pdf")[0][0]
    assert doc.id == f"file:{sample('pdf', 'bmc_hsr_malawi_quality_2col.pdf').resolve()}" and doc.pmid is None
    labels = [s.label for s in doc.sections]
    for label in ("Abstract", "Background", "Methods", "Results", "Discussion", "Conclusions"):
        assert label in labels
    assert labels.index("Background") < labels.index("Methods") < labels.index("Results") < labels.index("Discussion")
    assert not any(lab.lower() == "references" for lab in labels)
    assert doc.title.startswith("Understanding the barriers to setting up a healthcare quality improvement process")
    body = doc.body()
    assert "\x00" not in body and "  " not in body.replace("\n\n", "")


def test_upper_case_headings_are_normalised():
    doc = read_sample("clinsci_ace_inhibitors_2col_ligatures_figures.pdf")[0][0]
    labels = [s.label for s in doc.sections]
    assert "Introduction" in labels and "Materials and methods" in labels and "REFERENCES" not in labels
    assert (
        doc.title
        == "Fragment-based design for the development of N-domain-selective angiotensin-1-converting enzyme inhibitors"
    )


def test_titles_from_metadata_or_largest_font():
    assert read_sample("bmc_trauma_dvt_prophylaxis_review_2col.pdf")[0][0].title.startswith(
        "Complications related to deep venous thrombosis prophylaxis in trauma"
    )
    assert read_sample("hindawi_heart_failure_2col_ligatures.pdf")[0][0].title == (
        "Patient Experiences of Structured Heart Failure Programmes"
    )


@pytest.mark.parametrize("name", ["scanned_page_image_only.pdf", "haystack_non_text_searchable.pdf"])
def test_image_only_pdf_needs_ocr(name):
    docs, report = read_all(pdf.read, sample("pdf", name))
    assert docs == []
    assert report.skipped == [(name, "needs OCR: no extractable text")]


def test_broken_pdf_raises_reader_error(tmp_path):
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage")
    assert reader_for(path)[0] == "pdf"
    with pytest.raises(ReaderError, match="broken.pdf"):
        read_all(pdf.read, path)
    path.write_bytes(b"<html>not a pdf</html>")
    with pytest.raises(ReaderError, match="not a readable PDF"):
        read_all(pdf.read, path)


def test_pypdf_chatter_is_silenced(caplog):
    caplog.set_level(logging.DEBUG)
    before = logging.getLogger("pypdf").level
    read_all(pdf.read, sample("pdf", "bmc_trauma_dvt_prophylaxis_review_2col.pdf"))
    assert not [r for r in caplog.records if r.name.startswith("pypdf") and r.levelno < logging.ERROR]
    assert logging.getLogger("pypdf").level == before


def test_normalise_text():
    raw = "Signiﬁcant ﬂow\x00 in the treat-\nment arm,\ud800 two  spaces\ufb00"
    out = pdf.normalise(raw)
    assert out == "Significant flow in the treatment arm, two spaces" + "ff"
    assert pdf.normalise("Anti-\nTNF") == "Anti-\nTNF"  # upper-case continuation: a real hyphen


def test_page_sections_without_headings(monkeypatch, tmp_path):
    pages = ["First page has a lot of words about asthma and inhaled steroids.", "", "Third page text here."]
    monkeypatch.setattr(pdf, "_extract", lambda path, report: (pages, "", ""))
    path = tmp_path / "plain.pdf"
    docs, _ = read_all(pdf.read, path)
    assert [(s.label, s.text) for s in docs[0].sections] == [("page 1", pages[0]), ("page 3", pages[2])]
    assert docs[0].title == pages[0]
