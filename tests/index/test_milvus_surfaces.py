"""The front ends on a Milvus-backed index: CLI (build, info, search, migrate), HTTP server,
LangChain retriever, a clinical command, and a reader with no local copy (URI only)."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from tests.clinical.conftest import clinical_docs
from tests.conftest import make_docs
from tests.index.milvus_fixtures import lite_server, milvus_uri, unique_root  # noqa: F401  (fixtures)

from medcite.cli import app
from medcite.config import Settings
from medcite.index import milvus, open_index
from medcite.index.writer import IndexWriter
from medcite.service import Medcite

runner = CliRunner()


def _jsonl(path, docs):
    with open(path, "w") as out:
        for d in docs:
            out.write(json.dumps({"pmid": d.pmid or d.id, "title": d.title, "year": d.year,
                                  "sections": [{"label": s.label, "text": s.text} for s in d.sections]}) + "\n")
    return path


@pytest.fixture
def lite_file(milvus_uri):  # noqa: F811
    if "://" in milvus_uri:
        pytest.skip("the CLI default is a Milvus Lite file under the index directory")
    return milvus_uri


def test_cli_build_info_search_and_migrate(tmp_path, lite_file):
    f = _jsonl(tmp_path / "docs.jsonl", make_docs())
    root = unique_root(tmp_path)
    r = runner.invoke(app, ["index", "build", str(f), "--index", str(root), "--embedder", "hashing", "--quiet", "--backend", "milvus"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["index", "info", "--index", str(root), "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.stdout)
    assert info["backend"] == "milvus" and info["uri"] == str(root / "milvus.db") and info["collection"].endswith("_v000001")
    r = runner.invoke(app, ["index", "info", "--index", str(root)])
    assert "backend  milvus" in r.output and "collection " + info["collection"] in r.output.replace("\n", "")
    r = runner.invoke(app, ["search", "statins myocardial infarction", "--index", str(root), "--json", "-k", "1"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["passages"][0]["doc_id"] == "PMID:2"
    # a local index served from Milvus without re-embedding, and back
    local = tmp_path / "indexes" / "loc"
    assert runner.invoke(app, ["index", "build", str(f), "--index", str(local), "--embedder", "hashing", "--quiet"]).exit_code == 0
    r = runner.invoke(app, ["index", "migrate", "--index", str(local)])
    assert r.exit_code == 0 and "copied 6 documents / 6 chunks" in r.output, r.output
    ix = open_index(local)
    assert isinstance(ix, milvus.MilvusIndex) and ix.manifest.build["operation"] == "migrate" and ix.version == "v000002"
    assert runner.invoke(app, ["index", "migrate", "--index", str(local), "--backend", "local"]).exit_code == 0
    assert open_index(local).info()["backend"] == "local"
    r = runner.invoke(app, ["index", "build", str(f), "--index", str(tmp_path / "x"), "--milvus-uri", "y.db"])
    assert r.exit_code != 0 and "--milvus-uri needs --backend milvus" in r.output


def test_server_langchain_and_a_reader_on_another_machine(tmp_path, embedder, milvus_uri):  # noqa: F811
    from fastapi.testclient import TestClient

    from medcite.langchain import MedciteRetriever
    from medcite.server import ServerSettings, create_app

    root = unique_root(tmp_path)
    IndexWriter(root, embedder, backend={"kind": "milvus", "uri": milvus_uri}).build(make_docs())
    svc = Medcite(Settings(index=str(root)), embedder=embedder)
    with TestClient(create_app(svc, ServerSettings(rate_limit=0, reload_check_seconds=0))) as c:
        r = c.post("/v1/search", json={"query": "aspirin bleeding older adults", "top_k": 2})
        assert r.status_code == 200, r.text
        d = r.json()
        assert d["version"] == "v000001" and d["passages"][0]["doc_id"] == "PMID:3" and d["passages"][0]["title"]
        a = c.post("/v1/ask", json={"question": "Does aspirin increase major bleeding in older adults?"}).json()
        IndexWriter(root, embedder).remove(["PMID:3"])
        deadline = time.monotonic() + 15
        while c.get("/v1/index").json()["version"] == "v000001" and time.monotonic() < deadline:
            time.sleep(0.05)  # the server polls the alias and reloads in the background
        r = c.post("/v1/search", json={"query": "aspirin bleeding older adults", "top_k": 2}).json()
        assert r["version"] == "v000002" and "PMID:3" not in [p["doc_id"] for p in r["passages"]]
    docs = MedciteRetriever(service=svc, top_k=2, year_from=2010).invoke("statins infarction")
    assert docs[0].metadata["doc_id"] == "PMID:2" and all(x.metadata["year"] >= 2010 for x in docs)
    # another machine: no local directory, only the URI; same answer, same citations
    remote = Medcite(Settings(index=root.name, index_root=str(tmp_path / "elsewhere"), milvus_uri=milvus_uri), embedder=embedder)
    here = Medcite(Settings(index=str(root)), embedder=embedder)
    q = "Is lactic acidosis rare among metformin users?"
    ra, ha = remote.ask(q), here.ask(q)
    assert not ha.abstained and ha.references
    assert ra.answer == ha.answer and [r.to_json() for r in ra.references] == [r.to_json() for r in ha.references]
    assert a["references"]


def test_treatments_command_on_milvus(tmp_path, lite_file):
    f = _jsonl(tmp_path / "clin.jsonl", clinical_docs())
    root = unique_root(tmp_path)
    assert runner.invoke(app, ["index", "build", str(f), "--index", str(root), "--embedder", "hashing", "--quiet", "--backend", "milvus"]).exit_code == 0
    r = runner.invoke(app, ["treatments", "type 2 diabetes", "--index", str(root), "--json", "--passages", "13"])
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["items"] and d["items"][0]["key"] == "metformin"
    assert all(ref["evidence_level"] is not None for ref in d["references"])
