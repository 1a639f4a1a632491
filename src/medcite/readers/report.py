"""What happened to one input file: :class:`FileReport` (re-exported as ``medcite.readers.FileReport``).

Every reader fills one while it streams documents; it lives apart from the registry in
:mod:`medcite.readers` so the reader modules and the registry do not import each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FileReport:
    """What happened to one input file.

    Attributes:
        path: the file.
        format: reader name (``"jsonl"``, ``"pubmed_xml"`` …).
        read: documents yielded.
        skipped: ``(record id or position, reason)`` for each record not yielded.
        deleted: document ids the file asks to delete (PubMed ``<DeleteCitation>``).
        error: set when the whole file failed; then nothing from it is indexed.
    """

    path: str
    format: str = ""
    read: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    error: str | None = None
