"""The differential a clinician can use: findings understood as HPO concepts, candidates from the
phenotype knowledge base ranked together with the literature, every candidate grounded.

Method:

1. :func:`medcite.clinical.findings.extract_findings` turns the text (any language, a list, a
   note, a vignette with vitals and a lab table) into HPO findings with their status. Present
   findings whose HPO term names a disease (HPO lists "Pneumonia", "Asthma" … as phenotypes:
   :func:`medcite.clinical.knowledge.classify`) are conditions the clinician named, not findings:
   they are left out of the phenotype match and flagged on the candidate.
2. The literature: one query per present finding (its English HPO label, so a Chinese case and
   its English translation retrieve the same passages) plus English pieces the extractor did not
   understand, and the joint query — and, for English prose of :data:`PROSE_WORDS` words or
   more, the text itself (:data:`PROSE_QUERY_WORDS` words); fused by RRF.
   :func:`medcite.clinical.diagnose.rank_candidates` scores the conditions attached to or named
   in the passages (its evidence × coverage score).
3. The knowledge base (:mod:`medcite.clinical.knowledge`, HPO annotations of OMIM/Orphanet —
   Köhler et al. 2021, "The Human Phenotype Ontology in 2021", NAR 49:D1207 — plus MedQuAD and
   MeSH) ranks conditions by the information-content match of their phenotype (Phenomizer,
   Köhler et al. 2009). :func:`medcite.clinical.knowledge.combine.combine` mixes the two relative
   scores (:data:`LITERATURE_WEIGHT`) and the two rankings (reciprocal rank fusion, half the
   combined score: :data:`medcite.clinical.knowledge.combine.RANK_SHARE`); the literature's part
   of a candidate's score shrinks with the information-content weighted share of the case it
   does not explain (:func:`medcite.clinical.given.open_shares`; its phenotype and the findings its
   supporting passages mention), so the literature's favourite cannot outrank knowledge-base
   candidates that explain most of the case; findings are never candidates.
4. Each candidate is grounded: the retrieved passages tied to it, else a search for the
   condition with the case's findings, keeping only passages that name it. A candidate no
   indexed passage supports is marked "knowledge base only — no indexed literature" with its
   knowledge-base ids and carries no citation; a given name neither in the knowledge base nor
   named by a passage is :data:`NO_DATA` (not scored against the others, listed last). The quote
   is the naming sentence with the most findings, never a hedging one when another exists
   (:mod:`.quote_choice`); "against" says which reason applies (:mod:`.against`). A candidate
   that restates a present finding is dropped, one for another age group or sex is set aside
   (open differential) or down-weighted (given): :mod:`.candidate_filter`.
5. Given candidates (:func:`differential` with ``candidates``; a model's proposals too) are
   exactly those, each resolved through the knowledge base's synonyms (never to a narrower
   condition: :func:`medcite.clinical.given.narrower`); names it does not know are ranked on the
   literature alone, and the notes say so. They are ranked by the information-content weighted
   share of the findings each explains — by its phenotype or by passages about it that mention
   the finding — then by the combined score (:mod:`medcite.clinical.given`): unexplained
   specific findings count against a candidate whatever its literature volume. Every name
   given keeps its own row, under that name, even when two resolve to one knowledge-base entry
   (:mod:`.given_rows`: both rows say so and are told apart by the passages naming each only).

A finding's anatomical site ("right lower quadrant abdominal pain") is part of its literature
query, in clinical and lay words (:mod:`medcite.clinical.findings.location`).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..answer.citations import references_for
from ..documents import Passage
from ..errors import UsageError
from ..retrieval import Retriever, SearchOptions
from ._text import content_tokens
from .against import against_reasons
from .candidate_filter import down_weight_given, mark_fit, split_open
from .diagnose import MAX_FINDING_QUERIES, Candidate, Diagnosis, rank_candidates, split_findings
from .findings.location import mentions_site, search_phrase
from .findings.lexicon import SIGN_CONDITION, SIGN_PREFIX, nearest_hpo
from .findings.matcher import concepts_in
from .given import candidate_share, finding_weights, given_score, open_shares, resolve_name
from .given_language import english_forms
from .given_rows import Entry as _Entry, given_entries, shared_ties
from .knowledge.base import KnowledgeBase
from .knowledge.combine import combine
from .knowledge.criteria import PREFIX as CRITERIA_PREFIX, describe_source
from .knowledge.kinds import CONDITION, classify
from .quote_choice import choose_sentence, naming_sentences, quote_sentence, rank_support, shown_quote
from .risk_prior import RISK_PRIOR, weigh_risks
from .sites import weigh_sites
from .terms import normalize
from .vocabulary import Vocabulary, passage_links

#: Share of the literature in the combined score (0: knowledge base only). On the first 200 cases
#: of ``scripts/eval_diagnosis.py`` (hashing index, BM25) top-5/top-10 were 0.540/0.585 at 0.1,
#: 0.550/0.600 at 0.2, 0.555/0.595 at 0.3, 0.510/0.575 at 0.5: flat between 0.2 and 0.4 on that
#: rare-disease-heavy set. 0.4 because common acute diseases (pneumonia, influenza) have no HPO
#: annotations, only MedQuAD prose profiles, and need the literature to rank (the pneumonia case
#: of issue 15 is third at 0.25, first at 0.4). All 600 cases: top-1/5/10 0.385/0.560/0.595 at
#: 0.25, 0.328/0.552/0.598 at 0.4. After the condition-identity work (copied symptom tables,
#: narrower name keys) and the prose query: 0.360/0.588/0.650 at 0.4 and 0.420/0.612/0.640 at
#: 0.3 (seed 13), 0.357/0.600/0.642 and 0.420/0.613/0.643 (seed 7) — 0.3 ranks better on this
#: rare-disease set, but the pneumonia case is third at 0.3 (hashing index, BM25), first at 0.4.
#: Rank fusion (RRF of the two rankings, k 5–60, instead of the linear mix) on the retrievals
#: of the revision before the prose query (seed 13, linear 0.355/0.585/0.635): top-5 0.60–0.62
#: at best, but top-1 0.29–0.34; not adopted alone. Since then the linear mix is half of the
#: combined score, rank fusion the other half (:mod:`.knowledge.combine`).
LITERATURE_WEIGHT = 0.4
KB_ONLY = "knowledge base only — no indexed literature"
NO_DATA = "no knowledge-base entry and no indexed passage — no data"
GROUNDED = "literature"
#: Passages cited per candidate; passages read by the per-candidate grounding search.
CITATIONS = 3
GROUNDING_PASSAGES = 8
KB_POOL = 60
#: An English case of at least PROSE_WORDS words (a note, a vignette, a leaflet paragraph) is
#: also searched with its own first PROSE_QUERY_WORDS words, beside the per-finding queries.
PROSE_WORDS = 30
PROSE_QUERY_WORDS = 120
KB_ID_PREFIXES = ("ORPHA:", "OMIM:", "DECIPHER:", "medquad:", "MESH:", "CRITERIA:")




def _names_of(entry: _Entry) -> set[str]:
    if entry.shared and entry.given:  # the shared entry's names would speak for every row alike
        return {n for n in (normalize(entry.given),) if len(n) >= 3}
    names = {entry.name} | ({entry.given} if entry.given else set())
    if entry.kb is not None:
        names |= set(entry.kb.condition.all_names())
    return {n for n in (normalize(x) for x in names) if n and len(n) >= 3}


def _names_passage(p: Passage, forms: set[str], findings: Sequence[str] = ()) -> str:
    """The sentence of the passage's text (then its title) naming one of ``forms`` whose words
    say what it tells of the candidate (:func:`.quote_choice.choose_sentence`: not hedging, most
    ``findings``); "" if none. MedQuAD question headers ("What is (are) X ?") are not quotes, nor
    sentences naming it as a look-alike, a list item or, in a passage about another condition,
    other than as the subject (:func:`.quote_choice.naming_sentences`)."""
    naming = naming_sentences(p.text, p.title, forms)
    return choose_sentence(naming, findings)


def _shown(p: Passage, forms: set[str], findings: Sequence[str], e: _Entry) -> str:
    """The quote shown for a supporting passage (:func:`.quote_choice.quote_sentence`: not
    boilerplate, then most ``findings``, most of the candidate's knowledge-base phenotype terms
    in the sentence's words, its features, its definition; :func:`.quote_choice.shown_quote`:
    a page about it may show its findings sentence; "" when only boilerplate names it)."""
    pheno = set(e.kb.condition.phenotype) if e.kb is not None else set()
    naming = naming_sentences(p.text, p.title, forms)
    quote = quote_sentence(naming, findings, (lambda s: len(concepts_in(s) & pheno)) if pheno else None, forms)
    return shown_quote(quote, p.text, p.title, forms, findings)


_NEGATED_PIECE = re.compile(r"^(?:no|not|denies|denied|without|negative|absent|normal|unremarkable)\b|"
                            r"\b(?:normal|unremarkable|soft|negative|denies|denied|deny|no|not|never|none|nor|"
                            # normal examination wording: "Pupils equal and reactive", "sensation intact"
                            r"intact|equal|preserved|flexor|reactive\s+to\s+light|non-?tender|symmetrical|symmetric|"
                            r"within\s+normal\s+limits|WNL)\b|^\s*reactive\s*$", re.IGNORECASE)
#: Headers of a lab table or an examination ("Laboratory studies:", "Serum studies"), not findings.
_HEADER_PIECE = re.compile(r"^(?:(?:laboratory|lab|serum|blood|initial|admission)\s+(?:studies|tests|results|values|work-?up)|"
                           r"vital signs|physical examination|examination|labs)\W*$", re.IGNORECASE)


#: ECG lead names left over from "ST elevation in leads II, III and aVF": a place, never a finding
_ECG_LEADS_PIECE = re.compile(r"(?i)^(?:(?:and|or)\s+)?(?:leads?\s+)?(?:I{1,3}|aV[RLF]|V[1-9])(?:\s*[-–]\s*V?[1-9])?"
                              r"(?:\s*(?:,|and|or)\s*(?:I{1,3}|aV[RLF]|V[1-9])(?:\s*[-–]\s*V?[1-9])?)*$")


#: Words a named sign shares with ordinary findings ("point tenderness"): a passage must name the rest.
_SIGN_GENERIC = frozenset({"sign", "point", "tenderness", "test", "positive", "maneuver"})


def _finding_words(present, lit_findings: Sequence[str]) -> dict[str, tuple[set[str], int]]:
    """``{finding: (content words, how many a passage must mention)}``: all but a third of them,
    or for a named sign every word but the generic ones ("McBurney", not "point tenderness")."""
    signs = {f.query_label() for f in present if f.concept_id.startswith(SIGN_PREFIX)}
    out = {}
    for f in lit_findings:
        toks = set(content_tokens(f))
        if f in signs and toks - _SIGN_GENERIC:
            out[f] = (toks - _SIGN_GENERIC, len(toks - _SIGN_GENERIC))
        else:
            out[f] = (toks, len(toks) - len(toks) // 3)
    return out


def _mentions(words: dict[str, tuple[set[str], int]], toks: set[str]) -> set[str]:
    """The findings of :func:`_finding_words` a passage whose content words are ``toks`` mentions."""
    return {f for f, (ft, need) in words.items() if ft and len(ft & toks) >= need}


def _uncovered_pieces(text: str, spans: list[tuple[int, int]], language: str) -> list[str]:
    """English pieces of ``text`` (split_findings) that no extracted finding's span overlaps,
    without measurements (a value the extractor did not flag is in range or unknown), without
    negation or normality cues ("no focal deficit", "abdomen is soft") and without bare ECG lead
    names ("III", "aVF" of "ST elevation in leads II, III and aVF"), and without pieces inside a
    negation's ConText scope ("sick contacts" of "No recent travel or sick contacts")."""
    if language != "en":
        return []
    from .findings.context import find_triggers, status_of

    pieces, _ = split_findings(text)
    triggers = find_triggers(text, language)
    out = []
    for p in pieces:
        i = text.find(p)
        if i >= 0 and any(s < i + len(p) and i < e for s, e in spans):
            continue
        if re.search(r"\d", p) or _NEGATED_PIECE.search(p) or _HEADER_PIECE.match(p) or _ECG_LEADS_PIECE.match(p.strip()):
            continue
        if i >= 0 and status_of(text, i, i + len(p), triggers, language) == "negated":
            continue
        out.append(p)
    return out


def differential(
    text: str,
    retriever: Retriever,
    vocabulary: Vocabulary,
    kb: KnowledgeBase,
    opts: SearchOptions | None = None,
    *,
    top_k: int = 10,
    candidates: Sequence[str] | None = None,
    exclude_docs: set[str] | None = None,
    exclude_sources: Iterable[str] = (),
    embedder=None,
    literature_weight: float = LITERATURE_WEIGHT,
    ground: bool = True,
    proposed_by: str = "clinician",
    case=None,
) -> Diagnosis:
    """The grounded differential for a case text (module docstring).

    Args:
        text: the case: findings list, note or vignette, any language.
        retriever, vocabulary: the index's retriever and condition vocabulary.
        kb: the phenotype knowledge base (:func:`load_knowledge_base_for_index`).
        opts: retrieval options (``top_k`` = passages read; default 40).
        top_k: candidates returned (open differential).
        candidates: names to rank, exactly those (given-candidates mode).
        exclude_docs: documents never used; exclude_sources: knowledge-base source entries
            ignored (leave-one-out evaluation).
        embedder: ``None`` or ``"e5-small"`` — the findings extractor's cross-lingual route.
        literature_weight: share of the literature in the combined score.
        ground: search per candidate for supporting passages when the case's retrieval has
            none (off in evaluation, where only the order counts).
        proposed_by: what given candidates are marked with ("clinician" or "model").
        case: the :class:`~medcite.clinical.findings.CaseFindings` of ``text`` when already
            extracted (default: extracted here).

    Returns:
        a :class:`Diagnosis` whose candidates carry ``grounding`` (:data:`GROUNDED`,
        :data:`KB_ONLY` or :data:`NO_DATA`), the findings each explains and does not, and contradicting findings.

    Raises:
        UsageError: empty text, no finding understood, or an empty candidate list.
    """
    from .findings import extract_findings

    if not text or not text.strip():
        raise UsageError("the findings are empty")
    if candidates is not None and not [c for c in candidates if c.strip()]:
        raise UsageError("--candidates is empty: give names separated by ';'")
    t0 = time.perf_counter()
    case = case if case is not None else extract_findings(text, embedder=embedder)
    present = case.present()
    # a named sign ("McBurney point tenderness") is a finding, whatever its words look like
    named = [f for f in present if not f.concept_id.startswith(SIGN_PREFIX) and classify(f.label, ontology=kb.ontology) == CONDITION]
    phen = [f for f in present if f not in named]
    labels = [f.query_label() for f in phen]  # "right lower quadrant abdominal pain": the site is searched too
    # a named sign HPO lacks (MEDCITE:…) is scored as the HPO term it is evidence of
    hpo_label = {f.query_label(): kb.ontology.names.get(nearest_hpo(f.concept_id) or "", f.label) for f in present}
    # risk context (smoking, immobilisation …) is no finding to explain, present or negated
    extra = _uncovered_pieces(text, [(f.start, f.end) for f in case.findings] + [(r.start, r.end) for r in case.risk_factors],
                              case.language)
    lit_findings = list(dict.fromkeys(labels + extra))
    if not lit_findings and not named:
        raise UsageError("no clinical findings were recognised (give symptoms, signs or results, e.g. 'fever; cough; weight loss')")
    lit_findings = lit_findings or [f.label for f in named]
    joint = "; ".join(lit_findings)
    lay = {f.query_label(): search_phrase(f) for f in phen}  # a site also in lay words ("lower right abdomen")
    queries = [lay.get(q, q) for q in lit_findings[:MAX_FINDING_QUERIES]] + ([joint] if len(lit_findings) > 1 else [])
    if case.language == "en" and len(text.split()) >= PROSE_WORDS:
        queries.append(" ".join(text.split()[:PROSE_QUERY_WORDS]))  # prose: its own words, not only the concepts
    opts = opts or SearchOptions(top_k=40)
    passages = retriever.search(queries, opts, exclude_docs=exclude_docs)
    t1 = time.perf_counter()
    lit = rank_candidates(joint, lit_findings, [], passages, vocabulary, top_k=KB_POOL)
    # a named disease that HPO lists as a phenotype still describes the case
    q_ids = list(dict.fromkeys(t for f in present if (t := nearest_hpo(f.concept_id))))
    x_ids = list(dict.fromkeys(t for f in case.negated() if (t := nearest_hpo(f.concept_id)) and t not in q_ids))
    lit_by_key: dict[str, Candidate] = {}
    for c in lit.candidates:
        cond = kb.resolve(c.condition)
        if kb.is_finding_name(c.condition) or (cond is not None and kb.is_finding_name(cond.name)):
            continue
        key = cond.id if cond is not None else f"LIT:{c.key}"
        if key not in lit_by_key:
            lit_by_key[key] = c
    notes: list[str] = []
    aside: list[dict] = []
    misfits: dict[str, str] = {}
    if candidates is None:
        matches = kb.rank(q_ids, x_ids, limit=KB_POOL, exclude_sources=exclude_sources) if q_ids else []
        shares = open_shares(matches, lit_by_key, lit_findings, hpo_label, present, q_ids, x_ids, kb, exclude_sources)
        ranked = combine(matches, {k: c.score for k, c in lit_by_key.items()}, kb=kb, weight=literature_weight, explains=shares)
        entries = [_Entry(r.condition_id, lit_by_key[r.condition_id].condition if r.kb_score is None and r.condition_id in lit_by_key else r.name,
                          r.score, r.match, lit_by_key.get(r.condition_id)) for r in ranked[: top_k * 3]]
        weigh_sites(entries, [f for f in phen if f.location], passages)
        risk_notes = weigh_risks(entries, case.risk_factors)  # Wells: surgery/immobilisation for PE, DVT
        entries = [e for e in entries if not kb.is_finding_name(e.name)]  # one typing rule for both sources
        entries, aside = split_open(entries, case, phen, _names_of, kb.is_finding_name)  # restated findings, age/sex misfits
        entries = entries[:top_k]
    else:
        entries = given_entries(candidates, kb, vocabulary, q_ids, x_ids, exclude_sources, lit_by_key, literature_weight, notes)
        _rank_given(entries, lit_findings, hpo_label, present, kb, vocabulary, retriever, opts, exclude_docs)
        risk_notes = weigh_risks(entries, case.risk_factors)
        misfits = down_weight_given(entries, case)
        notes += shared_ties(entries)
        if entries and max(e.score for e in entries) <= 0:
            notes.append("weak evidence: none of the given candidates explains these findings in the knowledge base "
                         "or the indexed literature; their order means nothing")
    t2 = time.perf_counter()
    diag = _grounded(text, case, lit_findings, hpo_label, named, entries, passages, vocabulary, kb, retriever, opts,
                     exclude_docs, ground, proposed_by if candidates is not None else "retrieval")
    mark_fit(diag, aside, misfits)
    lit_only = [c.given_as for c in diag.candidates if c.given_as and not c.in_knowledge_base and c.grounding != NO_DATA]
    notes += ["not in the knowledge base, ranked on the literature alone: " + "; ".join(lit_only)] if lit_only else []
    notes += [f"risk context the criteria count, a small prior ({RISK_PRIOR:.0%} a factor): " + "; ".join(risk_notes)] if risk_notes else []
    diag.notes = notes + diag.notes
    diag.timings = {"findings+retrieve": t1 - t0, "rank": t2 - t1, "ground": time.perf_counter() - t2, "total": time.perf_counter() - t0}
    return diag


def _about(p: Passage, link: str, quote: str) -> str:
    """What a passage says about a candidate: all of it when the passage is about the condition
    (MedQuAD focus, MeSH heading, title), else only the sentence naming it — a Lyme disease page
    saying its symptoms "are like those of the flu" does not make neck stiffness a flu finding."""
    return quote if link == "text" and quote else p.title + " " + p.text


def _search_name(e: _Entry) -> str:
    """The name a given candidate's literature is searched under: as the user typed it, unless it
    was typed in another language (:func:`.given_language.english_forms`: the index is English),
    then the English name it was read as."""
    if e.given and english_forms(e.given):
        return e.name
    return e.given or e.name


def _rank_given(entries: list[_Entry], lit_findings, hpo_label, present, kb, vocabulary, retriever, opts, exclude_docs) -> None:
    """Re-rank given-candidate entries in place by the share of the findings each explains
    (:mod:`.given`): its knowledge-base phenotype, or a passage naming it that mentions the
    finding — by its label, its HPO concept in the passage's words, or for a lab value the
    analyte as written ("lipase 2,350 U/L" → a passage naming lipase) — among the passages of a
    search for the name with the findings."""
    names = kb.ontology.names
    concept_of = {f.query_label(): nearest_hpo(f.concept_id) or f.concept_id for f in present}
    weights = finding_weights(lit_findings, concept_of, kb.tables.term_ic)
    words = _finding_words(present, lit_findings)
    own = {f.query_label(): f.concept_id for f in present}  # a sign in a passage's words is the sign, not its HPO parent
    analyte = {f.query_label(): set(content_tokens(re.sub(r"[\d.,:=<>/%]+\S*", " ", f.text))) for f in present if f.kind in ("lab", "vital")}
    for e in entries:
        in_literature: set[str] = set()
        # passages about the candidate and the findings (few names are given: one search each);
        # a finding counts when one passage names both, not when its words are spread over several
        query = f"{_search_name(e)} " + " ".join(lit_findings[:6])
        pool = retriever.search(query, replace(opts, top_k=GROUNDING_PASSAGES), exclude_docs=exclude_docs)
        for i, link, quote in _naming(pool, range(len(pool)), _names_of(e), vocabulary, e, lit_findings):
            said = _about(pool[i], link, quote)
            toks = set(content_tokens(said))
            ids = concepts_in(said)  # the finding in the passage's own words ("painful urination")
            in_literature |= _mentions(words, toks) | {f for f in lit_findings if own.get(f, concept_of.get(f)) in ids or (analyte.get(f) and analyte[f] <= toks)}
        share = candidate_share(e.kb, in_literature, lit_findings, hpo_label, names, weights, kb.tables.term_ic)
        e.score = given_score(share, e.score)
    entries.sort(key=lambda e: -e.score)


def _grounded(text, case, lit_findings, hpo_label, named, entries: list[_Entry], passages: list[Passage], vocabulary, kb,
              retriever, opts, exclude_docs, ground: bool, proposed_by: str) -> Diagnosis:
    """Candidates with their passages, quotes, explained / unexplained / contradicted findings."""
    pool: list[Passage] = list(passages)
    order: list[int] = []  # 0-based pool indices in citation order
    named_keys = {normalize(f.label) for f in named}
    words = _finding_words(case.present(), lit_findings)
    # a named sign is explained by the knowledge base's broad term only for its classic condition
    # (McBurney point tenderness → appendicitis, not every condition with abdominal pain)
    sign_condition = {f.query_label(): normalize(SIGN_CONDITION[f.concept_id]) for f in case.present() if f.concept_id in SIGN_CONDITION}
    sited = {f.query_label(): f for f in case.present() if f.location}
    out: list[Candidate] = []
    for e in entries:
        forms = _names_of(e)
        support: list[tuple[int, str, str]] = []  # (pool index, link, quote)
        if e.lit is not None:
            for s in e.lit.support:
                i = next((j for j, p in enumerate(passages) if p.chunk_id == s.get("chunk_id")), None)
                quote = _names_passage(passages[i], forms, lit_findings) if i is not None else ""
                if i is not None and (quote or s["link"] in ("focus", "mesh")):  # a text link must be quotable
                    support.append((i, s["link"], quote))
        if not support:
            support = _naming(pool[: len(passages)], range(len(passages)), forms, vocabulary, e, lit_findings)
        # the condition with the case's findings, then the condition alone (a passage about it)
        for query in ([f"{e.name} " + " ".join(lit_findings[:6]), _search_name(e)] if ground and not support else []):
            extra = retriever.search(query, replace(opts, top_k=GROUNDING_PASSAGES), exclude_docs=exclude_docs)
            start = len(pool)
            pool.extend(extra)
            support = _naming(pool, range(start, len(pool)), forms, vocabulary, e, lit_findings)
            if support:
                break
        support = rank_support(support, lit_findings)
        cites = []
        sup_json = []
        for i, link, quote in support[:CITATIONS]:
            if i not in order:
                order.append(i)
            n = order.index(i) + 1
            cites.append(n)
            sup_json.append({"n": n, "doc_id": pool[i].doc_id, "link": link, "quote": _shown(pool[i], forms, lit_findings, e)})
        lit_matched = set()  # findings one supporting passage mentions (not words spread over several)
        for i, link, quote in support:
            toks = set(content_tokens(_about(pool[i], link, quote)))
            lit_matched |= _mentions(words, toks)
        m = e.kb
        names = kb.ontology.names
        explained = [names.get(t, t) for t in (m.explained if m else [])]
        contradicted = [names.get(t, t) for t in (m.contradicted if m else [])]
        # a sited finding ("right lower quadrant abdominal pain") is explained only where a
        # supporting passage names the site: the knowledge base knows only "Abdominal pain"
        site_ok = {q: any(mentions_site(pool[i].title + " " + pool[i].text, sf) for i, _, _ in support) for q, sf in sited.items()}
        sign_ok = {q: any(f" {c} " in f" {n} " for n in forms) for q, c in sign_condition.items()}
        matched = [f for f in lit_findings if (hpo_label.get(f, f) in explained and site_ok.get(f, True) and sign_ok.get(f, True))
                   or f in lit_matched]
        explained = [x for x in explained if x in {hpo_label.get(f, f) for f in matched}]  # a finding in one list only
        no_data = m is None and not cites
        kb_ids = [x for x in ([m.condition.id] + m.condition.xrefs if m else []) if x.startswith(KB_ID_PREFIXES)]
        out.append(Candidate(
            condition=e.name, key=normalize(e.name), cuis=[x[5:] for x in (m.condition.xrefs if m else []) if x.startswith("UMLS:")],
            semantic_group="Disorders", score=0.0 if no_data else round(e.score, 6), evidence=round(e.lit.evidence if e.lit else 0.0, 6),
            citations=cites, evidence_count=len(support), matched_findings=matched,
            unexplained_findings=[] if no_data else [f for f in lit_findings if f not in matched], support=sup_json,
            named_in_findings=bool(forms & named_keys), proposed_by=proposed_by if e.given else ("knowledge base" if not e.lit and m else "retrieval"),
            condition_id=e.key if not e.key.startswith("LIT:") else "", grounding=GROUNDED if cites else NO_DATA if no_data else KB_ONLY,
            kb_ids=list(dict.fromkeys(kb_ids))[:6], explained_findings=explained, contradicting_findings=contradicted,
            kb_score=round(m.score, 4) if m else None, given_as=e.given or "", in_knowledge_base=m is not None,
            contradicting_reasons=against_reasons(m, kb, [f.concept_id for f in case.present()]),
            same_entry_as=list(e.shared),
            criteria=[describe_source(x) for x in dict.fromkeys(kb_ids) if x.startswith(CRITERIA_PREFIX)],
        ))
    out.sort(key=lambda c: c.grounding == NO_DATA)  # not scored against the others: listed last
    refs = references_for(pool, [i + 1 for i in order])
    notes = []
    if any(c.named_in_findings for c in out):
        notes.append("some candidates are named in the findings themselves (marked); they may be history rather than a new diagnosis")
    if any(c.grounding == NO_DATA for c in out):
        notes.append("no data (neither in the knowledge base nor named by an indexed passage; nothing here speaks for or "
                     "against them): " + "; ".join(c.given_as or c.condition for c in out if c.grounding == NO_DATA))
    if any(c.grounding == KB_ONLY for c in out):
        notes.append("candidates marked 'knowledge base only' have no supporting passage in the index: check them in the sources named")
    if not out:
        notes.append("no condition in the knowledge base or the indexed literature fits these findings")
    diag = Diagnosis(text, lit_findings, _context(case), out, refs, notes=notes)
    diag.understood = case.to_json()
    diag.mapping = case.mapping_lines()
    diag.knowledge_sources = kb.source_descriptions()
    return diag


def _naming(pool, idx, forms, vocabulary, e: _Entry, findings: Sequence[str] = ()) -> list[tuple[int, str, str]]:
    """Passages among ``pool[idx]`` tied to the condition: its name in the text (quoted), or the
    document's MedQuAD focus / MeSH heading being one of its names."""
    out = []
    vocab_ids = {c.id for c in (vocabulary.lookup(n) for n in ([e.name] + ([e.given] if e.given else []))) if c is not None}
    for i in idx:
        p = pool[i]
        quote = _names_passage(p, forms, findings)
        if quote:
            out.append((i, "text", quote))
            continue
        links = passage_links(p, vocabulary) if vocab_ids else {}
        hit = next((links[v] for v in vocab_ids if v in links and links[v] in ("focus", "mesh")), None)
        if hit:
            out.append((i, hit, ""))
    return out


def _context(case) -> list[str]:
    bits = []
    if case.age_years is not None:
        bits.append(f"age {case.age_years:g} years")
    if case.sex:
        bits.append(case.sex)
    if getattr(case, "pregnancy", None) is not None:
        bits.append(case.pregnancy.describe())
    return bits


def split_candidates(raw: str) -> list[str]:
    """Names from a ``--candidates`` string: separated by ';' or new lines (commas too when no ';')."""
    parts = re.split(r"[;\n]+", raw) if re.search(r"[;\n]", raw) else raw.split(",")
    return [p.strip() for p in parts if p.strip()]
