"""JSON Lines reader: the data set shapes, generic records, bad lines, gzip."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest

from medcite.errors import ReaderError
from medcite.readers import jsonl, reader_for

from ._helpers import data_file, read_all


def write_lines(path, lines):
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def test_bad_line_is_skipped_with_its_line_number_and_the_rest_is_read(tmp_path):
    path = write_lines(tmp_path / "mixed.jsonl", [
        {"pmid": "21645374", "year": 2011, "mesh_terms": ["Apoptosis"],
         "sections": [{"label": "BACKGROUND", "text": "PCD is regulated."},
                      {"label": "CONCLUSIONS", "text": "It works."}]},
        '{"pmid": "1", "title": "broken',
        "",
        {"pmid": "2", "title": "", "sections": []},
        "[1, 2]",
        {"pmid": 83311, "title": "Bleomycin and the lung", "sections": [{"label": "ABSTRACT", "text": "Fibrosis."}]},
    ])  # fmt: skip
    docs, report = read_all(jsonl.read, path)
    assert [d.id for d in docs] == ["PMID:21645374", "PMID:83311"]
    assert [s.label for s in docs[0].sections] == ["BACKGROUND", "CONCLUSIONS"]
    assert docs[0].title == "" and docs[0].year == 2011 and docs[0].mesh_terms == ["Apoptosis"]
    assert docs[1].pmid == "83311" and docs[1].title == "Bleomycin and the lung"
    where = [w for w, _ in report.skipped]
    assert where == ["line 2", "line 4", "line 5"]
    assert "invalid JSON" in report.skipped[0][1]
    assert "no title and no text" in report.skipped[1][1]
    assert "not a JSON object" in report.skipped[2][1]


def test_generic_records_and_section_shapes(tmp_path):
    path = write_lines(tmp_path / "generic.ndjson", [
        {"id": "trial-7", "title": "T", "abstract": "An abstract.", "journal": "Lancet", "year": "2019 May",
         "publication_types": ["Randomized Controlled Trial"]},
        {"pmid": "PMC123", "title": "Pairs", "sections": [["Methods", "We did."], ["Results", "It did."]]},
        {"id": "PMID:555", "sections": {"Intro": "Hello.", "Discussion": "Bye."}},
        {"title": "No id", "text": "Body text."},
    ])  # fmt: skip
    docs, report = read_all(jsonl.read, path)
    assert report.skipped == []
    assert [d.id for d in docs] == ["trial-7", "PMC123", "PMID:555", f"file:{path.resolve()}#{jsonl.content_key({'title': 'No id', 'text': 'Body text.'})}"]
    assert docs[0].sections[0].label == "ABSTRACT" and docs[0].year == 2019 and docs[0].journal == "Lancet"
    assert docs[0].publication_types == ["Randomized Controlled Trial"]
    assert docs[1].pmid is None and [s.label for s in docs[1].sections] == ["Methods", "Results"]
    assert docs[2].pmid == "555" and [s.label for s in docs[2].sections] == ["Intro", "Discussion"]
    assert docs[3].sections[0].label == "TEXT"


def test_medquad_shape_and_unique_ids(tmp_path):
    rec = {"qid": "0000013_2-1", "question": "What is (are) Polycythemia Vera ?", "qtype": "information",
           "answer": "Key Points\n - Polycythemia vera is a disease.", "focus": "Polycythemia Vera",
           "source": "CancerGov", "url": "https://www.cancer.gov/x", "cuis": ["C0032463"],
           "semantic_types": ["T191"], "semantic_group": "Disorders", "focus_category": None}  # fmt: skip
    other = dict(rec, question="What is (are) Primary Myelofibrosis ?")
    docs, _ = read_all(jsonl.read, write_lines(tmp_path / "qa.jsonl", [rec, other]))
    doc = docs[0]
    assert doc.id == "medquad:0000013_2-1" and doc.pmid is None
    assert doc.title == "What is (are) Polycythemia Vera ?"
    assert [s.label for s in doc.sections] == ["ANSWER"]
    assert doc.sections[0].text == "Key Points\n- Polycythemia vera is a disease."
    for key in ("focus", "cuis", "semantic_group", "semantic_types", "qtype", "url", "focus_category"):
        assert doc.extra[key] == rec[key]
    assert docs[1].id.startswith("medquad:0000013_2-1~") and docs[1].id != doc.id  # MedQuAD reuses qids


def test_gzipped_jsonl(tmp_path):
    path = tmp_path / "a.jsonl.gz"
    path.write_bytes(
        gzip.compress(b'{"pmid": "9", "title": "Zipped", "sections": [{"label": "ABSTRACT", "text": "x"}]}\n')
    )
    assert reader_for(path)[0] == "jsonl"
    assert [d.id for d in read_all(jsonl.read, path)[0]] == ["PMID:9"]


def test_not_jsonl_at_all_is_rejected(tmp_path):
    path = tmp_path / "pretty.jsonl"
    path.write_text(json.dumps([{"pmid": str(i), "title": "t"} for i in range(5)], indent=2), encoding="utf-8")
    with pytest.raises(ReaderError, match="not JSON Lines"):
        read_all(jsonl.read, path)
    path.write_bytes(b"\x1f\x8b garbage that is not gzip")
    with pytest.raises(ReaderError, match="pretty.jsonl"):
        read_all(jsonl.read, path)


def test_real_pubmedqa_abstracts():
    docs, report = read_all(jsonl.read, data_file("pubmedqa", "abstracts.jsonl"))
    assert len(docs) == 1000 and report.skipped == []
    assert all(d.id == f"PMID:{d.pmid}" and d.title == "" and d.sections for d in docs)
    assert sum(d.sections[-1].label.startswith("CONCLUSION") for d in docs) > 900


def test_real_medquad_and_bioasq_first_records(tmp_path):
    for parts, prefix in ((("medquad", "qa.jsonl"), "medquad:"), (("bioasq", "abstracts.jsonl"), "PMID:")):
        with open(data_file(*parts), encoding="utf-8") as f:
            head = list(itertools.islice(f, 300))
        path = tmp_path / parts[1]
        path.write_text("".join(head), encoding="utf-8")
        docs, report = read_all(jsonl.read, path)
        assert len(docs) == 300 and report.skipped == []
        assert all(d.id.startswith(prefix) for d in docs) and len({d.id for d in docs}) == 300


def test_lone_surrogate_escape_becomes_a_replacement_character_not_a_failed_build(tmp_path):
    # "\ud83d" alone is valid JSON but no UTF-8 can hold it: hashing or storing the record failed
    path = tmp_path / "s.jsonl"
    path.write_text('{"pmid": "2", "title": "bad \\ud83d here", "abstract": "a lone \\udc00 surrogate"}\n', encoding="utf-8")
    docs, report = read_all(jsonl.read, path)
    assert len(docs) == 1 and docs[0].title == "bad \ufffd here" and "\ufffd" in docs[0].body()
    docs[0].title.encode("utf-8") and docs[0].body().encode("utf-8")


def test_records_without_id_are_keyed_by_content_not_line(tmp_path):
    """Inserting a line before id-less records leaves their ids unchanged (a line-number key
    would give every later record a new id, so an update indexed a second copy of each)."""
    recs = [{"title": f"Note {i}", "text": f"Body {i}."} for i in range(3)]
    path = write_lines(tmp_path / "notes.jsonl", recs)
    before = [d.id for d in read_all(jsonl.read, path)[0]]
    write_lines(path, [{"title": "Inserted", "text": "New first line."}, *recs])
    after = [d.id for d in read_all(jsonl.read, path)[0]]
    assert after[1:] == before and after[0] not in before
    assert len(set(before)) == 3 and all(i.startswith(f"file:{path.resolve()}#") for i in before)
