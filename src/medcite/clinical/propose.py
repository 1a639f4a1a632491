"""Candidates proposed by a generating model for the differential.

The model sees the (masked, when it runs off this machine) findings and the retrieved passages
numbered ``[1]..[k]`` and lists conditions, one per line, as ``Condition: reason [n]``. Only the
condition *names* are kept (:func:`proposal_names`); the model's reasons and citation markers are
discarded. The names are then ranked and grounded exactly like a clinician's ``--candidates`` by
:func:`medcite.clinical.differential.differential`: each is cited only with passages medcite itself
retrieved and matched to it, or listed as "knowledge base only" with no citation, so a model can
add a candidate to the list but never a source or a claim.
"""

from __future__ import annotations

import re

from ..documents import Passage

RULES = (
    "You assist a clinician. Using ONLY the numbered sources, list up to {k} conditions that the sources connect "
    "with the patient's findings, most likely first. Write one condition per line as: Condition name: one short "
    "reason [n]. Cite, in square brackets, the sources that name or describe that condition. Do not list a condition "
    "that no source names. If no source names any condition, reply exactly: NONE"
)
_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])?\s*([^:\[\]\n]{2,120}?)\s*(?::|—|–| - )\s*(.*)$")


def build_messages(findings_text: str, passages: list[Passage], k: int, count, budget: int) -> tuple[str, str, list[Passage]]:
    """``(system, user, passages sent)``, dropping the lowest-ranked passages until ``count(system,
    user)`` fits ``budget`` tokens."""
    system = RULES.format(k=k)
    sent = list(passages)
    while True:
        sources = "\n\n".join(f"[{i}] {(p.title + ' ') if p.title else ''}\n{p.text.strip()}" for i, p in enumerate(sent, 1))
        user = f"Sources:\n\n{sources}\n\nFindings: {findings_text.strip()}\n\nConditions (one per line, with citations):"
        if count(system, user) <= budget or len(sent) <= 1:
            return system, user, sent
        sent.pop()


def proposal_names(raw: str) -> list[str]:
    """Condition names of a model's reply (one per ``Condition: reason [n]`` line; markers and
    reasons dropped; ``NONE`` → [])."""
    if raw.strip().upper().startswith("NONE"):
        return []
    out: list[str] = []
    for line in raw.splitlines():
        m = _LINE.match(line)
        if m:
            name = m.group(1).strip(" *_\"'")
            if name and name.lower() not in {n.lower() for n in out}:
                out.append(name)
    return out


def model_proposals(findings_text: str, retriever, opts, generator, k: int, exclude_docs=None, mask: bool = False) -> tuple[list[str], list[str]]:
    """Names a model proposes for the findings, from the passages retrieved for them, and notes.

    The case text is masked first when ``mask`` (:func:`medcite.privacy.mask_phi`: the model is
    off this machine); the notes then say how many identifiers were masked. The names are then
    ranked and grounded like a clinician's candidates (:mod:`medcite.clinical.differential`).

    Raises:
        GeneratorError: the model failed.
    """
    from ..privacy import mask_phi

    notes: list[str] = []
    text = findings_text
    if mask:
        masked = mask_phi(findings_text)
        text = masked.text
        n = sum(masked.counts.values())
        notes.append(f"masked {n} identifier(s) in the case text before sending it to the model" if n
                     else "checked the case text for identifiers before sending it to the model: none found")
    passages = retriever.search(text, opts, exclude_docs=exclude_docs)
    if not passages:
        return [], notes
    budget = generator.context_tokens - generator.max_tokens - 32
    system, user, _ = build_messages(text, passages, min(k, 8), generator.count, budget)
    return proposal_names(generator.generate(system, user).text)[:k], notes
