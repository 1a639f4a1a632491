"""Section-aware, token-bounded chunking with overlap, and a sentence splitter.

A chunk never exceeds the embedder's ``max_tokens`` *counted by the embedder's own tokenizer*
(title prefix and special tokens included), so nothing is silently truncated at embedding
time. Chunks follow sentence boundaries; a sentence longer than the budget is cut at word
boundaries. A document that fits whole becomes one chunk (an abstract is one passage for
e5-small's 512 tokens in ~90% of PubMedQA records).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .documents import Chunk, Document

TokenCounter = Callable[[str], int]

_ABBREV = {
    "e.g", "i.e", "al", "vs", "fig", "figs", "no", "dr", "mr", "mrs", "ms", "prof", "approx", "ca", "cf",
    "resp", "ref", "refs", "eq", "vol", "st", "inc", "ltd", "co", "jr", "sr", "mg", "ml", "min", "max",
    "sec", "tab", "dept", "univ", "etc", "viz", "spp", "sp", "var",
}
# candidate boundary: end punctuation (optionally closing quote/bracket), whitespace, then an
# uppercase letter, digit or opening bracket/quote.
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[A-Z0-9(\[\"“‘])")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences.

    Returns:
        ``[(start, end), …]`` character spans into ``text`` covering every non-space character,
        trailing whitespace excluded. Abbreviations ("e.g.", "et al.", "Fig."), initials and
        decimals do not end a sentence.
    """
    spans: list[tuple[int, int]] = []
    start = 0
    n = len(text)
    while start < n and text[start].isspace():
        start += 1
    for m in _BOUNDARY.finditer(text):
        punct_end = m.start() + 1
        if punct_end <= start:
            continue
        if text[m.start()] == ".":
            word = re.search(r"([\w.]+)$", text[start : m.start()])
            w = word.group(1).lower() if word else ""
            if w in _ABBREV or (len(w) == 1 and w.isalpha()):
                continue
        end = m.start() + len(m.group(0).rstrip())
        spans.append((start, end))
        start = m.end()
    end = n
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))
    return spans


@dataclass(frozen=True)
class ChunkerSettings:
    """Chunker parameters.

    Attributes:
        max_tokens: upper bound per chunk in the embedder's tokens, specials and the title
            prefix included.
        overlap_tokens: tokens (approx., whole sentences) repeated from the end of one chunk at
            the start of the next when a section is cut mid-way; 0 disables.
    """

    max_tokens: int
    overlap_tokens: int = 48

    def to_json(self) -> dict:
        """JSON form stored in the manifest."""
        return {"max_tokens": self.max_tokens, "overlap_tokens": self.overlap_tokens, "method": "section-sentences-v1"}


@dataclass
class _Unit:
    start: int
    end: int
    section: int
    tokens: int


def _word_pieces(body: str, start: int, end: int, count: TokenCounter, budget: int, overhead: int) -> list[_Unit]:
    """Cut an over-long sentence into word-boundary pieces of at most ``budget`` tokens."""
    pieces: list[_Unit] = []
    words = [(m.start() + start, m.end() + start) for m in re.finditer(r"\S+", body[start:end])]
    i = 0
    while i < len(words):
        lo, hi = i + 1, len(words)
        best = i + 1
        while lo <= hi:  # binary search the longest run of words that fits
            mid = (lo + hi) // 2
            t = count(body[words[i][0] : words[mid - 1][1]]) - overhead
            if t <= budget:
                best, lo = mid, mid + 1
            else:
                hi = mid - 1
        s, e = words[i][0], words[best - 1][1]
        pieces.append(_Unit(s, e, -1, max(1, count(body[s:e]) - overhead)))
        i = best
    return pieces


def chunk_document(doc: Document, count_tokens: TokenCounter, settings: ChunkerSettings) -> list[Chunk]:
    """Cut ``doc`` into chunks of at most ``settings.max_tokens`` tokens.

    Args:
        doc: the document; its title is prepended to every chunk's embedded text.
        count_tokens: the embedder's token counter (``Embedder.count_tokens``).
        settings: bounds and overlap.

    Returns:
        Chunks in reading order with ``ordinal`` 0.., spans into ``doc.body()``. A title-only
        document yields one chunk whose text is empty and whose embedded text is the title.

    Raises:
        ValueError: ``max_tokens`` leaves no room once the title is counted.
    """
    body = doc.body()
    labels = [s.label for s in doc.sections]
    title = doc.title.strip()
    max_tokens = settings.max_tokens

    def make(ordinal: int, start: int, end: int, secs: list[int]) -> Chunk:
        names = []
        for i in secs:
            if labels[i] and labels[i] not in names:
                names.append(labels[i])
        return Chunk(doc.id, ordinal, " / ".join(names), start, end, body[start:end], 0, title)

    if not body:
        c = Chunk(doc.id, 0, "TITLE", 0, 0, "", 0, title)
        c = _with_tokens(c, count_tokens)
        if c.n_tokens > max_tokens:
            cut = _word_pieces(title, 0, len(title), count_tokens, max_tokens - count_tokens(""), count_tokens(""))[0]
            c = _with_tokens(Chunk(doc.id, 0, "TITLE", 0, 0, "", 0, title[cut.start : cut.end]), count_tokens)
        return [c]

    whole = make(0, 0, len(body), list(range(len(labels))))
    whole = _with_tokens(whole, count_tokens)
    if whole.n_tokens <= max_tokens:
        return [whole]

    overhead = count_tokens("")
    title_tokens = (count_tokens(title + "\n") - overhead) if title else 0
    if title_tokens > max_tokens // 3:  # very long titles would starve the body
        title = title[: len(title) * (max_tokens // 3) // max(title_tokens, 1)].rsplit(" ", 1)[0]
        title_tokens = count_tokens(title + "\n") - overhead
    budget = max_tokens - overhead - title_tokens - 4  # 4: slack for non-additive tokenisation
    if budget < 8:
        raise ValueError(f"max_tokens={max_tokens} leaves no room for text in {doc.id}")

    units: list[_Unit] = []
    for si, (sec_start, sec) in enumerate(zip(doc.section_starts(), doc.sections)):
        for s, e in split_sentences(sec.text):
            s, e = s + sec_start, e + sec_start
            t = count_tokens(body[s:e]) - overhead
            if t <= budget:
                units.append(_Unit(s, e, si, max(t, 1)))
            else:
                for p in _word_pieces(body, s, e, count_tokens, budget, overhead):
                    p.section = si
                    units.append(p)

    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j, used = i, 0
        while j < len(units) and used + units[j].tokens <= budget:
            # section-aware: close at a section boundary when the next section will not fit
            if j > i and units[j].section != units[j - 1].section and used > budget // 2:
                rest = sum(u.tokens for u in units[j:] if u.section == units[j].section)
                if used + rest > budget:
                    break
            used += units[j].tokens
            j += 1
        j = max(j, i + 1)
        while True:  # verify with the real tokenizer; drop trailing units if over
            c = _with_tokens(make(len(chunks), units[i].start, units[j - 1].end, [u.section for u in units[i:j]]), count_tokens)
            if c.n_tokens <= max_tokens or j == i + 1:
                break
            j -= 1
        chunks.append(c)
        if j >= len(units):
            break
        # overlap: restart a few sentences back when the cut is inside a section
        k = j
        if settings.overlap_tokens > 0 and units[j].section == units[j - 1].section:
            back = 0
            while k - 1 > i and units[k - 1].section == units[j].section and back + units[k - 1].tokens <= settings.overlap_tokens:
                k -= 1
                back += units[k].tokens
        i = k if k > i else j
    return chunks


def _with_tokens(c: Chunk, count_tokens: TokenCounter) -> Chunk:
    return Chunk(c.doc_id, c.ordinal, c.section, c.start, c.end, c.text, count_tokens(c.embed_text()), c.title)
