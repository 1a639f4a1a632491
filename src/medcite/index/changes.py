"""What a write is asked to do and what it did: duplicate policies, write events, the report.

An index write (:class:`~medcite.index.writer.IndexWriter`) takes documents or events
(``("put", Document)`` / ``("delete", doc_id)``), resolves repeated ids by a policy
(:func:`resolve_events`, :func:`dedupe`) and returns a :class:`WriteReport`. Kept apart from the
writer so front ends can name policies and read reports without the write machinery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..documents import Document
from ..errors import UsageError

DUPLICATE_POLICIES = ("overwrite", "skip", "fail")

#: A write event: ``("put", Document)`` or ``("delete", doc_id)``, applied in order.
Event = tuple[str, "Document | str"]


@dataclass
class WriteReport:
    """Outcome of a write.

    Attributes:
        version: the published version name ("" when nothing changed and nothing was written).
        added, replaced, unchanged, deleted: document ids by outcome.
        missing: ids asked to be deleted that the index does not hold.
        duplicates: ids seen more than once in the input batch (policy applied).
        chunks_embedded: how many chunks went through the embedder.
        chunks_reused: chunks of replaced documents whose embedded text did not change
            (vector and chunk id kept, not re-embedded).
        tokens_embedded: their total length in the embedder's tokens.
        seconds, embed_seconds: wall-clock time of the whole write and of embedding alone.
        device: where the chunks were embedded and in which precision (``"cpu bf16"``,
            ``"cuda:0 bf16"``; the embedder's ``embed_device``, ``"cpu"`` when it has none).
        documents, chunks: size of the index after the write.
        operation: ``"build"``, ``"update"``, ``"rebuild"`` or ``"migrate"`` (copied to another backend).
        notes: what the write did differently from what was asked, one line each (e.g. an
            exact index built where IVF-PQ had too few passages to train).
    """

    version: str = ""
    operation: str = ""
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    chunks_reused: int = 0
    tokens_embedded: int = 0
    seconds: float = 0.0
    embed_seconds: float = 0.0
    device: str = ""
    documents: int = 0
    chunks: int = 0
    notes: list[str] = field(default_factory=list)

    def _on(self) -> str:
        return f" on {self.device}" if self.device and self.chunks_embedded else ""

    def summary(self) -> str:
        """One line for the CLI (the notes, when any, at its end)."""
        notes = "".join(f"; note: {n}" for n in self.notes)
        if self.operation == "migrate":
            return f"copied {self.documents} documents / {self.chunks} chunks unchanged in {self.seconds:.1f} s ({self.version})" + notes
        if self.operation == "rebuild":
            return (
                f"rebuilt {self.documents} documents / {self.chunks} chunks; {self.chunks_embedded} chunks embedded in"
                f" {self.embed_seconds:.1f} s{self._on()} of {self.seconds:.1f} s ({self.version})"
            ) + notes
        parts = [
            f"{len(self.added)} added", f"{len(self.replaced)} replaced", f"{len(self.unchanged)} unchanged",
            f"{len(self.deleted)} deleted",
        ]
        if self.missing:
            parts.append(f"{len(self.missing)} to delete not found")
        if self.duplicates:
            parts.append(f"{len(self.duplicates)} duplicate ids in input")
        reused = f" ({self.chunks_reused} unchanged chunks of revised records kept)" if self.chunks_reused else ""
        return (
            ", ".join(parts)
            + f"; {self.chunks_embedded} chunks embedded{reused} in {self.embed_seconds:.1f} s{self._on()} of {self.seconds:.1f} s;"
            + f" index now {self.documents} documents / {self.chunks} chunks"
            + (f" ({self.version})" if self.version else " (no change, nothing written)")
            + notes
        )


def dedupe(docs: Iterable[Document], policy: str, report: WriteReport) -> dict[str, Document]:
    """Collapse documents with the same id.

    Args:
        policy: ``"overwrite"`` (last one wins), ``"skip"`` (first one wins) or ``"fail"``.

    Raises:
        UsageError: ``policy="fail"`` and an id repeats, or the policy is unknown.
    """
    incoming, _deletes = resolve_events((("put", d) for d in docs), policy, report)
    return incoming


def resolve_events(events: Iterable[Event], policy: str, report: WriteReport) -> tuple[dict[str, Document], list[str]]:
    """Reduce an ordered stream of puts and deletions to what the write must do.

    Events apply in order, as PubMed update files do: a deletion removes an earlier put of the
    same id; a put after a deletion brings the record back (it then replaces the stored one).
    Repeated puts follow ``policy`` (see :func:`dedupe`) and their ids are listed in
    ``report.duplicates`` (each id once).

    Returns:
        ``(documents to put by id, in first-seen order of the winners; ids to delete)``.

    Raises:
        UsageError: ``policy="fail"`` and an id is put twice, or the policy is unknown.
    """
    if policy not in DUPLICATE_POLICIES:
        raise UsageError(f"unknown duplicate policy {policy!r} (use {', '.join(DUPLICATE_POLICIES)})")
    out: dict[str, Document] = {}
    deletes: dict[str, None] = {}
    seen_twice: set[str] = set(report.duplicates)
    for kind, item in events:
        if kind == "delete":
            doc_id = str(item)
            out.pop(doc_id, None)
            deletes[doc_id] = None
            continue
        d = item
        assert isinstance(d, Document)
        if d.id in out:
            if d.id not in seen_twice:
                seen_twice.add(d.id)
                report.duplicates.append(d.id)
            if policy == "fail":
                raise UsageError(f"duplicate id {d.id} in the input (--on-duplicate fail)")
            if policy == "skip":
                continue
            del out[d.id]  # keep insertion order of the winner
        deletes.pop(d.id, None)
        out[d.id] = d
    return out, list(deletes)
