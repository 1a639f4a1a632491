"""MEDLINE text (PubMed "Save → PubMed format", ``.nbib``, ``.txt`` starting with ``PMID- ``).

Each line is a 4-character tag, ``"- "`` and a value; continuation lines are indented (6 spaces);
records are separated by blank lines (a new ``PMID-`` also starts a record). Line endings may be
CRLF. Used tags: PMID, TI (else TT), AB, DP, JT/TA, MH, PT, LID/AID (doi), PMC.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

from ..documents import Document, Section
from ..errors import ReaderError
from .report import FileReport
from ._common import clean, find_year, open_binary, read_errors

_TAG = re.compile(r"^([A-Z][A-Z0-9]{0,3}) *-(?: |$)(.*)$")
#: Structured-abstract label: upper-case words then ":", at the start or after a sentence end.
_LABEL = re.compile(r"(?:^|(?<=[.!?)\]] ))([A-Z][A-Z&/,'\- ]*[A-Z]):\s+")


def read(path: Path, report: FileReport) -> Iterator[Document]:
    """Stream the records of a MEDLINE-format text file.

    Yields:
        one :class:`Document` (id ``"PMID:<digits>"``) per record with a PMID and a title or an
        abstract; others go to ``report.skipped`` with the reason (an empty file: ``"empty file"``).

    Raises:
        ReaderError: the file cannot be read, or contains no MEDLINE tags at all.
    """
    tags_seen, content = False, [False]
    position = 0

    def lines_of(stream: io.TextIOWrapper) -> Iterator[str]:
        for line in stream:
            content[0] = content[0] or bool(line.strip())
            yield line

    try:
        with open_binary(path) as raw:
            stream = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline=None)
            for record in _records(lines_of(stream)):
                tags_seen = True
                position += 1
                doc = _document(record, path, position, report)
                if doc is not None:
                    yield doc
    except read_errors() as e:
        raise ReaderError(f"{path}: unreadable ({e})") from e
    if not content[0]:
        report.skipped.append((path.name, "empty file"))
    elif not tags_seen:
        raise ReaderError(f"{path}: not MEDLINE text (no 'PMID- ' tagged lines)")


def _records(lines: Iterator[str]) -> Iterator[list[tuple[str, str]]]:
    """Group lines into records, each a list of ``(tag, value)`` with continuations joined."""
    fields: list[tuple[str, str]] = []
    for line in lines:
        line = line.rstrip("\r\n").replace("\x00", "")
        if not line.strip():
            if fields:
                yield fields
                fields = []
            continue
        m = _TAG.match(line) if len(line) >= 5 and line[4] == "-" else None
        if m and not line[0].isspace():
            tag, value = m.group(1), m.group(2)
            if tag == "PMID" and any(t == "PMID" for t, _ in fields):
                yield fields
                fields = []
            fields.append((tag, value.strip()))
        elif fields:  # continuation line (indented) or stray text: belongs to the previous field
            tag, value = fields[-1]
            fields[-1] = (tag, f"{value} {line.strip()}".strip())
    if fields:
        yield fields


def _document(fields: list[tuple[str, str]], path: Path, position: int, report: FileReport) -> Document | None:
    values: dict[str, list[str]] = {}
    for tag, value in fields:
        values.setdefault(tag, []).append(clean(value))

    def first(*tags: str) -> str:
        return next((v for t in tags for v in values.get(t, []) if v), "")

    pmid = first("PMID")
    if not pmid.isdigit():
        report.skipped.append((f"record {position}", "no PMID"))
        return None
    title = first("TI") or first("TT") or first("BTI")
    sections = split_abstract(first("AB"))
    if not title and not sections:
        report.skipped.append((f"PMID:{pmid}", "no title and no abstract"))
        return None
    extra: dict[str, object] = {}
    doi = next((v[: -len(" [doi]")] for t in ("LID", "AID") for v in values.get(t, []) if v.endswith(" [doi]")), "")
    if doi:
        extra["doi"] = doi
    if first("PMC"):
        extra["pmcid"] = first("PMC")
    return Document(
        id=f"PMID:{pmid}",
        title=title,
        sections=sections,
        pmid=pmid,
        year=find_year(first("DP")) or find_year(first("DEP")),
        journal=first("JT") or first("TA"),
        mesh_terms=_unique(mesh_descriptor(v) for v in values.get("MH", [])),
        publication_types=_unique(values.get("PT", [])),
        source=str(path),
        extra=extra,
    )


def mesh_descriptor(value: str) -> str:
    """``"Brain Ischemia/diagnostic imaging/*surgery"`` → ``"Brain Ischemia"`` (``*`` = major topic)."""
    return value.split("/", 1)[0].replace("*", "").strip()


def split_abstract(text: str) -> list[Section]:
    """Split ``"BACKGROUND: … METHODS: …"`` into labelled sections (text before a first label is
    ``"ABSTRACT"``); an abstract without such labels is one ``"ABSTRACT"`` section."""
    text = clean(text)
    if not text:
        return []
    matches = [m for m in _LABEL.finditer(text) if len(m.group(1).replace(" ", "")) >= 3]
    if not matches:
        return [Section("ABSTRACT", text)]
    sections = []
    lead = text[: matches[0].start()].strip()
    if lead:
        sections.append(Section("ABSTRACT", lead))
    for m, nxt in zip(matches, [*matches[1:], None], strict=True):
        body = text[m.end() : nxt.start() if nxt else len(text)].strip()
        if body:
            sections.append(Section(m.group(1).strip(), body))
    return sections


def _unique(items: object) -> list[str]:
    out: list[str] = []
    for item in items:  # type: ignore[attr-defined]
        if item and item not in out:
            out.append(item)
    return out
