"""Hybrid retrieval: BM25 ⊕ dense, fused by score (z-score CombSUM) or by rank (RRF).

Two fusions of one query's BM25 and dense lists (``SearchOptions.fusion``):

- ``"zscore"`` (default): every candidate of either list (top ``candidates`` of each) gets its
  *exact* score from both retrievers (the full BM25 score array is computed anyway; the dense
  score of a BM25-only candidate is the inner product with its stored vector), each score is
  standardised with the mean and standard deviation of its own list's top ``candidates``
  (zero-mean unit-variance normalisation, "ZMUV": Montague & Aslam 2001, "Relevance Score
  Normalization for Metasearch", CIKM '01), and the weighted sum ranks them (CombSUM: Fox &
  Shaw 1994). Score-based convex fusion beating RRF for hybrid retrieval: Bruch, Gai & Ingber
  2023, "An Analysis of Fusion Functions for Hybrid Retrieval" (ACM TOIS 42(1)). Measured here
  (``scripts/tune_fusion.py``, 14,448 PubMedQA + BioASQ abstracts, recall@10 / MRR@10):
  e5-small PubMedQA 0.996 / 0.979 against RRF's 0.992 / 0.968, BioASQ 0.826 / 0.920 against
  0.822 / 0.911; MiniLM PubMedQA 0.996 / 0.971 against 0.994 / 0.964, BioASQ 0.802 / 0.903
  against 0.801 / 0.895. With RRF the hybrid fell below e5-small alone on PubMedQA (0.994).
- ``"rrf"``: Cormack, Clarke & Büttcher 2009, "Reciprocal Rank Fusion outperforms Condorcet
  and individual Rank Learning Methods" (SIGIR '09): ``score(c) = Σ_s w_s / (k + rank_s(c))``
  with ``k = 60`` from that paper.

Several queries at once (a list: multi-query retrieval, e.g. one per finding in ``diagnose``)
are always fused by RRF over every query's BM25 and dense lists, whatever ``fusion`` says: on
600 MedQuAD diagnosis cases (``scripts/eval_diagnosis.py``, MiniLM) that gave top-5 0.223
against 0.210 with each query's z-fused ranking as one RRF list, and the scores stay positive
(``diagnose`` and ``treatments`` aggregate them).

Filters (year range, excluded documents) are applied to every ranked list *before* the top-k
cut, so a filter never returns fewer than k passages when k exist. At most ``max_per_paper``
passages per document are kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .documents import Passage
from .embedding import Embedder
from .errors import UsageError
from .index import Index
from .translation import is_chinese, lexical_query

MODES = ("hybrid", "bm25", "dense")
FUSIONS = ("zscore", "rrf")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class SearchOptions:
    """Retrieval knobs.

    Attributes:
        top_k: passages to return.
        mode: ``"hybrid"`` (both, fused), ``"bm25"`` or ``"dense"``.
        fusion: ``"zscore"`` or ``"rrf"`` (see the module docstring); hybrid mode only.
        year_from, year_to: inclusive publication-year range; documents without a year are
            excluded when either bound is set.
        evidence: minimum evidence level (``"rct"``, ``"systematic-review"`` …; see
            :mod:`medcite.clinical.evidence_filter`), applied before the top-k cut; ``None``: any.
        publication_types: keep only papers of one of these publication types (or levels read
            from the text); empty: any.
        max_per_paper: at most this many passages per document (≥ 1).
        candidates: depth of each ranked list fed to fusion (grown automatically when the
            per-paper cap or filters leave fewer than ``top_k``).
        rrf_k: the RRF constant ``k`` (60 in Cormack et al. 2009; 20 here: with ``fusion="rrf"``,
            recall@10 on the dev sets, e5-small / MiniLM, PubMedQA 0.992 / 0.994 and BioASQ
            0.822 / 0.801, where k=10 gives 0.992 / 0.992 and 0.821 / 0.802 and k=60 0.992 /
            0.994 and 0.817 / 0.793). Also fuses the queries of a multi-query search.
        bm25_weight, dense_weight: weights of the two lists (of their z-scores, or of their
            RRF terms), dimensionless.
        prf_docs: dense pseudo-relevance feedback (Rocchio 1971): the query vector is moved
            towards the mean vector of the top ``prf_docs`` passages of a first fused ranking,
            ``q' = normalise(q + prf_weight · mean(v))``, and the dense list is searched again
            with ``q'``; 0 disables. Uses stored vectors only (no extra embedding).
        prf_weight: Rocchio β, dimensionless.
        bm25_prf_docs: lexical pseudo-relevance feedback for a single hybrid query fused by
            z-scores (:meth:`medcite.index.lexical.LexicalIndex.feedback_scores`, RM3-style):
            the best passage of each of the first ``bm25_prf_docs`` papers of the fused ranking
            expands the BM25 query, the expanded BM25 list is fused with the dense list again,
            and the first-pass result list up to those papers' last passage keeps the lead, in
            its order and with its scores, above the new ranking (so the top of the list never
            moves, whatever ``max_per_paper``; only what follows it does). 0 disables.
            Measured through this search on the bench indexes (``scripts/tune_fusion.py`` grids
            these settings; recall@10 / MRR@10 with 3 papers, 30 terms, λ 0.7): e5-small BioASQ
            0.834 / 0.920 against 0.826 / 0.920 without, PubMedQA 0.996 / 0.979 unchanged;
            MiniLM BioASQ 0.804 against 0.802, PubMedQA 0.994 against 0.996. 2–5 papers,
            30–50 terms and λ 0.6–0.8 all gave BioASQ 0.831–0.835 with e5-small; without
            keeping the feedback passages on top, PubMedQA MRR@10 fell to 0.962.
        bm25_prf_terms: expansion terms (count).
        bm25_prf_query_weight: λ, the original query's share of the expanded query (0–1).
    """

    top_k: int = 5
    mode: str = "hybrid"
    fusion: str = "zscore"
    year_from: int | None = None
    year_to: int | None = None
    evidence: str | None = None
    publication_types: tuple[str, ...] = ()
    max_per_paper: int = 1
    candidates: int = 100
    rrf_k: float = 20.0
    bm25_weight: float = 1.0
    dense_weight: float = 1.0
    prf_docs: int = 0
    prf_weight: float = 0.5
    bm25_prf_docs: int = 3
    bm25_prf_terms: int = 30
    bm25_prf_query_weight: float = 0.7

    def validate(self) -> None:
        """Raise :class:`UsageError` for out-of-range values."""
        if self.top_k < 1:
            raise UsageError("top-k must be at least 1")
        if self.mode not in MODES:
            raise UsageError(f"unknown retrieval mode {self.mode!r} (use {', '.join(MODES)})")
        if self.fusion not in FUSIONS:
            raise UsageError(f"unknown fusion {self.fusion!r} (use {', '.join(FUSIONS)})")
        if self.max_per_paper < 1:
            raise UsageError("max passages per paper must be at least 1")
        if self.bm25_prf_docs < 0 or self.bm25_prf_terms < 1 or not 0.0 <= self.bm25_prf_query_weight <= 1.0:
            raise UsageError("BM25 feedback needs docs ≥ 0, terms ≥ 1 and a query weight between 0 and 1")
        if self.year_from and self.year_to and self.year_from > self.year_to:
            raise UsageError(f"year range is empty ({self.year_from} > {self.year_to})")
        if self.evidence:
            from .clinical.evidence_filter import min_rank

            min_rank(self.evidence)


def rrf(ranked_lists: list[tuple[np.ndarray, float]], k: float = 60.0) -> dict[int, float]:
    """Reciprocal rank fusion (Cormack et al. 2009).

    Args:
        ranked_lists: ``(ids best-first, weight)`` pairs.
        k: RRF constant.

    Returns:
        ``{id: Σ weight / (k + rank)}`` with 1-based ranks.
    """
    fused: dict[int, float] = {}
    for ids, w in ranked_lists:
        for rank, cid in enumerate(ids.tolist(), start=1):
            fused[cid] = fused.get(cid, 0.0) + w / (k + rank)
    return fused


def zmuv(scores: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Zero-mean unit-variance normalisation (Montague & Aslam 2001).

    Args:
        scores: ``(m,)`` scores to normalise.
        reference: ``(r,)`` scores whose mean and standard deviation are used (a ranked list's
            top candidates).

    Returns:
        ``(m,) float64`` ``(scores - mean) / std``; all zeros when ``reference`` is empty or
        constant (that list then cannot order the candidates).
    """
    if len(reference) == 0:
        return np.zeros(len(scores))
    sd = float(np.std(reference))
    if not np.isfinite(sd) or sd < 1e-12:
        return np.zeros(len(scores))
    return (np.asarray(scores, dtype=np.float64) - float(np.mean(reference))) / sd


def uses_corpus_script(query: str) -> bool:
    """True when the query is written mostly in Latin script (the corpus's script); otherwise
    BM25 reads only a dictionary translation (:func:`lexical_form`), since its English
    vocabulary cannot match the query itself."""
    letters = [ch for ch in query if ch.isalpha()]
    if not letters:
        return False
    return sum(1 for ch in letters if _LATIN.match(ch)) >= 0.5 * len(letters)


#: Weight of a dictionary-translated BM25 query (:mod:`medcite.translation.cedict`) relative
#: to ``bm25_weight``: its glosses are noisier than a question written in English.
TRANSLATED_BM25_SHARE = 1.0


def lexical_form(query: str, translate: bool = True) -> tuple[str, float]:
    """``(text BM25 reads, weight share)`` for ``query``: itself when in the corpus's script; the
    English glosses of a Chinese question's terms (:func:`~medcite.translation.cedict.lexical_query`,
    share :data:`TRANSLATED_BM25_SHARE`) when ``translate``; ``("", 0.0)`` otherwise (BM25
    cannot match). Searches pass ``translate=False`` for multi-query lists (``diagnose``'s
    findings, a generator's English rewrite beside the question), which keep their own tuning."""
    if uses_corpus_script(query):
        return query, 1.0
    if translate and is_chinese(query):
        en = lexical_query(query)
        if en:
            return en, TRANSLATED_BM25_SHARE
    return "", 0.0


def cap_per_paper(order: list[tuple[int, float]], docs: list, opts: SearchOptions) -> list[tuple[int, float]]:
    """The first ``opts.top_k`` of ``order`` (``(chunk id, score)`` best first) keeping at most
    ``opts.max_per_paper`` passages of each document (``docs[i]``: the document of ``order[i]``)."""
    chosen: list[tuple[int, float]] = []
    per_doc: dict = {}
    for (cid, score), d in zip(order, docs):
        if per_doc.get(d, 0) >= opts.max_per_paper:
            continue
        per_doc[d] = per_doc.get(d, 0) + 1
        chosen.append((cid, score))
        if len(chosen) == opts.top_k:
            break
    return chosen


class Retriever:
    """Searches one :class:`Index` with one :class:`Embedder`.

    Raises:
        EmbedderMismatchError: the index was built with another embedder.
    """

    def __init__(self, index: Index, embedder: Embedder) -> None:
        index.manifest.check_embedder(embedder.name, embedder.dim)
        self.index = index
        self.embedder = embedder

    def _mask(self, opts: SearchOptions, exclude_docs: set[str] | None) -> np.ndarray | None:
        ix = self.index
        if opts.year_from is None and opts.year_to is None and not exclude_docs and not opts.evidence and not opts.publication_types:
            return None
        ok_doc = np.ones(len(ix.doc_ids), dtype=bool)
        if opts.evidence or opts.publication_types:
            from .clinical.evidence_filter import evidence_doc_mask

            ok_doc &= evidence_doc_mask(ix, opts.evidence, tuple(opts.publication_types))
        if opts.year_from is not None:
            ok_doc &= (ix.doc_year >= opts.year_from) & (ix.doc_year > 0)
        if opts.year_to is not None:
            ok_doc &= (ix.doc_year <= opts.year_to) & (ix.doc_year > 0)
        if exclude_docs:
            pos = {d: i for i, d in enumerate(ix.doc_ids)}
            for d in exclude_docs:
                if d in pos:
                    ok_doc[pos[d]] = False
        return ok_doc[ix.chunk_doc]

    def search(
        self,
        query: str | list[str],
        opts: SearchOptions = SearchOptions(),
        exclude_docs: set[str] | None = None,
        query_vectors: list[np.ndarray] | None = None,
    ) -> list[Passage]:
        """Retrieve passages for one query or several (multi-query: all lists fused by RRF).

        Args:
            query: the question, or a list of queries.
            opts: :class:`SearchOptions`.
            exclude_docs: document ids never to return (leave-one-out evaluation).
            query_vectors: precomputed ``(d,)`` query embeddings (one per query).

        Returns:
            up to ``opts.top_k`` passages, best first, fewer only when fewer exist after filters.

        Raises:
            UsageError: empty query or bad options.
        """
        opts.validate()
        queries = [query] if isinstance(query, str) else list(query)
        queries = [q.strip() for q in queries if q and q.strip()]
        if not queries:
            raise UsageError("the query is empty")
        ix = self.index
        n = len(ix)
        if n == 0:
            return []
        mask = self._mask(opts, exclude_docs)
        n_allowed = int(mask.sum()) if mask is not None else n
        if n_allowed == 0:
            return []
        allowed_ids = ix.chunk_ids[mask] if mask is not None else None

        bm25_full: list[np.ndarray] = []
        qvecs: list[np.ndarray] = []
        for qi, q in enumerate(queries):
            if opts.mode in ("hybrid", "bm25"):
                s = ix.lexical.scores(lexical_form(q, isinstance(query, str))[0] or q)
                if mask is not None:
                    s = np.where(mask, s, -np.inf)
                bm25_full.append(s)
            if opts.mode in ("hybrid", "dense"):
                qvecs.append(query_vectors[qi] if query_vectors else self.embedder.embed_query(q))

        depth = min(max(opts.candidates, opts.top_k * 2), n_allowed)
        multi = not isinstance(query, str)
        while True:
            vecs = qvecs
            dense = [ix.vectors.search(v, depth, allowed_ids) for v in vecs]
            fused = self._fuse(queries, bm25_full, dense, vecs, opts, depth, multi)
            if opts.prf_docs > 0 and qvecs and fused:
                vecs = self._feedback_vectors(fused, qvecs, opts)
                dense = [ix.vectors.search(v, depth, allowed_ids) for v in vecs]
                fused = self._fuse(queries, bm25_full, dense, vecs, opts, depth, multi)
            order, docs = self._ranked(fused)
            if self._lexical_feedback_applies(queries, opts, multi) and order:
                order, docs = self._lexical_feedback(queries[0], order, docs, mask, dense, vecs, opts, depth)
            chosen = cap_per_paper(order, docs, opts)
            if len(chosen) >= opts.top_k or depth >= n_allowed:
                break
            depth = min(depth * 4, n_allowed)
        return self._passages(chosen, queries[0], qvecs[0] if qvecs else None, bm25_full[0] if bm25_full else None)

    def _fuse(self, queries, bm25_full, dense_lists, qvecs, opts: SearchOptions, depth: int, multi: bool) -> dict[int, float]:
        """``{chunk id: fused score}`` over the top-``depth`` lists of every query (z-score
        fusion for a single query when asked for; RRF otherwise)."""
        ix = self.index
        n = len(ix)
        rank_lists: list[tuple[np.ndarray, float]] = []
        for qi, q in enumerate(queries):
            lex_rows = lex_ref = None
            w = 1.0 if opts.mode == "bm25" else opts.bm25_weight * lexical_form(q, not multi)[1]
            if bm25_full and w > 0:
                s = bm25_full[qi]
                top = np.argpartition(-s, depth - 1)[:depth] if depth < n else np.arange(n)
                top = top[np.argsort(-s[top], kind="stable")]
                lex_ref = s[top][np.isfinite(s[top])]  # zeros included: one match in a tiny index still stands out
                lex_rows = top[s[top] > 0]
            dense = dense_lists[qi] if dense_lists else None
            wd = opts.dense_weight if opts.mode == "hybrid" else 1.0
            if opts.mode == "hybrid" and opts.fusion == "zscore" and not multi:
                ids, scores = self._zscore(bm25_full[qi], lex_rows, lex_ref, w, dense, qvecs[qi], wd)
                return dict(zip(ids.tolist(), scores.tolist()))
            if lex_rows is not None:
                rank_lists.append((ix.chunk_ids[lex_rows], w))
            if dense is not None:
                rank_lists.append((dense[1], wd))
        return rrf(rank_lists, opts.rrf_k)

    def _zscore(self, bm25_all, lex_rows, lex_ref, wb: float, dense, qvec, wd: float) -> tuple[np.ndarray, np.ndarray]:
        """Candidates of both lists ranked by ``wb·z(bm25) + wd·z(cosine)`` on exact scores.

        Each list is standardised by its own top-``depth`` scores (``lex_ref``: BM25's, zeros
        of unmatched chunks included; the dense list's returned scores).

        Returns:
            ``(chunk ids (m,) int64, fused scores (m,) float64)``, best first (ties by id).
        """
        ix = self.index
        d_scores, d_ids = dense
        lex_ids = ix.chunk_ids[lex_rows] if lex_rows is not None else np.zeros(0, np.int64)
        cand = np.union1d(lex_ids, d_ids).astype(np.int64)
        cos = np.empty(len(cand))
        in_dense = np.isin(cand, d_ids)
        by_id = np.argsort(d_ids)
        cos[in_dense] = d_scores[by_id][np.searchsorted(d_ids[by_id], cand[in_dense])]
        if not in_dense.all():
            cos[~in_dense] = ix.vectors.reconstruct_many(cand[~in_dense]) @ qvec
        fused = wd * zmuv(cos, d_scores)
        if lex_ref is not None:
            fused = fused + wb * zmuv(bm25_all[ix.rows_of(cand)], lex_ref)
        order = np.lexsort((cand, -fused))
        return cand[order], fused[order]

    def _ranked(self, fused: dict[int, float]) -> tuple[list[tuple[int, float]], list[int]]:
        """``([(chunk id, score)] best first, ties by id; [document row of each]``)."""
        order = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
        docs = self.index.chunk_doc[self.index.rows_of(np.array([cid for cid, _ in order], dtype=np.int64))].tolist()
        return order, docs

    def _lexical_feedback_applies(self, queries: list[str], opts: SearchOptions, multi: bool) -> bool:
        return (
            opts.bm25_prf_docs > 0 and opts.mode == "hybrid" and opts.fusion == "zscore" and not multi
            and opts.bm25_weight > 0 and uses_corpus_script(queries[0])
        )

    def _lexical_feedback(self, query: str, order, docs, mask, dense_lists, qvecs, opts: SearchOptions, depth: int):
        """Re-rank below the first papers of ``order`` with an RM3-expanded BM25 list (see
        ``SearchOptions.bm25_prf_docs``). Returns ``(order, docs)`` like the first pass."""
        ix = self.index
        # the lead: the first-pass result list (per-paper cap applied) up to the first passage of
        # paper number bm25_prf_docs + 1; the best passage of each of its papers is the feedback
        lead: list[tuple[int, float]] = []
        lead_docs: list[int] = []
        feedback: list[int] = []
        per_doc: dict[int, int] = {}
        for (cid, score), d in zip(order, docs):
            if d not in per_doc:
                if len(feedback) == opts.bm25_prf_docs:
                    break
                feedback.append(cid)
            if per_doc.get(d, 0) >= opts.max_per_paper:
                continue
            per_doc[d] = per_doc.get(d, 0) + 1
            lead.append((cid, score))
            lead_docs.append(d)
        rows = ix.rows_of(np.array(feedback, dtype=np.int64))
        s = ix.lexical.feedback_scores(query, rows, opts.bm25_prf_terms, opts.bm25_prf_query_weight)
        if mask is not None:
            s = np.where(mask, s, -np.inf)
        fused = self._fuse([query], [s], dense_lists, qvecs, opts, depth, False)
        for cid, _ in lead:
            fused.pop(cid, None)
        rest, rest_docs = self._ranked(fused)
        return lead + rest, lead_docs + rest_docs

    def _feedback_vectors(self, fused, qvecs, opts: SearchOptions) -> list[np.ndarray]:
        """Rocchio-updated query vectors (see ``SearchOptions.prf_docs``)."""
        top = [cid for cid, _ in sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[: opts.prf_docs]]
        centroid = self.index.vectors.reconstruct_many(np.array(top, dtype=np.int64)).mean(axis=0)
        out = []
        for q in qvecs:
            q2 = q + opts.prf_weight * centroid
            out.append((q2 / max(float(np.linalg.norm(q2)), 1e-12)).astype(np.float32))
        return out

    def _passages(self, chosen, query: str, qvec, bm25_scores) -> list[Passage]:
        ix = self.index
        ids = [cid for cid, _ in chosen]
        rows = ix.store.chunk_rows(ids)
        if qvec is None:
            qvec = self.embedder.embed_query(query)
        id_arr = np.array(ids, dtype=np.int64)
        cosines = (ix.vectors.reconstruct_many(id_arr) @ qvec).tolist()
        index_rows = ix.rows_of(id_arr).tolist()
        out = []
        for rank, (cid, score) in enumerate(chosen, start=1):
            row = index_rows[rank - 1]
            b = float(bm25_scores[row]) if bm25_scores is not None and np.isfinite(bm25_scores[row]) else None
            out.append(Passage(**rows[cid], score=float(score), dense_score=float(cosines[rank - 1]), bm25_score=b, rank=rank))
        return out
