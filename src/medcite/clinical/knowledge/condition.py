"""One condition of the knowledge base, merged across sources, and the source entries it is made of."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass
class SourceEntry:
    """A condition as one source states it, before merging.

    Attributes:
        source_id: the source's identifier: "OMIM:252500", "ORPHA:576", "medquad:0004152-1"
            (a MedQuAD record), "MESH:<heading>", "CRITERIA:<slug>" (:mod:`.criteria`).
        kind: "omim", "orpha", "decipher", "medquad", "mesh" or "criteria".
        name: the source's name for it.
        synonyms: other names the source gives.
        cuis: UMLS CUIs (MedQuAD).
        semantic_types: UMLS semantic types (MedQuAD, e.g. "T047").
        phenotype: ``{HPO id: frequency weight in [0, 1]}`` (:mod:`.frequency`); {} when the
            source gives none.
        excluded: HPO ids the source says the condition does NOT have (hpoa "NOT").
        phenotype_source: "table" when the phenotype is a GARD symptom table (HPO's own
            annotation list, copied: :func:`.merge.merge_entries` links it to the OMIM/Orphanet
            entry it was copied from), "text" when read from prose, "criteria" for a curated
            criteria entry, "" otherwise.
    """

    source_id: str
    kind: str
    name: str
    synonyms: tuple[str, ...] = ()
    cuis: tuple[str, ...] = ()
    semantic_types: tuple[str, ...] = ()
    phenotype: dict[str, float] = field(default_factory=dict)
    excluded: tuple[str, ...] = ()
    phenotype_source: str = ""

    def to_json(self) -> dict:
        """JSON-serialisable form (empty fields left out)."""
        d: dict = {"source_id": self.source_id, "kind": self.kind, "name": self.name}
        for k in ("synonyms", "cuis", "semantic_types", "excluded"):
            if getattr(self, k):
                d[k] = list(getattr(self, k))
        if self.phenotype:
            d["phenotype"] = self.phenotype
        if self.phenotype_source:
            d["phenotype_source"] = self.phenotype_source
        return d

    @classmethod
    def from_json(cls, d: dict) -> SourceEntry:
        """Inverse of :meth:`to_json`."""
        return cls(
            d["source_id"], d["kind"], d["name"], tuple(d.get("synonyms", ())), tuple(d.get("cuis", ())),
            tuple(d.get("semantic_types", ())), {k: float(v) for k, v in d.get("phenotype", {}).items()},
            tuple(d.get("excluded", ())), d.get("phenotype_source", ""),
        )


#: Order in which sources give a merged condition its id (a curated criteria entry last: the ids
#: of conditions other sources already name do not change).
ID_PRIORITY = ("orpha", "omim", "decipher", "medquad", "mesh", "criteria")
#: Order in which sources give a merged condition its display name (a criteria entry first: its
#: name is the clinical one, "Acute pancreatitis" rather than MedQuAD's "Pancreatitis").
NAME_PRIORITY = ("criteria", "orpha", "medquad", "omim", "decipher", "mesh")


@dataclass
class Condition:
    """A disease or syndrome: one entry across sources.

    Attributes:
        id: "ORPHA:558", "OMIM:154700", "MEDQUAD:<normalised focus>" or "MESH:<normalised heading>"
            (the first source in :data:`ID_PRIORITY` order).
        name: display name (:data:`NAME_PRIORITY`).
        synonyms: every other name of the merged entries.
        xrefs: identifiers of the merged entries ("OMIM:…", "ORPHA:…", "UMLS:C…", "MESH:…",
            "medquad:<qid>").
        phenotype: ``{HPO id: frequency weight}``, the largest weight any source gives.
        sources: the kinds of source merged ("omim", "orpha", "medquad", "mesh").
        entries: the source entries (kept for leave-one-out evaluation and provenance).
        semantic_types: UMLS semantic types (from MedQuAD).
    """

    id: str
    name: str
    synonyms: list[str] = field(default_factory=list)
    xrefs: list[str] = field(default_factory=list)
    phenotype: dict[str, float] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    entries: list[SourceEntry] = field(default_factory=list)
    semantic_types: list[str] = field(default_factory=list)

    @classmethod
    def from_entries(cls, entries: Iterable[SourceEntry]) -> Condition:
        """Merge source entries that are one condition (see :mod:`.merge` for when they are)."""
        es = sorted(entries, key=lambda e: (_rank(ID_PRIORITY, e.kind), _id_number(e.source_id)))
        if not es:
            raise ValueError("a condition needs at least one source entry")
        first = es[0]
        cid = first.source_id
        if first.kind == "medquad":
            from .names import name_tokens

            cid = "MEDQUAD:" + " ".join(name_tokens(first.name))
        elif first.kind == "mesh" and not cid.startswith("MESH:"):
            cid = "MESH:" + cid
        by_name = sorted(es, key=lambda e: (_rank(NAME_PRIORITY, e.kind), _id_number(e.source_id)))
        name = by_name[0].name
        names: list[str] = []
        xrefs: list[str] = []
        stypes: list[str] = []
        for e in by_name:
            for n in (e.name, *e.synonyms):
                if n and n != name and n not in names:
                    names.append(n)
            for x in (e.source_id, *(f"UMLS:{c}" for c in e.cuis)):
                if x not in xrefs:
                    xrefs.append(x)
            stypes += [s for s in e.semantic_types if s not in stypes]
        kinds = sorted({e.kind for e in es}, key=lambda k: _rank(ID_PRIORITY, k))
        return cls(cid, name, names, xrefs, merged_phenotype(es), kinds, list(es), stypes)

    def phenotype_without(self, sources: Iterable[str]) -> dict[str, float]:
        """The phenotype with the entries whose ``source_id`` is in ``sources`` left out
        (leave-one-out: a case made from a MedQuAD record must not be scored against it)."""
        drop = set(sources)
        if not any(e.source_id in drop for e in self.entries):
            return self.phenotype
        return merged_phenotype([e for e in self.entries if e.source_id not in drop])

    @property
    def excluded(self) -> set[str]:
        """HPO ids any source says the condition does not have."""
        return {t for e in self.entries for t in e.excluded}

    def all_names(self) -> list[str]:
        """Display name first, then synonyms."""
        return [self.name, *self.synonyms]

    def to_json(self) -> dict:
        """JSON-serialisable form (the entries carry everything; the rest is derived)."""
        return {"entries": [e.to_json() for e in self.entries]}

    @classmethod
    def from_json(cls, d: dict) -> Condition:
        """Inverse of :meth:`to_json`."""
        return cls.from_entries(SourceEntry.from_json(e) for e in d["entries"])

    def summary(self) -> dict:
        """Short JSON summary for output: id, name, sources, xrefs."""
        return {"id": self.id, "name": self.name, "sources": self.sources, "xrefs": self.xrefs[:12]}


def merged_phenotype(entries: Iterable[SourceEntry]) -> dict[str, float]:
    """``{HPO id: largest weight}`` over the entries' phenotypes."""
    out: dict[str, float] = {}
    for e in entries:
        for t, w in e.phenotype.items():
            if w > out.get(t, -1.0):
                out[t] = w
    return out


def _rank(order: tuple[str, ...], kind: str) -> int:
    return order.index(kind) if kind in order else len(order)


def _id_number(source_id: str) -> tuple[int, str]:
    tail = source_id.split(":", 1)[-1]
    return (int(tail), "") if tail.isdigit() else (1 << 40, tail)
