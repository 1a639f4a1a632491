"""The anatomical site of a finding in the open differential (issue 15, break-test defect 1).

The phenotype knowledge base matches "Abdominal pain" whatever its site; only the literature
says that right lower quadrant pain is appendicitis rather than gastroenteritis. So a candidate
whose supporting passages never name the site of a site-qualified finding
(:func:`medcite.clinical.findings.location.mentions_site`) is discounted. On the short case
"right lower quadrant abdominal pain, vomiting, fever" appendicitis went from 10th to 2nd on the
hashing index (BM25); on 200 ``eval_diagnosis.py`` cases (seed 13) the figures did not move.
"""

from __future__ import annotations

from ..documents import Passage
from .findings.location import mentions_site

#: Share of an open-differential score lost when no supporting passage names the site of the
#: case's site-qualified findings (all of them; proportionally for some).
SITE_PENALTY = 0.3


def weigh_sites(entries, sited, passages: list[Passage]) -> None:
    """Open differential: a candidate none of whose supporting passages names the site of a
    site-qualified finding ("right lower quadrant") loses :data:`SITE_PENALTY` of its score per
    share of such findings — the knowledge base explains "Abdominal pain", only the literature
    knows where; entries re-sorted in place.

    Args:
        entries: candidates with a mutable ``score`` and ``lit`` (the literature's
            :class:`~medcite.clinical.diagnose.Candidate`, whose ``support`` holds ``chunk_id``s,
            or None).
        sited: the case's present findings that have a ``location``.
        passages: the case's retrieved passages.
    """
    if not sited:
        return
    by_chunk = {p.chunk_id: p for p in passages}
    for e in entries:
        texts = [by_chunk[s["chunk_id"]].title + " " + by_chunk[s["chunk_id"]].text
                 for s in (e.lit.support if e.lit else []) if s.get("chunk_id") in by_chunk]
        missing = sum(1 for f in sited if not any(mentions_site(t, f) for t in texts))
        e.score *= 1 - SITE_PENALTY * missing / len(sited)
    entries.sort(key=lambda e: -e.score)
