"""`medcite index update | remove | rebuild` through the typer app (hashing embedder)."""

from __future__ import annotations

import gzip
import json
import sqlite3

import pytest
from typer.testing import CliRunner

import medcite.cli  # noqa: F401  (registers every command)
from medcite.cli.common import app
from medcite.documents import Document, Section
from medcite.errors import EmbedderMismatchError, IndexCorruptError
from medcite.index import Index
from medcite.index.manifest import sha256_file
from medcite.index.versions import IndexDir
from medcite.index.writer import IndexWriter

runner = CliRunner()


def jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def rec(pmid, text, title="T"):
    return {"pmid": str(pmid), "title": f"{title} {pmid}", "sections": [{"label": "ABSTRACT", "text": text}]}


def pubmed_update_file(path, articles, deletes):
    arts = "".join(
        f'<PubmedArticle><MedlineCitation><PMID Version="1">{p}</PMID><Article><Journal><Title>J</Title></Journal>'
        f"<ArticleTitle>Title {p}</ArticleTitle><Abstract><AbstractText>{t}</AbstractText></Abstract></Article>"
        f"</MedlineCitation></PubmedArticle>"
        for p, t in articles
    )
    dels = "".join(f'<PMID Version="1">{p}</PMID>' for p in deletes)
    xml = f'<?xml version="1.0"?><PubmedArticleSet>{arts}<DeleteCitation>{dels}</DeleteCitation></PubmedArticleSet>'
    with gzip.open(path, "wt") as f:
        f.write(xml)
    return path


@pytest.fixture
def index_root(tmp_path):
    base = jsonl(tmp_path / "base.jsonl", [rec(i, f"Baseline abstract {i} about metformin and kidney disease.") for i in range(1, 6)])
    res = runner.invoke(app, ["index", "build", str(base), "-i", "cli", "-e", "hashing", "-q"])
    assert res.exit_code == 0, res.output
    return tmp_path / "indexes" / "cli"


def test_update_adds_replaces_skips_deletes_and_reports(tmp_path, index_root):
    upd = jsonl(tmp_path / "new.jsonl", [rec(1, "Baseline abstract 1 about metformin and kidney disease."), rec(2, "Revised abstract 2."), rec(10, "New paper on sepsis.")])
    pm = pubmed_update_file(tmp_path / "pubmed26n9999.xml.gz", [(11, "Another new paper on statins.")], ["3", "4"])
    bad = tmp_path / "broken.xml"
    bad.write_text("<html><body>not pubmed</body></html>")
    res = runner.invoke(app, ["index", "update", str(upd), str(pm), str(bad), "-i", "cli"])
    assert res.exit_code == 1  # one file failed, the rest applied
    out = res.output
    assert "failed" in out and "broken.xml" in out
    assert "2 deletions" in out  # per-file report line of the update file
    assert "2 added, 1 replaced, 1 unchanged, 2 deleted" in out and "3 chunks embedded" in out
    assert "chunks embedded (100%)" in out  # log lines, not a bar: stderr is not a terminal here
    ix = Index(index_root)
    assert set(ix.doc_ids) == {"PMID:1", "PMID:2", "PMID:5", "PMID:10", "PMID:11"}
    assert ix.manifest.build == {**ix.manifest.build, "operation": "update", "chunks_embedded": 3}


def test_update_quiet_prints_only_the_summary(tmp_path, index_root):
    upd = jsonl(tmp_path / "new.jsonl", [rec(20, "Quiet new record.")])
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "cli", "--quiet"])
    assert res.exit_code == 0
    lines = [line for line in res.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "1 added" in lines[0]


def test_later_file_wins(tmp_path, index_root):
    a = pubmed_update_file(tmp_path / "pubmed26n0001.xml.gz", [(30, "Revision one."), (2, "Revised once.")], [])
    b = pubmed_update_file(tmp_path / "pubmed26n0002.xml.gz", [(30, "Revision two.")], ["2"])
    res = runner.invoke(app, ["index", "update", str(a), str(b), "-i", "cli", "-q"])
    assert res.exit_code == 0, res.output
    ix = Index(index_root)
    assert "PMID:2" not in ix.doc_ids
    assert ix.store.get_document("PMID:30").sections[0].text == "Revision two."
    assert "1 duplicate ids in input" in res.output


def test_on_duplicate_fail_writes_nothing(tmp_path, index_root):
    upd = jsonl(tmp_path / "dup.jsonl", [rec(40, "first"), rec(40, "second")])
    v = Index(index_root).version
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "cli", "--on-duplicate", "fail"])
    assert res.exit_code == 2 and "duplicate id PMID:40" in res.output
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "cli", "--on-duplicate", "sometimes"])
    assert res.exit_code == 2
    assert Index(index_root).version == v
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "cli", "--on-duplicate", "skip", "-q"])
    assert res.exit_code == 0 and Index(index_root).store.get_document("PMID:40").sections[0].text == "first"


def test_update_with_other_embedder_is_refused(tmp_path, index_root):
    upd = jsonl(tmp_path / "x.jsonl", [rec(50, "x")])
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "cli", "-e", "e5-small"])
    assert res.exit_code == EmbedderMismatchError.exit_code
    assert "'hashing'" in res.output and "'e5-small'" in res.output and "medcite index rebuild" in res.output


def test_remove(index_root):
    res = runner.invoke(app, ["index", "remove", "1", "PMID:2", "-i", "cli"])
    assert res.exit_code == 0 and "2 deleted" in res.output
    res = runner.invoke(app, ["index", "remove", "3", "999", "-i", "cli"])
    assert res.exit_code == 1 and "not in the index: PMID:999" in res.output
    assert set(Index(index_root).doc_ids) == {"PMID:4", "PMID:5"}
    res = runner.invoke(app, ["index", "remove", "1", "-i", "no-such-index"])
    assert res.exit_code == 3


def test_remove_accepts_paths_as_typed(tmp_path, index_root, monkeypatch):
    """``index remove`` takes the path a user typed (relative or absolute, or file:relative),
    not only ``file:/abs`` ids; a path of a multi-record file removes every record read from it."""
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "a.txt").write_text("Notes\n\nSepsis bundles in the emergency department.\n")
    (tmp_path / "papers" / "b.txt").write_text("Notes\n\nHeparin dosing in obesity.\n")
    jsonl(tmp_path / "papers" / "notes.jsonl", [{"title": "One", "text": "Warfarin and vitamin K."},
                                                {"title": "Two", "text": "Apixaban in atrial fibrillation."}])
    res = runner.invoke(app, ["index", "update", str(tmp_path / "papers"), "-i", "cli", "-q"])
    assert res.exit_code == 0 and "4 added" in res.output, res.output
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["index", "remove", "papers/a.txt", "-i", "cli"])
    assert res.exit_code == 0 and "1 deleted" in res.output, res.output
    res = runner.invoke(app, ["index", "remove", "file:papers/notes.jsonl", "-i", "cli"])
    assert res.exit_code == 0 and "2 deleted" in res.output, res.output
    res = runner.invoke(app, ["index", "remove", str(tmp_path / "papers" / "b.txt"), "papers/gone.txt", "-i", "cli"])
    assert res.exit_code == 1 and "1 deleted" in res.output and f"file:{tmp_path / 'papers' / 'gone.txt'}" in res.output
    assert not any(i.startswith("file:") for i in Index(index_root).doc_ids)
    # a bare relative path of a file deleted since it was indexed (found by a break-test)
    (tmp_path / "gone.txt").write_text("Notes\n\nWarfarin reversal with vitamin K.\n")
    assert runner.invoke(app, ["index", "update", "gone.txt", "-i", "cli", "-q"]).exit_code == 0
    (tmp_path / "gone.txt").unlink()
    res = runner.invoke(app, ["index", "remove", "gone.txt", "-i", "cli"])
    assert res.exit_code == 0 and "1 deleted" in res.output, res.output


def test_rebuild_changes_chunking(index_root):
    res = runner.invoke(app, ["index", "rebuild", "-i", "cli", "--chunk-tokens", "16", "--overlap-tokens", "0"])
    assert res.exit_code == 0, res.output
    assert "rebuilt 5 documents" in res.output and "re-embedding:" in res.output
    ix = Index(index_root)
    assert ix.manifest.chunker["max_tokens"] == 16 and ix.manifest.build["operation"] == "rebuild"


def test_same_file_name_in_two_folders_are_two_papers(tmp_path, index_root):
    """Papers without an id of their own are identified by their absolute path, not their name."""
    for d, text in (("d1", "Sepsis bundles in the emergency department."), ("d2", "Heparin dosing in obesity.")):
        (tmp_path / d).mkdir()
        (tmp_path / d / "paper.txt").write_text(f"Notes\n\n{text}\n")
        jsonl(tmp_path / d / "notes.jsonl", [{"title": f"Untitled {d}", "text": text}])
    res = runner.invoke(app, ["index", "update", str(tmp_path / "d1"), "-i", "cli", "-q"])
    assert res.exit_code == 0 and "2 added" in res.output, res.output
    res = runner.invoke(app, ["index", "update", str(tmp_path / "d2"), "-i", "cli", "-q"])
    assert res.exit_code == 0 and "2 added, 0 replaced" in res.output, res.output
    ids = set(Index(index_root).doc_ids)
    for d in ("d1", "d2"):
        assert f"file:{(tmp_path / d / 'paper.txt').resolve()}" in ids
        assert any(i.startswith(f"file:{(tmp_path / d / 'notes.jsonl').resolve()}#") for i in ids)
    # the same file again, reached through another spelling of its path: recognised, skipped
    res = runner.invoke(app, ["index", "update", str(tmp_path / "d2" / ".." / "d1"), "-i", "cli", "-q"])
    assert res.exit_code == 0 and "0 added, 0 replaced, 2 unchanged" in res.output, res.output
    (tmp_path / "d1" / "paper.txt").write_text("Notes\n\nSepsis bundles, revised.\n")
    res = runner.invoke(app, ["index", "update", str(tmp_path / "d1" / "paper.txt"), "-i", "cli", "-q"])
    assert res.exit_code == 0 and "0 added, 1 replaced" in res.output, res.output


def _edit_manifest(version_dir, edit):
    path = version_dir / "manifest.json"
    m = json.loads(path.read_text())
    edit(m)
    path.write_text(json.dumps(m))


def test_writes_run_the_load_checks_on_the_live_version(tmp_path, index_root):
    """A version that search refuses must not get a new version published on top of it."""
    _edit_manifest(IndexDir(index_root).current_path(), lambda m: m["counts"].update(chunks=m["counts"]["chunks"] + 1))
    listing = sorted(p.name for p in index_root.iterdir())
    upd = jsonl(tmp_path / "new.jsonl", [rec(30, "A new record on sepsis.")])
    for args in (["search", "metformin"], ["index", "update", str(upd)], ["index", "remove", "PMID:1"], ["index", "rebuild"]):
        res = runner.invoke(app, [*args, "-i", str(index_root)])
        assert res.exit_code == 4 and "chunk counts disagree" in res.output and str(index_root) in res.output, (args, res.output)
    assert sorted(p.name for p in index_root.iterdir()) == listing


def test_writer_refuses_orphan_chunks(embedder, built_index):
    """A documents row deleted by hand (checksum fixed up): its chunks are orphans = corrupt."""
    vdir = IndexDir(built_index).current_path()
    with sqlite3.connect(vdir / "store.sqlite") as db:
        db.execute("DELETE FROM documents WHERE id='PMID:2'")
    db.close()
    _edit_manifest(vdir, lambda m: m["files"].update({"store.sqlite": sha256_file(vdir / "store.sqlite")}))
    listing = sorted(p.name for p in built_index.iterdir())
    with pytest.raises(IndexCorruptError, match="store.sqlite: 1 chunks belong to no row of the documents table"):
        Index(built_index)
    new = Document("PMID:77", "New", [Section("ABSTRACT", "A new record.")], pmid="77")
    for write in (lambda w: w.update([], ["PMID:1"]), lambda w: w.update([new]), lambda w: w.rebuild()):
        with pytest.raises(IndexCorruptError, match="belong to no row"):
            write(IndexWriter(built_index, embedder))
    assert sorted(p.name for p in built_index.iterdir()) == listing



def test_update_of_a_missing_index_needs_create(tmp_path, index_root):
    upd = jsonl(tmp_path / "new.jsonl", [rec(40, "A record for a new index.")])
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "typo", "-e", "hashing"])
    assert res.exit_code == 3 and "no index at" in res.output and "--create" in res.output, res.output
    assert not (tmp_path / "indexes" / "typo").exists()
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "typo", "-e", "hashing", "--create", "-q"])
    assert res.exit_code == 0 and "1 added" in res.output, res.output
    assert Index(tmp_path / "indexes" / "typo").doc_ids == ["PMID:40"]


def test_writes_never_go_into_a_non_index_directory_or_a_version(tmp_path, index_root):
    upd = jsonl(tmp_path / "new.jsonl", [rec(41, "Another record.")])
    other = tmp_path / "papers"
    other.mkdir()
    (other / "keep.txt").write_text("my notes")
    version = IndexDir(index_root).current_path()
    listing = sorted(p.name for p in version.iterdir())
    for target, message in ((other, "non-empty directory that is not an index"), (version, "is a version directory")):
        for cmd in (["index", "update", str(upd), "--create"], ["index", "build", str(upd)]):
            res = runner.invoke(app, [*cmd, "-i", str(target), "-e", "hashing"])
            assert res.exit_code == 2 and message in res.output and str(target) in res.output, (cmd, res.output)
    assert sorted(p.name for p in other.iterdir()) == ["keep.txt"]
    assert sorted(p.name for p in version.iterdir()) == listing


@pytest.mark.parametrize("cmd", [["index", "build"], ["index", "update"]])
def test_bad_write_options_are_usage_errors(tmp_path, index_root, cmd):
    upd = jsonl(tmp_path / "new.jsonl", [rec(50, "Option checks.")])
    res = runner.invoke(app, [*cmd, str(upd), "-i", "cli", "--lock-timeout", "-1"])
    assert res.exit_code == 2 and "ValidationError" not in res.output and "--lock-timeout" in res.output, res.output
    if cmd[1] == "build":
        res = runner.invoke(app, [*cmd, str(upd), "-i", "cli", "-e", "hashing", "--chunk-tokens", "48"])  # default overlap 48
        assert res.exit_code == 2 and "--chunk-tokens 48 must be larger than the overlap of 48 tokens" in res.output, res.output


def test_rebuild_chunks_not_longer_than_overlap_is_a_usage_error(index_root):
    for opts in (["--chunk-tokens", "32", "--overlap-tokens", "32"], ["--chunk-tokens", "20", "--overlap-tokens", "30"]):
        res = runner.invoke(app, ["index", "rebuild", "-i", "cli", *opts])
        assert res.exit_code == 2 and "must be larger than the overlap" in res.output, res.output
    assert IndexDir(index_root).versions() == ["v000001"]


def test_index_path_that_is_a_file_or_binary_current_is_one_line(tmp_path, index_root):
    upd = jsonl(tmp_path / "new.jsonl", [rec(51, "File checks.")])
    for cmd in (["search", "x"], ["index", "build", str(upd), "-e", "hashing"], ["index", "update", str(upd), "--create"],
                ["index", "remove", "PMID:1"], ["index", "rebuild"], ["index", "info"]):
        res = runner.invoke(app, [*cmd, "-i", str(upd)])
        assert res.exit_code in (2, 3) and f"{upd}: is a file" in res.output and "Errno" not in res.output, (cmd, res.output)
        assert len(res.output.strip().splitlines()) == 1, res.output
    (index_root / "CURRENT").write_bytes(b"\xff\xfe\x00v0\x81")
    for cmd in (["search", "x"], ["index", "update", str(upd)], ["index", "info"]):
        res = runner.invoke(app, [*cmd, "-i", str(index_root)])
        assert res.exit_code == 4 and f"{index_root / 'CURRENT'}: is not text" in res.output, (cmd, res.output)


def test_duplicate_ids_are_listed_once(tmp_path, index_root):
    upd = jsonl(tmp_path / "dups.jsonl", [rec(60, f"Version {i}.") for i in range(4)] + [rec(61, "a"), rec(61, "b")])
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "cli"])
    assert res.exit_code == 0 and "2 duplicate ids in input" in res.output, res.output
    assert "duplicate ids in the input: PMID:60, PMID:61\n" in res.output, res.output


def test_model_directory_is_recorded_resolved_and_compared_resolved(tmp_path, monkeypatch):
    """`-e mdl` (relative), `mdl/` and a symlink to it are one embedder, recorded as an absolute path."""
    import medcite.embedding
    import medcite.service
    from medcite.embedding import HashingEmbedder
    from medcite.index.manifest import canonical_embedder_name

    def fake(name, device=None):  # a sentence-transformers directory, without loading a model
        emb = HashingEmbedder(dim=32, max_tokens=64)
        emb.name = name
        return emb

    monkeypatch.setattr(medcite.service, "get_embedder", fake)
    monkeypatch.setattr(medcite.embedding, "get_embedder", fake)
    (tmp_path / "mdl").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "mdl")
    base = jsonl(tmp_path / "base.jsonl", [rec(1, "Metformin and kidney disease.")])
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, ["index", "build", str(base), "-i", "m", "-e", "mdl", "-q"])
    assert res.exit_code == 0, res.output
    ix = Index(tmp_path / "indexes" / "m")
    assert ix.manifest.embedder["name"] == str((tmp_path / "mdl").resolve())
    for spelling in ("mdl/", "link", str(tmp_path / "mdl")):
        ix.manifest.check_embedder(spelling)
        upd = jsonl(tmp_path / "u.jsonl", [rec(2, f"New record via {spelling}.")])
        res = runner.invoke(app, ["index", "update", str(upd), "-i", "m", "-e", spelling, "-q"])
        assert res.exit_code == 0, (spelling, res.output)
    assert canonical_embedder_name("minilm") == "minilm" and canonical_embedder_name("minilm@onnx") == "minilm@onnx"


def test_rebuild_keeps_the_chunk_setting_not_given(index_root):
    res = runner.invoke(app, ["index", "rebuild", "-i", "cli", "--chunk-tokens", "40", "--overlap-tokens", "10", "-q"])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["index", "rebuild", "-i", "cli", "--overlap-tokens", "20", "-q"])
    assert res.exit_code == 0, res.output
    assert Index(index_root).manifest.chunker["max_tokens"] == 40 and Index(index_root).manifest.chunker["overlap_tokens"] == 20
    res = runner.invoke(app, ["index", "rebuild", "-i", "cli", "--chunk-tokens", "30", "-q"])
    assert res.exit_code == 0, res.output
    assert Index(index_root).manifest.chunker["max_tokens"] == 30 and Index(index_root).manifest.chunker["overlap_tokens"] == 20


def test_build_takes_overlap_tokens(tmp_path):
    src = jsonl(tmp_path / "a.jsonl", [rec(1, "Metformin and lactic acidosis. " * 30)])
    res = runner.invoke(app, ["index", "build", str(src), "-i", str(tmp_path / "ov"), "-e", "hashing", "--overlap-tokens", "8", "-q"])
    assert res.exit_code == 0, res.output
    assert Index(tmp_path / "ov").manifest.chunker["overlap_tokens"] == 8


def test_query_backend_setting_does_not_touch_index_writes(tmp_path, index_root, monkeypatch):
    # the query runtime is for queries only: a bad value must not block an update or a removal
    monkeypatch.setenv("MEDCITE_QUERY_BACKEND", "int8")
    upd = jsonl(tmp_path / "new.jsonl", [rec(20, "A paper on sepsis bundles.")])
    res = runner.invoke(app, ["index", "update", str(upd), "-i", "cli", "-q"])
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["index", "remove", "PMID:20", "-i", "cli", "-q"]).exit_code == 0
    res = runner.invoke(app, ["search", "sepsis", "-i", "cli"])  # a query does use it: one-line error
    assert res.exit_code != 0 and "would change the vectors" in res.output and "Traceback" not in res.output
    monkeypatch.setenv("MEDCITE_QUERY_BACKEND", "")  # set but empty = unset
    assert runner.invoke(app, ["search", "metformin", "-i", "cli", "--json"]).exit_code == 0


def test_new_ivfpq_index_trains_on_chunks_in_reading_order(tmp_path, monkeypatch):
    import numpy as np

    from medcite.embedding import HashingEmbedder
    from medcite.index import ann

    seen = []
    orig = ann.AnnIndex._train

    def spy(self):
        seen.append(np.concatenate([i for i, _ in self._pending])[: self.opts.train_size].tolist())
        return orig(self)

    monkeypatch.setattr(ann.AnnIndex, "_train", spy)
    # bodies of very different lengths, so length-sorting would move the longest chunks first
    docs = [Document(id=f"PMID:{i}", title="", sections=[Section("", " ".join(f"w{j}" for j in range(1 + (i * 7) % 23)))]) for i in range(40)]
    opts = ann.AnnOptions(index_type="ivfpq", train_size=6, nlist=1, pq_m=4, pq_nbits=2)
    IndexWriter(tmp_path / "ix", HashingEmbedder(dim=32), vector_options=opts, batch_size=4).build(docs)
    assert seen, "the IVF-PQ index never trained"
    assert seen[0] == list(range(6))  # the first train_size chunk ids, in reading order


def test_one_document_ivfpq_build_falls_back_to_exact_with_a_note(tmp_path, monkeypatch):
    """One passage cannot train a product quantiser (FAISS: "Number of training points (1)
    should be at least as large as number of clusters (2)"): the build is exact and says so."""
    monkeypatch.setenv("MEDCITE_EMBEDDER", "hashing")
    jsonl(tmp_path / "one.jsonl", [rec("1", "Metformin lowers glucose in type 2 diabetes.")])
    res = runner.invoke(app, ["index", "build", str(tmp_path / "one.jsonl"), "-i", "one", "--index-type", "ivfpq"])
    assert res.exit_code == 0, res.output
    assert "cannot train an IVF-PQ index; built an exact (flat) index" in res.output
    ix = Index(tmp_path / "indexes" / "one")
    assert len(ix) == 1 and ix.manifest.vector_params.get("index_type", "flat") == "flat"
