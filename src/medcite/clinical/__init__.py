"""Clinical tasks on top of retrieval: a grounded differential (:mod:`.diagnose`), treatment
options with evidence levels (:mod:`.treatments`), extractive summaries (:mod:`.summarize`), the
condition vocabulary they share (:mod:`.vocabulary`, built on the name handling of :mod:`.terms`),
treatment names (:mod:`.lexicon`), model proposals for the differential (:mod:`.propose`), the fields
and JSON shape every result shares (:mod:`.result`) and evidence levels of papers (:mod:`.evidence`).

This package imports nothing at load time, so ``medcite.answer.citations`` can use
:func:`medcite.clinical.evidence.evidence_level` without an import cycle.
"""
