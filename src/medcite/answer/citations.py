"""Citation markers: parse ``[n]``, drop invalid ones, and rebuild references from metadata.

Markers accepted: ``[3]``, ``[1, 2]``, ``[1-3]``/``[1–3]``, ``[1][2]``. A marker is valid when
every number names a passage that was sent (1..k). Invalid markers are removed and counted;
the reference list is always rebuilt from the stored metadata of the passages that remain
cited, renumbered in order of first appearance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..clinical.evidence import evidence_level
from ..documents import Passage, Reference

MARKER = re.compile(r"\[\s*([0-9]+(?:\s*(?:[,;]|[-–])\s*[0-9]+)*)\s*\]")
LOOSE_MARKER = re.compile(r"\[[^\[\]\n]{0,20}\]")


def _numbers(body: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", body):
        if re.search(r"[-–]", part):
            a, b = (int(x) for x in re.split(r"\s*[-–]\s*", part))
            out.extend(range(a, b + 1) if 0 < b - a < 20 else [a, b])
        elif part.strip():
            out.append(int(part))
    return out


@dataclass
class GuardResult:
    """Outcome of :func:`clean_markers`.

    Attributes:
        text: text with only valid markers, each as ``[n]``.
        removed: number of citation numbers removed (out of range, ``[0]``, malformed).
        cited: passage numbers (1-based, as sent) that remain cited, in order of appearance.
    """

    text: str
    removed: int
    cited: list[int]


def clean_markers(text: str, n_passages: int) -> GuardResult:
    """Keep markers naming passages ``1..n_passages``; remove the rest.

    Bracketed text that looks like a citation but is malformed (``[a]``, ``[1.5]``, ``[]``)
    counts as removed; other bracketed text (``[sic]``-style words longer than 20 chars) stays.
    """
    removed = 0
    cited: list[int] = []

    def repl(m: re.Match) -> str:
        nonlocal removed
        nums = _numbers(m.group(1))
        good = [k for k in nums if 1 <= k <= n_passages]
        removed += len(nums) - len(good)
        out = []
        for k in good:
            if k not in out:
                out.append(k)
            if k not in cited:
                cited.append(k)
        return "".join(f"[{k}]" for k in out)

    text = MARKER.sub(repl, text)

    def loose(m: re.Match) -> str:
        nonlocal removed
        inner = m.group(0)[1:-1].strip()
        if re.fullmatch(r"\d+", inner):
            return m.group(0)  # already a clean, valid marker
        if inner == "" or re.fullmatch(r"[\d\s.,;:\-–a-zA-Z]{0,8}", inner) and re.search(r"\d|^[a-z]$|^$", inner):
            removed += 1
            return ""
        return m.group(0)

    text = LOOSE_MARKER.sub(loose, text)
    text = re.sub(r"[ \t]+([.,;:])", r"\1", re.sub(r"[ \t]{2,}", " ", text)).strip()
    return GuardResult(text, removed, cited)


def renumber(text: str, order: list[int]) -> str:
    """Rewrite marker numbers: passage number ``order[i]`` becomes ``[i+1]``."""
    mapping = {old: new for new, old in enumerate(order, start=1)}
    return re.sub(r"\[(\d+)\]", lambda m: f"[{mapping.get(int(m.group(1)), int(m.group(1)))}]", text)


def references_for(passages: list[Passage], order: list[int]) -> list[Reference]:
    """References numbered 1.. for the passages ``order`` (1-based indices into ``passages``),
    built from stored metadata only."""
    refs = []
    for n, k in enumerate(order, start=1):
        p = passages[k - 1]
        title = p.title or (" ".join(p.text.split()[:12]) + "…")
        refs.append(
            Reference(
                n=n, id=p.doc_id, pmid=p.pmid, title=title, year=p.year, journal=p.journal, url=p.url,
                passage=p.text, score=round(p.score, 6), section=p.section, span=(p.start, p.end), chunk_id=p.chunk_id,
                evidence_level=evidence_level(p.publication_types, p.text, p.doc_id),
            )
        )
    return refs


def markers_in(sentence: str) -> list[int]:
    """Citation numbers in one sentence, in order."""
    out: list[int] = []
    for m in MARKER.finditer(sentence):
        for k in _numbers(m.group(1)):
            if k not in out:
                out.append(k)
    return out
