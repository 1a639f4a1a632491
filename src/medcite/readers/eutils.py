"""Fetch PubMed records with NCBI E-utilities (esearch + efetch) into files ``medcite`` indexes.

``esearch`` (JSON) lists the PMIDs of a query (pages of up to 10,000; PubMed serves at most the
first 10,000 of a query); ``efetch`` (POST, XML) returns them as ``<PubmedArticleSet>`` in
batches, each saved atomically as ``pubmed-000001.xml`` … in the output directory, which
:mod:`medcite.readers.pubmed_xml` reads. Progress is kept in ``.medcite-fetch.json`` there, so
an interrupted fetch resumes with the batches it is missing (and a later, larger ``--max`` only
fetches the new PMIDs).

NCBI's usage rules (https://www.ncbi.nlm.nih.gov/books/NBK25497/): at most 3 requests per
second without an API key, 10 with one (``NCBI_API_KEY``); ``tool`` and ``email`` identify the
caller. Failed requests (network errors, HTTP 429 / 5xx, truncated or error bodies) are retried
with exponential backoff, honouring ``Retry-After``.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from ..errors import MedciteError, UsageError

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
STATE = ".medcite-fetch.json"
#: PubMed's esearch returns at most this many PMIDs per call (and per query).
ESEARCH_PAGE = 10_000
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


#: Seconds to wait for a TCP connection to NCBI (the whole request may take ``timeout``).
CONNECT_TIMEOUT = 10.0
#: What the resolver or the kernel says when this machine has no route to the internet.
OFFLINE_ERRORS = ("name or service not known", "temporary failure in name resolution", "nodename nor servname",
                  "no address associated with hostname", "network is unreachable", "getaddrinfo failed")


def _offline(error: httpx.TransportError) -> bool:
    """Whether ``error`` says the host cannot be resolved or the network is unreachable (then
    retrying for half a minute helps nothing), as opposed to a refused or dropped connection."""
    return isinstance(error, httpx.ConnectError) and any(m in str(error).lower() for m in OFFLINE_ERRORS)


class PubmedError(MedciteError):
    """E-utilities could not be reached or answered with an error (after retries)."""

    exit_code = 10
    http_status = 502


class RateLimiter:
    """Spaces request starts at least ``1 / rate`` seconds apart (plus a small margin), so no
    one-second window holds more than ``rate`` requests.

    Args:
        rate: requests per second allowed.
        clock, sleep: ``time.monotonic`` / ``time.sleep`` (injectable for tests).
    """

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.interval = 1.0 / rate + 0.005
        self.clock, self.sleep = clock, sleep
        self._last: float | None = None

    def wait(self) -> None:
        """Block until the next request may start."""
        now = self.clock()
        if self._last is not None and now - self._last < self.interval:
            self.sleep(self.interval - (now - self._last))
            now = self.clock()
        self._last = now


class EutilsClient:
    """A polite E-utilities client.

    Args:
        api_key: NCBI API key (default: ``NCBI_API_KEY``); raises the limit from 3 to 10 req/s.
        email: contact address sent as ``email`` (NCBI asks for one).
        tool: sent as ``tool``.
        transport: an ``httpx`` transport (tests pass a ``MockTransport``).
        max_retries: retries per request after the first attempt.
        backoff: first retry delay in seconds, doubled on each retry (plus up to 25% jitter).
        timeout: per-request timeout in seconds.
        clock, sleep: injectable time functions (tests).
    """

    def __init__(
        self,
        api_key: str | None = None,
        email: str | None = None,
        tool: str = "medcite",
        transport: httpx.BaseTransport | None = None,
        base_url: str = EUTILS,
        max_retries: int = 5,
        backoff: float = 1.0,
        timeout: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.api_key = api_key if api_key is not None else (os.environ.get("NCBI_API_KEY") or None)
        self.email = email
        self.tool = tool
        self.max_retries = max_retries
        self.backoff = backoff
        self.sleep = sleep
        self.limiter = RateLimiter(10 if self.api_key else 3, clock, sleep)
        self.http = httpx.Client(base_url=base_url, transport=transport, timeout=httpx.Timeout(timeout, connect=min(timeout, CONNECT_TIMEOUT)),
                                 headers={"User-Agent": f"{tool} (medcite)"})
        self.requests = 0
        self.answered = 0

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self.http.close()

    def _params(self, extra: dict) -> dict:
        p = {"db": "pubmed", "tool": self.tool, **extra}
        if self.email:
            p["email"] = self.email
        if self.api_key:
            p["api_key"] = self.api_key
        return p

    def _request(self, endpoint: str, params: dict, post: bool, check: Callable[[httpx.Response], str | None]) -> httpx.Response:
        """One E-utilities call with rate limiting and retries.

        ``check`` returns a reason when a 200 answer is unusable (then it is retried).

        Raises:
            PubmedError: a non-retryable HTTP status, or every attempt failed.
        """
        reason = ""
        retry_after: float | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                delay = self.backoff * 2 ** (attempt - 1) * (1 + 0.25 * random.random())
                if retry_after is not None:
                    delay = max(delay, retry_after)
                self.sleep(delay)
            retry_after = None
            self.limiter.wait()
            self.requests += 1
            try:
                if post:
                    r = self.http.post(endpoint, data=self._params(params))
                else:
                    r = self.http.get(endpoint, params=self._params(params))
            except httpx.TransportError as e:
                reason = f"{type(e).__name__}: {e}"
                if not self.answered and _offline(e):
                    raise PubmedError(
                        f"cannot reach NCBI E-utilities at {self.http.base_url.host or self.http.base_url} ({e}); "
                        "check the network connection, then rerun the same command"
                    ) from None
                continue
            self.answered += 1
            if r.status_code == 200:
                bad = check(r)
                if bad is None:
                    return r
                reason = bad
                continue
            reason = f"HTTP {r.status_code}"
            if r.status_code in RETRY_STATUSES:
                ra = r.headers.get("Retry-After", "")
                retry_after = float(ra) if ra.replace(".", "", 1).isdigit() else None
                continue
            raise PubmedError(f"{endpoint}: NCBI answered HTTP {r.status_code} ({_brief(r.text)})")
        raise PubmedError(f"{endpoint}: failed after {self.max_retries + 1} attempts ({reason}); rerun the same command to resume")

    def esearch(self, query: str, max_records: int, page: int = ESEARCH_PAGE) -> tuple[int, list[str]]:
        """PMIDs matching ``query``, best match first (PubMed's default sort).

        Returns:
            ``(total count PubMed reports, up to max_records PMIDs)``.
        """

        def check(r: httpx.Response) -> str | None:
            try:
                data = r.json()
            except ValueError:
                return "esearch answer is not JSON"
            res = data.get("esearchresult")
            if not isinstance(res, dict):
                return f"esearch error: {_brief(json.dumps(data.get('error', data)))}"
            if "ERROR" in res:
                return f"esearch error: {res['ERROR']}"
            return None

        ids: list[str] = []
        count = 0
        while len(ids) < max_records:
            want = min(page, max_records - len(ids))
            r = self._request("esearch.fcgi", {"term": query, "retmode": "json", "retstart": len(ids), "retmax": want}, False, check)
            res = r.json()["esearchresult"]
            count = int(res.get("count", 0))
            got = [str(i) for i in res.get("idlist", [])]
            ids.extend(got)
            if len(got) < want or len(ids) >= count:
                break
        return count, ids[:max_records]

    def efetch(self, pmids: list[str]) -> bytes:
        """``<PubmedArticleSet>`` XML (bytes) of ``pmids`` (POST, so long id lists fit)."""

        def check(r: httpx.Response) -> str | None:
            body = r.content.rstrip()
            if b"<PubmedArticleSet" not in body[:4096]:
                return f"efetch answer is not a PubmedArticleSet ({_brief(r.text)})"
            if not body.endswith(b"</PubmedArticleSet>"):
                return "efetch answer is truncated"
            return None

        return self._request("efetch.fcgi", {"id": ",".join(pmids), "retmode": "xml"}, True, check).content


def _brief(text: str, n: int = 120) -> str:
    t = " ".join(str(text).split())
    return t[:n] + ("…" if len(t) > n else "")


@dataclass
class FetchReport:
    """What one ``fetch`` did.

    Attributes:
        count: records PubMed reports for the query.
        pmids: PMIDs selected (at most ``--max``).
        batches_fetched: batch files written by this run; ``batches_skipped``: already there.
        files: every batch file of the output directory, in order.
        missing: selected PMIDs efetch did not return.
        requests: HTTP requests made (retries included).
    """

    count: int = 0
    pmids: list[str] = field(default_factory=list)
    batches_fetched: int = 0
    batches_skipped: int = 0
    files: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    requests: int = 0


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name("." + path.name + ".part")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


_RECORD_PMID = re.compile(rb"<(?:MedlineCitation|BookDocument)[^>]*>\s*<PMID[^>]*>(\d+)</PMID>")


def _returned_pmids(xml: bytes) -> set[str]:
    """PMIDs of the records in an efetch answer (``<MedlineCitation …><PMID …>n</PMID>``)."""
    return {m.decode() for m in _RECORD_PMID.findall(xml)}


def fetch(
    query: str,
    out: Path,
    max_records: int,
    client: EutilsClient,
    batch_size: int = 200,
    log: Callable[[str], None] | None = None,
) -> FetchReport:
    """Search PubMed for ``query`` and save up to ``max_records`` records under ``out``.

    Resumable: the PMID list and the batches are recorded in ``out/.medcite-fetch.json``;
    batches whose file exists are not fetched again, and PMIDs already in a batch are not put
    in a new one.

    Raises:
        UsageError: bad ``max_records`` (1..10,000) or ``batch_size``, or ``out`` holds a fetch of
            another query.
        PubmedError: NCBI could not be reached or kept failing (what was fetched stays).
    """
    if max_records < 1 or batch_size < 1:
        raise UsageError("--max and the batch size must be at least 1")
    if max_records > ESEARCH_PAGE:
        raise UsageError(f"PubMed's esearch returns at most {ESEARCH_PAGE:,} records per query; split the query (e.g. by publication year)")
    if not query.strip():
        raise UsageError("the PubMed query is empty")
    log = log or (lambda _m: None)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file; --out takes a directory")
    state_path = out / STATE
    state = {"query": query, "batches": []}
    if state_path.exists():
        try:
            state = json.loads(state_path.read_text(encoding="utf-8"))
        except ValueError:
            raise UsageError(f"{state_path}: unreadable fetch state; delete it to start over") from None
        if state.get("query") != query:
            raise UsageError(f"{out} holds a fetch for the query {state.get('query')!r}; use another --out directory")
    rep = FetchReport()
    rep.count, pmids = client.esearch(query, max_records)
    rep.pmids = pmids
    out.mkdir(parents=True, exist_ok=True)  # only once NCBI answered: a failed search leaves no empty directory
    log(f"esearch: {rep.count} records match; fetching {len(pmids)}")
    known = {p for b in state["batches"] for p in b["pmids"]}
    new = [p for p in pmids if p not in known]
    n = len(state["batches"])
    for i in range(0, len(new), batch_size):
        n += 1
        state["batches"].append({"file": f"pubmed-{n:06d}.xml", "pmids": new[i : i + batch_size], "done": False})
    _write_atomic(state_path, json.dumps(state, indent=1).encode())
    total = len(state["batches"])
    for k, b in enumerate(state["batches"], start=1):
        path = out / b["file"]
        if b.get("done") and path.exists():
            rep.batches_skipped += 1
            continue
        xml = client.efetch(b["pmids"])
        _write_atomic(path, xml)
        got = _returned_pmids(xml)
        b["done"] = True
        b["missing"] = [p for p in b["pmids"] if p not in got]
        _write_atomic(state_path, json.dumps(state, indent=1).encode())
        rep.batches_fetched += 1
        log(f"efetch: batch {k}/{total} ({len(b['pmids'])} PMIDs) → {path}")
    rep.files = [str(out / b["file"]) for b in state["batches"]]
    rep.missing = [p for b in state["batches"] for p in b.get("missing", [])]
    rep.requests = client.requests
    return rep
