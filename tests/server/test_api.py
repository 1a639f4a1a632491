"""HTTP API through FastAPI's TestClient: routes, auth, limits, error mapping, SSE, reload."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

import pytest

from medcite.config import Settings
from medcite.documents import Document, Section
from medcite.errors import EmbedderMismatchError, IndexLockedError
from medcite.index.writer import IndexWriter
from medcite.server.guard import TokenBucket
from medcite.service import Medcite

from .conftest import ANSWERABLE, EVIL_TITLE, OFF_TOPIC

TOKEN = "s3cret-token-for-tests"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if not block.strip():
            continue
        name, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
        events.append((name, json.loads("\n".join(data))))
    return events


# -- routes -------------------------------------------------------------------------------
def test_healthz_and_index(make_client, svc):
    c = make_client()
    assert c.get("/healthz").json()["status"] == "ok"
    info = c.get("/v1/index").json()
    assert info["name"] == "web"
    assert info["counts"]["documents"] == 7
    assert info["version"] == svc.index().version
    assert "files" not in info and "path" not in info


def test_search_returns_ranked_passages(make_client):
    r = make_client().post("/v1/search", json={"query": "statins recurrent myocardial infarction", "top_k": 3})
    assert r.status_code == 200
    body = r.json()
    assert body["index"] == "web" and body["version"].startswith("v")
    ps = body["passages"]
    assert 1 <= len(ps) <= 3
    assert ps[0]["doc_id"] == "PMID:2"
    assert ps[0]["url"] == "https://pubmed.ncbi.nlm.nih.gov/2/"
    assert [p["rank"] for p in ps] == list(range(1, len(ps) + 1))


def test_search_reports_the_query_embedding_time_apart(make_client):
    c = make_client()
    t = c.post("/v1/search", json={"query": "statins recurrent myocardial infarction"}).json()["timings"]
    assert set(t) == {"embed_query", "search", "total"}
    assert t["embed_query"] > 0 and t["search"] > 0
    assert t["total"] >= t["embed_query"] + t["search"] - 1e-9
    lexical = c.post("/v1/search", json={"query": "metformin", "mode": "bm25"}).json()
    assert lexical["timings"]["embed_query"] < 1e-3 and lexical["passages"]  # BM25 alone embeds no query


def test_search_year_filter_and_mode(make_client):
    c = make_client()
    r = c.post("/v1/search", json={"query": "metformin", "year_from": 2015, "mode": "bm25"})
    assert r.status_code == 200
    assert all(p["year"] and p["year"] >= 2015 for p in r.json()["passages"])
    assert c.post("/v1/search", json={"query": "metformin", "mode": "magic"}).status_code == 422
    assert c.post("/v1/search", json={"query": "metformin", "fusion": "borda"}).status_code == 422
    q = {"query": "statins recurrent myocardial infarction", "top_k": 7}
    z, rr = (c.post("/v1/search", json=dict(q, fusion=f)).json()["passages"] for f in ("zscore", "rrf"))
    assert z[0]["doc_id"] == rr[0]["doc_id"] == "PMID:2"
    assert all(0 < p["score"] < 1 for p in rr) and any(p["score"] < 0 for p in z)  # reciprocal ranks vs z-scores
    r = c.post("/v1/search", json={"query": "metformin", "year_from": 2020, "year_to": 2010})
    assert r.status_code == 422 and "year range is empty" in r.json()["detail"]


def test_ask_answers_with_citations(make_client):
    r = make_client().post("/v1/ask", json={"question": ANSWERABLE})
    assert r.status_code == 200
    a = r.json()
    assert a["abstained"] is False
    assert a["references"] and a["references"][0]["id"] == "PMID:1"
    for ref in a["references"]:
        assert f"[{ref['n']}]" in a["answer"]
    assert a["index"] == "web" and a["version"]


def test_ask_abstains_off_topic(make_client):
    a = make_client().post("/v1/ask", json={"question": OFF_TOPIC}).json()
    assert a["abstained"] is True
    assert a["references"] == []


# -- server-sent events -------------------------------------------------------------------
def test_ask_stream_extractive(make_client):
    c = make_client()
    plain = c.post("/v1/ask", json={"question": ANSWERABLE}).json()
    with c.stream("POST", "/v1/ask", json={"question": ANSWERABLE, "stream": True}) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        events = parse_sse(r.read().decode())
    names = [n for n, _ in events]
    assert names[0] == "meta" and names[-1] == "answer"
    assert set(names[1:-1]) == {"delta"}
    final = events[-1][1]
    assert final["answer"] == plain["answer"]
    assert "".join(d["text"] for n, d in events if n == "delta") == final["answer"]
    assert [r["id"] for r in final["references"]] == [r["id"] for r in plain["references"]]
    assert events[0][1]["version"] == final["version"]


def test_ask_stream_errors_before_streaming_get_a_status(make_client):
    r = make_client().post("/v1/ask", json={"question": "   ", "stream": True})
    assert r.status_code == 422
    assert r.json()["detail"] == "the question is empty"


class ScriptedStreamer:
    """A generative answerer (the ``stream`` protocol of :mod:`medcite.answer.generative`): raw
    model text pieces, then the guarded answer. Its "model" cites a passage never sent."""

    name = "scripted"

    def __init__(self, pieces, embedder, final=True):
        self.pieces, self.embedder, self.final = pieces, embedder, final

    def stream(self, question, passages, live=False):
        from medcite.langchain import answer_from_text

        yield from self.pieces
        if self.final:
            yield answer_from_text(question, "".join(self.pieces), passages, generator=self.name, embedder=self.embedder)

    def answer(self, question, passages):  # pragma: no cover - the stream path is used
        raise AssertionError("stream() should be used")


PIECES = ["Lactic acidosis was rare among metformin users ", "with normal kidney function [1]. Statins help [7]."]


def test_ask_stream_generative_answer_is_guarded(make_client, index_path, embedder):
    svc = Medcite(Settings(index=str(index_path), top_k=3), embedder=embedder)
    svc.answerer = lambda *a, **k: ScriptedStreamer(PIECES, embedder)
    c = make_client(service=svc)
    with c.stream("POST", "/v1/ask", json={"question": ANSWERABLE, "stream": True}) as r:
        events = parse_sse(r.read().decode())
    deltas = [d["text"] for n, d in events if n == "delta"]
    assert deltas == PIECES  # raw model text, streamed as it came
    name, final = events[-1]
    assert name == "answer"
    assert final["generator"] == "scripted"
    assert final["abstained"] is False
    assert final["answer"].startswith("Lactic acidosis was rare among metformin users with normal kidney function [1].")
    assert "[7]" not in final["answer"]
    assert final["citations_removed"] == 1
    assert [r["n"] for r in final["references"]] == [1]
    assert final["version"] == events[0][1]["version"]


def test_ask_stream_without_final_answer_ends_with_error(make_client, index_path, embedder):
    svc = Medcite(Settings(index=str(index_path)), embedder=embedder)
    svc.answerer = lambda *a, **k: ScriptedStreamer(PIECES, embedder, final=False)
    with make_client(service=svc).stream("POST", "/v1/ask", json={"question": ANSWERABLE, "stream": True}) as r:
        events = parse_sse(r.read().decode())
    assert [n for n, _ in events] == ["meta", "delta", "delta", "error"]
    assert events[-1][1]["status"] == 500


def test_ask_stream_answerer_failure_is_a_clean_500(make_client, index_path, embedder):
    class Broken:
        name = "broken"

        def answer(self, question, passages):
            raise RuntimeError("model exploded at /secret/path")

    svc = Medcite(Settings(index=str(index_path)), embedder=embedder)
    svc.answerer = lambda *a, **k: Broken()
    c = make_client(service=svc, raise_server_exceptions=False)
    r = c.post("/v1/ask", json={"question": ANSWERABLE, "stream": True})
    assert r.status_code == 500
    assert "internal server error" in r.json()["detail"]
    assert "secret" not in r.text and "Traceback" not in r.text


# -- auth -----------------------------------------------------------------------------------
def test_token_required_everywhere_but_healthz(make_client):
    c = make_client(api_token=TOKEN)
    assert c.get("/healthz").status_code == 200
    assert c.get("/").status_code == 200  # the page shell carries no data
    for method, path, body in [
        ("GET", "/v1/index", None), ("POST", "/v1/search", {"query": "x"}), ("POST", "/v1/ask", {"question": "x"}),
        ("POST", "/v1/diagnose", {"findings": "x"}), ("GET", "/openapi.json", None),
    ]:
        r = c.request(method, path, json=body)
        assert r.status_code == 401, path
        assert r.headers["www-authenticate"] == "Bearer"
        assert "bearer token" in r.json()["detail"]
    assert c.get("/v1/index", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert c.get("/v1/index", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert c.get("/v1/index", headers={"Authorization": f"Bearer {TOKEN}x"}).status_code == 401
    assert c.get("/v1/index", headers=AUTH).status_code == 200
    assert c.post("/v1/search", json={"query": "metformin"}, headers=AUTH).status_code == 200


def test_token_from_environment(make_client, monkeypatch):
    monkeypatch.setenv("MEDCITE_API_TOKEN", TOKEN)
    c = make_client()
    assert c.get("/v1/index").status_code == 401
    assert c.get("/v1/index", headers=AUTH).status_code == 200


def test_empty_token_means_no_auth(make_client):
    assert make_client(api_token="").get("/v1/index").status_code == 200


# -- limits ---------------------------------------------------------------------------------
def test_body_too_large_413(make_client):
    c = make_client(max_body_bytes=2048)
    r = c.post("/v1/search", json={"query": "a " * 3000})
    assert r.status_code == 413
    assert "2048 bytes" in r.json()["detail"]


def test_chunked_body_too_large_413(make_client):
    c = make_client(max_body_bytes=2048)

    def chunks():
        yield b'{"query": "'
        for _ in range(10):
            yield b"metformin " * 50
        yield b'"}'

    r = c.post("/v1/search", content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413
    detail = r.json()["detail"]
    assert "limit is 2048 bytes" in detail
    assert "bytes sent" not in detail  # no Content-Length: cut off while counting


def test_question_too_long_422(make_client):
    c = make_client(max_question_chars=40)
    r = c.post("/v1/ask", json={"question": "x" * 41})
    assert r.status_code == 422
    assert r.json()["detail"] == "the question is 41 characters long; the limit is 40 (MEDCITE_MAX_QUESTION_CHARS)"
    assert c.post("/v1/search", json={"query": "y" * 41}).status_code == 422
    # case notes are held to the case-note limit, not the question limit
    r = c.post("/v1/diagnose", json={"findings": "fever and neck stiffness, " * 4})
    assert "characters long" not in str(r.json().get("detail", "")), r.json()
    assert c.post("/v1/ask", json={"question": "metformin and lactic acidosis"}).status_code == 200


def test_validation_errors_are_one_line_without_input(make_client):
    c = make_client()
    r = c.post("/v1/ask", json={"question": "", "colour": "blue"})
    assert r.status_code == 422
    body = r.json()
    assert body["detail"].startswith("invalid request: ")
    assert "question" in body["detail"] and "colour" in body["detail"]
    assert all("input" not in e for e in body["errors"])
    r = c.post("/v1/ask", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 422


def test_rate_limit_429_per_client(make_client, svc):
    from fastapi.testclient import TestClient

    c = make_client(rate_limit=0.5, rate_burst=2)
    assert c.get("/v1/index").status_code == 200
    assert c.get("/v1/index").status_code == 200
    r = c.get("/v1/index")
    assert r.status_code == 429
    assert int(r.headers["retry-after"]) >= 1
    assert "rate limit" in r.json()["detail"]
    assert c.get("/healthz").status_code == 200  # not limited
    other = TestClient(c.app, client=("10.9.8.7", 1234))  # another client has its own bucket
    assert other.get("/v1/index").status_code == 200


def test_token_bucket_refills():
    now = [0.0]
    b = TokenBucket(rate=2.0, burst=3, clock=lambda: now[0])
    assert [b.take("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert b.take("a") == pytest.approx(0.5)
    assert b.take("b") == 0.0
    now[0] += 0.5
    assert b.take("a") == 0.0
    assert b.take("a") > 0
    assert TokenBucket(rate=0, burst=1).take("a") == 0.0


# -- errors ---------------------------------------------------------------------------------
def test_missing_index_404(make_client, tmp_path, embedder):
    svc = Medcite(Settings(index=str(tmp_path / "nope" / "idx")), embedder=embedder)
    r = make_client(service=svc).post("/v1/search", json={"query": "metformin"})
    assert r.status_code == 404
    assert "no index at" in r.json()["detail"]


class FailingService:
    """Looks like a Medcite whose search raises the given exception."""

    def __init__(self, real: Medcite, exc: Exception):
        self._real, self._exc = real, exc
        self.index_path = real.index_path
        self.settings = real.settings

    def index(self):
        return self._real.index()

    def retriever(self):
        exc, index = self._exc, self._real.index()

        class Failing:
            def search(self, *a, **k):
                raise exc

        r = Failing()
        r.index, r.embedder = index, self._real.embedder_for_index()  # the route embeds the query before searching
        return r

    def options(self, **kw):
        return self._real.options(**kw)

    def embedder_for_index(self):
        return self._real.embedder_for_index()

    def reload_if_changed(self):
        return False

    def search(self, *a, **k):
        raise self._exc

    ask = search


@pytest.mark.parametrize(
    "exc,status,text",
    [
        (EmbedderMismatchError("index built with e5-small, not minilm"), 409, "index built with e5-small, not minilm"),
        (IndexLockedError("index 'web' is being written by another process"), 423, "being written"),
        (RuntimeError("boom at /home/secret/file.py line 3"), 500, "internal server error"),
        (KeyError("secret-key"), 500, "internal server error"),
    ],
)
def test_error_mapping(make_client, svc, exc, status, text):
    c = make_client(service=FailingService(svc, exc), raise_server_exceptions=False)
    for path, body in [("/v1/search", {"query": "q"}), ("/v1/ask", {"question": "q"})]:
        r = c.post(path, json=body)
        assert r.status_code == status
        detail = r.json()["detail"]
        assert text in detail
        assert "secret" not in r.text and "Traceback" not in r.text and "File " not in r.text


class NoClinical(Medcite):
    """A medcite without the clinical module."""

    diagnose = None
    treatments = None


def test_clinical_routes_501_without_module(make_client, index_path, embedder):
    c = make_client(service=NoClinical(Settings(index=str(index_path)), embedder=embedder))
    r = c.post("/v1/diagnose", json={"findings": "fever, cough, 3 days"})
    assert r.status_code == 501
    assert "diagnosis is not available" in r.json()["detail"]
    assert c.post("/v1/treatments", json={"condition": "asthma"}).status_code == 501


def test_diagnose_passes_options_and_result_through(make_client, index_path, embedder):
    svc = Medcite(Settings(index=str(index_path)), embedder=embedder)
    seen = {}

    @dataclass
    class Differential:
        findings: list
        items: list

    def diagnose(findings, top_k=None, passages=None, exclude_docs=None, **opts):
        seen["args"] = (findings, top_k)
        return Differential(findings.split(", "), [{"name": "Lactic acidosis", "score": 0.9}])

    svc.diagnose = diagnose
    r = make_client(service=svc).post("/v1/diagnose", json={"findings": "metformin, vomiting, high lactate", "top_k": 4})
    assert r.status_code == 200
    assert seen["args"] == ("metformin, vomiting, high lactate", 4)
    body = r.json()
    assert body["items"][0]["name"] == "Lactic acidosis"
    assert body["findings"] == ["metformin", "vomiting", "high lactate"]
    assert body["index"] == "web"


def test_clinical_routes_with_the_real_module(make_client):
    pytest.importorskip("medcite.clinical.diagnose")
    c = make_client()
    r = c.post("/v1/diagnose", json={"findings": "lactic acidosis; vomiting; metformin use", "top_k": 3})
    assert r.status_code == 200
    assert r.json()["task"] == "diagnose" and r.json()["disclaimer"]
    r = c.post("/v1/treatments", json={"condition": "myocardial infarction"})
    assert r.status_code == 200 and r.json()["task"] == "treatments"
    r = c.post("/v1/summarize", json={"id": "PMID:1"})
    assert r.status_code == 200
    body = r.json()
    assert body["task"] == "summarize"
    assert any("Lactic acidosis was rare" in it["text"] for it in body["items"])


def test_summarize_never_reads_server_paths(make_client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET patient list. It has many sentences. All private.")
    c = make_client()
    for ident in (str(secret), "../../etc/passwd", "secret.txt"):
        r = c.post("/v1/summarize", json={"id": ident})
        assert r.status_code in (404, 501)
        assert "SECRET" not in r.text



ABSTRACT = ("OBJECTIVE: To assess whether metformin raises lactate. METHODS: We enrolled 120 adults with type 2 diabetes. "
            "RESULTS: Lactate did not rise (p = 0.40). CONCLUSIONS: Metformin did not raise lactate in these adults.")


def test_summarize_pasted_text_and_uploaded_files(make_client):
    import base64

    c = make_client()
    r = c.post("/v1/summarize", json={"text": ABSTRACT})
    assert r.status_code == 200, r.text
    texts = [it["text"] for it in r.json()["items"]]
    assert texts and all(t in ABSTRACT for t in texts)  # verbatim sentences of the pasted text
    up = {"name": "note.md", "content_base64": base64.b64encode(ABSTRACT.encode()).decode()}
    r = c.post("/v1/summarize", json={"file": up, "top_k": 1})
    assert r.status_code == 200 and any("did not rise" in it["text"] or "did not raise" in it["text"] for it in r.json()["items"])
    from tests.readers._helpers import sample

    pdf = sample("pdf", "bmc_hsr_malawi_quality_2col.pdf")  # a real two-column paper
    r = c.post("/v1/summarize", json={"file": {"name": "paper.PDF", "content_base64": base64.b64encode(pdf.read_bytes()).decode()}})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["items"] and body["references"][0]["title"].startswith("Understanding the barriers to setting up")
    assert "/" not in body["references"][0]["id"]  # "upload:paper.PDF", never the server's temporary path


@pytest.mark.parametrize(("body", "status", "words"), [
    ({}, 422, "exactly one of id, text or file"),
    ({"id": "PMID:1", "text": "x"}, 422, "exactly one"),
    ({"file": {"name": "x.exe", "content_base64": "AAAA"}}, 422, "cannot read a .exe file"),
    ({"file": {"name": "x.txt", "content_base64": "not base64!"}}, 422, "not valid base64"),
    ({"file": {"name": "../../etc/passwd.txt", "content_base64": "aGVsbG8="}}, 422, "upload:passwd.txt has no sentence long enough"),
])
def test_summarize_upload_errors_are_one_line(make_client, body, status, words):
    r = make_client().post("/v1/summarize", json=body)
    assert r.status_code == status, r.text
    detail = r.json()["detail"]
    assert words in detail and "\n" not in detail
    assert "root:" not in r.text and "/tmp/" not in r.text  # never a server file or path

# -- OpenAPI --------------------------------------------------------------------------------
def test_openapi_schema(make_client):
    spec = make_client().get("/openapi.json").json()
    paths = spec["paths"]
    for path, method in [
        ("/v1/ask", "post"), ("/v1/search", "post"), ("/v1/diagnose", "post"), ("/v1/treatments", "post"),
        ("/v1/summarize", "post"), ("/v1/index", "get"), ("/healthz", "get"),
    ]:
        assert method in paths[path], path
    schemas = spec["components"]["schemas"]
    for name in ("AskRequest", "AnswerResponse", "ReferenceOut", "SearchRequest", "SearchResponse", "PassageOut", "IndexInfoResponse", "ErrorResponse"):
        assert name in schemas, name
    assert schemas["AskRequest"]["properties"]["question"]["minLength"] == 1
    assert "evidence_level" in schemas["ReferenceOut"]["properties"]
    ask = paths["/v1/ask"]["post"]
    assert "text/event-stream" in ask["responses"]["200"]["content"]
    for status in ("401", "413", "422", "429"):
        assert status in ask["responses"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert "/" not in paths


# -- reload and logging ---------------------------------------------------------------------
def test_update_by_another_writer_becomes_visible(make_client, svc, index_path, embedder):
    c = make_client()
    before = c.get("/v1/index").json()
    new = Document("PMID:77", "Colchicine after myocardial infarction",
                   [Section("ABSTRACT", "Low-dose colchicine reduced ischemic cardiovascular events after myocardial infarction.")], pmid="77", year=2019)
    IndexWriter(index_path, embedder).update([new])
    deadline = time.monotonic() + 15
    while True:
        info = c.get("/v1/index").json()
        if info["version"] != before["version"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert info["version"] != before["version"]
    assert info["counts"]["documents"] == before["counts"]["documents"] + 1
    hits = c.post("/v1/search", json={"query": "colchicine ischemic events", "top_k": 1}).json()
    assert hits["passages"][0]["doc_id"] == "PMID:77"
    assert hits["version"] == info["version"]


def test_questions_not_logged_by_default(make_client, caplog):
    caplog.set_level(logging.DEBUG)
    make_client().post("/v1/ask", json={"question": "metformin for jane.doe@example.org"})
    assert "jane.doe" not in caplog.text and "metformin for" not in caplog.text


def test_log_queries_masks_identifiers(make_client, caplog):
    caplog.set_level(logging.INFO, logger="medcite.server.queries")
    make_client(log_queries=True).post("/v1/ask", json={"question": "metformin for jane.doe@example.org, MRN 44556677, born 12/03/1950"})
    assert "metformin for [EMAIL], MRN [MRN], born [DATE]" in caplog.text
    assert "jane.doe" not in caplog.text and "44556677" not in caplog.text and "1950" not in caplog.text


# -- page -------------------------------------------------------------------------------------
def test_page_and_static_files(make_client):
    c = make_client()
    r = c.get("/")
    assert r.status_code == 200 and "text/html" in r.headers["content-type"]
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert '<script src="/static/app.js"' in r.text
    js = c.get("/static/app.js").text
    assert "innerHTML" not in js.replace("never innerHTML", "")
    assert c.get("/static/style.css").status_code == 200


def test_markup_title_is_returned_verbatim_as_data(make_client):
    """The API returns stored titles as JSON strings; escaping is the page's job (browser test)."""
    from .conftest import EVIL_QUESTION

    a = make_client().post("/v1/ask", json={"question": EVIL_QUESTION}).json()
    assert a["references"][0]["title"] == EVIL_TITLE


def test_evidence_filters_and_evidence_table(make_client):
    c = make_client()
    assert c.post("/v1/search", json={"query": "metformin"}).json()["passages"]
    r = c.post("/v1/search", json={"query": "metformin", "evidence": "rct"})
    assert r.status_code == 200 and r.json()["passages"] == []  # the tiny corpus holds no trial: filtered before the cut
    r = c.post("/v1/search", json={"query": "metformin", "evidence": "anecdote"})
    assert r.status_code == 422 and "unknown evidence level" in r.json()["detail"]
    a = c.post("/v1/ask", json={"question": ANSWERABLE}).json()
    assert [row["n"] for row in a["evidence_table"]] == [ref["n"] for ref in a["references"]]
    assert c.post("/v1/ask", json={"question": ANSWERABLE, "evidence": "meta-analysis"}).json()["abstained"] is True


def test_diagnose_passes_candidates_through(make_client, index_path, embedder):
    svc = Medcite(Settings(index=str(index_path)), embedder=embedder)
    seen = {}

    @dataclass
    class Differential:
        items: list

    def diagnose(findings, top_k=None, candidates=None, **opts):
        seen["candidates"] = candidates
        return Differential([{"condition": c, "given_as": c} for c in candidates or []])

    svc.diagnose = diagnose
    c = make_client(service=svc)
    r = c.post("/v1/diagnose", json={"findings": "fever, stiff neck", "candidates": ["influenza", " bacterial meningitis "]})
    assert r.status_code == 200 and seen["candidates"] == ["influenza", "bacterial meningitis"]
    assert [i["given_as"] for i in r.json()["items"]] == ["influenza", "bacterial meningitis"]
    assert c.post("/v1/diagnose", json={"findings": "fever", "candidates": ["  "]}).status_code == 422


def test_an_empty_retrieval_under_filters_says_which_filters(svc):
    """"no passages" under a year filter must not read as "the literature is silent"."""
    ans = svc.ask("metformin lactic acidosis", year_from=2100)
    assert ans.abstained and any("matches the filters (published in or after 2100)" in n for n in ans.notes)
    plain = svc.ask("metformin lactic acidosis")
    assert not any("filters" in n for n in plain.notes)
    streamed = [x for x in svc.ask_stream("metformin lactic acidosis", year_to=1900) if not isinstance(x, str)][-1]
    assert any("published in or before 1900" in n for n in streamed.notes)


def test_diagnose_carries_no_data_status_and_age_sex_set_aside(make_client, index_path, embedder):
    from medcite.clinical.diagnose import Candidate, Diagnosis
    from medcite.clinical.differential import NO_DATA

    svc = Medcite(Settings(index=str(index_path)), embedder=embedder)
    pox = Candidate("Martian pox", "martian pox", [], "Disorders", 0.0, 0.0, [], 0, [], [], grounding=NO_DATA, given_as="Martian pox")
    aside = [{"condition": "Idiopathic neonatal atrial flutter", "reason": "neonatal condition, patient 54 years", "condition_id": "ORPHA:45452"}]
    svc.diagnose = lambda findings, **opts: Diagnosis(findings, [], [], [pox], [], set_aside=aside)
    r = make_client(service=svc).post("/v1/diagnose", json={"findings": "fever", "candidates": ["Martian pox"]})
    assert r.status_code == 200, r.text
    assert r.json()["items"][0]["grounding"] == NO_DATA and r.json()["items"][0]["unexplained_findings"] == []
    assert r.json()["set_aside"] == aside
