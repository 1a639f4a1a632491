"""The rows of the given-candidates mode (``--candidates``): one :class:`Entry` per name as the
user gave it, never merged — a clinician's candidate must not disappear from the list because
another of the names resolves to the same knowledge-base condition (issue 15: "viral
meningitis; bacterial meningitis" both resolve to MedQuAD's "Meningitis and Encephalitis", and the
second used to be dropped). Scoring follows :mod:`.given`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .given import resolve_name
from .given_language import english_forms
from .knowledge.base import KBMatch, KnowledgeBase
from .knowledge.scoring import score_profile
from .terms import normalize
from .vocabulary import Vocabulary

if TYPE_CHECKING:
    from .diagnose import Candidate


@dataclass
class Entry:
    """A candidate row while ranking: its knowledge-base or literature key, display name, score,
    knowledge-base match, literature candidate (``diagnose.Candidate``), and for a given name
    the name as given."""

    key: str
    name: str
    score: float
    kb: KBMatch | None
    lit: Candidate | None
    given: str | None = None
    resolved: bool = True
    #: other given names resolving to the same knowledge-base entry (their rows are kept apart)
    shared: tuple[str, ...] = ()


def given_entries(names: Sequence[str], kb: KnowledgeBase, vocabulary: Vocabulary, q_ids, x_ids, exclude_sources, lit_by_key, weight, notes) -> list[Entry]:
    """Entries for exactly the given names, one per name as given, ranked by the combined score.

    Two names resolving to one knowledge-base condition ("viral meningitis", "bacterial
    meningitis" → Meningitis) each keep their own row, marked :attr:`Entry.shared`: the
    knowledge base cannot tell them apart, so each row's literature is its own name's only
    (never the shared condition's, which would rank them by the order they were typed)."""
    q, x = kb.terms(q_ids), [t for t in kb.terms(x_ids) if t not in kb.terms(q_ids)]
    matches: dict[str, KBMatch] = {}
    rows: list[tuple[str, str, bool]] = []  # (key, name as given, in the knowledge base)
    broader, translated = [], []
    english: dict[str, str] = {}  # name as given → the form resolved or searched (its English form)
    for raw in dict.fromkeys(n.strip() for n in names if n.strip()):
        cond, exact, said = _resolve_any(raw, kb, vocabulary)
        if said != raw:
            translated.append(f"{raw} → {cond.name if cond is not None else said}")
        if cond is not None and not exact:
            broader.append(f"{raw} → {cond.name}")
        if cond is not None:
            key = cond.id
            if key in matches:
                pass
            elif cond.phenotype and q:
                s, ex, un, co = score_profile(kb.ontology, kb.tables.term_ic, cond.phenotype_without(exclude_sources), q, x)
                s, co = kb.apply_excluded(cond, q, s, co)  # a present finding a source excludes, as in the open ranking
                matches[key] = KBMatch(cond, s, ex, un, co)
            else:
                matches[key] = KBMatch(cond, 0.0, [], list(q), [])
        else:
            taken = {k for k, _, _ in rows}
            key = _lit_key(said)
            words = said.split()  # the literature's name without leading qualifiers ("acute pancreatitis" → pancreatitis)
            key = next((k for k in [key] + [f"LIT:{normalize(' '.join(words[i:]))}" for i in range(1, len(words))]
                        if k in lit_by_key and k not in taken), key)
        rows.append((key, raw, cond is not None))
        english[raw] = said
        if kb.is_finding_name(said):
            notes.append(f"'{raw}' names a finding rather than a disease; it is ranked as given")
    if translated:
        notes.append("given names read in English: " + "; ".join(translated))
    if broader:
        notes.append("matched to the broader condition in the knowledge base: " + "; ".join(broader))
    by_key: dict[str, list[str]] = {}
    for key, raw, _ in rows:
        by_key.setdefault(key, []).append(raw)
    for key, raws in by_key.items():
        if len(raws) > 1:
            entry = f" ({matches[key].condition.name})" if key in matches else ""
            where = "one knowledge-base entry" if key in matches else "one literature name"
            notes.append(f"{' and '.join(repr(r) for r in raws)} resolve to {where}{entry}, which cannot "
                         "tell them apart: each is ranked on the passages naming it, and each row says so")
    lit_of = {}
    for key, raw, _ in rows:  # a shared entry's literature is its own name's only
        lit_of[raw] = lit_by_key.get(_lit_key(raw)) if len(by_key[key]) > 1 else lit_by_key.get(key)
    # on the open differential's scale (the case's best knowledge-base match and best literature
    # score), so a handful of given names is not ranked against each other alone
    best = kb.rank(q_ids, x_ids, limit=1, exclude_sources=exclude_sources) if q_ids else []
    kb_top = max([1e-9, *(m.score for m in best), *(m.score for m in matches.values())])
    lit_top = max([1e-9, *(c.score for c in lit_by_key.values()), *(c.score for c in lit_of.values() if c is not None)])
    entries = []
    for key, raw, known in rows:
        m, lc = matches.get(key), lit_of[raw]
        score = (1 - weight) * max(0.0, m.score if m else 0.0) / kb_top + weight * (lc.score if lc else 0.0) / lit_top
        shared = tuple(r for r in by_key[key] if r != raw)
        name = raw if shared else m.condition.name if m is not None else english[raw]  # "mesenteric lymphadenitis" for 肠系膜淋巴结炎
        entries.append(Entry(key, name, score, m, lc, given=raw, resolved=known, shared=shared))
    entries.sort(key=lambda e: -e.score)
    return entries


def _lit_key(name: str) -> str:
    """The literature key of a name the knowledge base lacks; a name with no ASCII letters
    ("急性阑尾炎") keeps its own characters, so two such names never share the empty key."""
    return f"LIT:{normalize(name) or name.strip().lower()}"


def _resolve_any(raw: str, kb: KnowledgeBase, vocabulary: Vocabulary):
    """``(condition or None, exact, name used)``: :func:`.given.resolve_name` of the name as given,
    else of its English forms (:func:`.given_language.english_forms`: "急性阑尾炎" → "acute
    appendicitis"); the name used is the first English form when none resolves."""
    cond, exact = resolve_name(raw, kb, vocabulary)
    if cond is not None:
        return cond, exact, raw
    forms = english_forms(raw)
    for form in forms:
        cond, exact = resolve_name(form, kb, vocabulary)
        if cond is not None:
            return cond, exact, form
    return None, False, forms[0] if forms else raw


def shared_ties(entries: list[Entry]) -> list[str]:
    """Notes for given names that share a knowledge-base entry and end with the same score: the
    order they are listed in then says nothing."""
    out, seen = [], set()
    for e in entries:
        if not e.shared or e.given in seen:
            continue
        group = [x for x in entries if x.key == e.key and x.shared]
        seen |= {x.given for x in group}
        if len({round(x.score, 6) for x in group}) == 1:
            out.append(f"{' and '.join(repr(x.given) for x in group)} tie: nothing indexed tells them apart for these "
                       "findings, so their order means nothing")
    return out
