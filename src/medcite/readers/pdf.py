"""PDF files (text layer only, via pypdf): one document per file.

Text is extracted page by page and normalised (NFKC, so ligatures ``ﬁ``/``ﬂ`` become ``fi``/``fl``;
NUL/control characters and lone surrogates removed; line-end hyphenation undone; whitespace
collapsed). Sections are cut at common article headings on a line of their own (Abstract,
Background, Introduction, Methods, Results, Discussion, Conclusions …); the References section is
dropped. Without at least two such headings each page is a section ``"page N"``. A PDF without a
text layer (scans) is reported as needing OCR and not indexed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re
import unicodedata
import warnings
from collections.abc import Iterator
from pathlib import Path

from ..documents import Document, Section
from ..errors import ReaderError
from .report import FileReport
from ._common import clean, file_doc_id, shorten

#: Fewer letters than this in the whole file → no usable text layer.
MIN_LETTERS = 50
_HEADINGS = (
    "abstract|summary|background|introduction|methods?|materials? and methods|patients and methods|"
    "methods and materials|subjects and methods|study design|results|results and discussion|discussion|"
    "conclusions?|limitations|references|bibliography|literature cited|acknowledge?ments|competing interests|"
    "conflicts? of interests?|declaration of interests|authors'? contributions|abbreviations|funding"
)
_HEADING = re.compile(rf"^(?:\d{{1,2}}(?:\.\d{{1,2}})*\.?\s+|[IVX]{{1,4}}\.\s+)?({_HEADINGS})\s*:?$", re.I)
_DROP = re.compile(r"^(references|bibliography|literature cited)$", re.I)
_HYPHEN = re.compile(r"([A-Za-z])-[ \t]*\n[ \t]*([a-z])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u00ad\ufffe\uffff]")
_ARTICLE_TYPE = re.compile(
    r"^(original|research|review|short|brief|case)?\s*(article|paper|report|communication|review)s?$", re.I
)
_NOT_TITLE = re.compile(r"doi|https?:|www\.|©|copyright|journal|volume|vol\.|issn|received|accepted|open access", re.I)


def read(path: Path, report: FileReport) -> Iterator[Document]:
    """Read one PDF.

    Yields:
        one :class:`Document` with id ``"file:<absolute path>"``, or nothing when the PDF has no
        extractable text (``report.skipped`` gets ``(name, "needs OCR: no extractable text")``).
        Pages whose extraction fails are listed in ``report.skipped`` and left out.

    Raises:
        ReaderError: the file is not a readable PDF (corrupt, truncated, password-protected).
    """
    pages, meta_title, big_text = _extract(path, report)
    if sum(ch.isalpha() for page in pages for ch in page) < MIN_LETTERS:
        report.skipped.append((path.name, "needs OCR: no extractable text"))
        return
    sections = _sections(pages) or _page_sections(pages)
    title = meta_title or big_text or _first_line(pages[0] if pages else "")
    yield Document(id=file_doc_id(path), title=shorten(title), sections=sections, source=str(path),
                   extra={"pages": len(pages)})  # fmt: skip


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence pypdf's logger and warnings (font/encoding chatter) for the duration."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _extract(path: Path, report: FileReport) -> tuple[list[str], str, str]:
    """Normalised text of each page, a meaningful metadata title (or ""), and the largest-font
    text of page 1 (the likely title, or "")."""
    import pypdf

    with _quiet():
        try:
            reader = pypdf.PdfReader(str(path))
            if reader.is_encrypted and not reader.decrypt(""):
                raise ReaderError(f"{path}: password-protected PDF")
            n_pages = len(reader.pages)
        except ReaderError:
            raise
        except Exception as e:  # pypdf raises many types on damaged files
            raise ReaderError(f"{path}: not a readable PDF ({type(e).__name__}: {clean(str(e))[:200]})") from e
        try:
            meta = reader.metadata
            meta_title = clean(str(meta.title)) if meta and meta.title else ""
        except Exception:
            meta_title = ""
        pages: list[str] = []
        fragments: list[tuple[float, str]] = []
        last_y: list[float] = [math.nan]

        def visit(text: str, cm: list[float], tm: list[float], _font: object, size: float) -> None:
            if text.strip() and tm and cm:
                scale = math.hypot(tm[2], tm[3]) * math.hypot(cm[2], cm[3])
                y = round(tm[5] * cm[3] + cm[5], 1)
                new_line = y != last_y[0]
                last_y[0] = y
                fragments.append((round(size * scale, 1), ("\n" if new_line else "") + text))

        for i in range(n_pages):
            try:
                page = reader.pages[i]
                raw = page.extract_text(visitor_text=visit) if i == 0 else page.extract_text()
            except Exception as e:
                report.skipped.append((f"{path.name} page {i + 1}", f"text extraction failed: {type(e).__name__}"))
                raw = ""
            pages.append(normalise(raw or ""))
    return pages, meta_title if _meaningful(meta_title) else "", _largest_text(fragments)


def normalise(text: str) -> str:
    """NFKC, lone surrogates and control characters out, hyphenation undone; lines kept."""
    text = text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    text = unicodedata.normalize("NFKC", text).replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text.replace("\t", " ").replace("\ufffd", " "))
    text = _HYPHEN.sub(r"\1\2", text)
    return "\n".join(re.sub(r"\s+", " ", ln).strip() for ln in text.split("\n"))


def _sections(pages: list[str]) -> list[Section]:
    """Split at article headings (References dropped), else one section per page."""
    lines = [(ln, _HEADING.match(ln)) for page in pages for ln in page.split("\n") if ln]
    if sum(1 for _, m in lines if m and not _DROP.match(m.group(1))) >= 2:
        sections: list[Section] = []
        label: str | None = "Front matter"
        buf: list[str] = []
        for ln, m in lines:
            if m:
                if label and buf:
                    sections.append(Section(label, clean(" ".join(buf))))
                word = m.group(1)
                label = None if _DROP.match(word) else (word if not word.isupper() else word.capitalize())
                buf = []
            else:
                buf.append(ln)
        if label and buf:
            sections.append(Section(label, clean(" ".join(buf))))
        return sections
    return _page_sections(pages)


def _page_sections(pages: list[str]) -> list[Section]:
    return [Section(f"page {i}", clean(page)) for i, page in enumerate(pages, 1) if clean(page)]


def _meaningful(title: str) -> bool:
    """A metadata title worth showing (not "Untitled", a file name or a number string)."""
    letters = sum(ch.isalpha() for ch in title)
    if letters < 10 or letters < 0.6 * len(title.replace(" ", "")) or len(title.split()) < 3:
        return False
    return not re.search(
        r"^(untitled|microsoft (word|powerpoint)|document\d*)|\.(docx?|pdf|tex|indd|qxd)\b", title, re.I
    )


def _largest_text(fragments: list[tuple[float, str]]) -> str:
    """Text set in the largest font on page 1, if larger than the body text and title-like."""
    if not fragments:
        return ""
    by_size: dict[float, list[str]] = {}
    for size, text in fragments:
        by_size.setdefault(size, []).append(text)
    body = max(by_size, key=lambda s: sum(len(t) for t in by_size[s]))
    for size in sorted(by_size, reverse=True):
        if size <= body * 1.15:
            break
        lines = normalise("".join(by_size[size])).split("\n")
        text = clean(" ".join(ln for ln in lines if ln and not _ARTICLE_TYPE.match(ln)))
        if len(text.split()) >= 3 and sum(ch.isalpha() for ch in text) >= 15 and not _NOT_TITLE.search(text):
            return text
    return ""


def _first_line(page: str) -> str:
    """First line that looks like a title (≥ 4 words, no running header or doi)."""
    for ln in page.split("\n"):
        words = ln.split()
        letter_spaced = sum(len(w) == 1 for w in words) >= len(words) / 2  # "R E V I E W"
        if len(words) >= 4 and sum(ch.isalpha() for ch in ln) >= 20 and not _NOT_TITLE.search(ln) and not letter_spaced:
            return ln
    return next((ln for ln in page.split("\n") if ln.strip()), "")
