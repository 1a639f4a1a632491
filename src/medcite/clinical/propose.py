"""Candidates proposed by a generating model, kept only when a cited passage names them.

The model sees the findings and the retrieved passages numbered ``[1]..[k]`` and lists
conditions, one per line, as ``Condition: reason [n]``. The guard then:

* removes citation markers naming no sent passage (:func:`medcite.answer.citations.clean_markers`);
* keeps a proposal only if at least one cited passage is tied to the condition: the passage's
  document has it as MedQuAD focus or MeSH heading, or its title/text names it (vocabulary
  matcher, or the normalised name as a phrase); citations to passages that do not name it are
  dropped;
* keeps the model's reason only when :class:`medcite.answer.guard.CitationGuard` finds it supported by
  a cited passage (otherwise the candidate stays, without the reason).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..answer.citations import clean_markers, markers_in
from ..documents import Passage
from .terms import normalize
from .vocabulary import Vocabulary, passage_links

RULES = (
    "You assist a clinician. Using ONLY the numbered sources, list up to {k} conditions that the sources connect "
    "with the patient's findings, most likely first. Write one condition per line as: Condition name: one short "
    "reason [n]. Cite, in square brackets, the sources that name or describe that condition. Do not list a condition "
    "that no source names. If no source names any condition, reply exactly: NONE"
)
_LINE = re.compile(r"^\s*(?:[-*•]|\d+[.)])?\s*([^:\[\]\n]{2,120}?)\s*(?::|—|–| - )\s*(.*)$")


@dataclass
class Proposal:
    """One guarded model proposal.

    Attributes:
        name: the condition as the model named it (vocabulary display name when known).
        condition_id: vocabulary id, or ``None`` for a name outside the vocabulary.
        reason: the model's reason without markers ("" when the guard found it unsupported).
        passages: 1-based numbers of the sent passages that name the condition and were cited.
    """

    name: str
    condition_id: int | None
    reason: str
    passages: list[int] = field(default_factory=list)


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


def _names(p: Passage, cid: int | None, name: str, vocabulary: Vocabulary) -> bool:
    if cid is not None and cid in passage_links(p, vocabulary):
        return True
    key = normalize(name)
    return bool(key) and f" {key} " in f" {normalize(p.title + ' ' + p.text)} "


def parse_and_guard(raw: str, sent: list[Passage], vocabulary: Vocabulary, guard=None) -> tuple[list[Proposal], int]:
    """Guarded proposals from the model's reply, and how many proposals were dropped.

    Args:
        raw: the model's text.
        sent: the passages sent, numbered 1.. in this order.
        vocabulary: the index vocabulary (to recognise conditions and their attachments).
        guard: a :class:`~medcite.answer.guard.CitationGuard` to check reasons (``None``: reasons are dropped).
    """
    out: list[Proposal] = []
    dropped = 0
    seen: set[str] = set()
    if raw.strip().upper().startswith("NONE"):
        return out, 0
    for line in raw.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        name = m.group(1).strip(" *_\"'")
        cleaned = clean_markers(m.group(2), len(sent)).text
        cited = markers_in(cleaned)
        cond = vocabulary.lookup(name)
        cid = cond.id if cond is not None else None
        keep = [n for n in cited if _names(sent[n - 1], cid, name, vocabulary)]
        key = cond.key if cond is not None else normalize(name)
        if not keep or key in seen:
            dropped += 0 if key in seen else 1
            continue
        seen.add(key)
        reason = re.sub(r"\s*\[\d+\]", "", cleaned).strip()
        if reason and guard is not None:
            rep = guard.check(f"{reason} " + "".join(f"[{n}]" for n in keep), sent)
            if not (rep.sentences and all(s.supported for s in rep.sentences)):
                reason = ""
        elif guard is None:
            reason = ""
        out.append(Proposal(cond.name if cond is not None else name, cid, reason, keep))
    return out, dropped


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
