"""Which source entries are one condition: union-find over names and CUIs, with cannot-link rules.

Entries (:class:`~.condition.SourceEntry`) are joined in three passes, each join refused when it
would break a cannot-link rule:

1. **same strong key** (:func:`.names.strong_keys` of the name or a synonym: case, punctuation,
   word order, possessives, plurals, roman/arabic numerals, "type"/"of"/"the" ignored);
2. **same UMLS CUI set** (MedQuAD records: "I-cell disease" and "mucolipidosis II alpha/beta"
   both carry C0020725), after dropping *generic* CUIs that MedQuAD gives to
   :data:`GENERIC_CUI_NAMES` or more differently named foci (C0012634 "Disease", C0039082
   "Syndrome" …; but not one a composite name names — "Neuropathy, ataxia, and retinitis
   pigmentosa" keeps "retinitis pigmentosa"'s CUI and so never becomes "Ataxia":
   :func:`specific_cuis`), unless the set is *ambiguous*: held by entries with three or more different
   strong keys, or by two whose keys differ only in subtype tokens (MedQuAD gives numbered
   subtypes one generic CUI);
3. **same weak key** (:func:`.names.weak_keys`: "syndrome"/"disease"/"disorder"/"condition"
   dropped; a name without the head counts too), applied only when every component sharing that
   key can be joined with every other — one conflict and the weak key joins nothing
   ("Cushing syndrome" and "Cushing disease" are two Orphanet entries, so "cushing" merges neither).

4. **same annotation list** (:func:`link_copied_tables`): a GARD symptom table is HPO's
   annotation list of an OMIM/Orphanet disease, copied under GARD's name ("Penttinen-Aula
   syndrome" is OMIM's "Premature aging syndrome, Penttinen type" and Orphanet's "Progeroid
   syndrome, Penttinen type"). A table entry whose condition has no OMIM/Orphanet/DECIPHER
   entry yet joins the curated conditions whose entry's term set it matches — Jaccard ≥
   :data:`COPY_JACCARD`, or ≥ :data:`COPY_JACCARD_NAMED` when the two names share a distinctive
   word — with at least :data:`COPY_MIN_TERMS` terms, when the names carry the same subtype
   numbers and letters, or none ("Kallmann syndrome 6" never joins "Kallmann syndrome 5", nor
   "Spondylocostal dysostosis 4" the Orphanet group "Autosomal recessive spondylocostal
   dysostosis"), and when those conditions can be one (an OMIM entry and its Orphanet twin);
   a table matching two OMIM diseases ("Mirror movements 2" and "4") joins neither.

Cannot-link rules (a curated source's distinct identifiers are distinct conditions):

* two different OMIM ids, two different ORPHA ids or two different DECIPHER ids never end up in
  one condition;
* in pass 3 only: two components that both carry CUIs but share none are not joined;
* a curated criteria entry of a common condition (:mod:`.criteria`, kind "criteria") never joins
  a component holding a name with a narrowing qualifier (:data:`NARROWING`: hereditary,
  familial, congenital, neonatal, chronic, atypical, secondary …) that none of its own names has — "Acute
  pancreatitis" (also "Pancreatitis") is not OMIM's "Pancreatitis, hereditary", "Atrial
  fibrillation" not Orphanet's "Familial atrial fibrillation", "Thrombotic thrombocytopenic
  purpura" not OMIM's hereditary form, "Typical hemolytic uremic syndrome" (STEC-HUS) not
  "Atypical hemolytic uremic syndrome", "Primary adrenal insufficiency" (Addison disease) not
  "Secondary adrenal insufficiency" — and, as the rules above are checked at every join, a
  weak key or CUI set that would join them joins nothing. Distinct criteria entries ("Bacterial
  meningitis", "Viral meningitis", "Diabetic ketoacidosis") share no name with each other or
  with the broader condition ("Meningitis and Encephalitis", "Diabetes Type 1"), so they stay apart.

What therefore does NOT merge: OMIM and Orphanet entries with different names (Orphanet's
"Mucolipidosis type III" group and OMIM's "Mucolipidosis III alpha/beta"), eponym variants
("Gilles de la Tourette syndrome" / "Tourette syndrome") unless a CUI or a shared name links them,
numbered subtypes, and names that only share an abbreviation.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from .condition import Condition, SourceEntry
from ..terms import normalize
from .names import name_tokens, strong_keys, subtype_tokens, weak_keys

_IDENTIFIED = ("omim", "orpha", "decipher")
#: Pass 4: term-set Jaccard at which a copied symptom table identifies a curated entry; the
#: lower bar when the names share a distinctive word; the smallest table considered. GARD's
#: tables come from older HPO releases: half of those linked to a curated entry by name match it below 0.47.
#: Checked on the 1,361 MedQuAD tables of five terms or more already linked to a curated
#: condition by name (the rule run as if they were not): it picks that condition 737 times (10
#: more with its OMIM/Orphanet twin), another 51 times — most of them the same disease under
#: another name (Leber hereditary optic neuropathy → Leber optic atrophy, Miller-Dieker
#: syndrome → Miller-Dieker lissencephaly syndrome), a few wrong (Penoscrotal transposition →
#: androgen insensitivity syndrome) — two OMIM diseases 6 times (no join), none 557 times.
COPY_JACCARD = 0.8
COPY_JACCARD_NAMED = 0.5
COPY_MIN_TERMS = 5
_NAME_STOP = {"syndrome", "disease", "disorder", "deficiency", "type", "with", "and", "congenital", "familial",
              "hereditary", "autosomal", "dominant", "recessive", "linked", "related", "associated", "due",
              "without", "the", "of", "form", "infantile", "juvenile", "adult", "onset", "early", "late", "primary",
              "isolated", "progressive", "multiple", "partial", "complete", "severe", "mild", "acute", "chronic"}
#: A CUI given to this many differently named MedQuAD foci is generic (not an identity).
GENERIC_CUI_NAMES = 5
#: Name tokens that make a condition narrower than the common one a criteria entry describes.
NARROWING = frozenset({"hereditary", "familial", "congenital", "inherited", "autosomal", "linked", "neonatal",
                       "infantile", "juvenile", "chronic", "recurrent", "drug", "induced", "atypical", "secondary"})
_CRITERIA = "criteria"


def _qualifiers(e: SourceEntry) -> set[str]:
    return {t for n in _names(e) for t in name_tokens(n) if t in NARROWING}


class _Components:
    def __init__(self, entries: Sequence[SourceEntry], cuis: Sequence[frozenset[str]]) -> None:
        self.parent = list(range(len(entries)))
        self.ids: list[dict[str, set[str]]] = []
        self.cuis: list[set[str]] = [set(c) for c in cuis]
        #: per component: qualifiers of its criteria entries' names (None: it has none), and
        #: qualifiers of its other entries' names (the cannot-link rule of the module docstring)
        self.crit: list[set[str] | None] = []
        self.quals: list[set[str]] = []
        for e in entries:
            self.ids.append({e.kind: {e.source_id}} if e.kind in _IDENTIFIED else {})
            q = _qualifiers(e)
            self.crit.append(q if e.kind == _CRITERIA else None)
            self.quals.append(set() if e.kind == _CRITERIA else q)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def can_join(self, a: int, b: int, check_cuis: bool) -> bool:
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        for kind in _IDENTIFIED:
            ia, ib = self.ids[a].get(kind), self.ids[b].get(kind)
            if ia and ib and ia != ib:
                return False
        if check_cuis and self.cuis[a] and self.cuis[b] and not (self.cuis[a] & self.cuis[b]):
            return False
        for x, y in ((a, b), (b, a)):
            if self.crit[x] is not None and self.quals[y] - self.crit[x]:
                return False
        return True

    def join(self, a: int, b: int, check_cuis: bool = False) -> bool:
        if not self.can_join(a, b, check_cuis):
            return False
        a, b = self.find(a), self.find(b)
        if a == b:
            return True
        self.parent[b] = a
        for kind, ids in self.ids[b].items():
            self.ids[a].setdefault(kind, set()).update(ids)
        self.cuis[a] |= self.cuis[b]
        self.quals[a] |= self.quals[b]
        if self.crit[b] is not None:
            self.crit[a] = (self.crit[a] or set()) | self.crit[b]
        return True


def _names(e: SourceEntry) -> list[str]:
    return [n for n in (e.name, *e.synonyms) if n]


def specific_cuis(entries: Sequence[SourceEntry]) -> list[frozenset[str]]:
    """Each entry's CUIs without the generic ones (module docstring, pass 2).

    A generic CUI stays in an entry whose name contains the name of a condition that carries that
    CUI alone: "Neuropathy, ataxia, and retinitis pigmentosa" (C0004134 Ataxia, C0035334
    Retinitis pigmentosa, C0442874 Neuropathy) keeps C0035334 — "retinitis pigmentosa" is a
    MedQuAD focus with that one CUI — so it is not reduced to {C0004134}, the CUI set of
    "Ataxia", and the two are not joined; nor are the entries with the same CUIs under another
    name ("NARP"). Such a kept CUI never makes a set on its own (an entry with generic CUIs only
    has none)."""
    names_of: dict[str, set[str]] = defaultdict(set)
    alone: dict[str, set[str]] = defaultdict(set)  # CUI -> normalised names of entries with only that CUI
    for e in entries:
        for c in e.cuis:
            names_of[c].add(e.name.lower())
        if len(e.cuis) == 1:
            alone[e.cuis[0]].add(normalize(e.name))
    generic = {c for c, ns in names_of.items() if len(ns) >= GENERIC_CUI_NAMES}

    def named_in(c: str, name: str) -> bool:
        padded = f" {name} "
        return any(len(n) >= 4 and n != name.strip() and f" {n} " in padded for n in alone.get(c, ()))

    kept: dict[frozenset[str], set[str]] = defaultdict(set)  # full CUI set -> generic CUIs its names keep
    for e in entries:
        if any(c in generic for c in e.cuis):
            norm = normalize(e.name)
            kept[frozenset(e.cuis)] |= {c for c in e.cuis if c in generic and named_in(c, norm)}
    out = []
    for e in entries:
        own = frozenset(c for c in e.cuis if c not in generic)
        # a kept generic CUI only tells a specific set apart; alone it identifies nothing
        out.append(own | kept.get(frozenset(e.cuis), set()) if own else own)
    return out


def ambiguous_cui_sets(entries: Sequence[SourceEntry], cuis: Sequence[frozenset[str]]) -> set[frozenset[str]]:
    """CUI sets that do not identify one condition (module docstring, pass 2)."""
    keys_of: dict[frozenset[str], set[str]] = defaultdict(set)
    for e, cs in zip(entries, cuis):
        if cs:
            keys_of[cs] |= strong_keys(e.name) or {e.name.lower()}
    out = set()
    for cs, keys in keys_of.items():
        if len(keys) >= 3:
            out.add(cs)
        elif len(keys) == 2:
            a, b = sorted(keys)
            diff = set(a.split()) ^ set(b.split())
            if diff and diff <= subtype_tokens(a) | subtype_tokens(b):
                out.add(cs)
    return out


def merge_entries(entries: Sequence[SourceEntry]) -> list[Condition]:
    """Group ``entries`` into conditions (module docstring); returns them in the order of each
    condition's first entry."""
    cuis = specific_cuis(entries)
    comp = _Components(entries, cuis)
    strong: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        for n in _names(e):
            for k in strong_keys(n):
                strong[k].append(i)
    for members in strong.values():
        for j in members[1:]:
            comp.join(members[0], j)
    ambiguous = ambiguous_cui_sets(entries, cuis)
    by_cuis: dict[frozenset[str], list[int]] = defaultdict(list)
    for i, cs in enumerate(cuis):
        if cs and cs not in ambiguous:
            by_cuis[cs].append(i)
    for members in by_cuis.values():
        for j in members[1:]:
            comp.join(members[0], j)
    weak: dict[str, set[int]] = defaultdict(set)
    for i, e in enumerate(entries):
        for n in _names(e):
            for k in weak_keys(n) | strong_keys(n):
                weak[k].add(i)
    for members in weak.values():
        roots = sorted({comp.find(i) for i in members})
        if len(roots) < 2:
            continue
        if all(comp.can_join(a, b, True) for x, a in enumerate(roots) for b in roots[x + 1 :]):
            for b in roots[1:]:
                comp.join(roots[0], b, True)
    link_copied_tables(entries, comp)
    groups: dict[int, list[SourceEntry]] = {}
    for i, e in enumerate(entries):
        groups.setdefault(comp.find(i), []).append(e)
    return [Condition.from_entries(g) for g in groups.values()]


def _distinctive(name: str) -> set[str]:
    return {t for t in name_tokens(name) if len(t) >= 4 and not t.isdigit() and t not in _NAME_STOP}


def _subtypes(name: str) -> set[str]:
    """Subtype numbers of a name, and subtype letters after a number or at its end ("Usher
    syndrome type 1B" → {1, b}; "Cockayne syndrome, type B" → {b}; not the K of "Vitamin K
    antagonist embryofetopathy")."""
    toks = name_tokens(name)
    return {t for i, t in enumerate(toks) if t in subtype_tokens(t)
            and (t[0].isdigit() or i == len(toks) - 1 or (i and toks[i - 1].isdigit()))}


def link_copied_tables(entries: Sequence[SourceEntry], comp: _Components) -> int:
    """Pass 4 of the module docstring: join each copied symptom table's condition to the curated
    condition whose annotations it copies. Returns the number of joins made."""
    curated = [i for i, e in enumerate(entries) if e.kind in _IDENTIFIED and len(e.phenotype) >= COPY_MIN_TERMS]
    by_term: dict[str, list[int]] = defaultdict(list)
    for i in curated:
        for t in entries[i].phenotype:
            by_term[t].append(i)
    joins = 0
    for i, e in enumerate(entries):
        if e.phenotype_source != "table" or len(e.phenotype) < COPY_MIN_TERMS or comp.ids[comp.find(i)]:
            continue
        shared: dict[int, int] = defaultdict(int)
        for t in e.phenotype:
            for j in by_term.get(t, ()):
                shared[j] += 1
        words, subs = _distinctive(e.name), _subtypes(e.name)
        best: dict[int, float] = {}  # curated root -> best qualifying Jaccard
        for j, n in shared.items():
            jac = n / (len(e.phenotype) + len(entries[j].phenotype) - n)
            if jac < COPY_JACCARD_NAMED:
                continue
            if jac < COPY_JACCARD and not words & _distinctive(entries[j].name):
                continue
            if subs != _subtypes(entries[j].name):  # a subtype is not its family, nor another subtype
                continue
            r = comp.find(j)
            best[r] = max(best.get(r, 0.0), jac)
        roots = sorted(best)
        if roots and all(comp.can_join(a, b, False) for x, a in enumerate(roots) for b in roots[x + 1 :]):
            for r in roots:  # one disease: an OMIM entry and its Orphanet twin may both match
                joins += comp.join(r, i)
    return joins
