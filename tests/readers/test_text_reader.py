"""Plain text and Markdown reader."""

from __future__ import annotations

from medcite.readers import FileReport, read_documents, text

from ._helpers import read_all


def test_markdown_split_at_headings_outside_code(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text(
        "Preface line.\n\n# Asthma guideline #\n\nIntro text.\n\n## Treatment\n\nUse ICS.\n\n"
        "```\n# not a heading\n```\n\n### Dosing\nLow dose.\n",
        encoding="utf-8",
    )
    docs, report = read_all(text.read, path)
    doc = docs[0]
    assert doc.id == f"file:{path.resolve()}" and doc.title == "Asthma guideline" and doc.source == str(path)
    assert [s.label for s in doc.sections] == ["TEXT", "Asthma guideline", "Treatment", "Dosing"]
    assert "# not a heading" in doc.sections[2].text


def test_plain_text_title_first_line_shortened_and_bytes_cleaned(tmp_path):
    path = tmp_path / "notes.txt"
    long_first = "Heart failure " * 30
    path.write_bytes(
        b"\n\n" + long_first.encode() + b"\r\nSecond\x00 line \xff here.\r\n\r\n\r\n\r\nThird paragraph.\n"
    )
    doc = read_all(text.read, path)[0][0]
    assert len(doc.title) <= 200 and doc.title.startswith("Heart failure Heart failure")
    assert [s.label for s in doc.sections] == ["TEXT"]
    body = doc.sections[0].text
    assert "\x00" not in body and "Second line \ufffd here." in body and "\r" not in body
    assert "here.\n\nThird paragraph." in body


def test_empty_file_is_reported_not_indexed(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_bytes(b"  \n\x00\n")
    report = FileReport(str(path))
    assert list(read_documents(path, report)) == []
    assert report.format == "text" and report.skipped == [("blank.txt", "empty file")] and report.read == 0
