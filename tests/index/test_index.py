import json

import pytest

from medcite.documents import Document, Section
from medcite.errors import IndexCorruptError, IndexNotFoundError, UsageError
from medcite.index import Index
from medcite.index.writer import IndexWriter


def test_build_records_manifest_and_counts(built_index, docs):
    ix = Index(built_index)
    m = ix.manifest
    assert m.embedder == {"name": "hashing", "dim": 256, "normalize": True, "max_tokens": 64}
    assert m.counts["documents"] == len(docs) == len(ix.doc_ids)
    assert m.counts["chunks"] == len(ix) == ix.vectors.ntotal
    assert set(m.files) >= {"store.sqlite", "vectors.faiss", "bm25/chunk_ids.npy"}
    assert not any(p.suffix in {".pkl", ".pickle"} for p in ix.path.rglob("*"))


def test_missing_index_is_reported(tmp_path):
    with pytest.raises(IndexNotFoundError):
        Index(tmp_path / "nope")


def test_tampered_file_is_refused_with_its_path(built_index):
    ix = Index(built_index)
    target = ix.path / "vectors.faiss"
    data = bytearray(target.read_bytes())
    data[-10] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(IndexCorruptError, match="vectors.faiss"):
        Index(built_index)


def test_truncated_store_is_refused(built_index):
    p = Index(built_index).path / "store.sqlite"
    p.write_bytes(p.read_bytes()[:100])
    with pytest.raises(IndexCorruptError, match="store.sqlite"):
        Index(built_index)


def test_update_skips_unchanged_replaces_changed_and_deletes(built_index, embedder, docs):
    before = Index(built_index)
    old_ids = set(before.chunk_ids.tolist())
    changed = Document("PMID:2", "Statins after myocardial infarction", [Section("ABSTRACT", "Revised: statins lowered mortality.")], pmid="2", year=2010)
    new = Document("PMID:99", "New paper", [Section("ABSTRACT", "Brand new findings on sepsis.")], pmid="99", year=2024)
    rep = IndexWriter(built_index, embedder).update([docs[0], changed, new], delete_ids=["PMID:3", "PMID:404"])
    assert rep.unchanged == ["PMID:1"] and rep.replaced == ["PMID:2"] and rep.added == ["PMID:99"]
    assert rep.deleted == ["PMID:3"] and rep.missing == ["PMID:404"]
    assert rep.chunks_embedded == 2  # only the changed and the new document
    after = Index(built_index)
    assert after.version != before.version
    assert "PMID:3" not in after.doc_ids and "PMID:99" in after.doc_ids
    # ids are stable: untouched chunks keep theirs, new ones never reuse old ids
    kept = set(after.chunk_ids.tolist()) & old_ids
    assert kept and max(old_ids) < max(after.chunk_ids.tolist())
    assert after.store.get_document("PMID:2").sections[0].text.startswith("Revised")


def test_noop_update_writes_nothing(built_index, embedder, docs):
    v = Index(built_index).version
    rep = IndexWriter(built_index, embedder).update(docs)
    assert rep.version == "" and len(rep.unchanged) == len(docs)
    assert Index(built_index).version == v


def test_duplicate_policy(tmp_path, embedder):
    a1 = Document("PMID:1", "A", [Section("", "first version")], pmid="1")
    a2 = Document("PMID:1", "A", [Section("", "second version")], pmid="1")
    root = tmp_path / "dup"
    rep = IndexWriter(root, embedder).build([a1, a2])
    assert rep.duplicates == ["PMID:1"]
    assert Index(root).store.get_document("PMID:1").sections[0].text == "second version"
    IndexWriter(root, embedder).build([a1, a2], on_duplicate="skip")
    assert Index(root).store.get_document("PMID:1").sections[0].text == "first version"
    with pytest.raises(UsageError, match="duplicate"):
        IndexWriter(root, embedder).build([a1, a2], on_duplicate="fail")


def test_manifest_is_plain_json(built_index):
    ix = Index(built_index)
    data = json.loads((ix.path / "manifest.json").read_text())
    assert data["schema_version"] == 1 and data["vector_index"] == "IDMap2,Flat"
