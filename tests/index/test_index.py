import json

import pytest

from medcite.config import Settings
from medcite.documents import Document, Section
from medcite.embedding import HashingEmbedder
from medcite.errors import EmbedderMismatchError, IndexCorruptError, IndexNotFoundError, UsageError
from medcite.index import Index
from medcite.index.manifest import SCHEMA_VERSION
from medcite.index.versions import IndexDir
from medcite.index.writer import IndexWriter
from medcite.service import Medcite


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
    assert data["schema_version"] == SCHEMA_VERSION and data["vector_index"] == "IDMap2,Flat"


def _edit_manifest(root, edit):
    path = IndexDir(root).current_path() / "manifest.json"
    m = json.loads(path.read_text())
    edit(m)
    path.write_text(json.dumps(m))


@pytest.mark.parametrize(
    "edit, message",
    [
        (lambda m: m.update(files={}), "vectors.faiss|store.sqlite: has no checksum"),
        (lambda m: m.pop("files"), "store.sqlite: has no checksum"),
        (lambda m: m["files"].pop("bm25/chunk_ids.npy"), "chunk_ids.npy: has no checksum"),
        (lambda m: m["files"].pop("bm25/vocab.index.json"), "vocab.index.json: has no checksum"),
        (lambda m: m["counts"].update(documents=m["counts"]["documents"] - 1), "document counts disagree"),
        (lambda m: m["counts"].pop("chunks"), "chunk counts disagree"),
        (lambda m: m.update(next_chunk_id=1), "next_chunk_id 1 is not above the largest stored chunk id"),
        (lambda m: m["embedder"].update(dim=384), "vectors.faiss: 256-d vectors, but the manifest's embedder 'hashing' makes 384-d ones"),
        # the fields that decide how a version is read are checksummed too, and named when edited
        (lambda m: m.update(version="v000009"), "field 'version' is 'v000009', but the version directory"),
        (lambda m: m.update(vector_index="IDMap2,HNSW32"), "field 'vector_index' does not match its checksum"),
        (lambda m: m["chunker"].update(max_tokens=m["chunker"]["max_tokens"] + 1), "field 'chunker' does not match its checksum"),
        (lambda m: m["vector_params"].update(shards=1), "field 'vector_params' does not match its checksum"),
        (lambda m: m["embedder"].update(normalize=False), "field 'embedder' does not match its checksum"),
        (lambda m: m["field_sha256"].pop("chunker"), "field 'chunker' has no checksum"),
        (lambda m: m.pop("field_sha256"), "field 'version' has no checksum"),
        # found by a break-test: claiming the old schema does not switch the field checks off,
        # and wrong-typed fields are named, not an AttributeError
        (lambda m: m.update(schema_version=1, chunker={**m["chunker"], "max_tokens": m["chunker"]["max_tokens"] + 1}), "field 'chunker' does not match its checksum"),
        (lambda m: m.update(field_sha256=None), "field 'field_sha256' is not a JSON object"),
        (lambda m: m.update(vector_params=None), "field 'vector_params' is not a JSON object"),
        (lambda m: m.update(schema_version="2"), "field 'schema_version' is '2', not an integer"),
    ],
)
def test_manifest_tampering_is_caught_on_load_and_before_writes(built_index, embedder, edit, message):
    _edit_manifest(built_index, edit)
    with pytest.raises(IndexCorruptError, match=message):
        Index(built_index)
    with pytest.raises(IndexCorruptError, match=message):
        IndexWriter(built_index, embedder).update([Document("PMID:9", "x", [Section("", "new")])])


def test_deleted_required_file_and_its_checksum_is_refused(built_index):
    ix = Index(built_index)
    (ix.path / "vectors.faiss").unlink()
    _edit_manifest(built_index, lambda m: m["files"].pop("vectors.faiss"))
    with pytest.raises(IndexCorruptError, match="vectors.faiss: is missing and has no checksum"):
        Index(built_index)


def test_embedder_of_another_dimension_is_refused(built_index):
    """Same embedder name, other dimension: EmbedderMismatchError, not FAISS's AssertionError."""
    narrow = HashingEmbedder(dim=64, max_tokens=64)
    svc = Medcite(Settings(index=str(built_index)), embedder=narrow)
    with pytest.raises(EmbedderMismatchError, match="holds 256-d vectors, but embedder 'hashing' makes 64-d ones"):
        svc.search("metformin")
    with pytest.raises(EmbedderMismatchError, match="256-d"):
        IndexWriter(built_index, narrow).update([Document("PMID:9", "x", [Section("", "new")])])


def test_retriever_refuses_embedder_of_another_dimension(built_index):
    from medcite.retrieval import Retriever

    with pytest.raises(EmbedderMismatchError, match="64-d"):
        Retriever(Index(built_index), HashingEmbedder(dim=64, max_tokens=64))


def test_hidden_file_in_a_version_is_ignored_but_an_unknown_file_is_refused(built_index):
    ix = Index(built_index)
    (ix.path / ".DS_Store").write_bytes(b"\0\1")
    assert len(Index(built_index)) == len(ix)
    (ix.path / "notes.txt").write_text("added by hand")
    with pytest.raises(IndexCorruptError, match="notes.txt: has no checksum"):
        Index(built_index)


def test_length_sorted_orders_within_windows_and_keeps_input():
    from medcite.documents import Chunk
    from medcite.index.writer import length_sorted

    todo = [(i, Chunk("d", i, "", 0, 0, "x", n, "")) for i, n in enumerate([3, 9, 1, 7, 2, 8])]
    before = list(todo)
    out = length_sorted(todo, window=3)
    assert todo == before  # input untouched
    assert [cid for cid, _ in out] == [1, 0, 2, 5, 3, 4]  # longest first inside [0:3] and [3:6]
    assert sorted(out) == sorted(todo)


def test_every_stored_vector_is_the_embedding_of_its_own_chunk_after_length_sorting(tmp_path, embedder):
    # chunks of very different lengths, so the writer reorders them before embedding
    docs = [
        Document(id=f"PMID:{i}", title=f"Paper {i}", sections=[Section("", " ".join(f"w{i}x{j}" for j in range(2 + 9 * (i % 5))))])
        for i in range(1, 30)
    ]
    assert getattr(embedder, "pads_batches", True)
    IndexWriter(tmp_path / "ix", embedder, batch_size=4).build(docs)
    ix = Index(tmp_path / "ix")
    rows = list(ix.store.db.execute("SELECT chunk_id, title, text FROM chunks"))
    assert len(rows) == len(ix) >= len(docs)
    for cid, title, text in rows:
        expect = embedder.embed_documents([f"{title}\n{text}" if title and text else title or text])[0]
        assert float(ix.vectors.reconstruct(int(cid)) @ expect) > 0.9999
