"""The language of a findings text as an ISO 639-1 code (``"en"``, ``"zh"``, ``"es"`` …).

Scripts are told apart by :func:`medcite.answer.multilingual.detect_language`; for Latin script the
clinical function words below decide between English and Spanish, since a findings list
("fiebre alta, tos y dolor de cabeza") has few of the general function words that detector uses.
"""

from __future__ import annotations

import re

_CODES = {"English": "en", "Chinese": "zh", "Spanish": "es", "French": "fr", "German": "de",
          "Portuguese": "pt", "Italian": "it", "Japanese": "ja", "Korean": "ko", "Russian": "ru",
          "Arabic": "ar", "Greek": "el", "Hebrew": "he", "Hindi": "hi", "Thai": "th"}
_ES = {"fiebre", "tos", "dolor", "sin", "niega", "paciente", "años", "presenta", "con", "y", "de", "la", "el",
       "los", "las", "cabeza", "pecho", "mareo", "náuseas", "nauseas", "vómitos", "vomitos", "diarrea", "disnea",
       "cansancio", "escalofríos", "escalofrios", "mujer", "hombre", "varón", "refiere", "desde", "días", "dias",
       "qué", "que", "puede", "ser", "enfermedad", "alta", "garganta", "también", "tiene", "una", "un", "del"}
_EN = {"the", "and", "with", "of", "no", "fever", "pain", "cough", "patient", "year", "old", "a", "in", "is",
       "was", "has", "denies", "without", "for", "on", "to", "her", "his", "she", "he", "history", "shows"}


def detect(text: str) -> str:
    """ISO 639-1 code of ``text``'s language; ``"en"`` for Latin script without Spanish cues
    (and for text with no letters)."""
    from ...answer.multilingual import detect_language

    name = detect_language(text)
    code = _CODES.get(name, "en")
    if code in ("en", "es", "pt", "it", "fr"):
        words = re.findall(r"[^\W\d_]+", text.lower())
        es = sum(w in _ES for w in words)
        en = sum(w in _EN for w in words)
        if es > en:
            return "es"
        if code == "es" and en >= es:
            return "en"
    return code
