"""A small prior from the case's risk context for the conditions whose criteria count it.

The findings extractor keeps risk factors apart from findings (:mod:`.findings.risk`: recent
surgery, immobilisation, oral contraceptive use, smoking, travel): they are not phenotypes a
candidate must explain. Some published criteria do count them — the Wells rules score recent
surgery or immobilisation for pulmonary embolism (Wells et al., Thromb Haemost 2000;83:416-20)
and deep vein thrombosis (Wells et al., N Engl J Med 2003;349:1227-35). A curated criteria entry
lists such factors (``risk_factors`` in :mod:`.knowledge.criteria`); a candidate whose entry names
a factor present in the case gains :data:`RISK_PRIOR` of its score per factor, at most
:data:`RISK_MAX` factors. A prior only: it reorders close candidates, it never makes one
that explains nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from .knowledge.criteria import risk_factors_of

#: Relative score gain per present risk factor the candidate's criteria count (judged, not
#: fitted: small enough that a candidate explaining much less of the case stays behind).
RISK_PRIOR = 0.1
#: At most this many factors count.
RISK_MAX = 2


def weigh_risks(entries: list, risk_factors: Iterable) -> list[str]:
    """Multiply in place the score of each entry (``kb``: its knowledge-base match or None;
    ``score`` mutable) whose condition's criteria name a present risk factor by ``1 +
    RISK_PRIOR · n`` (n ≤ :data:`RISK_MAX`), then re-sort the entries, best first.

    Args:
        entries: differential entries. risk_factors: the case's
            :class:`~.findings.risk.RiskFactor` s (only ``status == "present"`` count).

    Returns:
        one line per entry raised ("Pulmonary embolism: recent surgery (Wells criteria element)").
    """
    present = {r.name for r in risk_factors if r.status == "present"}
    notes: list[str] = []
    if not present:
        return notes
    for e in entries:
        named = sorted(present & risk_factors_of(e.kb.condition)) if e.kb is not None else []
        if named and e.score > 0:
            e.score *= 1 + RISK_PRIOR * min(len(named), RISK_MAX)
            notes.append(f"{e.name}: {', '.join(named)}")
    entries.sort(key=lambda e: -e.score)
    return notes
