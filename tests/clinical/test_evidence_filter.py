"""Evidence filters (minimum level, publication type) apply before the top-k cut."""

import pytest

from medcite.clinical.evidence_filter import evidence_doc_mask, min_rank
from medcite.documents import Document, Section
from medcite.errors import UsageError
from medcite.index import Index
from medcite.index.writer import IndexWriter
from medcite.retrieval import Retriever, SearchOptions

DOCS = [
    Document("PMID:21", "", [Section("ABSTRACT", "Metformin lowers HbA1c in type 2 diabetes. Metformin lowers HbA1c and weight in type 2 diabetes patients.")], pmid="21"),
    Document("PMID:22", "", [Section("ABSTRACT", "Metformin in type 2 diabetes: a narrative review of HbA1c effects. This review covers metformin.")], pmid="22"),
    Document("PMID:23", "", [Section("METHODS", "We randomly assigned 412 adults with type 2 diabetes to metformin or placebo."),
                             Section("RESULTS", "Metformin lowered HbA1c by 0.8%.")], pmid="23"),
    Document("PMID:24", "", [Section("ABSTRACT", "Pooled estimates for metformin and HbA1c in type 2 diabetes.")], pmid="24",
             publication_types=["Meta-Analysis", "Journal Article"]),
]


@pytest.fixture
def retriever(tmp_path, embedder):
    root = tmp_path / "ev"
    IndexWriter(root, embedder).build(DOCS)
    return Retriever(Index(root), embedder)


def test_minimum_level_applies_before_the_cut(retriever):
    q = "metformin HbA1c type 2 diabetes"
    unfiltered = [p.doc_id for p in retriever.search(q, SearchOptions(top_k=4))]
    assert len(unfiltered) == 4
    got = retriever.search(q, SearchOptions(top_k=1, evidence="rct"))
    assert len(got) == 1 and got[0].doc_id in {"PMID:23", "PMID:24"}
    got2 = retriever.search(q, SearchOptions(top_k=3, evidence="rct"))
    assert {p.doc_id for p in got2} == {"PMID:23", "PMID:24"}  # the cut did not leave out a filtered paper
    assert [p.doc_id for p in retriever.search(q, SearchOptions(top_k=3, evidence="meta-analysis"))] == ["PMID:24"]


def test_publication_type_filter_reads_types_and_text_levels(retriever):
    q = "metformin HbA1c type 2 diabetes"
    assert [p.doc_id for p in retriever.search(q, SearchOptions(top_k=3, publication_types=("meta-analysis",)))] == ["PMID:24"]
    assert [p.doc_id for p in retriever.search(q, SearchOptions(top_k=3, publication_types=("Randomized Controlled Trial",)))] == ["PMID:23"]
    assert evidence_doc_mask(retriever.index, None, ()) is None


def test_unknown_level_is_a_usage_error(retriever):
    with pytest.raises(UsageError, match="unknown evidence level"):
        retriever.search("metformin", SearchOptions(evidence="anecdote"))
    assert min_rank("rct") > min_rank("observational") > min_rank("case-report")
