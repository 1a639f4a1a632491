from medcite.answer import ABSTAIN_TEXT
from medcite.answer.extractive import ExtractiveAnswerer
from medcite.answer.citations import markers_in
from medcite.index import Index
from medcite.retrieval import Retriever, SearchOptions


def test_answer_cites_only_retrieved_passages(built_index, embedder):
    r = Retriever(Index(built_index), embedder)
    ps = r.search("Does metformin cause lactic acidosis?", SearchOptions(top_k=4))
    ans = ExtractiveAnswerer(embedder, threshold=0.0).answer("Does metformin cause lactic acidosis?", ps)
    assert not ans.abstained
    cited = markers_in(ans.answer)
    assert cited and cited == [r.n for r in ans.references]
    retrieved = {p.chunk_id for p in ps}
    for ref in ans.references:
        assert ref.chunk_id in retrieved
        # every answer sentence is verbatim from its cited passage
    for s in ans.sentences:
        body = s.text.rsplit(" [", 1)[0]
        assert body in ans.references[s.citations[0] - 1].passage


def test_abstains_below_threshold(built_index, embedder):
    r = Retriever(Index(built_index), embedder)
    ps = r.search("quantum chromodynamics lattice gauge", SearchOptions(top_k=3))
    ans = ExtractiveAnswerer(embedder, threshold=0.99).answer("quantum chromodynamics lattice gauge", ps)
    assert ans.abstained and ans.answer == ABSTAIN_TEXT and ans.references == []


def test_abstains_without_passages(embedder):
    ans = ExtractiveAnswerer(embedder).answer("anything", [])
    assert ans.abstained and not ans.references
