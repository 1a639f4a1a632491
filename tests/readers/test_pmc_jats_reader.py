"""PMC JATS reader: ids, abstracts, body sections, captions left out, article sets."""

from __future__ import annotations

import pytest

from medcite.errors import ReaderError
from medcite.readers import pmc_jats, reader_for

from ._helpers import read_all, sample


def test_full_text_abstract_and_nested_body_sections():
    path = sample("pmc_jats", "1471-2180-11-174.nxml")
    docs, report = read_all(pmc_jats.read, path)
    assert len(docs) == 1 and report.skipped == []
    doc = docs[0]
    assert doc.id == "PMID:21810267" and doc.pmid == "21810267"
    assert doc.journal == "BMC Microbiology" and doc.year == 2011
    assert doc.extra["pmcid"] == "PMC3166277" and doc.extra["doi"] == "10.1186/1471-2180-11-174"
    labels = [s.label for s in doc.sections]
    assert labels[:4] == ["BACKGROUND", "RESULTS", "CONCLUSIONS", "Background"]
    assert "Results / Effect of allelic variation in holin sequence" in labels
    assert "Methods / Statistical analysis" in labels
    assert "λ" in doc.title  # numeric character reference decoded


def test_figure_and_table_captions_stay_out_of_the_text():
    doc = read_all(pmc_jats.read, sample("pmc_jats", "1471-2180-11-174.nxml"))[0][0]
    body = doc.body()
    assert "Schematic presentation of two models of holin hole formation" not in body
    assert "Effects of holin allelic sequences on the stochasticity of lysis time" not in body
    assert "IN56 (WT)" not in body  # table cell
    assert "(Figure 2A)" in body  # the in-text reference to the figure stays


def test_meeting_abstract_without_abstract_element_uses_pmc_id():
    docs, _ = read_all(pmc_jats.read, sample("pmc_jats", "cc11003.nxml"))
    doc = docs[0]
    assert doc.id == "PMC:PMC3363814" and doc.pmid is None
    assert [s.label for s in doc.sections] == ["Introduction", "Methods", "Results", "Conclusion"]
    assert "(P = 0.002)" in doc.body()
    assert doc.year == 2012 and doc.journal == "Critical Care"


def test_two_abstracts_become_two_labelled_sections():
    doc = read_all(pmc_jats.read, sample("pmc_jats", "pntd.0002065.nxml"))[0][0]
    assert [s.label for s in doc.sections][:3] == ["ABSTRACT", "AUTHOR SUMMARY", "Introduction"]
    assert doc.sections[1].text.startswith("Rift Valley fever (RVF) is a mosquito-borne disease")


def test_word_internal_markup_is_not_split():
    doc = read_all(pmc_jats.read, sample("pmc_jats", "pone.0046493.nxml"))[0][0]
    assert doc.title.startswith("MmPPOX Inhibits Mycobacterium tuberculosis Lipolytic Enzymes")


def test_old_nlm_dtd():
    doc = read_all(pmc_jats.read, sample("pmc_jats", "1472-6831-8-11.nxml"))[0][0]
    assert doc.id == "PMID:18405359" and doc.journal == "BMC Oral Health" and doc.year == 2008
    assert doc.sections[0].label == "BACKGROUND"


def test_efetch_articleset_wrapper_and_registry_sniffing():
    path = sample("pmc_jats", "biopython_efetch_pmc.xml")
    assert reader_for(path)[0] == "pmc_jats"
    docs, _ = read_all(pmc_jats.read, path)
    assert [d.id for d in docs] == ["PMID:34527728"]
    assert "ERJ Open Res 2021" in docs[0].title and "−15.1%" in docs[0].body()


def test_several_articles_in_one_set(tmp_path):
    def art(ids: str, title: str, body: str) -> str:
        return (
            "<article><front><journal-meta><journal-title-group><journal-title>J</journal-title>"
            "</journal-title-group>"
            f"</journal-meta><article-meta>{ids}<title-group><article-title>{title}</article-title></title-group>"
            "<pub-date pub-type='epub'><year>2020</year></pub-date></article-meta></front>"
            f"<body>{body}</body></article>"
        )

    xml = (
        "<pmc-articleset>"
        + art(
            "<article-id pub-id-type='pmid'>111</article-id>",
            "First",
            "<sec><title>Methods</title><sec><title>Statistics</title><p>t-test.</p></sec></sec>",
        )
        + art(
            "<article-id pub-id-type='doi'>10.1/x</article-id>",
            "Second",
            "<p>Loose paragraph.</p><fig><caption><p>Hidden</p></caption></fig>",
        )
        + art("", "", "")
        + "</pmc-articleset>"
    )
    path = tmp_path / "set.xml"
    path.write_text(xml, encoding="utf-8")
    docs, report = read_all(pmc_jats.read, path)
    assert [d.id for d in docs] == ["PMID:111", "doi:10.1/x"]
    assert [(s.label, s.text) for s in docs[0].sections] == [("Methods / Statistics", "t-test.")]
    assert [(s.label, s.text) for s in docs[1].sections] == [("Body", "Loose paragraph.")]
    assert report.skipped == [(f"file:{path.resolve()}#3", "no title and no text")]


def test_non_jats_is_rejected(tmp_path):
    path = tmp_path / "x.nxml"
    path.write_text("<html><body>nope</body></html>", encoding="utf-8")
    with pytest.raises(ReaderError, match="not PMC JATS"):
        read_all(pmc_jats.read, path)
    path.write_text("not xml at all", encoding="utf-8")
    with pytest.raises(ReaderError, match="not well-formed"):
        read_all(pmc_jats.read, path)
