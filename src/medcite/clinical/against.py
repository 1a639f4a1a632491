"""Why a finding argues against a candidate, in words: an absent finding the condition nearly
always shows (HPO "very frequent" or obligate: weight above :data:`.knowledge.frequency.VERY_FREQUENT`), or a present
finding a knowledge-base source excludes for it (an HPO "NOT" annotation)."""

from __future__ import annotations

from collections.abc import Iterable

from .knowledge.frequency import FREQUENCY_TERMS
from .knowledge.scoring import closure


def frequency_words(w: float) -> str:
    """An HPO frequency weight in words: "obligate (100 %)", "very frequent (80–99 %)", else "w %"."""
    if w >= FREQUENCY_TERMS["HP:0040280"]:
        return "obligate (100 %)"
    if abs(w - FREQUENCY_TERMS["HP:0040281"]) < 1e-6:
        return "very frequent (80–99 %)"
    return f"{w:.0%}".replace("%", " %")


def against_reasons(match, kb, present_ids: Iterable[str]) -> list[str]:
    """One line per contradicting finding of a knowledge-base match.

    Args:
        match: a :class:`~.knowledge.base.KBMatch` (``contradicted`` HPO ids), or ``None``.
        kb: the knowledge base (ontology names, the condition's phenotype).
        present_ids: HPO ids of the case's present findings (the others are absent ones).

    Returns:
        e.g. ``"Cough: absent here; the knowledge base gives it as very frequent (80–99 %) in
        this condition"`` or ``"Hemoptysis: present here; a knowledge-base source excludes it
        for this condition"``.
    """
    if match is None or not match.contradicted:
        return []
    present = set(present_ids)
    clo = closure(kb.ontology, match.condition.phenotype)
    names = kb.ontology.names
    out = []
    for t in match.contradicted:
        name = names.get(t, t)
        if t in present:
            out.append(f"{name}: present here; a knowledge-base source excludes it for this condition")
        else:
            out.append(f"{name}: absent here; the knowledge base gives it as {frequency_words(clo.get(t, 0.0))} in this condition")
    return out
