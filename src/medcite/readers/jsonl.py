"""JSON Lines (``.jsonl``, ``.jsonl.gz``, ``.ndjson``): one JSON object per line.

Recognised shapes:

* PubMedQA / BioASQ abstracts: ``{"pmid", "title"?, "year"?, "mesh_terms"?, "sections": [{"label", "text"}]}``;
* MedQuAD: ``{"qid", "question", "answer", "focus", "qtype", "url", "cuis", …}`` → id ``medquad:<qid>``,
  title = question, one ``"ANSWER"`` section;
* generic: ``{"id"|"pmid", "title", "abstract"|"sections"|"text", "year", "journal", "mesh_terms",
  "publication_types"}`` where ``sections`` is a list of ``{"label", "text"}``, a list of
  ``[label, text]`` pairs or a ``{label: text}`` dict; a record with no PMID and no id gets
  ``file:<absolute path>#<content key>`` (:func:`content_key`: the record's content, not its line
  number, so inserting or deleting a line leaves every other record's id as it was; an edited
  record is a new paper, and two identical lines are one paper, repeated).

A bad line (not JSON, not an object, no title and no text) is skipped with its line number; the
rest of the file is read.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..documents import Document, Section
from ..errors import ReaderError
from .report import FileReport
from ._common import clean, clean_block, file_doc_id, open_binary, read_errors, to_year

#: Consecutive undecodable lines at the start of a file after which it is rejected as a whole.
MAX_LEADING_BAD = 5
MEDQUAD_EXTRA = ("focus", "cuis", "semantic_group", "semantic_types", "qtype", "url", "focus_category")
TEXT_KEYS = ("abstract", "text", "body", "contents", "content")


def read(path: Path, report: FileReport) -> Iterator[Document]:
    """Stream the documents of a JSON Lines file (plain or gzipped).

    Yields:
        one :class:`Document` per usable line; each unusable line is listed in
        ``report.skipped`` as ``("line <n>", reason)``.

    Raises:
        ReaderError: the file cannot be read, or its first lines are all not JSON (it is not a
            JSON Lines file at all).
    """
    good = bad = 0
    seen_medquad: set[str] = set()
    try:
        with open_binary(path) as raw:
            for lineno, line in enumerate(io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace"), 1):
                line = line.strip().replace("\x00", "")
                if not line:
                    continue
                where = f"line {lineno}"
                try:
                    record = json.loads(line)
                except ValueError as e:
                    bad += 1
                    if good == 0 and bad >= MAX_LEADING_BAD:
                        raise ReaderError(f"{path}: not JSON Lines (first {bad} lines are not JSON: {e})") from e
                    report.skipped.append((where, f"invalid JSON: {e}"))
                    continue
                good += 1
                if not isinstance(record, dict):
                    report.skipped.append((where, f"not a JSON object ({type(record).__name__})"))
                    continue
                try:
                    doc = _document(record, path, lineno, seen_medquad)
                except ValueError as e:
                    report.skipped.append((where, str(e)))
                    continue
                yield doc
    except read_errors() as e:
        raise ReaderError(f"{path}: unreadable ({e})") from e
    if good == 0 and bad:
        raise ReaderError(f"{path}: not JSON Lines (no line is valid JSON)")


def _document(r: dict[str, Any], path: Path, lineno: int, seen_medquad: set[str]) -> Document:
    """Map one record to a Document; ``ValueError`` (message = skip reason) when unusable."""
    if "qid" in r and "answer" in r and "question" in r:
        return _medquad(r, path, lineno, seen_medquad)
    pmid = _pmid(r)
    if pmid:
        doc_id = f"PMID:{pmid}"
    else:
        raw_id = clean(str(r.get("id") or r.get("pmid") or r.get("doc_id") or ""))
        doc_id = raw_id or file_doc_id(path, content_key(r))
    title = clean(_str(r.get("title")))
    sections = _sections(r.get("sections"))
    if not sections:
        for key in TEXT_KEYS:
            value = r.get(key)
            if isinstance(value, (dict, list)):
                sections = _sections(value)
            elif _str(value).strip():
                sections = [Section("ABSTRACT" if key == "abstract" else "TEXT", clean_block(_str(value)))]
            if sections:
                break
    if not title and not sections:
        raise ValueError(f"{doc_id}: no title and no text")
    extra = {k: r[k] for k in ("doi", "pmcid", "url") if isinstance(r.get(k), str) and r[k]}
    return Document(
        id=doc_id,
        title=title,
        sections=sections,
        pmid=pmid,
        year=to_year(r.get("year")) or to_year(r.get("pub_year")) or to_year(_str(r.get("date"))),
        journal=clean(_str(r.get("journal"))),
        mesh_terms=_strings(r.get("mesh_terms", r.get("mesh"))),
        publication_types=_strings(r.get("publication_types", r.get("pub_types"))),
        source=str(path),
        extra=extra,
    )


def _medquad(r: dict[str, Any], path: Path, lineno: int, seen: set[str]) -> Document:
    qid = clean(str(r.get("qid") or ""))
    answer = clean_block(_str(r.get("answer")))
    question = clean(_str(r.get("question")))
    if not answer:
        raise ValueError(f"medquad:{qid}: empty answer")
    doc_id = f"medquad:{qid}" if qid else file_doc_id(path, content_key(r), prefix="medquad")
    if doc_id in seen:  # MedQuAD reuses qids across its sources and documents: keep ids unique
        digest = hashlib.sha1(f"{r.get('source')}|{r.get('url')}|{question}".encode()).hexdigest()[:8]
        doc_id = f"{doc_id}~{digest}"
        if doc_id in seen:
            doc_id = f"{doc_id}~{lineno}"
    seen.add(doc_id)
    extra = {k: r.get(k) for k in MEDQUAD_EXTRA}
    if r.get("source"):
        extra["origin"] = r.get("source")
    return Document(
        id=doc_id,
        title=question,
        sections=[Section("ANSWER", answer)],
        source=str(path),
        extra=extra,
    )


def content_key(record: dict[str, Any]) -> str:
    """A record's key from its content: the first 16 hex digits of the sha256 of its canonical
    JSON (sorted keys, no spaces; 64 bits, so a collision within one file is negligible)."""
    canon = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canon.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _pmid(r: dict[str, Any]) -> str | None:
    for value in (r.get("pmid"), r.get("id")):
        text = clean(str(value)) if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
        if text.upper().startswith("PMID:"):
            text = text[5:].strip()
        if text.isdigit():
            return text
    return None


def _sections(value: Any) -> list[Section]:
    """Sections from a list of ``{label, text}``, a list of ``[label, text]`` or a dict."""
    pairs: list[tuple[Any, Any]] = []
    if isinstance(value, dict):
        pairs = list(value.items())
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                pairs.append((item.get("label", item.get("title", "")), item.get("text", item.get("content", ""))))
            elif isinstance(item, (list, tuple)) and len(item) == 2:
                pairs.append((item[0], item[1]))
            elif isinstance(item, str):
                pairs.append(("", item))
    out = []
    for label, text in pairs:
        text = clean_block(_str(text))
        if text:
            out.append(Section(clean(_str(label)) or "ABSTRACT", text))
    return out


def _str(value: Any) -> str:
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, list):
        return " ".join(_str(v) for v in value)
    return str(value)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return []
    return [clean(_str(v)) for v in value if clean(_str(v))]
