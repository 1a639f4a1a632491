import numpy as np
import pytest

from medcite.errors import EmbedderMismatchError, UsageError
from medcite.index import Index
from medcite.retrieval import Retriever, SearchOptions, rrf, uses_corpus_script, zmuv
from medcite.embedding import HashingEmbedder


def test_rrf_sums_reciprocal_ranks():
    fused = rrf([(np.array([1, 2, 3]), 1.0), (np.array([3, 1]), 1.0)], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)
    assert fused[2] == pytest.approx(1 / 62)
    assert max(fused, key=fused.get) == 1


def test_rrf_weights():
    fused = rrf([(np.array([1, 2]), 0.0), (np.array([2, 1]), 1.0)], k=60)
    assert fused[2] > fused[1]


def test_zmuv_standardises_against_the_reference_list():
    ref = np.array([3.0, 5.0, 10.0])
    z = zmuv(ref, ref)
    assert z.mean() == pytest.approx(0.0, abs=1e-12) and z.std() == pytest.approx(1.0)
    assert list(np.argsort(-z)) == [2, 1, 0]
    # a candidate outside the reference list is placed on the same scale
    assert zmuv(np.array([0.0]), ref)[0] < z.min()
    assert not zmuv(np.array([1.0, 2.0]), np.array([4.0, 4.0])).any()  # constant list: no say
    assert not zmuv(np.array([1.0]), np.zeros(0)).any()


def test_zscore_fusion_sums_standardised_exact_scores(built_index, embedder):
    """With every chunk a candidate, each passage's fused score is z(bm25) + z(cosine) of its own
    exact scores, standardised over each list's scores."""
    r = retriever(built_index, embedder)
    everything = SearchOptions(top_k=50, max_per_paper=10, candidates=1000, bm25_prf_docs=0)
    ps = r.search("metformin kidney lactic acidosis", everything)
    assert len(ps) == 6
    bm = np.array([p.bm25_score or 0.0 for p in ps])
    cos = np.array([p.dense_score for p in ps])
    expected = (bm - bm.mean()) / bm.std() + (cos - cos.mean()) / cos.std()
    assert [p.score for p in ps] == pytest.approx(list(expected))
    assert [p.score for p in ps] == sorted((p.score for p in ps), reverse=True)
    # RRF orders the same candidates by rank instead, and its scores are reciprocal ranks
    rr = r.search("metformin kidney lactic acidosis", SearchOptions(top_k=50, max_per_paper=10, candidates=1000, fusion="rrf"))
    assert {p.chunk_id for p in rr} == {p.chunk_id for p in ps}
    assert all(0 < p.score <= 2 / 21 for p in rr)


def test_lexical_feedback_expands_the_query_with_the_feedback_passages_terms(tmp_path, embedder):
    """A paper that shares no word with the question but many with the top paper gains a BM25
    score from the expanded query; a paper sharing neither gains nothing."""
    from medcite.documents import Document, Section
    from medcite.index.writer import IndexWriter

    docs = [
        Document("PMID:1", "Heart attack outcomes", [Section("ABSTRACT", "Heart attack survivors: myocardial infarction troponin reperfusion stenting outcomes.")], pmid="1"),
        Document("PMID:2", "Reperfusion", [Section("ABSTRACT", "Troponin release after reperfusion and stenting of an occluded artery.")], pmid="2"),
        Document("PMID:3", "Gardening", [Section("ABSTRACT", "Tomato seedlings need light and water.")], pmid="3"),
    ]
    root = tmp_path / "ix"
    IndexWriter(root, embedder).build(docs)
    ix = Index(root)
    plain = ix.lexical.scores("heart attack")
    top = ix.rows_of(np.array([ix.chunk_ids[int(np.argmax(plain))]]))
    expanded = ix.lexical.feedback_scores("heart attack", top, terms=10, query_weight=0.5)
    row = {ix.doc_ids[ix.chunk_doc[i]]: i for i in range(len(ix.chunk_ids))}
    assert plain[row["PMID:2"]] == 0 and expanded[row["PMID:2"]] > 0
    assert expanded[row["PMID:3"]] == 0
    assert expanded[row["PMID:1"]] > expanded[row["PMID:2"]]
    # nothing to expand with: the plain scores
    assert np.array_equal(ix.lexical.feedback_scores("heart attack", np.zeros(0, np.int64)), plain)
    assert np.array_equal(ix.lexical.feedback_scores("tomato", top, query_weight=1.0) > 0, ix.lexical.scores("tomato") > 0)


def test_lexical_feedback_keeps_the_lead_and_reorders_below_it(tmp_path, built_index, embedder):
    from medcite.documents import Document, Section
    from medcite.index.writer import IndexWriter

    topics = ["metformin kidney function", "metformin lactic acidosis", "kidney disease dosing", "insulin glucose control"]
    docs = [
        Document(f"PMID:{i}", t, [Section(lab, f"{t} {lab.lower()} {extra} " + " ".join(f"w{i}x{j}" for j in range(50))) for lab, extra in
                                 (("BACKGROUND", "in adults"), ("METHODS", "cohort of patients"), ("RESULTS", "risk was low"))], pmid=str(i))
        for i, t in enumerate(topics, start=1)
    ]
    multi = tmp_path / "multi"
    IndexWriter(multi, embedder).build(docs)
    q = "metformin kidney"
    for root, per_paper in ((built_index, 1), (multi, 1), (multi, 2)):
        r = retriever(root, embedder)
        off = r.search(q, SearchOptions(top_k=7, max_per_paper=per_paper, bm25_prf_docs=0))
        assert per_paper == 1 or len({p.doc_id for p in off}) < len(off)  # several passages per paper
        for n in (1, 2):
            on = r.search(q, SearchOptions(top_k=7, max_per_paper=per_paper, bm25_prf_docs=n))
            papers = [p.doc_id for p in off]
            lead = next((i for i in range(len(papers)) if len(set(papers[: i + 1])) > n), len(papers))
            assert [(p.chunk_id, p.score) for p in on[:lead]] == [(p.chunk_id, p.score) for p in off[:lead]]
            assert {p.chunk_id for p in on} == {p.chunk_id for p in off}
    # only single z-score-fused hybrid queries get feedback
    for kw in ({"fusion": "rrf"}, {"mode": "bm25"}, {"mode": "dense"}):
        assert r.search(q, SearchOptions(top_k=6, **kw)) == r.search(q, SearchOptions(top_k=6, bm25_prf_docs=0, **kw))
    with pytest.raises(UsageError):
        r.search(q, SearchOptions(bm25_prf_query_weight=1.5))


def test_multi_query_search_fuses_queries_by_rrf(built_index, embedder):
    r = retriever(built_index, embedder)
    for fusion in ("zscore", "rrf"):
        ps = r.search(["statins", "myocardial infarction"], SearchOptions(top_k=3, fusion=fusion))
        assert ps[0].doc_id == "PMID:2", fusion
        assert all(0 < p.score <= 4 / 21 for p in ps), fusion  # RRF over 2 lists of each of 2 queries
    one = r.search(["statins myocardial infarction"], SearchOptions(top_k=6))
    assert all(0 < p.score <= 2 / 21 for p in one)  # a list of one query is fused by RRF too


def test_script_detection():
    assert uses_corpus_script("Does metformin cause lactic acidosis?")
    assert not uses_corpus_script("二甲双胍会导致乳酸酸中毒吗？")


def retriever(root, embedder):
    return Retriever(Index(root), embedder)


def test_search_finds_the_matching_paper(built_index, embedder):
    r = retriever(built_index, embedder)
    for mode in ("hybrid", "bm25", "dense"):
        ps = r.search("statins myocardial infarction", SearchOptions(top_k=3, mode=mode))
        assert ps[0].doc_id == "PMID:2", mode
        assert [p.rank for p in ps] == list(range(1, len(ps) + 1))


def test_k_larger_than_index_returns_everything(built_index, embedder):
    r = retriever(built_index, embedder)
    ps = r.search("metformin", SearchOptions(top_k=50))
    assert len(ps) == 6
    assert len({p.chunk_id for p in ps}) == 6


def test_year_filter_is_applied_before_the_cut(built_index, embedder):
    r = retriever(built_index, embedder)
    ps = r.search("metformin", SearchOptions(top_k=3, year_from=2010, year_to=2019, candidates=1))
    assert len(ps) == 3  # three papers exist in 2010..2019, even though "metformin" matches none
    assert all(2010 <= p.year <= 2019 for p in ps)
    none = r.search("metformin", SearchOptions(top_k=3, year_from=2030))
    assert none == []


def test_exclusion_and_per_paper_cap(built_index, embedder):
    r = retriever(built_index, embedder)
    ps = r.search("metformin", SearchOptions(top_k=10), exclude_docs={"PMID:1"})
    assert "PMID:1" not in {p.doc_id for p in ps}
    docs = [p.doc_id for p in r.search("metformin", SearchOptions(top_k=10, max_per_paper=1))]
    assert len(docs) == len(set(docs))


def test_bad_options_and_empty_query(built_index, embedder):
    r = retriever(built_index, embedder)
    with pytest.raises(UsageError):
        r.search("   ", SearchOptions())
    with pytest.raises(UsageError):
        r.search("x", SearchOptions(top_k=0))
    with pytest.raises(UsageError):
        r.search("x", SearchOptions(year_from=2020, year_to=2010))
    with pytest.raises(UsageError, match="fusion"):
        r.search("x", SearchOptions(fusion="borda"))


def test_embedder_mismatch_is_refused(built_index):
    other = HashingEmbedder()
    other.name = "other-model"
    with pytest.raises(EmbedderMismatchError, match="rebuild"):
        Retriever(Index(built_index), other)
