"""Condition vocabulary and a fast matcher of condition mentions in text.

Conditions come from two places, both read from the indexed documents themselves (so any index
carries its own vocabulary):

* MedQuAD records (``extra.focus``, ``extra.cuis``, ``extra.semantic_group``): the focus names
  the disorder; abbreviations are taken from the record text where the name is followed by one
  in brackets ("acute lymphoblastic leukemia (ALL)");
* MeSH terms of PubMed records that look like disorders (a disorder word such as "syndrome",
  "carcinoma" or a suffix such as "-itis", "-osis"), with inverted MeSH headings re-ordered
  ("Diabetes Mellitus, Type 2" → "type 2 diabetes mellitus").

Names are compared after :func:`~medcite.clinical.terms.normalize` (:mod:`medcite.clinical.terms`: ASCII, lower case, punctuation → space, light plural
folding). Conditions with the same normalised name, or the same non-empty set of UMLS CUIs, are
one condition. Mentions are found with one compiled regular expression whose alternation is a
character trie of all names (longest name wins at a position); abbreviations are matched case-
sensitively by a second expression. Each condition has an IDF weight ``log((N + 1) / (df + 1))``
from the number of documents that carry or mention it, which down-weights generic names.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..documents import Document, Passage
from .lexicon import treatment_lexicon
from .terms import (
    ABBREV,
    AGE_PREFIX,
    BRACKETED_ABBREV,
    SUBTYPE,
    accept_medquad_focus,
    long_form,
    looks_like_disorder,
    name_variants,
    normalize,
    same_name,
    trie_regex,
)

@dataclass
class Condition:
    """One condition of the vocabulary.

    Attributes:
        id: position in :attr:`Vocabulary.conditions`.
        name: display name (the first name seen, MedQuAD before MeSH).
        key: normalised name.
        cuis: UMLS CUIs (from MedQuAD; empty for MeSH-only conditions).
        semantic_group: UMLS semantic group ("Disorders", or "" when unknown).
        forms: normalised surface forms matched in text.
        abbreviations: case-sensitive abbreviations matched in text.
        sources: "medquad" and/or "mesh".
        idf: ``log((N + 1) / (df + 1))`` over the documents the vocabulary was built from.
    """

    id: int
    name: str
    key: str
    cuis: set[str] = field(default_factory=set)
    semantic_group: str = ""
    forms: set[str] = field(default_factory=set)
    abbreviations: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    idf: float = 1.0
    cui_sets: list[frozenset[str]] = field(default_factory=list)

    def matches(self, name: str = "", cuis: Iterable[str] = (), ambiguous: Iterable[frozenset[str]] = ()) -> bool:
        """Whether this condition is ``name`` (same normalised name or surface form) or has
        exactly the CUI set ``cuis`` among the CUI sets merged into it, unless that CUI set is in
        ``ambiguous`` (held by several conditions, see :meth:`Vocabulary.ambiguous_cui_sets`)."""
        if name and normalize(name) in self.forms | {self.key}:
            return True
        cs = frozenset(c for c in cuis or () if c)
        return bool(cs) and cs in self.cui_sets and cs not in set(ambiguous)

    def to_json(self) -> dict:
        """JSON-serialisable summary (name, CUIs, group, sources)."""
        return {"name": self.name, "cuis": sorted(self.cuis), "semantic_group": self.semantic_group, "sources": sorted(self.sources)}




class Vocabulary:
    """Conditions plus their matcher.

    Build with :meth:`from_documents` (or :meth:`add` then :meth:`compile`); then
    :meth:`find` returns the condition ids mentioned in a text and :attr:`doc_conditions` the
    conditions attached to a document (MedQuAD focus, disorder MeSH headings).
    """

    def __init__(self) -> None:
        self.conditions: list[Condition] = []
        self._by_key: dict[str, int] = {}
        self._by_cuis: dict[frozenset[str], int] = {}
        self.form_ids: dict[str, set[int]] = defaultdict(set)
        self.abbrev_ids: dict[str, set[int]] = defaultdict(set)
        #: option keys of treatments named in MedQuAD treatment answers or MeSH headings
        self.treatment_terms: set[str] = set()
        #: document id → ``{condition id: "focus" | "mesh"}``
        self.doc_conditions: dict[str, dict[int, str]] = {}
        self.n_documents = 0
        self._form_re: re.Pattern | None = None
        self._abbrev_re: re.Pattern | None = None

    def __len__(self) -> int:
        return len(self.conditions)

    # -- building -------------------------------------------------------------------------
    def add(self, name: str, cuis: Iterable[str] = (), semantic_group: str = "", source: str = "medquad") -> int | None:
        """Add (or merge into) a condition; returns its id, or ``None`` for an empty name.

        A name merges into an existing condition with the same normalised name (or surface
        form), or with the same non-empty CUI set when the two names also share at least half
        their words and differ in no negation ("non-Hodgkin" never merges with "Hodgkin").
        """
        variants, abbrevs = name_variants(name)
        key = normalize(re.sub(r"\([^()]*\)", " ", name)) or normalize(name)
        if not key:
            return None
        cuiset = frozenset(c for c in cuis or () if c)
        cid = self._by_key.get(key)
        for v in sorted(variants):
            if cid is None:
                cid = self._by_key.get(v)
        if cid is None and cuiset and cuiset in self._by_cuis:
            other = self.conditions[self._by_cuis[cuiset]]
            if same_name(key, other.key):
                cid = other.id
        if cid is None:
            cid = len(self.conditions)
            self.conditions.append(Condition(cid, " ".join(name.split()), key, set(), semantic_group or ""))
        if cuiset:
            self._by_cuis.setdefault(cuiset, cid)
        c = self.conditions[cid]
        c.cuis |= cuiset
        if cuiset and cuiset not in c.cui_sets:
            c.cui_sets.append(cuiset)
        c.semantic_group = c.semantic_group or (semantic_group or "")
        c.sources.add(source)
        for v in variants | {key}:
            c.forms.add(v)
            self._by_key.setdefault(v, cid)
        c.abbreviations |= abbrevs
        self._form_re = None
        return cid

    def lookup(self, name: str) -> Condition | None:
        """The condition one of whose surface forms equals a variant of ``name``, else ``None``."""
        cid = self._by_key.get(normalize(name))
        if cid is None:
            for v in sorted(name_variants(name)[0]):
                cid = self._by_key.get(v)
                if cid is not None:
                    break
        return self.conditions[cid] if cid is not None else None

    def ambiguous_cui_sets(self) -> set[frozenset[str]]:
        """CUI sets that do not identify one condition: held by three or more conditions (one
        generic CUI for many numbered subtypes), or by two whose names differ only in subtype
        tokens ("usher syndrome type 1b" / "… 1c"). Two differently named conditions sharing a
        CUI set are synonyms ("47 XXX syndrome" / "triple X syndrome")."""
        owners: dict[frozenset[str], list[Condition]] = defaultdict(list)
        for c in self.conditions:
            for cs in set(c.cui_sets):
                owners[cs].append(c)
        out = set()
        for cs, conds in owners.items():
            if len(conds) >= 3:
                out.add(cs)
            elif len(conds) == 2:
                diff = set(conds[0].key.split()) ^ set(conds[1].key.split())
                if diff and all(SUBTYPE.match(w) for w in diff):
                    out.add(cs)
        return out

    def condition_by_key(self, key: str) -> Condition | None:
        """The condition whose own normalised name is ``key`` (``None`` when there is none)."""
        cid = self._by_key.get(key)
        if cid is not None and self.conditions[cid].key == key:
            return self.conditions[cid]
        return next((c for c in self.conditions if c.key == key), None)

    def add_age_group_variants(self) -> None:
        """Let "Adult …"/"Childhood …" conditions also match the name without that prefix, unless
        another condition owns that name ("acute lymphoblastic leukemia" → adult and childhood ALL)."""
        for c in self.conditions:
            for f in list(c.forms):
                m = AGE_PREFIX.match(f)
                if m and len(f[m.end() :].split()) >= 2:
                    bare = f[m.end() :]
                    owner = self._by_key.get(bare)
                    if owner is None or self.conditions[owner].key != bare:
                        c.forms.add(bare)
        self._form_re = None

    def add_abbreviations_from_text(self, cid: int, text: str) -> None:
        """Add abbreviations defined for condition ``cid`` in ``text`` ("… acute lymphoblastic
        leukemia (ALL) …"): the long form before the brackets is found as in Schwartz & Hearst
        2003 ("A simple algorithm for identifying abbreviation definitions in biomedical text",
        PSB) and must be one of the condition's surface forms."""
        c = self.conditions[cid]
        for m in BRACKETED_ABBREV.finditer(text):
            abbr = m.group(1)
            if abbr.upper() != abbr or not ABBREV.match(abbr):
                continue
            expansion = long_form(abbr, text[max(0, m.start() - 200) : m.start()])
            if expansion and normalize(expansion) in c.forms:
                c.abbreviations.add(abbr)

    @classmethod
    def from_documents(cls, docs: Iterable[Document], mesh: bool = True, index_mentions: bool = True) -> Vocabulary:
        """Build from documents: MedQuAD foci, then disorder MeSH headings, then IDF weights.

        Args:
            docs: the indexed documents (iterated twice: materialised into a list).
            mesh: also add disorder-like MeSH headings.
            index_mentions: count text mentions (not only attachments) for the IDF weights
                (one regex pass over every document's title and text).
        """
        docs = list(docs)
        v = cls()
        focus_of: dict[str, int] = {}
        for d in docs:
            focus = (d.extra or {}).get("focus")
            if focus and accept_medquad_focus(d.extra):
                cid = v.add(str(focus), d.extra.get("cuis") or (), d.extra.get("semantic_group") or "", "medquad")
                if cid is not None:
                    focus_of[d.id] = cid
        for d in docs:
            if d.id in focus_of:
                v.add_abbreviations_from_text(focus_of[d.id], d.title + "\n" + d.body()[:4000])
        mesh_of: dict[str, list[int]] = {}
        if mesh:
            for d in docs:
                ids = []
                for term in d.mesh_terms:
                    known = v.lookup(term)
                    if known is not None:
                        ids.append(known.id)
                    elif looks_like_disorder(term):
                        cid = v.add(term, (), "", "mesh")
                        if cid is not None:
                            ids.append(cid)
                if ids:
                    mesh_of[d.id] = ids
        v.add_age_group_variants()
        v._drop_ambiguous_abbreviations()
        v.treatment_terms = {t for t in treatment_lexicon(docs) if v.lookup(t) is None}  # conditions are not treatments
        v.compile()
        df: Counter[int] = Counter()
        for d in docs:
            attached: dict[int, str] = {}
            for cid in mesh_of.get(d.id, []):
                attached[cid] = "mesh"
            if d.id in focus_of:
                attached[focus_of[d.id]] = "focus"
            if attached:
                v.doc_conditions[d.id] = attached
            seen = set(attached)
            if index_mentions:
                seen |= v.find(d.title + "\n" + d.body())
            df.update(seen)
        v.n_documents = len(docs)
        v.set_idf(df, len(docs))
        return v

    def set_idf(self, df: Counter[int] | dict[int, int], n_docs: int) -> None:
        """Set ``idf = log((n_docs + 1) / (df + 1))`` for every condition."""
        for c in self.conditions:
            c.idf = math.log((n_docs + 1) / (df.get(c.id, 0) + 1))

    def _drop_ambiguous_abbreviations(self) -> None:
        owners: dict[str, set[int]] = defaultdict(set)
        for c in self.conditions:
            for a in c.abbreviations:
                owners[a].add(c.id)
        for a, ids in owners.items():
            if len(ids) > 1 or len(a) < 2:
                for cid in ids:
                    self.conditions[cid].abbreviations.discard(a)

    def compile(self) -> None:
        """(Re)build the matchers; called by :meth:`find` when needed."""
        self.form_ids = defaultdict(set)
        self.abbrev_ids = defaultdict(set)
        for c in self.conditions:
            for f in c.forms:
                if len(f) >= 3:
                    self.form_ids[f].add(c.id)
            for a in c.abbreviations:
                self.abbrev_ids[a].add(c.id)
        forms = sorted(self.form_ids)
        self._form_re = re.compile(r"(?<![a-z0-9])(?:" + trie_regex(forms) + r")(?![a-z0-9])") if forms else None
        abbrevs = sorted(self.abbrev_ids)
        self._abbrev_re = re.compile(r"(?<![A-Za-z0-9-])(?:" + trie_regex(abbrevs) + r")(?![A-Za-z0-9-])") if abbrevs else None

    # -- matching -------------------------------------------------------------------------
    def find(self, text: str) -> set[int]:
        """Ids of the conditions mentioned in ``text`` (names, synonyms, abbreviations)."""
        return set(self.find_counts(text))

    def find_counts(self, text: str) -> Counter[int]:
        """``{condition id: number of mentions}`` in ``text``."""
        if self._form_re is None:
            self.compile()
        out: Counter[int] = Counter()
        if not text:
            return out
        if self._form_re is not None:
            for m in self._form_re.finditer(normalize(text)):
                for cid in self.form_ids.get(m.group(0), ()):
                    out[cid] += 1
        if self._abbrev_re is not None:
            for m in self._abbrev_re.finditer(text):
                for cid in self.abbrev_ids.get(m.group(0), ()):
                    out[cid] += 1
        return out

    def attached(self, doc_id: str) -> dict[int, str]:
        """``{condition id: "focus" | "mesh"}`` attached to a document ({} when none)."""
        return self.doc_conditions.get(doc_id, {})

    # -- persistence ----------------------------------------------------------------------
    def to_json(self) -> dict:
        """JSON-serialisable form (conditions, document attachments, document count)."""
        return {
            "schema": 1,
            "n_documents": self.n_documents,
            "conditions": [
                {
                    "name": c.name, "key": c.key, "cuis": sorted(c.cuis), "cui_sets": [sorted(s) for s in c.cui_sets],
                    "semantic_group": c.semantic_group, "forms": sorted(c.forms), "abbreviations": sorted(c.abbreviations),
                    "sources": sorted(c.sources), "idf": c.idf,
                }
                for c in self.conditions
            ],
            "doc_conditions": {d: [[cid, kind] for cid, kind in att.items()] for d, att in self.doc_conditions.items()},
            "treatment_terms": sorted(self.treatment_terms),
        }

    @classmethod
    def from_json(cls, data: dict) -> Vocabulary:
        """Inverse of :meth:`to_json`.

        Raises:
            ValueError: unknown schema.
        """
        if data.get("schema") != 1:
            raise ValueError(f"unknown vocabulary schema {data.get('schema')!r}")
        v = cls()
        for i, r in enumerate(data["conditions"]):
            c = Condition(
                i, r["name"], r["key"], set(r["cuis"]), r["semantic_group"], set(r["forms"]), set(r["abbreviations"]),
                set(r["sources"]), float(r["idf"]), [frozenset(s) for s in r["cui_sets"]],
            )
            v.conditions.append(c)
            for f in c.forms | {c.key}:
                v._by_key.setdefault(f, i)
            for s in c.cui_sets:
                v._by_cuis.setdefault(s, i)
        v.doc_conditions = {d: {int(cid): kind for cid, kind in att} for d, att in data["doc_conditions"].items()}
        v.n_documents = int(data["n_documents"])
        v.treatment_terms = set(data.get("treatment_terms", []))
        v.compile()
        return v


def passage_links(p: Passage, vocabulary: Vocabulary) -> dict[int, str]:
    """``{condition id: strongest link}`` for one passage: attached focus/MeSH, then title/text mentions."""
    links: dict[int, str] = dict(vocabulary.attached(p.doc_id))
    for cid in vocabulary.find(p.title):
        links.setdefault(cid, "title")
    for cid in vocabulary.find(p.text):
        links.setdefault(cid, "text")
    return links


def _code_version() -> str:
    """Digest of the code that builds vocabularies: a cache made by other code is not reused."""
    here = Path(__file__).parent
    h = hashlib.sha1()
    for name in ("vocabulary.py", "lexicon.py"):
        try:
            h.update((here / name).read_bytes())
        except OSError:
            pass
    return h.hexdigest()[:8]


def vocabulary_for_index(index, cache_dir: Path | None = None) -> Vocabulary:
    """The vocabulary of a loaded :class:`~medcite.index.Index` version.

    Built from the index's documents (tens of seconds for ~30k documents) and cached as gzipped
    JSON in ``cache_dir`` under a name made of the index path, the version and a digest of the
    vocabulary code, so later processes load it in about a second. A cache that cannot be read
    or written is ignored (rebuilt / not kept).

    Args:
        index: the loaded index.
        cache_dir: directory for cache files (``None``: no disk cache).
    """
    path = None
    if cache_dir is not None:
        tag = hashlib.sha1(str(Path(index.dir.root).resolve()).encode() + _code_version().encode()).hexdigest()[:10]
        path = Path(cache_dir) / f"vocabulary-{index.name}-{tag}-{index.version}.json.gz"
        if path.is_file():
            try:
                with gzip.open(path, "rt", encoding="utf-8") as f:
                    return Vocabulary.from_json(json.load(f))
            except (OSError, ValueError, KeyError, TypeError):
                pass
    vocab = Vocabulary.from_documents(index.store.iter_documents())
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".tmp{os.getpid()}")
            with gzip.open(tmp, "wt", encoding="utf-8") as f:
                json.dump(vocab.to_json(), f)
            os.replace(tmp, path)
            for old in path.parent.glob(f"vocabulary-{index.name}-{tag}-v*.json.gz"):
                if old != path:  # caches of older versions of this index
                    old.unlink(missing_ok=True)
        except OSError:
            pass
    return vocab
