"""Plain text (``.txt``, ``.text``) and Markdown (``.md``, ``.markdown``) files: one document each.

Markdown is split into sections at ATX headings (``#`` … ``######``, not inside fenced code);
the section label is the heading text and the title the first heading. Plain text is one
``"TEXT"`` section whose title is the first non-empty line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..documents import Document, Section
from ..errors import ReaderError
from .report import FileReport
from ._common import clean, clean_block, file_doc_id, shorten

MARKDOWN_SUFFIXES = (".md", ".markdown")
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
PREAMBLE_LABEL = "TEXT"


def read(path: Path, report: FileReport) -> Iterator[Document]:
    """Read one text or Markdown file.

    Yields:
        one :class:`Document` with id ``"file:<absolute path>"``; nothing for an empty (or
        whitespace-only) file, which is listed in ``report.skipped`` as ``"empty file"``.

    Raises:
        ReaderError: the file cannot be read.
    """
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ReaderError(f"{path}: cannot read ({e.strerror or e})") from e
    text = raw.decode("utf-8-sig", errors="replace").replace("\x00", "")
    if not text.strip():
        report.skipped.append((path.name, "empty file"))
        return
    if path.name.lower().endswith(MARKDOWN_SUFFIXES):
        title, sections = _markdown(text)
    else:
        title, sections = _plain(text)
    if not sections and not title:
        report.skipped.append((path.name, "empty file"))
        return
    yield Document(id=file_doc_id(path), title=title, sections=sections, source=str(path))


def _plain(text: str) -> tuple[str, list[Section]]:
    body = clean_block(text)
    first = next((ln for ln in body.split("\n") if ln.strip()), "")
    return shorten(first), [Section("TEXT", body)] if body else []


def _markdown(text: str) -> tuple[str, list[Section]]:
    sections: list[Section] = []
    title = ""
    label = PREAMBLE_LABEL
    lines: list[str] = []
    in_fence = False

    def flush() -> None:
        body = clean_block("\n".join(lines))
        if body:
            sections.append(Section(label, body))

    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if _FENCE.match(line):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m and clean(m.group(2)):
            flush()
            label, lines = shorten(m.group(2)), []
            title = title or label
        else:
            lines.append(line)
    flush()
    if not title:
        first = next((ln for ln in clean_block(text).split("\n") if ln.strip()), "")
        title = shorten(first.lstrip("#>*- ").strip() or first)
    return title, sections
