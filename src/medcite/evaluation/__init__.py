"""Evaluation: retrieval metrics (:mod:`.retrieval`: recall@k, MRR, nDCG, latency), answer
metrics (:mod:`.answers`: answered / abstained / supported rates against labels) and plots
(:mod:`.plots`, matplotlib).

Import from the modules (``from medcite.evaluation.retrieval import recall_at_k``); this package
imports nothing at load time.
"""
