"""Helpers shared by the readers: text clean-up, XML text extraction, (gzip) file opening.

Private to :mod:`medcite.readers`; nothing here is part of the public API.
"""

from __future__ import annotations

import gzip
import html.entities
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from ..errors import ReaderError

_WS = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
#: lone UTF-16 surrogates (valid as JSON escapes such as "\\ud83d", not encodable as UTF-8)
_SURROGATE = re.compile("[\ud800-\udfff]")
_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")

#: Inline formatting that marks whole words: with ``unglue=True`` a space is put back where the
#: source glued the marked word to its neighbours ("the<i>TERT</i>gene" → "the TERT gene"), a
#: known defect of some PubMed efetch output.
WORD_TAGS = frozenset({"i", "b", "u", "em", "strong", "italic", "bold", "underline", "sc", "monospace", "roman"})
#: Elements whose text never belongs to running text (figures, tables, TeX duplicates of MathML …).
NON_TEXT_TAGS = frozenset(
    {
        "fig", "fig-group", "table-wrap", "table-wrap-group", "table", "supplementary-material", "media",
        "graphic", "inline-graphic", "tex-math", "annotation", "annotation-xml", "object-id", "alt-text",
        "long-desc", "processing-meta",
    }
)  # fmt: skip
#: Block elements nested inside a paragraph (lists, quotes): separated by a space.
BLOCK_TAGS = frozenset({"p", "list", "list-item", "disp-quote", "sec", "title", "def-item", "term", "def"})


def local(tag: object) -> str:
    """Local name of an ElementTree tag (``"{ns}math"`` → ``"math"``); ``""`` for comments/PIs."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def clean(text: str | None) -> str:
    """Remove NUL and other control characters, replace lone surrogates with U+FFFD, collapse
    whitespace, strip."""
    if not text:
        return ""
    return _WS.sub(" ", _CONTROL.sub("", _SURROGATE.sub("\ufffd", text))).strip()


def clean_block(text: str | None) -> str:
    """Like :func:`clean` but keep line structure: spaces collapsed per line, ≤ 1 blank line."""
    if not text:
        return ""
    text = _CONTROL.sub("", _SURROGATE.sub("\ufffd", text).replace("\r\n", "\n").replace("\r", "\n"))
    lines = [re.sub(r"[^\S\n]+", " ", ln).strip() for ln in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def find_year(text: str | None) -> int | None:
    """First plausible 4-digit year (1500–2100) in ``text``, else ``None``."""
    m = _YEAR.search(text or "")
    return int(m.group(1)) if m else None


def to_year(value: object) -> int | None:
    """A year from an int or a string such as ``"2018 Apr"``; ``None`` when there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1500 <= value <= 2100 else None
    return find_year(value) if isinstance(value, str) else None


def shorten(text: str, limit: int = 200) -> str:
    """Cut ``text`` at a word boundary so that it has at most ``limit`` characters."""
    text = clean(text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0]
    return (cut or text[: limit - 1]) + "…"


def file_doc_id(path: Path, position: int | str | None = None, prefix: str = "file") -> str:
    """Id of a paper that carries no id of its own: ``file:`` + the file's absolute resolved
    path, plus ``#<position>`` for a record of a multi-record file (its position, or a key
    derived from its content).

    Derived from the path (not the bare name) so that two files with the same name in different
    folders never replace each other, while re-reading the same file from the same place gives
    the same id (unchanged: skipped, changed: replaced).
    """
    doc_id = f"{prefix}:{Path(path).expanduser().resolve()}"
    return doc_id if position is None else f"{doc_id}#{position}"


def open_binary(path: Path) -> IO[bytes]:
    """Open ``path`` for reading bytes, transparently gunzipping (by magic number, not name).

    Raises:
        ReaderError: the file cannot be opened.
    """
    try:
        f = open(path, "rb")  # noqa: SIM115 - returned to the caller, who closes it
        magic = f.read(2)
        f.seek(0)
    except OSError as e:
        raise ReaderError(f"{path}: cannot open ({e.strerror or e})") from e
    if magic == b"\x1f\x8b":
        return gzip.GzipFile(fileobj=f, mode="rb")  # type: ignore[return-value]
    return f


def read_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the bytes of this file are broken" (bad gzip, truncated stream)."""
    import zlib

    return (OSError, EOFError, zlib.error, gzip.BadGzipFile)


def xml_parser() -> ET.XMLParser:
    """An XML parser that also decodes HTML named entities (``&nbsp;``, ``&mdash;``) from DTDs
    it does not load (PubMed and PMC files declare an external DTD)."""
    parser = ET.XMLParser()
    entity = getattr(parser, "entity", None)
    if isinstance(entity, dict):
        for name, value in html.entities.html5.items():
            if name.endswith(";"):
                entity.setdefault(name[:-1], value)
    return parser


def math_text(elem: ET.Element) -> str:
    """MathML as its token text without layout whitespace (``<msub><mi>O</mi><mn>2</mn>`` → ``O2``)."""
    parts = []
    for node in elem.iter():
        if local(node.tag) in NON_TEXT_TAGS:
            continue
        if node.text and node.text.strip():
            parts.append(node.text.strip())
    return "".join(parts)


def _walk(elem: ET.Element, out: list[str], skip: frozenset[str], unglue: bool) -> None:
    if elem.text:
        out.append(elem.text)
    prev_text = elem.text or ""
    for child in elem:
        name = local(child.tag)
        if not name or name in skip or name in NON_TEXT_TAGS:
            pass  # comment, processing instruction or non-text element: keep only its tail
        elif name == "math":
            out.append(math_text(child))
        elif name == "alternatives":
            pick = next((c for c in child if local(c.tag) == "math"), None)
            pick = pick if pick is not None else next((c for c in child if local(c.tag) not in NON_TEXT_TAGS), None)
            if pick is not None:
                out.append(math_text(pick) if local(pick.tag) == "math" else xml_text(pick, skip, unglue=unglue))
        elif name in WORD_TAGS and unglue:
            inner: list[str] = []
            _walk(child, inner, skip, unglue)
            text = "".join(inner)
            if text and prev_text[-1:].isalpha() and text[0].isalnum():  # not "IL-1<i>β</i>"
                out.append(" ")
            out.append(text)
            if text and child.tail and text[-1].isalnum() and child.tail[0].isalpha():
                out.append(" ")
        elif name in BLOCK_TAGS or name == "break":
            out.append(" ")
            _walk(child, out, skip, unglue)
            out.append(" ")
        else:
            _walk(child, out, skip, unglue)
        if child.tail:
            out.append(child.tail)
        prev_text = child.tail or ""


def xml_text(elem: ET.Element | None, skip: Iterable[str] = (), *, unglue: bool = False) -> str:
    """Text of ``elem`` and its descendants (not its tail), inline markup kept as its text.

    ``<sup>``/``<sub>`` stay attached (``r<sup>2</sup>`` → ``r2``), MathML is reduced to its
    tokens, figures and tables are left out, whitespace is collapsed. ``skip`` names further
    elements to leave out. With ``unglue``, words glued to ``<i>``/``<b>`` markup by the source
    are separated (``the<i>TERT</i>gene`` → ``the TERT gene``); use it only where the source is
    known to drop those spaces (PubMed), not where whitespace is faithful (JATS: ``M<italic>m</italic>PPOX``).
    """
    if elem is None:
        return ""
    out: list[str] = []
    _walk(elem, out, frozenset(skip), unglue)
    return clean("".join(out))


def iter_top_elements(path: Path, check_root: Callable[[str], bool], single: Callable[[str], bool]) -> Iterator[ET.Element]:
    """Stream the elements of an XML file (plain or gzipped) that close at depth 0 or 1, memory-bounded.

    Each depth-1 element is cleared (with the root's children) once the caller has handled it.

    Args:
        check_root: called with the root's local name when it opens; raises :class:`ReaderError`
            for a root the reader does not accept, returns ``False`` to stop reading (nothing yielded).
        single: whether a root of that local name is itself one record; then its children are not
            yielded on their own (only the root is, when it closes).

    Raises:
        ReaderError: the file is not well-formed XML, or cannot be read.
    """
    f = open_binary(path)
    depth = 0
    root: ET.Element | None = None
    try:
        for event, elem in ET.iterparse(f, events=("start", "end"), parser=xml_parser()):
            if event == "start":
                if root is None:
                    root = elem
                    if not check_root(local(elem.tag)):
                        return
                depth += 1
                continue
            depth -= 1
            if depth > 1 or (depth == 1 and single(local(root.tag))):
                continue
            yield elem
            if depth == 1:
                elem.clear()
                root.clear()
    except ET.ParseError as e:
        raise ReaderError(f"{path}: not well-formed XML ({e})") from e
    except read_errors() as e:
        raise ReaderError(f"{path}: unreadable ({e})") from e
    finally:
        f.close()
