"""Hybrid retrieval on Milvus: the engine's dense and BM25 lists, fused by medcite's own fusion.

Both lists are fetched from the collection (``search`` on the ``dense`` field, inner product;
``search`` on the ``sparse`` field, Milvus's BM25 function over medcite's own tokens of the
question, as the collection's passages were tokenized) with the filters as a Milvus boolean
expression inside each search (year range, excluded documents, evidence levels), so a filter
is applied before the top-k cut exactly as in the local index. They are then fused by
:func:`medcite.retrieval.zmuv` (z-score CombSUM, the default: a candidate found by one list
gets its exact score from the other — its stored vector's inner product with the query, or
a BM25 search restricted to the candidates' ids) or :func:`medcite.retrieval.rrf`, so rankings
compare with the local backend's. Not applied on Milvus: lexical (RM3) pseudo-relevance
feedback, whose term weights need document frequencies that Milvus's BM25 function keeps to
itself and whose weighted query a BM25-function search cannot take (docs/scale.md: it adds
BioASQ recall@10 0.007 locally), and dense (Rocchio) feedback (off by default).
"""

from __future__ import annotations

import json

import numpy as np

from .documents import Passage
from .errors import UsageError
from .index.lexical import query_tokens
from .index.milvus import BM25_PARAMS, FIELDS, MilvusIndex
from .retrieval import Retriever, SearchOptions, cap_per_paper, rrf, uses_corpus_script, zmuv

#: Largest ``limit`` of one Milvus search (the engine's ``topk`` cap).
MAX_LIMIT = 16384


def filter_expression(opts: SearchOptions, exclude_docs: set[str] | None = None, evidence: list[str] | None = None) -> str:
    """A Milvus boolean expression for the year range, excluded documents and evidence levels.

    Documents without a year (stored as 0) are excluded when either year bound is set, as in
    the local index. Returns ``""`` when nothing is filtered.
    """
    parts = []
    if opts.year_from is not None:
        parts.append(f"year >= {int(opts.year_from)} and year > 0")
    if opts.year_to is not None:
        parts.append(f"year <= {int(opts.year_to)} and year > 0")
    if exclude_docs:
        parts.append(f"doc_id not in {json.dumps(sorted(exclude_docs))}")
    if evidence:
        parts.append(f"evidence in {json.dumps(list(evidence))}")
    return " and ".join(f"({p})" for p in parts)


class MilvusRetriever(Retriever):
    """Searches one :class:`MilvusIndex` with one :class:`Embedder` (the surface of
    :class:`medcite.retrieval.Retriever`; ``index`` is a :class:`MilvusIndex`).

    Raises:
        EmbedderMismatchError: the index was built with another embedder.
    """

    index: MilvusIndex

    # -- engine calls ----------------------------------------------------------------------
    def _search(self, field: str, data, limit: int, expr: str, vectors: dict[int, np.ndarray] | None = None):
        """``(scores, chunk ids, doc ids, exhausted)`` best first from one ANN / BM25 search.

        ``exhausted``: the engine returned fewer hits than ``limit`` (every chunk the filter and
        the query allow is in the list; a deeper search finds nothing more). With ``vectors``,
        the hits' dense vectors come back in the same call and are added to it (no extra query).
        """
        ix = self.index
        metric = "IP" if field == "dense" else "BM25"
        limit = max(1, min(limit, MAX_LIMIT))
        if metric == "BM25" and ix.bm25_tokens:
            data = " ".join(query_tokens(data))  # as the collection's text was tokenized (medcite.index.milvus)
            if not data:  # only stop words: nothing matches, as in the local BM25
                return np.zeros(0), np.zeros(0, np.int64), [], True
        out = ["doc_id", "dense"] if vectors is not None else ["doc_id"]
        hits = ix.client.search(ix.collection, data=[data], anns_field=field, limit=limit, filter=expr,
                                output_fields=out, search_params={"metric_type": metric})[0]
        ids = np.array([h["chunk_id"] if "chunk_id" in h else h["id"] for h in hits], dtype=np.int64)
        scores = np.array([h["distance"] for h in hits], dtype=np.float64)
        if metric == "BM25":
            scores = np.abs(scores)  # Milvus Lite reports BM25 as a negative distance, a cluster as a positive score
            if ix.bm25_tokens:  # Milvus's BM25 carries the (k1 + 1) factor that bm25s's "lucene" variant leaves out
                scores = scores / (1.0 + BM25_PARAMS["bm25_k1"])
        order = np.lexsort((ids, -np.round(scores, 5)))  # ties by chunk id, as FAISS and the local BM25 order them
        docs = [hits[i]["entity"]["doc_id"] for i in order]
        if vectors is not None:
            for cid, h in zip(ids.tolist(), hits):
                vectors[cid] = np.asarray(h["entity"]["dense"], dtype=np.float32)
        return scores[order], ids[order], docs, len(hits) < limit

    def _vectors(self, ids: np.ndarray) -> dict[int, np.ndarray]:
        if not len(ids):
            return {}
        rows = self.index.client.query(self.index.collection, filter=f"chunk_id in {ids.tolist()}", output_fields=["dense"])
        return {int(r["chunk_id"]): np.asarray(r["dense"], dtype=np.float32) for r in rows}

    def _bm25_of(self, query: str, ids: np.ndarray) -> dict[int, float]:
        if not len(ids):
            return {}
        s, got, _, _ = self._search("sparse", query, len(ids), f"chunk_id in {ids.tolist()}")
        return dict(zip(got.tolist(), s.tolist()))

    # -- search ----------------------------------------------------------------------------
    def search(self, query: str | list[str], opts: SearchOptions = SearchOptions(), exclude_docs: set[str] | None = None,
               query_vectors: list[np.ndarray] | None = None) -> list[Passage]:
        """Retrieve passages for one query or several (multi-query: all lists fused by RRF).

        Engine calls for one hybrid query fused by z-scores: the BM25 search (returning its
        hits' vectors, so BM25-only candidates need no extra fetch), the dense search, a BM25
        search restricted to the dense-only candidates, and the chosen passages' rows. A
        filter is counted by the searches themselves (a list shorter than asked means nothing
        more passes it), not by a separate ``count(*)``.

        Args/Returns/Raises: as :meth:`medcite.retrieval.Retriever.search`.
        """
        opts.validate()
        queries = [query] if isinstance(query, str) else list(query)
        queries = [q.strip() for q in queries if q and q.strip()]
        if not queries:
            raise UsageError("the query is empty")
        n = len(self.index)
        if n == 0:
            return []
        expr = filter_expression(opts, exclude_docs)
        multi = not isinstance(query, str)
        qvecs = []
        if opts.mode in ("hybrid", "dense"):
            qvecs = [query_vectors[i] if query_vectors else self.embedder.embed_query(q) for i, q in enumerate(queries)]
        depth = min(max(opts.candidates, opts.top_k * 2), n, MAX_LIMIT)
        while True:
            vectors: dict[int, np.ndarray] = {}
            fused, doc_of, bm25_of, cos_of, exhausted = self._fused(queries, qvecs, opts, expr, depth, multi, vectors)
            order = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))
            chosen = cap_per_paper(order, [doc_of[cid] for cid, _ in order], opts)
            if len(chosen) >= opts.top_k or exhausted or depth >= min(n, MAX_LIMIT):
                break
            depth = min(depth * 4, n, MAX_LIMIT)
        return self._passages(chosen, queries[0], qvecs[0] if qvecs else None, bm25_of, cos_of, vectors)

    def _fused(self, queries, qvecs, opts: SearchOptions, expr: str, depth: int, multi: bool, vectors: dict[int, np.ndarray]):
        """``({chunk id: fused score}, {chunk id: doc id}, {chunk id: BM25 score} and
        {chunk id: cosine} of the first query, every list exhausted)``."""
        doc_of: dict[int, str] = {}
        lists: list[tuple[np.ndarray, float]] = []
        bm25_first: dict[int, float] = {}
        cos_first: dict[int, float] = {}
        exhausted = True
        for qi, q in enumerate(queries):
            wb = 1.0 if opts.mode == "bm25" else (opts.bm25_weight if uses_corpus_script(q) else 0.0)
            lex = dense = None
            if opts.mode in ("hybrid", "bm25") and wb > 0:
                lex = self._search("sparse", q, depth, expr, vectors if qi == 0 else None)
                doc_of.update(zip(lex[1].tolist(), lex[2]))
                exhausted &= lex[3]
                if qi == 0:
                    bm25_first = dict(zip(lex[1].tolist(), lex[0].tolist()))
            if opts.mode in ("hybrid", "dense"):
                dense = self._search("dense", qvecs[qi].tolist(), depth, expr)
                doc_of.update(zip(dense[1].tolist(), dense[2]))
                exhausted &= dense[3]
                if qi == 0:
                    cos_first = dict(zip(dense[1].tolist(), dense[0].tolist()))
            wd = opts.dense_weight if opts.mode == "hybrid" else 1.0
            if opts.mode == "hybrid" and opts.fusion == "zscore" and not multi:
                fused, extra, cos = self._zscore(q, lex, dense, qvecs[qi], wb, wd, depth, vectors)
                bm25_first.update(extra)
                return fused, doc_of, bm25_first, cos, exhausted
            if lex is not None:
                lists.append((lex[1], wb))
            if dense is not None:
                lists.append((dense[1], wd))
        return rrf(lists, opts.rrf_k), doc_of, bm25_first, cos_first, exhausted

    def _zscore(self, query: str, lex, dense, qvec: np.ndarray, wb: float, wd: float, depth: int, vectors: dict[int, np.ndarray]):
        """Z-score CombSUM over the union of both lists on exact scores (see the module docstring).

        Returns ``({chunk id: fused score}, {chunk id: BM25 score} fetched for dense-only
        candidates, {chunk id: cosine} of every candidate)``."""
        d_scores, d_ids, _, _ = dense
        cos = dict(zip(d_ids.tolist(), d_scores.tolist()))
        if lex is None:
            return dict(zip(d_ids.tolist(), (wd * zmuv(d_scores, d_scores)).tolist())), {}, cos
        l_scores, l_ids, _, _ = lex
        cand = np.union1d(l_ids, d_ids).astype(np.int64)
        missing = np.setdiff1d(cand, d_ids)
        absent = np.array([c for c in missing.tolist() if c not in vectors], dtype=np.int64)
        vectors.update(self._vectors(absent))  # normally none: the BM25 search returned its hits' vectors
        for cid in missing.tolist():
            cos[cid] = float(vectors[cid] @ qvec)
        bm = dict(zip(l_ids.tolist(), l_scores.tolist()))
        extra = self._bm25_of(query, np.setdiff1d(cand, l_ids))
        bm.update(extra)
        ref = np.concatenate([l_scores, np.zeros(max(0, depth - len(l_scores)))])  # unmatched chunks score 0, as locally
        c = cand.tolist()
        fused = wd * zmuv(np.array([cos.get(i, 0.0) for i in c]), d_scores) + wb * zmuv(np.array([bm.get(i, 0.0) for i in c]), ref)
        return dict(zip(c, fused.tolist())), extra, cos

    def _passages(self, chosen, query: str, qvec, bm25_of: dict[int, float], cos_of: dict[int, float],
                  vectors: dict[int, np.ndarray]) -> list[Passage]:
        """The chosen passages' rows in one query; their cosines from the search where it gave
        them, else from their vectors (fetched in the same query when not already at hand)."""
        if not chosen:
            return []
        ids = [cid for cid, _ in chosen]
        need_vec = any(cid not in cos_of and cid not in vectors for cid in ids)
        rows = self.index.client.query(self.index.collection, filter=f"chunk_id in {ids}",
                                       output_fields=[*FIELDS, "dense"] if need_vec else list(FIELDS))
        by_id = {int(r["chunk_id"]): r for r in rows}
        if qvec is None and any(cid not in cos_of for cid in ids):
            qvec = self.embedder.embed_query(query)
        out = []
        for rank, (cid, score) in enumerate(chosen, start=1):
            r = by_id[cid]
            if cid in cos_of:
                cos = cos_of[cid]
            else:
                v = vectors[cid] if cid in vectors else np.asarray(r["dense"], dtype=np.float32)
                cos = float(v @ qvec)
            out.append(Passage(
                chunk_id=cid, doc_id=r["doc_id"], text=r["text"], section=r["section"], start=r["start"], end=r["end"],
                title=r["title"], pmid=r["pmid"] or None, year=r["year"] or None, journal=r["journal"],
                mesh_terms=json.loads(r["mesh_terms"] or "[]"), publication_types=list(r["publication_types"] or []),
                score=float(score), dense_score=float(cos), bm25_score=bm25_of.get(cid), rank=rank,
            ))
        return out
