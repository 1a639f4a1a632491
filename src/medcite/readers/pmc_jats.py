"""PMC JATS (NLM) full-text XML: ``.nxml`` files of the PMC open-access set, single ``<article>``
``.xml`` files and the ``<pmc-articleset>`` wrapper that efetch returns (several articles).

Sections: the abstract(s) first (labelled ``"ABSTRACT"``, or by their own section titles in upper
case, ``"BACKGROUND"`` …), then the body ``<sec>``s labelled by their titles, nested titles joined
with ``" / "`` (``"Methods / Statistics"``). Figures, tables, their captions, supplementary
material and the back matter (references, acknowledgements) are left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

from ..documents import Document, Section
from ..errors import ReaderError
from .report import FileReport
from ._common import (
    NON_TEXT_TAGS,
    clean,
    file_doc_id,
    iter_top_elements,
    local,
    to_year,
    xml_text,
)

ROOTS = frozenset({"article", "pmc-articleset"})
#: Abstract types that are not prose worth indexing.
SKIP_ABSTRACT_TYPES = frozenset({"graphical", "teaser", "toc"})
#: Pub-date types in order of preference for the publication year.
DATE_TYPES = ("ppub", "epub-ppub", "epub", "collection", "pub", "")
BODY_LABEL = "Body"


def read(path: Path, report: FileReport) -> Iterator[Document]:
    """Stream the documents of a JATS file (plain or gzipped), one per top-level ``<article>``.

    Yields:
        documents with id ``"PMID:<digits>"`` when the article carries a PMID, else
        ``"PMC:PMC<digits>"``, else ``"doi:<doi>"``, else ``"file:<absolute path>#<n>"``. Articles with no
        title and no text are listed in ``report.skipped``.

    Raises:
        ReaderError: the file is not XML, or its root is neither ``<article>`` nor ``<pmc-articleset>``.
    """
    def check_root(name: str) -> bool:
        if name not in ROOTS:
            kind = "an HTML page" if name.lower() in ("html", "body", "head") else f"root <{name}>"
            raise ReaderError(f"{path}: not PMC JATS XML ({kind}; expected <article> or <pmc-articleset>)")
        return True

    position = 0
    for elem in iter_top_elements(path, check_root, single=lambda name: name == "article"):
        if local(elem.tag) != "article":
            continue
        position += 1
        doc = _article(elem, path, position, report)
        if doc is not None:
            yield doc


def _article(article: ET.Element, path: Path, position: int, report: FileReport) -> Document | None:
    meta = article.find("front/article-meta")
    if meta is None:
        meta = ET.Element("article-meta")
    ids = {a.get("pub-id-type", ""): clean(a.text) for a in meta.iterfind("article-id")}
    pmid = ids.get("pmid", "") if ids.get("pmid", "").isdigit() else None
    pmc = ids.get("pmc") or ids.get("pmcid") or ""
    pmc = ("PMC" + pmc) if pmc.isdigit() else pmc
    doi = ids.get("doi", "")
    if pmid:
        doc_id = f"PMID:{pmid}"
    elif pmc:
        doc_id = f"PMC:{pmc}"
    elif doi:
        doc_id = f"doi:{doi}"
    else:
        doc_id = file_doc_id(path, position)
    title = _title(meta)
    sections: list[Section] = []
    for abstract in meta.iterfind("abstract"):
        if abstract.get("abstract-type", "") not in SKIP_ABSTRACT_TYPES:
            own = clean(xml_text(abstract.find("title"))).upper()
            default = own or (abstract.get("abstract-type", "").upper().replace("-", " ") or "ABSTRACT")
            _collect(abstract, [], sections, default=default, upper=True)
    body = article.find("body")
    if body is not None:
        _collect(body, [], sections, default=BODY_LABEL, upper=False)
    if not title and not any(s.text for s in sections):
        report.skipped.append((doc_id, "no title and no text"))
        return None
    journal = clean(xml_text(article.find("front/journal-meta//journal-title")))
    if not journal:
        journal = next(
            (
                clean(j.text)
                for j in article.iterfind("front/journal-meta/journal-id")
                if j.get("journal-id-type") == "nlm-ta"
            ),
            "",
        )
    extra: dict[str, object] = {k: v for k, v in (("pmcid", pmc), ("doi", doi)) if v}
    if article.get("article-type"):
        extra["article_type"] = article.get("article-type")
    keywords = [clean(xml_text(k)) for k in meta.iterfind("kwd-group/kwd")]
    if any(keywords):
        extra["keywords"] = [k for k in keywords if k]
    return Document(
        id=doc_id,
        title=title,
        sections=sections,
        pmid=pmid,
        year=_year(meta),
        journal=journal,
        publication_types=[],
        source=str(path),
        extra=extra,
    )


def _title(meta: ET.Element) -> str:
    group = meta.find("title-group")
    if group is None:
        return ""
    skip = ("xref", "fn")
    title = xml_text(group.find("article-title"), skip)
    subtitle = xml_text(group.find("subtitle"), skip)
    if subtitle:
        title = f"{title.rstrip(':')}: {subtitle}" if title else subtitle
    return title or xml_text(group.find("trans-title-group/trans-title"), skip)


def _year(meta: ET.Element) -> int | None:
    """Publication year: print date, else electronic, else collection, else any pub-date."""
    by_type: dict[str, int] = {}
    for date in meta.iterfind("pub-date"):
        kind = date.get("pub-type") or date.get("date-type") or ""
        year = to_year(clean(date.findtext("year")))
        if year and kind not in by_type:
            by_type[kind] = year
    for kind in DATE_TYPES:
        if kind in by_type:
            return by_type[kind]
    return next((y for k, y in by_type.items() if k != "pmc-release"), None)


def _collect(container: ET.Element, path: list[str], out: list[Section], *, default: str, upper: bool) -> None:
    """Append the sections of ``container`` (a body, abstract or sec) to ``out`` in reading order.

    Paragraph-level children become the text of the section labelled by ``path``; nested
    ``<sec>``s recurse with their title appended to the path.
    """
    paragraphs: list[str] = []

    def flush() -> None:
        if paragraphs:
            label = " / ".join(path) if path else default
            out.append(Section(label, "\n".join(paragraphs)))
            paragraphs.clear()

    for child in container:
        name = local(child.tag)
        if name == "sec":
            flush()
            title = clean(xml_text(child.find("title"), ("xref",)))
            if upper:
                title = title.upper()
            _collect(child, path + [title] if title else path, out, default=default, upper=upper)
        elif not name or name in NON_TEXT_TAGS or name in ("title", "label", "sec-meta", "ref-list", "fn-group"):
            continue
        else:
            text = xml_text(child)
            if text:
                paragraphs.append(text)
    flush()
