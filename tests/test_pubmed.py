"""PubMed E-utilities client and `medcite pubmed fetch`, against a fake NCBI (no network)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from medcite.errors import UsageError
from medcite.readers.eutils import EutilsClient, PubmedError, fetch
from medcite.readers import FileReport, read_documents

FIX = Path(__file__).parent / "fixtures" / "pubmed"
RECORDS = (FIX / "efetch_records.xml").read_text()
HEAD, _, _ = RECORDS.partition("<PubmedArticle>")
ARTICLES = {m.group(1): m.group(0) for m in re.finditer(r"<PubmedArticle>.*?<PMID[^>]*>(\d+)</PMID>.*?</PubmedArticle>", RECORDS, re.S)}
ALL_IDS = json.loads((FIX / "esearch.json").read_text())["esearchresult"]["idlist"]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps.append(s)
        self.now += s


class FakeNCBI:
    """Answers esearch/efetch from the fixtures; ``plan`` holds responses to give first."""

    def __init__(self, clock: FakeClock, plan: list[httpx.Response] | None = None, fail_efetch_for: str | None = None) -> None:
        self.clock = clock
        self.plan = list(plan or [])
        self.fail_efetch_for = fail_efetch_for
        self.calls: list[tuple[float, str, dict]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        endpoint = request.url.path.rsplit("/", 1)[-1]
        params = {k: v[0] for k, v in parse_qs(request.content.decode() if request.method == "POST" else request.url.query.decode()).items()}
        self.calls.append((self.clock.now, endpoint, params))
        if self.plan:
            return self.plan.pop(0)
        if endpoint == "esearch.fcgi":
            data = json.loads((FIX / "esearch.json").read_text())
            start, n = int(params.get("retstart", 0)), int(params.get("retmax", 20))
            data["esearchresult"].update(idlist=ALL_IDS[start : start + n], retstart=str(start), retmax=str(n))
            return httpx.Response(200, json=data)
        if endpoint == "efetch.fcgi":
            ids = params["id"].split(",")
            if self.fail_efetch_for and self.fail_efetch_for in ids:
                return httpx.Response(500, text="Internal Server Error")
            body = HEAD + "\n".join(ARTICLES[i] for i in ids if i in ARTICLES) + "\n</PubmedArticleSet>\n"
            return httpx.Response(200, text=body, headers={"Content-Type": "text/xml"})
        return httpx.Response(404, text="unknown endpoint")

    def efetch_calls(self) -> list[dict]:
        return [p for _t, e, p in self.calls if e == "efetch.fcgi"]


def client_for(server: FakeNCBI, clock: FakeClock, **kw) -> EutilsClient:
    kw.setdefault("backoff", 0.5)
    return EutilsClient(transport=httpx.MockTransport(server), clock=clock, sleep=clock.sleep, **kw)


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch):
    monkeypatch.delenv("NCBI_API_KEY", raising=False)


def read_pmids(files: list[str]) -> list[str]:
    out = []
    for f in files:
        out.extend(d.pmid for d in read_documents(Path(f), FileReport(f)))
    return out


def test_fetch_saves_batches_that_medcite_reads(tmp_path):
    clock = FakeClock()
    server = FakeNCBI(clock)
    c = client_for(server, clock, email="me@example.org")
    rep = fetch("clinical trial", tmp_path / "corpus", 5, c, batch_size=2)
    assert rep.count == 6 and rep.pmids == ALL_IDS[:5]
    assert [Path(f).name for f in rep.files] == ["pubmed-000001.xml", "pubmed-000002.xml", "pubmed-000003.xml"]
    assert read_pmids(rep.files) == ALL_IDS[:5]
    assert not rep.missing
    # what NCBI asks for: db, tool, email on every call; efetch ids sent in the body (POST)
    for _t, _e, p in server.calls:
        assert p["db"] == "pubmed" and p["tool"] == "medcite" and p["email"] == "me@example.org" and "api_key" not in p
    assert [p["id"] for p in server.efetch_calls()] == ["39000001,39000002", "39000003,39000004", "39000005"]
    # nothing hidden or partial is left next to the batches except the state file
    assert sorted(p.name for p in (tmp_path / "corpus").iterdir() if p.name.startswith(".")) == [".medcite-fetch.json"]


def _max_in_window(times: list[float], window: float = 1.0) -> int:
    return max(sum(1 for u in times if t <= u < t + window) for t in times)


def test_rate_limit_without_and_with_api_key(tmp_path):
    clock = FakeClock()
    server = FakeNCBI(clock)
    fetch("clinical trial", tmp_path / "a", 6, client_for(server, clock), batch_size=1)
    times = [t for t, _e, _p in server.calls]
    assert len(times) == 7 and _max_in_window(times) <= 3

    clock2 = FakeClock()
    server2 = FakeNCBI(clock2)
    fetch("clinical trial", tmp_path / "b", 6, client_for(server2, clock2, api_key="k3y"), batch_size=1)
    times2 = [t for t, _e, _p in server2.calls]
    assert all(p["api_key"] == "k3y" for _t, _e, p in server2.calls)
    assert _max_in_window(times2) <= 10
    assert times2[-1] - times2[0] < times[-1] - times[0]  # the key buys a faster pace


def test_api_key_from_environment(monkeypatch):
    monkeypatch.setenv("NCBI_API_KEY", "envkey")
    c = EutilsClient()
    assert c.api_key == "envkey" and c.limiter.interval < 0.2
    c.close()


def test_retries_with_backoff_and_retry_after(tmp_path):
    clock = FakeClock()
    plan = [
        httpx.Response(429, text=(FIX / "esearch_rate_limited.json").read_text(), headers={"Retry-After": "7"}),
        httpx.Response(503, text="busy"),
    ]
    server = FakeNCBI(clock, plan=plan)
    c = client_for(server, clock)
    count, ids = c.esearch("clinical trial", 3)
    assert ids == ALL_IDS[:3] and count == 6
    assert len(server.calls) == 3
    assert clock.sleeps[0] >= 7  # Retry-After honoured
    # an efetch that answers 200 with an <ERROR> body or a truncated set is retried too
    server.plan = [
        httpx.Response(200, text=(FIX / "efetch_error.xml").read_text()),
        httpx.Response(200, text=HEAD + ARTICLES["39000001"]),
    ]
    xml = c.efetch(["39000001"])
    assert xml.rstrip().endswith(b"</PubmedArticleSet>") and len(server.efetch_calls()) == 3


def test_client_errors_are_not_retried_and_give_up_eventually(tmp_path):
    clock = FakeClock()
    server = FakeNCBI(clock, plan=[httpx.Response(400, text="Invalid query")])
    c = client_for(server, clock)
    with pytest.raises(PubmedError, match="HTTP 400"):
        c.esearch("(", 5)
    assert len(server.calls) == 1
    server.plan = [httpx.Response(502, text="bad gateway")] * 3
    c2 = client_for(server, clock, max_retries=2)
    with pytest.raises(PubmedError, match="after 3 attempts.*HTTP 502.*resume"):
        c2.esearch("x", 1)


def test_network_errors_are_retried(tmp_path):
    clock = FakeClock()
    state = {"n": 0}
    inner = FakeNCBI(clock)

    def flaky(request):
        state["n"] += 1
        if state["n"] == 1:
            raise httpx.ConnectError("connection refused")
        return inner(request)

    c = EutilsClient(transport=httpx.MockTransport(flaky), clock=clock, sleep=clock.sleep, backoff=0.1)
    assert c.esearch("x", 2)[1] == ALL_IDS[:2] and state["n"] == 2


def test_no_network_fails_at_once_with_one_line():
    """A host that cannot be resolved before any answer means no network: one attempt, no
    back-off (it took 37 s of retries before), a message that says what to check."""
    clock = FakeClock()
    calls = {"n": 0}

    def offline(request):
        calls["n"] += 1
        raise httpx.ConnectError("[Errno -2] Name or service not known")

    c = EutilsClient(transport=httpx.MockTransport(offline), clock=clock, sleep=clock.sleep)
    with pytest.raises(PubmedError, match="cannot reach NCBI E-utilities .*check the network") as e:
        c.esearch("x", 2)
    assert calls["n"] == 1 and "\n" not in str(e.value)


def test_failed_search_leaves_no_empty_output_directory(tmp_path):
    clock = FakeClock()

    def offline(request):
        raise httpx.ConnectError("[Errno -2] Name or service not known")

    c = EutilsClient(transport=httpx.MockTransport(offline), clock=clock, sleep=clock.sleep)
    out = tmp_path / "new" / "fetch"
    with pytest.raises(PubmedError):
        fetch("asthma", out, 5, c)
    assert not out.exists() and not out.parent.exists()
    (tmp_path / "a-file").write_text("keep me")
    with pytest.raises(UsageError, match="is a file"):
        fetch("asthma", tmp_path / "a-file", 5, c)
    assert (tmp_path / "a-file").read_text() == "keep me"


def test_esearch_pages(tmp_path):
    clock = FakeClock()
    server = FakeNCBI(clock)
    count, ids = client_for(server, clock).esearch("clinical trial", 5, page=2)
    assert ids == ALL_IDS[:5]
    starts = [int(p["retstart"]) for _t, e, p in server.calls if e == "esearch.fcgi"]
    assert starts == [0, 2, 4]


def test_fetch_resumes_after_failure_and_extends(tmp_path):
    out = tmp_path / "corpus"
    clock = FakeClock()
    broken = FakeNCBI(clock, fail_efetch_for="39000003")
    with pytest.raises(PubmedError):
        fetch("clinical trial", out, 4, client_for(broken, clock, max_retries=1), batch_size=2)
    assert (out / "pubmed-000001.xml").exists() and not (out / "pubmed-000002.xml").exists()
    assert not [p for p in out.iterdir() if p.name.endswith(".part")]

    healthy = FakeNCBI(clock)
    rep = fetch("clinical trial", out, 4, client_for(healthy, clock), batch_size=2)
    assert rep.batches_skipped == 1 and rep.batches_fetched == 1
    assert [p["id"] for p in healthy.efetch_calls()] == ["39000003,39000004"]
    assert read_pmids(rep.files) == ALL_IDS[:4]

    # a larger --max later fetches only the new PMIDs
    again = FakeNCBI(clock)
    rep = fetch("clinical trial", out, 6, client_for(again, clock), batch_size=2)
    assert [p["id"] for p in again.efetch_calls()] == ["39000005,39000006"]
    assert read_pmids(rep.files) == ALL_IDS


def test_fetch_refuses_another_query_in_the_same_directory(tmp_path):
    clock = FakeClock()
    fetch("clinical trial", tmp_path / "c", 1, client_for(FakeNCBI(clock), clock))
    with pytest.raises(UsageError, match="holds a fetch for the query 'clinical trial'"):
        fetch("something else", tmp_path / "c", 1, client_for(FakeNCBI(clock), clock))
    with pytest.raises(UsageError, match="at most 10,000"):
        fetch("clinical trial", tmp_path / "d", 20_000, client_for(FakeNCBI(clock), clock))


def test_cli_pubmed_fetch_then_index_update(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    import medcite.cli  # noqa: F401  (registers commands)
    import medcite.readers.eutils as pm
    from medcite.cli.common import app
    from medcite.index import Index

    clock = FakeClock()
    server = FakeNCBI(clock)
    real = pm.EutilsClient

    def fake_client(**kw):
        return real(transport=httpx.MockTransport(server), clock=clock, sleep=clock.sleep, **kw)

    monkeypatch.setattr(pm, "EutilsClient", fake_client)
    monkeypatch.setenv("NCBI_API_KEY", "abc")
    runner = CliRunner()
    out = tmp_path / "corpus" / "trials"
    res = runner.invoke(app, ["pubmed", "fetch", "clinical trial", "--max", "6", "--out", str(out), "--email", "a@b.org", "--batch-size", "4"])
    assert res.exit_code == 0, res.output
    assert "6 of 6 records in 2 file(s)" in res.output
    assert all(p.get("api_key") == "abc" and p["email"] == "a@b.org" for _t, _e, p in server.calls)
    res = runner.invoke(app, ["index", "update", str(out), "-i", "fetched", "-e", "hashing", "--create", "-q"])
    assert res.exit_code == 0, res.output
    ix = Index(tmp_path / "indexes" / "fetched")
    assert sorted(ix.doc_ids) == sorted(f"PMID:{i}" for i in ALL_IDS)
