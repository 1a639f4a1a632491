"""LangChain integration: MedciteRetriever documents and the citation guard on a chat model."""

from __future__ import annotations

from langchain_core.documents import Document as LCDocument
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from langchain_core.retrievers import BaseRetriever

from medcite.answer import ABSTAIN_TEXT
from medcite.langchain import MedciteRetriever, answer_from_text, document_to_passage, guarded_answer, guarded_chain

from .conftest import ANSWERABLE


def test_retriever_returns_documents_with_metadata(svc):
    r = MedciteRetriever(service=svc, top_k=3)
    assert isinstance(r, BaseRetriever)
    docs = r.invoke("statins recurrent myocardial infarction")
    assert 1 <= len(docs) <= 3
    top = docs[0]
    assert isinstance(top, LCDocument)
    assert "statins" in top.page_content.lower()
    m = top.metadata
    assert m["pmid"] == "2" and m["doc_id"] == "PMID:2" and m["year"] == 2010
    assert m["title"] == "Statins after myocardial infarction"
    assert m["section"] == "ABSTRACT" and m["url"].endswith("/2/")
    assert isinstance(m["score"], float) and isinstance(m["chunk_id"], int)
    assert [d.metadata["rank"] for d in docs] == list(range(1, len(docs) + 1))
    p = document_to_passage(top)
    assert (p.doc_id, p.pmid, p.text, p.chunk_id) == ("PMID:2", "2", top.page_content, m["chunk_id"])


def test_retriever_filters(svc):
    docs = MedciteRetriever(service=svc, top_k=5, year_from=2015).invoke("metformin aspirin vitamin")
    assert docs and all(d.metadata["year"] >= 2015 for d in docs)


def test_retriever_from_index(index_path, embedder):
    r = MedciteRetriever.from_index(str(index_path), embedder=embedder, top_k=2)
    assert len(r.invoke("vitamin D fractures")) == 2


class RecordingChat(FakeListChatModel):
    """FakeListChatModel that remembers the messages it was sent."""

    seen: list = []  # noqa: RUF012 - reset by each test

    def invoke(self, input, *a, **k):
        self.seen.append(input)
        return super().invoke(input, *a, **k)


def test_guarded_answer_removes_invented_citations(svc):
    docs = MedciteRetriever(service=svc, top_k=3).invoke(ANSWERABLE)
    chat = RecordingChat(responses=["Lactic acidosis is rare [2]. It never happens [9]. Metformin is first line [1][0]."])
    chat.seen = []
    ans = guarded_answer(ANSWERABLE, docs, chat)
    sent = chat.seen[0]
    assert isinstance(sent[0], SystemMessage) and isinstance(sent[1], HumanMessage)
    assert "[1]" in sent[1].content and ANSWERABLE in sent[1].content
    assert ans.abstained is False
    assert "[9]" not in ans.answer and "[0]" not in ans.answer
    assert ans.extra["citations_removed"] == 2
    # renumbered in order of first appearance: model's [2] → [1], model's [1] → [2]
    assert ans.answer.startswith("Lactic acidosis is rare [1].")
    assert [r.id for r in ans.references] == [docs[1].metadata["doc_id"], docs[0].metadata["doc_id"]]
    assert ans.references[0].passage == docs[1].page_content  # from stored metadata, not model text
    uncited = [s for s in ans.sentences if not s.citations]
    assert uncited and all(not s.supported for s in uncited)


def test_guarded_answer_with_support_check(svc, embedder):
    docs = MedciteRetriever(service=svc, top_k=3).invoke("vitamin D fractures")
    assert docs[0].metadata["doc_id"] == "PMID:4"
    reply = "Vitamin D supplementation alone did not prevent fractures in community-dwelling adults [1]. Bananas prevent fractures [9]."
    ans = guarded_answer("Does vitamin D prevent fractures?", docs, FakeListChatModel(responses=[reply]), embedder=embedder)
    assert not ans.abstained
    assert ans.answer.startswith("Vitamin D supplementation alone did not prevent fractures") and "Bananas" not in ans.answer
    assert ans.extra["citations_removed"] == 1
    assert [r.id for r in ans.references] == ["PMID:4"]
    flagged = [s for s in ans.sentences if not s.supported]
    assert len(flagged) == 1 and "Bananas" in flagged[0].text


def test_guarded_answer_abstains_when_nothing_valid_is_cited(svc):
    docs = MedciteRetriever(service=svc, top_k=2).invoke(ANSWERABLE)
    ans = guarded_answer(ANSWERABLE, docs, FakeListChatModel(responses=["Everything is fine [5]."]))
    assert ans.abstained and ans.answer == ABSTAIN_TEXT and ans.references == []
    ans = guarded_answer(ANSWERABLE, docs, FakeListChatModel(responses=["The sources do not answer this question."]))
    assert ans.abstained


def test_guarded_chain_lcel(svc):
    reply = "High-intensity statins reduced recurrent myocardial infarction and cardiovascular death [1]. Statins cure baldness [2]."
    chain = guarded_chain(MedciteRetriever(service=svc, top_k=2), FakeListChatModel(responses=[reply]))
    ans = chain.invoke("statins recurrent myocardial infarction")
    assert not ans.abstained
    assert [r.pmid for r in ans.references] == ["2"]
    # the retriever's embedder was handed to the full guard: the unsupported sentence is left out
    assert "baldness" not in ans.answer
    assert [s.supported for s in ans.sentences] == [True, False]
    assert ans.extra["guard"]["unsupported_sentences"] == 1


def test_prompt_fits_context(svc):
    docs = MedciteRetriever(service=svc, top_k=5).invoke("metformin")
    chat = RecordingChat(responses=["Metformin [1]."])
    chat.seen = []
    ans = guarded_answer("metformin?", docs, chat, count_tokens=lambda s: len(s.split()), context_tokens=140, reserve_tokens=20)
    user = chat.seen[0][1].content
    system = chat.seen[0][0].content
    assert len((system + " " + user).split()) <= 120 + 5
    assert any("left out" in n for n in ans.notes)


def test_answer_from_text_plain():
    from medcite.documents import Passage

    ps = [Passage(1, "PMID:1", "text one", "ABSTRACT", 0, 8, title="One", pmid="1")]
    ans = answer_from_text("q", "Claim [1]. Another [1-3].", ps)
    assert ans.answer == "Claim [1]. Another [1]."
    assert ans.extra["citations_removed"] == 2


def test_retriever_sees_a_newer_version(svc, index_path, embedder):
    from medcite.documents import Document, Section
    from medcite.index.writer import IndexWriter

    r = MedciteRetriever(service=svc, top_k=1, reload_check_seconds=0)
    assert r.invoke("colchicine ischemic events")[0].metadata["doc_id"] != "PMID:77"
    IndexWriter(index_path, embedder).update([
        Document("PMID:77", "Colchicine after myocardial infarction",
                 [Section("ABSTRACT", "Low-dose colchicine reduced ischemic cardiovascular events.")], pmid="77", year=2019)
    ])
    assert r.invoke("colchicine ischemic events")[0].metadata["doc_id"] == "PMID:77"


def test_retriever_evidence_filter(svc):
    assert MedciteRetriever(service=svc, top_k=5).invoke("metformin")
    assert MedciteRetriever(service=svc, top_k=5, evidence="rct").invoke("metformin") == []

