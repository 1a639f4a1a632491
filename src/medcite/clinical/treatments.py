"""Treatment options for a condition, each with citations and the evidence level of each cited paper.

Method: passages are retrieved for several phrasings ("<condition> treatment", "<condition>
therapy", "treatment of <condition>", "<condition> management"; fused by RRF in
:meth:`Retriever.search`); passages that do not name the condition, or name another kind of it
(type 1 for a type 2 question, paediatric for adults: :mod:`~medcite.clinical.qualifiers`), are
set aside; the passage itself must name the condition (the paper's MeSH headings do not count),
since it is what each option quotes as evidence. A passage supports options for the condition
only where the condition is what its paper is about or what the option treats there
(:func:`evidence_text`): the whole passage when the paper's title (its abstract's first sentence
when the index stores no title) names the condition, else only its sentences that name it; a paper
naming the condition only as a complication, background or exclusion gives no option. Treatment
names are found in that text with :func:`~medcite.clinical.lexicon.treatment_mentions`. A name is
kept when it carries a drug stem, is a procedure, is in the index's treatment lexicon (MedQuAD
treatment answers, MeSH), or is named by the "treated with X" / "X therapy" patterns in at
least two PubMed papers; names that are themselves conditions are dropped. Each option cites the papers
naming it (best retrieval rank first) and gives each paper's evidence level
(:func:`~medcite.clinical.evidence.evidence_level`, publication types first, abstract wording
otherwise). Names are widened to the whole intervention and trimmed of verbs ("receive anticoagulant
therapy" → "anticoagulant therapy"); brand and generic names, spellings and the procedures of one
kind are one option (:mod:`~medcite.clinical.synonyms`), and a name that is part of another
option's name is folded into it. A name counts from a passage only where it is named there at least
once neither negated ("should not receive anticoagulant therapy") nor as the condition's cause or
the patients' standing treatment ("All patients were receiving chemotherapy" in a neutropenic-fever
paper; :mod:`~medcite.clinical.option_role`). Options are ordered by the strongest evidence behind them,
then by how many papers name them, then by retrieval score.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from ..answer.citations import references_for
from ..documents import Passage, Reference
from ..answer.item_kinds import DRUG, is_kind
from ..answer.participants import parse_participants
from ..answer.sentences import EFFECT, effect_numbers, is_future_work
from ..errors import UsageError
from ..retrieval import Retriever, SearchOptions
from ._text import STOP, content_tokens, sentences
from .evidence import evidence_level, evidence_rank, is_from_text
from .qualifiers import FAMILIES, conflicts, matches_qualifiers, qualifiers_of
from .lexicon import PROCEDURE, is_drug_like, option_key, treatment_mentions
from .option_role import SURGICAL, roles, surgical_setting
from .result import ClinicalResult, clinical_json
from .summarize import part_of_sentence
from .synonyms import BRANDS, GROUPS, SPELLINGS, lexicon_key
from .terms import normalize
from .vocabulary import Vocabulary

DISCLAIMER = (
    "These are treatments the indexed papers discuss for this condition, with the strength of each "
    "paper's design; they are literature support for a clinician's judgement, not a treatment recommendation."
)
#: Words before a treatment name that are not part of it.
_NOT_MODIFIERS = {"using", "after", "before", "during", "receiving", "received", "underwent", "undergoing", "following", "versus", "vs",
                  "compared", "plus", "combined", "initial", "first", "new", "novel", "current", "standard", "conventional", "treated"}
_NOT_MODIFIERS |= {"study", "whether", "receive", "administer", "include", "prove", "previous", "prior", "post", "days", "increasing",
                   "flanking", "between", "underwent", "requiring", "require", "performed", "perform", "both", "either"}
#: Verb-like forms that do qualify a treatment ("targeted therapy", "extended resection").
_MODIFIER_VERB_FORMS = {"targeted", "extended", "assisted", "robot-assisted", "modified", "combined-modality", "living", "staged"}
QUERY_TEMPLATES = ("{c} treatment", "{c} therapy", "treatment of {c}", "{c} management")
CITATIONS_PER_OPTION = 5


@dataclass
class TreatmentOption:
    """One treatment option.

    Attributes:
        name: display name (the most frequent surface form).
        key: normalised key (generic words dropped).
        citations: reference numbers of the papers naming it, best retrieval rank first.
        evidence: per cited paper ``{"n", "level", "rank"}`` (rank 0 = design unknown).
        best_level: the strongest level among them ("" when all are unknown).
        best_rank: its rank (see :data:`~medcite.clinical.evidence.LEVELS`).
        papers: number of retrieved papers naming the option (may exceed the citations shown).
        score: summed fused retrieval score of those papers.
        quotes: ``{"n", "text"}``: a verbatim sentence of each cited passage naming the option.
        effect: ``{"n", "text", "numbers"}``: the first sentence (strongest paper first) that names
            the option and reports an effect size, CI, p-value or percentage; ``{}`` when none does.
        participants: number of participants of the strongest cited paper (parsed from its
            abstract, :func:`medcite.answer.participants.parse_participants`), or ``None``.
        names: every name the option goes by in the cited passages (brand and generic names,
            the procedures grouped under one heading; :mod:`medcite.clinical.synonyms`).
    """

    name: str
    key: str
    citations: list[int]
    evidence: list[dict[str, Any]]
    best_level: str
    best_rank: int
    papers: int
    score: float
    quotes: list[dict[str, Any]] = field(default_factory=list)
    effect: dict[str, Any] = field(default_factory=dict)
    participants: int | None = None
    names: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-serialisable dict."""
        return asdict(self)


@dataclass
class TreatmentReport(ClinicalResult):
    """Options for one condition with the references they cite."""

    condition: str
    queries: list[str]
    options: list[TreatmentOption]
    references: list[Reference]
    disclaimer: str = DISCLAIMER

    def to_json(self) -> dict[str, Any]:
        """The shared clinical JSON shape: task, input, items, references, notes, disclaimer."""
        return clinical_json("treatments", self.condition, self.options, self, queries=self.queries)


def names_condition(text: str, cond_tokens: set[str], cond_ids: set[int] = frozenset(), vocabulary: Vocabulary | None = None) -> bool:
    """Whether ``text`` (a passage: title and text) itself names the condition: all its content
    words (``cond_tokens``) occur in it, or the vocabulary finds one of the condition's forms in
    it ("T2DM", "non-insulin-dependent diabetes"). The paper's MeSH headings do not count: the
    passage quoted as evidence must say what it is about."""
    if vocabulary is not None and cond_ids & vocabulary.find(text):
        return True
    return bool(cond_tokens) and cond_tokens <= set(content_tokens(text))


#: Words of a condition name a sentence may leave out ("HIV" for "HIV infection"); age groups are
#: checked by :mod:`~medcite.clinical.qualifiers` on the whole passage.
_OPTIONAL_WORDS = {"infection", "infections", "disease", "diseases", "disorder", "syndrome"}


#: Words presenting the condition as a consequence of something else ("AF, which occurs in 12% of
#: foregut surgeries", "fever after tonsillectomy"): such an opening makes the paper about that
#: something, and such a sentence supports no option (it may also drop "X after Y" treatment sentences).
CAUSE = re.compile(r"\b(?:after|following|occurs? in|occurring in|complicating|complications? of|induced by|caused by)\b", re.I)


def core_tokens(cond_tokens: set[str]) -> set[str]:
    """The condition's words a title or sentence must name: ``cond_tokens`` without generic words
    and age groups ({"hiv", "infection"} → {"hiv"}; {"asthma", "children"} → {"asthma"}); all of
    them when nothing would be left."""
    age = FAMILIES["age group"].values()
    core = {t for t in cond_tokens if t not in _OPTIONAL_WORDS and not any(p.fullmatch(t) for p in age)}
    return core or set(cond_tokens)


def evidence_text(title: str, text: str, cond_tokens: set[str], cond_ids: set[int] = frozenset(),
                  vocabulary: Vocabulary | None = None, wanted: dict[str, str] | None = None, subject: str | None = None) -> str:
    """The part of a passage that may support a treatment option for the condition.

    The whole passage (``title + "\n" + text``) when the paper is about the condition: its
    ``subject`` (the title; the abstract's first sentence when the index stores no title) names it
    (and no other kind of it, :func:`~medcite.clinical.qualifiers.conflicts`) and not as a
    consequence (:data:`CAUSE`: "AF, which occurs in 12% of foregut surgeries"). Otherwise only the
    sentences of ``text`` that themselves name the condition, not as a consequence, joined by newlines: a paper on liver
    hydatid cysts naming anaphylaxis once as a complication supports no anaphylaxis treatment from
    its other sentences. ``""`` when no sentence qualifies. ``cond_tokens`` are matched through
    :func:`core_tokens`.
    """
    wanted = wanted or {}
    core = core_tokens(cond_tokens)
    subject = title if subject is None else subject

    def about(s: str) -> bool:
        return names_condition(s, core, cond_ids, vocabulary) and not conflicts(wanted, s)

    if subject.strip() and about(subject) and not CAUSE.search(subject):  # not "AF, which occurs in 12% of foregut surgeries"
        return title + "\n" + text
    return "\n".join(s.strip() for s in sentences(text) if about(s) and not CAUSE.search(s))


def _effect(text: str, surface: str) -> str:
    """The first sentence of ``text`` naming ``surface`` that reports an effect size, CI, p-value or %."""
    low = surface.lower()
    return next((s.strip() for s in sentences(text) if low in s.lower() and EFFECT.search(s)), "")


def whole_name(sentence: str, surface: str) -> str:
    """The option as a clinician names it: ``surface`` with the up to two modifiers before it in
    ``sentence`` ("surgery" in "Bariatric surgery such as …" → "Bariatric surgery"; "bypass" →
    "gastric bypass"); ``surface`` itself when it does not occur or nothing qualifies."""
    m = re.search(r"((?:[A-Za-z][\w-]*\s+){0,2})(" + re.escape(surface) + r")\b", sentence, re.IGNORECASE)
    if not m:
        return surface
    kept: list[str] = []
    for w in reversed(m.group(1).split()):  # the modifiers right before the name, up to a function word or a verb
        if not is_modifier(w):
            break
        kept.insert(0, w)
    return " ".join([*kept, m.group(2)])


def is_modifier(word: str) -> bool:
    """Whether ``word`` can qualify a treatment name ("Laparoscopic", "low-dose", "gastric"): not a
    function word, filler or verb form ("received", "increasing", "administers"), not a number."""
    w = word.lower()
    if w in STOP or w in _NOT_MODIFIERS or not w[-1].isalnum() or not w[0].isalpha():
        return False
    if w in _MODIFIER_VERB_FORMS:
        return True
    return not (w.endswith(("ed", "ing")) or (w.endswith("s") and not w.endswith(("ss", "us", "is", "ous"))))


def clean_name(name: str) -> str:
    """``name`` without leading words that do not qualify it and trailing function words
    ("receive anticoagulant therapy" → "anticoagulant therapy", "chemotherapy between" →
    "chemotherapy"); the last word is always kept."""
    words = name.split()
    while len(words) > 1 and words[-1].lower() in (STOP | _NOT_MODIFIERS):
        words.pop()
    while len(words) > 1 and not is_modifier(words[0]):
        words.pop(0)
    return " ".join(words)


def _fragment_of(small: str, big: str) -> bool:
    """Whether the words of ``small`` are a contiguous whole-word part of ``big`` (or the same)."""
    a, b = small.lower().split(), big.lower().split()
    return any(b[i: i + len(a)] == a for i in range(len(b) - len(a) + 1))


def _group_interventions(found: dict[str, dict[int, str]], surfaces: dict[str, Counter], text_of) -> tuple[dict, dict, dict]:
    """Merge the option keys that name one intervention.

    Each key gets a display name (its most frequent surface form, widened to the whole name in its
    first passage, :func:`whole_name`, and trimmed, :func:`clean_name`); keys whose names map to
    one intervention (:func:`~medcite.clinical.synonyms.intervention_key`: brand = generic,
    procedures under their heading) are merged, and a name that is a whole-word part of another
    option's name ("surgery" of "bariatric surgery") is merged into that option, with only the
    passages that also name that option (the others are dropped: they may mean another surgery).

    Returns:
        ``(found, surfaces, display)`` keyed by the merged keys; ``display[key] = (name, names)``.
    """
    shown: dict[str, str] = {}
    for k, where in found.items():
        surface = surfaces[k].most_common(1)[0][0]
        first = min(where)
        q = next((x for x in sentences(text_of(first)) if where[first].lower() in x.lower()), "")  # its first mention names it in full
        shown[k] = clean_name(whole_name(q, surface) if q else surface)
    group = {k: lexicon_key(shown[k]) or lexicon_key(k) or option_key(shown[k]) or k for k in found}
    members: dict[str, list[str]] = {}
    for k in found:
        members.setdefault(group[k], []).append(k)
    size = {g: sum(len(found[k]) for k in ks) for g, ks in members.items()}
    label = {g: (g if g in GROUPS or g in BRANDS.values() or g in SPELLINGS.values() else
                 shown[max(ks, key=lambda k: (sum(surfaces[k].values()), -min(found[k])))]) for g, ks in members.items()}
    for g in sorted(members, key=lambda g: len(label[g].split())):  # fold fragments into the widest option naming them
        hosts = [h for h in members if h != g and members[h] and _fragment_of(label[g], label[h])]
        if members[g] and hosts:
            host = max(hosts, key=lambda h: (size[h], -len(label[h])))
            host_names = [n.lower() for k in members[host] for n in (shown[k], *surfaces[k])]
            for k in members[g]:  # a passage saying only "surgery" is no evidence for "bariatric surgery"
                found[k] = {i: sf for i, sf in found[k].items() if any(n in text_of(i).lower() for n in host_names)}
            members[host] += [k for k in members[g] if found[k]]
            size[host] += sum(len(found[k]) for k in members[g])
            members[g] = []
    out_found: dict[str, dict[int, str]] = {}
    out_surfaces: dict[str, Counter] = {}
    display: dict[str, tuple[str, list[str]]] = {}
    for g, ks in members.items():
        if not ks:
            continue
        where: dict[int, str] = {}
        counts: Counter = Counter()
        for k in ks:
            for i, sf in found[k].items():
                where.setdefault(i, sf)
            counts += surfaces[k]
        out_found[g], out_surfaces[g] = where, counts
        names = {shown[k] for k in ks} | {clean_name(c) for c in counts} | {label[g]}
        names = [n for n in names if not any(m.lower() != n.lower() and _fragment_of(n, m) for m in names)]  # not "bypass" beside "gastric bypass"
        names.sort(key=lambda n: (n.lower() != label[g].lower(), n.lower()))
        seen: set[str] = set()
        display[g] = (label[g], [n for n in names if not (n.lower() in seen or seen.add(n.lower()))])
    return out_found, out_surfaces, display


#: Preference among the sentences naming an option, by their part of the abstract: what was found
#: before what was done or asked ("We aimed to evaluate the effect of upper airway surgery …" is no
#: evidence for it; askbt break test, PMID 25503376).
_QUOTE_PART = {"conclusion": 0, "results": 0, "": 1, "methods": 2, "objective": 3}


def _quote(text: str, surface: str) -> str:
    """The sentence of ``text`` to quote for the option named ``surface``: among the sentences
    naming it, a finding (conclusion or results, by cue wording and position:
    :func:`~medcite.clinical.summarize.part_of_sentence`) before a methods or aim sentence, one
    reporting an effect (size, CI, p-value, %) first among those, then the earliest; a call for
    more research (:func:`~medcite.answer.sentences.is_future_work`) last. ``""`` when
    no sentence names it."""
    low = surface.lower()
    sents = [x.strip() for x in sentences(text)]
    naming = [(k, x) for k, x in enumerate(sents) if low in x.lower()]
    if not naming:
        return ""
    n = max(len(sents), 1)

    def part(k: int, x: str) -> int:
        return 3 if is_future_work(x) else _QUOTE_PART.get(part_of_sentence(x, k / n), 1)
    return min(naming, key=lambda kx: (part(*kx), not EFFECT.search(kx[1]), kx[0]))[1]


def find_treatments(
    condition: str,
    retriever: Retriever,
    vocabulary: Vocabulary | None = None,
    opts: SearchOptions | None = None,
    top_k: int = 10,
    exclude_docs: set[str] | None = None,
    full_text: dict[str, str] | None = None,
) -> TreatmentReport:
    """Treatment options for ``condition`` from the indexed literature.

    Args:
        condition: the condition ("type 2 diabetes").
        retriever: the index's retriever.
        vocabulary: the index's vocabulary (condition forms, treatment lexicon); ``None`` uses
            the patterns and drug stems only.
        opts: retrieval options; ``opts.top_k`` passages are read (default 30).
        top_k: options returned.
        exclude_docs: documents never used.
        full_text: ``{doc_id: abstract text}`` for evidence detection; default: read from the
            index store (the passage text is used when a document is missing).

    Raises:
        UsageError: empty condition or bad options.
    """
    if not condition or not condition.strip():
        raise UsageError("the condition is empty")
    if top_k < 1:
        raise UsageError("top-k must be at least 1")
    t0 = time.perf_counter()
    condition = " ".join(condition.split())
    queries = [t.format(c=condition) for t in QUERY_TEMPLATES]
    passages = retriever.search(queries, opts or SearchOptions(top_k=30), exclude_docs=exclude_docs)
    t1 = time.perf_counter()
    cond = vocabulary.lookup(condition) if vocabulary is not None else None
    cond_ids = {cond.id} if cond is not None else set()
    cond_tokens = set(content_tokens(condition))
    cond_forms = (cond.forms if cond else set()) | {normalize(condition)}
    relevant = [i for i, p in enumerate(passages) if names_condition(p.title + "\n" + p.text, cond_tokens, cond_ids, vocabulary)]
    notes = []
    if len(relevant) < len(passages):
        notes.append(f"{len(passages) - len(relevant)} of {len(passages)} retrieved passages do not name the condition and were not used")
    wanted = qualifiers_of(condition)
    if wanted:
        same = [i for i in relevant if matches_qualifiers(wanted, passages[i].title + "\n" + passages[i].text)]
        if len(same) < len(relevant):
            notes.append(f"{len(relevant) - len(same)} passages are about another kind of the condition ("
                         + ", ".join(f"not {v}" for v in wanted.values()) + ") and were not used")
        relevant = same
    lexicon = vocabulary.treatment_terms if vocabulary is not None else set()

    store = retriever.index.store if full_text is None else None
    levels: dict[int, str] = {}

    texts: dict[int, str] = {}

    def full_text_of(i: int) -> str:
        if i not in texts:
            p = passages[i]
            text = (full_text or {}).get(p.doc_id, "")
            if not text and store is not None:
                doc = store.get_document(p.doc_id)
                text = (doc.title + "\n" + doc.body()) if doc else ""
            texts[i] = text or p.text
        return texts[i]

    def subject_of(i: int) -> str:
        """The paper's title, or its abstract's first sentence when the index stores no title."""
        p = passages[i]
        if p.title.strip():
            return p.title
        body = sentences(full_text_of(i).lstrip("\n"))
        return body[0] if body else ""

    evidence = {i: evidence_text(passages[i].title, passages[i].text, cond_tokens, cond_ids, vocabulary, wanted, subject_of(i))
                for i in relevant}
    on_topic = [i for i in relevant if evidence[i]]
    if len(on_topic) < len(relevant):
        notes.append(f"{len(relevant) - len(on_topic)} passages name the condition only in passing (not in the paper's "
                     "title or opening sentence, nor in a sentence naming a treatment) and were not used")
    relevant = on_topic

    found: dict[str, dict[int, str]] = {}  # key → {passage index: surface form}
    how_of: dict[str, set[str]] = {}
    surfaces: dict[str, Counter[str]] = {}
    core = core_tokens(cond_tokens)
    tested: set[str] = set()  # compared in a trial ("randomly assigned to insulin monotherapy")
    denied: dict[str, str] = {}  # key → how it was found, for names named only negated or as a cause
    for i in relevant:
        p = passages[i]
        after_surgery = surgical_setting(p.title + "\n" + p.text, core)  # "postoperative AF": operations are the setting
        for surface, how in treatment_mentions(evidence[i]):
            key = option_key(surface)
            if len(key) < 3 or not any(ch.isalpha() for ch in key):
                continue
            found_as = roles(evidence[i], surface, core)
            if (after_surgery and SURGICAL.search(key)) or not found_as & {"intervention", "option"}:  # negated, cause, background …
                denied.setdefault(key, how)
                continue
            if key in cond_forms or any(key in f.split() or key == f for f in cond_forms) or set(key.split()) <= cond_tokens:
                continue
            if vocabulary is not None and vocabulary.lookup(key) is not None and not is_drug_like(key):
                continue  # a condition ("diabetes therapy" → "diabetes"), not a treatment
            if "intervention" in found_as:
                tested.add(key)
            found.setdefault(key, {}).setdefault(i, surface)
            how_of.setdefault(key, set()).add(how)
            surfaces.setdefault(key, Counter())[surface] += 1

    denied = {k: how for k, how in denied.items() if k not in found and (
        how in ("drug", "procedure") or k in lexicon or is_drug_like(k) or PROCEDURE.search(k))}  # would have been options
    if denied:
        notes.append(f"{len(denied)} treatment names appear only negated or as the condition's cause or the patients' "
                     "standing treatment in the passages that name them, and are not options there")

    def accepted(key: str) -> bool:
        hows = how_of[key]
        if "drug" in hows or "procedure" in hows or key in lexicon:
            return True
        if is_drug_like(key) or PROCEDURE.search(key) or (key in tested and is_kind(key, DRUG)):  # "randomly assigned to insulin"
            return True
        return sum(1 for i in found[key] if passages[i].pmid) >= 2  # named by the patterns in two papers

    def level_of(i: int) -> str:
        if i not in levels:
            p = passages[i]
            levels[i] = evidence_level(p.publication_types, full_text_of(i), p.doc_id)
        return levels[i]

    found, surfaces, display = _group_interventions(
        {k: v for k, v in found.items() if accepted(k)}, surfaces, evidence.__getitem__)
    rows = []
    for key, where in found.items():
        idx = sorted(where)  # passage indices = retrieval rank order
        ranked = [(evidence_rank(level_of(i)), not is_from_text(level_of(i)), i) for i in idx]
        best = max(ranked)
        score = sum(passages[i].score for i in idx)
        rows.append((best[0], best[1], len(idx), score, key, idx))
    rows.sort(key=lambda r: (-r[0], -int(r[1]), -r[2], -r[3], r[4]))

    order: list[int] = []
    options = []
    for best_rank, _pt, n_papers, score, key, idx in rows[:top_k]:
        # cite the strongest papers first, then by retrieval rank
        chosen = sorted(idx, key=lambda i: (-evidence_rank(level_of(i)), i))[:CITATIONS_PER_OPTION]
        cites, ev, quotes, effect = [], [], [], {}
        for i in chosen:
            if i + 1 not in order:
                order.append(i + 1)
            n = order.index(i + 1) + 1
            cites.append(n)
            lvl = level_of(i)
            ev.append({"n": n, "level": lvl, "rank": evidence_rank(lvl)})
            q = _quote(evidence[i], found[key][i])
            if q:
                quotes.append({"n": n, "text": q})
            e = "" if effect else _effect(evidence[i], found[key][i])
            if e:
                effect = {"n": n, "text": e, "numbers": effect_numbers(e)}
        best_level = max((e for e in ev), key=lambda e: (e["rank"], not is_from_text(e["level"])))["level"] if ev else ""
        name, names = display[key]
        pc = parse_participants(full_text_of(chosen[0])) if chosen else None
        options.append(
            TreatmentOption(
                name=name, key=key, citations=cites, evidence=ev, best_level=best_level, best_rank=best_rank,
                papers=n_papers, score=round(score, 6), quotes=quotes, effect=effect, participants=pc.n if pc else None,
                names=names,
            )
        )
    refs = references_for(passages, order)
    for r, k in zip(refs, order):
        r.evidence_level = level_of(k - 1)  # read from the whole abstract, as in ``evidence``
    if not options:
        notes.append("no treatment named in the retrieved passages about this condition")
    return TreatmentReport(
        condition, queries, options, refs, notes=notes,
        timings={"retrieve": t1 - t0, "extract": time.perf_counter() - t1, "total": time.perf_counter() - t0},
    )
