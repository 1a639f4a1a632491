"""Readers turn input files into :class:`~medcite.documents.Document` records.

One module per format; :func:`reader_for` picks one by file name (and, for ``.txt``, by
sniffing the first bytes). Each reader is a function ``read(path, report) -> Iterator[Document]``
that streams documents, records skipped records with reasons in ``report`` (:class:`FileReport`,
:mod:`.report`) and raises :class:`~medcite.errors.ReaderError` when the whole file is unusable.
:mod:`.eutils` fetches PubMed records (NCBI E-utilities) into files these readers take.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..documents import Document
from ..errors import ReaderError
from .report import FileReport


Reader = Callable[[Path, FileReport], Iterator[Document]]


def _registry() -> list[tuple[str, Callable[[Path], bool], Reader]]:
    from . import jsonl, pubmed_xml, text

    entries: list[tuple[str, Callable[[Path], bool], Reader]] = [
        ("jsonl", lambda p: p.name.lower().endswith((".jsonl", ".jsonl.gz", ".ndjson")), jsonl.read),
        ("pubmed_xml", lambda p: p.name.lower().endswith((".xml", ".xml.gz")) and not _is_jats(p), pubmed_xml.read),
    ]
    try:  # formats added by later modules register here when present
        from . import pmc_jats

        entries.append(("pmc_jats", lambda p: p.name.lower().endswith((".nxml", ".nxml.gz")) or _is_jats(p), pmc_jats.read))
    except ImportError:
        pass
    try:
        from . import medline

        entries.append(("medline", lambda p: p.name.lower().endswith(".nbib") or _is_medline(p), medline.read))
    except ImportError:
        pass
    try:
        from . import pdf

        entries.append(("pdf", lambda p: p.name.lower().endswith(".pdf"), pdf.read))
    except ImportError:
        pass
    entries.append(("text", lambda p: p.name.lower().endswith((".txt", ".md", ".markdown", ".text")), text.read))
    return entries


def _head(path: Path, n: int = 4096) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.read(n)
    except OSError:
        return b""


def _is_jats(path: Path) -> bool:
    if not path.name.lower().endswith(".xml"):
        return False
    head = _head(path)
    return b"<article" in head or b"<pmc-articleset" in head or b"JATS" in head


def _is_medline(path: Path) -> bool:
    if not path.name.lower().endswith(".txt"):
        return False
    head = _head(path, 2048).lstrip()
    return head.startswith(b"PMID-") or b"\nPMID- " in head


def reader_for(path: Path) -> tuple[str, Reader]:
    """Return ``(format name, reader)`` for ``path``.

    Raises:
        ReaderError: no reader handles this file type.
    """
    for name, match, reader in _registry():
        if match(path):
            return name, reader
    raise ReaderError(f"{path}: unsupported file type (supported: .jsonl, .xml, .xml.gz, .nxml, .nbib, .txt, .md, .pdf)")


def iter_input_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and directories (recursively, sorted, hidden files skipped).

    Raises:
        ReaderError: a path does not exist.
    """
    out: list[Path] = []
    for p in paths:
        p = Path(p)
        if not p.exists():
            raise ReaderError(f"{p}: no such file or directory")
        if p.is_dir():
            for q in sorted(p.rglob("*")):
                if q.is_file() and not any(part.startswith(".") for part in q.relative_to(p).parts):
                    if q.name.lower() in {"readme.md", "readme.txt"} or q.suffix.lower() in {".md5"}:
                        continue
                    out.append(q)
        else:
            out.append(p)
    return out


def read_documents(path: Path, report: FileReport) -> Iterator[Document]:
    """Stream the documents of one file, filling ``report``.

    Raises:
        ReaderError: the file type is unsupported or the whole file is unreadable.
    """
    name, reader = reader_for(path)
    report.format = name
    for doc in reader(path, report):
        report.read += 1
        yield doc
