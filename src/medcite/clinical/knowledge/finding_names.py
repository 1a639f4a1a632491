"""``is_finding_name``: the candidate/finding typing against the default knowledge base."""

from __future__ import annotations

from .base import KnowledgeBase
from .store import load_knowledge_base


def is_finding_name(name: str, kb: KnowledgeBase | None = None) -> bool:
    """Whether ``name`` names a finding (sign, symptom, laboratory abnormality), not a disease or
    syndrome — the rule of :mod:`.kinds`. A differential must never list such a name.

    Args:
        name: a condition or finding name as typed or found in a passage.
        kb: the knowledge base to use (semantic types and OMIM/Orphanet names of MedQuAD-backed
            conditions refine the rule); default: :func:`load_knowledge_base` with no documents
            (HPO only; loads once per process).
    """
    return (kb or load_knowledge_base()).is_finding_name(name)
