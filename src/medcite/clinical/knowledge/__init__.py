"""Phenotype knowledge base for the differential: conditions across HPO (OMIM, Orphanet), MedQuAD
and MeSH, one entry per condition, ranked by how well their phenotype explains a case."""

from .base import KBMatch, KnowledgeBase
from .condition import Condition, SourceEntry
from .finding_names import is_finding_name
from .kinds import classify
from .ontology import Ontology
from .store import load_knowledge_base

__all__ = ["Condition", "KBMatch", "KnowledgeBase", "Ontology", "SourceEntry", "classify", "is_finding_name", "load_knowledge_base"]
