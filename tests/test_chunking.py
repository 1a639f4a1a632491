from medcite.chunking import ChunkerSettings, chunk_document, split_sentences
from medcite.documents import Document, Section
from medcite.embedding import HashingEmbedder


def test_sentences_respect_abbreviations_and_decimals():
    text = "Patients (n=12, e.g. Dr. Smith's cohort) had 2.5 mg doses. Outcomes improved vs. placebo. Et al. is fine."
    spans = split_sentences(text)
    sents = [text[s:e] for s, e in spans]
    assert sents[0].endswith("doses.")
    assert sents[1] == "Outcomes improved vs. placebo."
    assert len(sents) == 3


def test_spans_cover_text_exactly():
    text = "First sentence here. Second one follows!  Third? Yes."
    for s, e in split_sentences(text):
        assert text[s:e].strip() == text[s:e]
    assert "".join(text[s:e] for s, e in split_sentences(text)).replace(" ", "") == text.replace(" ", "")


def _long_doc(n_sent=80):
    sec1 = " ".join(f"Sentence number {i} describes finding alpha{i} in patients." for i in range(n_sent))
    sec2 = " ".join(f"Conclusion {i} states that therapy beta{i} works." for i in range(10))
    return Document("PMID:9", "A long study of many things", [Section("RESULTS", sec1), Section("CONCLUSIONS", sec2)], pmid="9")


def test_chunks_never_exceed_limit_and_spans_match():
    emb = HashingEmbedder(max_tokens=64)
    doc = _long_doc()
    chunks = chunk_document(doc, emb.count_tokens, ChunkerSettings(64, 16))
    body = doc.body()
    assert len(chunks) > 5
    for i, c in enumerate(chunks):
        assert c.ordinal == i
        assert c.n_tokens == emb.count_tokens(c.embed_text()) <= 64
        assert body[c.start : c.end] == c.text
        assert c.title == doc.title
    # everything is covered, in order
    assert chunks[0].start == 0 and chunks[-1].end == len(body)
    assert all(a.start < b.start for a, b in zip(chunks, chunks[1:]))


def test_overlap_repeats_text_within_a_section():
    emb = HashingEmbedder(max_tokens=64)
    doc = _long_doc()
    with_overlap = chunk_document(doc, emb.count_tokens, ChunkerSettings(64, 20))
    without = chunk_document(doc, emb.count_tokens, ChunkerSettings(64, 0))
    assert any(b.start < a.end for a, b in zip(with_overlap, with_overlap[1:]))
    assert all(b.start >= a.end for a, b in zip(without, without[1:]))


def test_section_labels_and_boundaries():
    emb = HashingEmbedder(max_tokens=64)
    doc = _long_doc()
    chunks = chunk_document(doc, emb.count_tokens, ChunkerSettings(64, 0))
    assert chunks[0].section == "RESULTS"
    assert "CONCLUSIONS" in chunks[-1].section


def test_small_document_is_one_chunk():
    emb = HashingEmbedder(max_tokens=64)
    d = Document("x:1", "T", [Section("A", "Short text one."), Section("B", "Short text two.")])
    chunks = chunk_document(d, emb.count_tokens, ChunkerSettings(64))
    assert len(chunks) == 1 and chunks[0].section == "A / B"


def test_overlong_sentence_is_cut_at_words():
    emb = HashingEmbedder(max_tokens=32)
    d = Document("x:2", "", [Section("A", " ".join(["word"] * 200) + ".")])
    chunks = chunk_document(d, emb.count_tokens, ChunkerSettings(32, 0))
    assert len(chunks) >= 7
    assert all(c.n_tokens <= 32 for c in chunks)


def test_title_only_document():
    emb = HashingEmbedder(max_tokens=32)
    d = Document("PMID:7", "Only a title here", [])
    (c,) = chunk_document(d, emb.count_tokens, ChunkerSettings(32))
    assert c.text == "" and c.embed_text() == "Only a title here"
