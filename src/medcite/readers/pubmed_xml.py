"""PubMed XML: ``PubmedArticleSet`` (efetch answers, baseline and update files, ``.xml.gz``) and
the legacy ``MedlineCitationSet``.

The file is streamed with :func:`xml.etree.ElementTree.iterparse`; each record is turned into a
:class:`~medcite.documents.Document` and then cleared, so memory stays flat whatever the file
size. ``<DeleteCitation>`` PMIDs go to ``report.deleted``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from ..documents import Document, Section
from ..errors import ReaderError
from .report import FileReport
from ._common import (
    clean,
    find_year,
    iter_top_elements,
    local,
    to_year,
    xml_text,
)

#: Root elements this reader accepts.
ROOTS = frozenset(
    {"PubmedArticleSet", "MedlineCitationSet", "PubmedArticle", "MedlineCitation", "PubmedBookArticleSet"}
)
#: Record elements (children of the root, or the root itself for a single record).
RECORDS = frozenset({"PubmedArticle", "MedlineCitation", "PubmedBookArticle"})
JATS_ROOTS = frozenset({"article", "pmc-articleset"})


def read(path: Path, report: FileReport) -> Iterator[Document]:
    """Stream the documents of a PubMed XML file (plain or gzipped).

    Yields:
        one :class:`Document` per ``PubmedArticle`` / ``MedlineCitation`` / ``PubmedBookArticle``
        that has a PMID and a title or an abstract; the others are listed in ``report.skipped``.
        Deleted PMIDs are appended to ``report.deleted`` as ``"PMID:<digits>"``. A PMC JATS
        file that reached this reader is handed to :mod:`medcite.readers.pmc_jats`.

    Raises:
        ReaderError: the file is not XML, not PubMed XML (an HTML page, …), or is truncated.
    """
    roots: list[str] = []

    def check_root(name: str) -> bool:
        roots.append(name)
        if name in JATS_ROOTS:
            return False
        if name not in ROOTS:
            kind = "an HTML page" if name.lower() in ("html", "body", "head") else f"root <{name}>"
            raise ReaderError(f"{path}: not PubMed XML ({kind}; expected <PubmedArticleSet>)")
        return True

    position = 0
    for elem in iter_top_elements(path, check_root, single=lambda name: name in RECORDS):
        name = local(elem.tag)
        if name in RECORDS:
            position += 1
            doc = _record(elem, path, position, report)
            if doc is not None:
                yield doc
        elif name == "DeleteCitation":
            for pmid in elem.iter("PMID"):
                if clean(pmid.text).isdigit():
                    report.deleted.append(f"PMID:{clean(pmid.text)}")
    if not roots:
        raise ReaderError(f"{path}: empty file, not PubMed XML")
    if roots[0] in JATS_ROOTS:
        from . import pmc_jats

        yield from pmc_jats.read(path, report)


def _text(elem: ET.Element | None) -> str:
    """Element text with PubMed's glued markup repaired (``the<i>TERT</i>gene`` → ``the TERT gene``)."""
    return xml_text(elem, unglue=True)


def _record(elem: ET.Element, path: Path, position: int, report: FileReport) -> Document | None:
    """Build one document from a record element, or note in ``report`` why not."""
    name = local(elem.tag)
    if name == "PubmedBookArticle":
        return _book(elem, path, position, report)
    citation = elem if name == "MedlineCitation" else elem.find("MedlineCitation")
    pmid = clean(citation.findtext("PMID")) if citation is not None else ""
    if citation is None or not pmid.isdigit():
        report.skipped.append((f"record {position}", "no PMID"))
        return None
    article = citation.find("Article")
    if article is None:
        article = ET.Element("Article")
    title = _text(article.find("ArticleTitle")) or _text(article.find("VernacularTitle"))
    sections = _abstract(article.find("Abstract"))
    extra: dict[str, object] = {}
    if not sections:  # e.g. a record whose only abstract is the publisher's or a translation
        others = citation.findall("OtherAbstract")
        other = next((o for o in others if o.get("Language", "eng") == "eng"), others[0] if others else None)
        sections = _abstract(other)
        if sections:
            extra["abstract_source"] = "OtherAbstract"
    if not title and not sections:
        report.skipped.append((f"PMID:{pmid}", "no title and no abstract"))
        return None
    journal = article.find("Journal")
    journal_title = ""
    if journal is not None:
        journal_title = clean(journal.findtext("Title")) or clean(journal.findtext("ISOAbbreviation"))
    journal_title = journal_title or clean(citation.findtext("MedlineJournalInfo/MedlineTA"))
    vernacular = _text(article.find("VernacularTitle"))
    if vernacular and vernacular != title:
        extra["vernacular_title"] = vernacular
    doi = _doi(elem, article)
    if doi:
        extra["doi"] = doi
    pmc = next(
        (clean(a.text) for a in elem.iterfind("PubmedData/ArticleIdList/ArticleId") if a.get("IdType") == "pmc"), ""
    )
    if pmc:
        extra["pmcid"] = pmc
    return Document(
        id=f"PMID:{pmid}",
        title=title,
        sections=sections,
        pmid=pmid,
        year=_year(article),
        journal=journal_title,
        mesh_terms=[
            clean(d.text) for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName") if clean(d.text)
        ],
        publication_types=[
            clean(p.text) for p in article.iterfind("PublicationTypeList/PublicationType") if clean(p.text)
        ],
        source=str(path),
        extra=extra,
    )


def _abstract(abstract: ET.Element | None) -> list[Section]:
    """Sections of an ``<Abstract>``/``<OtherAbstract>``: one per ``AbstractText``, in order."""
    if abstract is None:
        return []
    sections = []
    for part in abstract.iterfind("AbstractText"):
        text = _text(part)
        if not text:
            continue
        category = part.get("NlmCategory", "")
        label = clean(part.get("Label")) or (category if category not in ("", "UNASSIGNED") else "ABSTRACT")
        sections.append(Section(label, text))
    return sections


def _year(article: ET.Element) -> int | None:
    """PubDate/Year, else the first year of MedlineDate, else ArticleDate/Year."""
    pub = article.find("Journal/JournalIssue/PubDate")
    if pub is not None:
        year = to_year(clean(pub.findtext("Year"))) or find_year(pub.findtext("MedlineDate"))
        if year:
            return year
    return to_year(clean(article.findtext("ArticleDate/Year")))


def _doi(record: ET.Element, article: ET.Element) -> str:
    for aid in record.iterfind("PubmedData/ArticleIdList/ArticleId"):
        if aid.get("IdType") == "doi" and clean(aid.text):
            return clean(aid.text)
    for loc in article.iterfind("ELocationID"):
        if loc.get("EIdType") == "doi" and clean(loc.text):
            return clean(loc.text)
    return ""


def _book(elem: ET.Element, path: Path, position: int, report: FileReport) -> Document | None:
    """A ``PubmedBookArticle`` (NCBI Bookshelf chapter or book) from its ``BookDocument``."""
    book = elem.find("BookDocument")
    pmid = clean(book.findtext("PMID")) if book is not None else ""
    if book is None or not pmid.isdigit():
        report.skipped.append((f"record {position}", "book record without PMID"))
        return None
    title = _text(book.find("ArticleTitle")) or _text(book.find("Book/BookTitle"))
    sections = _abstract(book.find("Abstract"))
    if not title and not sections:
        report.skipped.append((f"PMID:{pmid}", "no title and no abstract"))
        return None
    book_title = _text(book.find("Book/BookTitle"))
    year = to_year(clean(book.findtext("Book/PubDate/Year"))) or find_year(book.findtext("Book/PubDate/MedlineDate"))
    return Document(
        id=f"PMID:{pmid}",
        title=title,
        sections=sections,
        pmid=pmid,
        year=year,
        journal=book_title if book_title != title else "",
        publication_types=[clean(p.text) for p in book.iterfind("PublicationType") if clean(p.text)],
        source=str(path),
        extra={"book": True},
    )
