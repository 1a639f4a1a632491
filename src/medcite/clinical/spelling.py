"""British and American spellings of medical words compared as one: "paediatric asthma" matches
passages on "pediatric asthma", "oesophageal" matches "esophageal".

Only for matching: quoted text is never respelled. The variants are the regular British/American
pairs of medical English (ae/e, oe/e and "-our"/"-or"; Oxford English Dictionary and Merriam-Webster
spellings): paediatric/pediatric, anaemia/anemia, oesophag-/esophag-, haem-/hem-, oedema/edema,
tumour/tumor, diarrhoea/diarrhea, foetal/fetal, leukaemia/leukemia, gynaec-/gynec-,
orthopaedic/orthopedic, and their derived forms.
"""

from __future__ import annotations

import re

#: (British pattern, American replacement), applied in order to one lower-case token.
_RULES: tuple[tuple[re.Pattern, str], ...] = tuple((re.compile(p), r) for p, r in (
    (r"paed", "ped"),            # paediatric, paediatrician, orthopaedic, encyclopaedia
    (r"aemi", "emi"),            # anaemia, leukaemia, ischaemia, septicaemia, hypoglycaemia
    (r"^haem", "hem"),           # haemorrhage, haemoglobin, haematoma
    (r"^oesophag", "esophag"),   # oesophagus, oesophageal, oesophagitis
    (r"^oedem", "edem"),         # oedema, oedematous
    (r"^foet", "fet"),           # foetal, foetus
    (r"^gynaec", "gynec"),       # gynaecology, gynaecological
    (r"rrhoe", "rrhe"),          # diarrhoea, gonorrhoea, amenorrhoea
    (r"^tumour", "tumor"),       # tumour, tumours
    (r"^oestr", "estr"),         # oestrogen, oestradiol
    (r"^coeliac$", "celiac"),
))
_CANDIDATE = re.compile(r"ae|oe|our")


def american(token: str) -> str:
    """``token`` (one lower-case word) in American spelling: ``"paediatric"`` → ``"pediatric"``,
    ``"oesophageal"`` → ``"esophageal"``; other words unchanged."""
    if not _CANDIDATE.search(token):
        return token
    for pat, rep in _RULES:
        token = pat.sub(rep, token)
    return token
