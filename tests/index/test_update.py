"""IndexWriter update / remove / rebuild semantics, refusal of mismatches, leftover cleanup."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from medcite.chunking import ChunkerSettings
from medcite.documents import Document, Section
from medcite.embedding import HashingEmbedder
from medcite.errors import EmbedderMismatchError, IndexCorruptError, IndexNotFoundError, UsageError
from medcite.index import Index
from medcite.index.versions import IndexDir
from medcite.index.writer import IndexWriter, WriteReport, resolve_events
from medcite.retrieval import Retriever, SearchOptions


def long_doc(doc_id: str, n_sections: int = 3, tag: str = "") -> Document:
    secs = [
        Section(f"S{i}", " ".join(f"term{i}x{j} clinical outcome {tag}".strip() for j in range(12)) + ".")
        for i in range(n_sections)
    ]
    return Document(doc_id, f"Title {doc_id}", secs, pmid=doc_id.split(":")[-1], year=2015)


def vectors_of(ix: Index, chunk_ids) -> np.ndarray:
    return np.stack([ix.vectors.index.reconstruct(int(c)) for c in chunk_ids])


def test_revised_record_keeps_vectors_of_unchanged_chunks(tmp_path, embedder):
    root = tmp_path / "ix"
    IndexWriter(root, embedder).build([long_doc("PMID:1"), long_doc("PMID:2")])
    before = Index(root)
    old_rows = dict(before.store.db.execute("SELECT ordinal, chunk_id FROM chunks WHERE doc_id='PMID:1'"))
    assert len(old_rows) >= 3
    doc = long_doc("PMID:1")
    doc.sections[-1] = Section("S2", " ".join(f"rewritten sepsis mortality {j}" for j in range(8)) + ".")
    rep = IndexWriter(root, embedder).update([doc])
    assert rep.replaced == ["PMID:1"] and rep.chunks_embedded == 1
    assert rep.chunks_reused == len(old_rows) - 1
    after = Index(root)
    new_rows = dict(after.store.db.execute("SELECT ordinal, chunk_id FROM chunks WHERE doc_id='PMID:1'"))
    kept = [o for o in new_rows if new_rows[o] == old_rows.get(o)]
    assert len(kept) == len(old_rows) - 1
    np.testing.assert_array_equal(vectors_of(after, [new_rows[o] for o in kept]), vectors_of(before, [old_rows[o] for o in kept]))
    # the index still answers for the new text and no longer for the old one
    r = Retriever(after, embedder)
    assert r.search("rewritten sepsis mortality", SearchOptions(top_k=1))[0].doc_id == "PMID:1"
    assert "term2x0" not in " ".join(t for (t,) in after.store.db.execute("SELECT text FROM chunks WHERE doc_id='PMID:1'"))


def test_events_apply_in_order():
    a1 = Document("PMID:1", "A", [Section("", "one")])
    a2 = Document("PMID:1", "A", [Section("", "two")])
    b = Document("PMID:2", "B", [Section("", "bee")])
    rep = WriteReport()
    docs, deletes = resolve_events([("put", a1), ("put", b), ("delete", "PMID:1"), ("delete", "PMID:3"), ("put", a2)], "overwrite", rep)
    assert list(docs) == ["PMID:2", "PMID:1"] and docs["PMID:1"].sections[0].text == "two"
    assert deletes == ["PMID:3"] and rep.duplicates == []
    docs, deletes = resolve_events([("put", b), ("delete", "PMID:2")], "overwrite", WriteReport())
    assert docs == {} and deletes == ["PMID:2"]


def test_update_file_order_revision_then_deletion(built_index, embedder, docs):
    """A record revised in one update file and deleted in a later one ends up deleted."""
    revised = Document("PMID:2", "Statins", [Section("ABSTRACT", "Revised text.")], pmid="2")
    rep = IndexWriter(built_index, embedder).apply([("put", revised), ("delete", "PMID:2"), ("delete", "PMID:4")])
    assert sorted(rep.deleted) == ["PMID:2", "PMID:4"] and rep.replaced == [] and rep.chunks_embedded == 0
    assert not {"PMID:2", "PMID:4"} & set(Index(built_index).doc_ids)


def test_remove_and_missing_ids(built_index, embedder):
    rep = IndexWriter(built_index, embedder).remove(["PMID:1", "PMID:777"])
    assert rep.deleted == ["PMID:1"] and rep.missing == ["PMID:777"]
    ix = Index(built_index)
    assert "PMID:1" not in ix.doc_ids and len(ix) == ix.vectors.ntotal == len(ix.lexical.chunk_ids)
    assert ix.manifest.build["operation"] == "update"


def test_update_with_another_embedder_names_both_and_rebuild(built_index):
    other = HashingEmbedder(dim=256, max_tokens=64)
    other.name = "e5-small"
    with pytest.raises(EmbedderMismatchError, match=r"'hashing'.*'e5-small'.*run medcite index rebuild"):
        IndexWriter(built_index, other).update([Document("PMID:9", "x", [Section("", "new")])])
    with pytest.raises(EmbedderMismatchError, match=r"'hashing'.*'e5-small'"):
        Retriever(Index(built_index), other)
    assert IndexDir(built_index).versions() == ["v000001"]


def test_update_refuses_other_chunk_settings(built_index, embedder):
    with pytest.raises(UsageError, match="rebuild --chunk-tokens 32"):
        IndexWriter(built_index, embedder, ChunkerSettings(32, 8)).update([Document("PMID:9", "x", [Section("", "new")])])


@pytest.mark.parametrize("victim", ["vectors.faiss", "store.sqlite", "bm25/chunk_ids.npy", "manifest.json"])
def test_damaged_version_is_refused_and_nothing_written_on_top(built_index, embedder, victim):
    d = IndexDir(built_index)
    path = d.current_path() / victim
    if victim == "manifest.json":
        m = json.loads(path.read_text())
        m["counts"]["chunks"] += 1
        path.write_text(json.dumps(m)[:-20])  # hand-edited and truncated
    else:
        path.write_bytes(path.read_bytes()[:-7])
    listing = sorted(p.name for p in built_index.iterdir())
    with pytest.raises(IndexCorruptError, match=victim.split("/")[-1]):
        IndexWriter(built_index, embedder).update([Document("PMID:9", "x", [Section("", "new")])])
    with pytest.raises(IndexCorruptError, match=victim.split("/")[-1]):
        IndexWriter(built_index, embedder).rebuild()
    assert sorted(p.name for p in built_index.iterdir()) == listing
    # a full build is the way out: it writes a new version beside the damaged one
    IndexWriter(built_index, embedder).build([Document("PMID:9", "x", [Section("", "new")])])
    assert Index(built_index).doc_ids == ["PMID:9"]


def test_hand_edited_counts_are_caught_on_load(built_index):
    """Checksums pass (the manifest is not checksummed), but counts must agree with the files."""
    path = IndexDir(built_index).current_path() / "manifest.json"
    m = json.loads(path.read_text())
    m["counts"]["chunks"] += 1
    path.write_text(json.dumps(m))
    with pytest.raises(IndexCorruptError, match="chunk counts disagree"):
        Index(built_index)


def test_rebuild_new_chunker_and_old_reader_keeps_answering(built_index, embedder):
    old = Index(built_index)
    r_old = Retriever(old, embedder)
    q = "metformin lactic acidosis"
    before = [(p.doc_id, p.text) for p in r_old.search(q)]
    rep = IndexWriter(built_index, embedder, ChunkerSettings(max_tokens=20, overlap_tokens=4)).rebuild()
    assert rep.operation == "rebuild" and rep.chunks_embedded == rep.chunks
    new = Index(built_index)
    assert new.version != old.version and new.manifest.chunker["max_tokens"] == 20
    assert len(new) > len(old) and sorted(new.doc_ids) == sorted(old.doc_ids)
    # chunk ids are never reused across versions
    assert set(new.chunk_ids.tolist()).isdisjoint(old.chunk_ids.tolist())
    # a reader opened before the swap keeps its consistent version
    assert [(p.doc_id, p.text) for p in r_old.search(q)] == before
    # later updates keep the rebuilt chunk settings
    IndexWriter(built_index, embedder).update([Document("PMID:9", "x", [Section("", "new text")])])
    assert Index(built_index).manifest.chunker["max_tokens"] == 20


def test_rebuild_with_new_embedder(built_index):
    wide = HashingEmbedder(dim=64, max_tokens=48)
    wide.name = "hashing-64"
    rep = IndexWriter(built_index, wide).rebuild()
    ix = Index(built_index)
    assert ix.manifest.embedder["name"] == "hashing-64" and ix.vectors.dim == 64
    assert ix.manifest.chunker["max_tokens"] == 48 and rep.documents == len(ix.doc_ids)
    assert Retriever(ix, wide).search("aspirin bleeding", SearchOptions(top_k=1))[0].doc_id == "PMID:3"


def test_rebuild_of_missing_index(tmp_path, embedder):
    with pytest.raises(IndexNotFoundError):
        IndexWriter(tmp_path / "none", embedder).rebuild()


def test_leftovers_of_a_crash_are_removed_by_the_next_write(built_index, embedder, docs):
    d = IndexDir(built_index)
    live = d.current_name()
    (built_index / ".v000002.tmp-abc").mkdir()
    (built_index / ".v000002.tmp-abc" / "store.sqlite").write_bytes(b"half")
    shutil.copytree(d.current_path(), built_index / "v000002")  # renamed but never made current
    (built_index / "CURRENT.tmp").write_text("v000002\n")
    assert Index(built_index).version == live  # readers ignore all of it
    rep = IndexWriter(built_index, embedder).update(docs)  # nothing to change, still cleans
    assert rep.version == ""
    assert sorted(p.name for p in built_index.iterdir()) == [".lock", "CURRENT", "PUBLISHED", live]


def test_hand_rollback_keeps_the_newer_version(built_index, embedder, docs):
    """CURRENT pointed back at v000001 by hand: v000002 was live once, so no write deletes it."""
    IndexWriter(built_index, embedder).update([Document("PMID:60", "x", [Section("", "sixty")])])
    (built_index / "CURRENT").write_text("v000001\n")
    assert IndexWriter(built_index, embedder).update(docs).version == ""  # no change
    assert IndexDir(built_index).versions() == ["v000001", "v000002"]
    rep = IndexWriter(built_index, embedder).update([Document("PMID:61", "x", [Section("", "sixty-one")])])
    assert rep.version == "v000003" and Index(built_index).version == "v000003"
    assert IndexDir(built_index).versions() == ["v000001", "v000002", "v000003"]
    assert "PMID:60" not in Index(built_index).doc_ids  # built on the rolled-back version


def test_old_versions_are_pruned(built_index, embedder):
    for i in range(3):
        IndexWriter(built_index, embedder).update([Document(f"PMID:{50 + i}", "x", [Section("", f"text {i}")])])
    assert IndexDir(built_index).versions() == ["v000003", "v000004"]


def test_progress_reports_every_slice(tmp_path, embedder, docs):
    seen = []
    IndexWriter(tmp_path / "p", embedder, progress=lambda d, t: seen.append((d, t)), batch_size=2).build(docs)
    total = seen[-1][1]
    assert seen[-1][0] == total and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert len(seen) == -(-total // 2)


def test_an_error_mid_write_leaves_no_temporary_version(built_index, docs):
    class Failing(HashingEmbedder):
        def embed_documents(self, texts, progress=None):
            raise RuntimeError("model crashed")

    listing = sorted(p.name for p in built_index.iterdir())
    with pytest.raises(RuntimeError):
        IndexWriter(built_index, Failing(256, 64)).update([Document("PMID:9", "x", [Section("", "new")])])
    assert sorted(p.name for p in built_index.iterdir()) == listing


def test_versions_without_current_are_refused_not_wiped(built_index, embedder, docs):
    """A lost CURRENT must not make the next write treat every version as a crash leftover."""
    d = IndexDir(built_index)
    IndexWriter(built_index, embedder).update([Document("PMID:9", "x", [Section("", "new")])])
    (built_index / "CURRENT").unlink()
    listing = sorted(p.name for p in built_index.iterdir())
    for write in (
        lambda: IndexWriter(built_index, embedder).update([Document("PMID:10", "y", [Section("", "newer")])]),
        lambda: IndexWriter(built_index, embedder).remove(["PMID:1"]),
        lambda: IndexWriter(built_index, embedder).rebuild(),
        lambda: IndexWriter(built_index, embedder).build(docs),
    ):
        with pytest.raises(IndexCorruptError, match=f"CURRENT is missing.*echo v000002 > {built_index / 'CURRENT'}"):
            write()
    with pytest.raises(IndexCorruptError, match=str(built_index)):
        Index(built_index)
    assert sorted(p.name for p in built_index.iterdir()) == listing
    (built_index / "CURRENT").write_text("v000002\n")  # the advice restores it
    assert "PMID:9" in Index(built_index).doc_ids and d.current_name() == "v000002"


def test_new_or_empty_directory_still_builds(tmp_path, embedder, docs):
    (tmp_path / "empty").mkdir()
    for root in (tmp_path / "empty", tmp_path / "new" / "ix"):
        IndexWriter(root, embedder).build(docs)
        assert len(Index(root).doc_ids) == len(docs)
