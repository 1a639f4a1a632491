"""One treatment option per intervention: brand and generic names, spelling variants and the
procedures a clinician files under one heading.

:func:`intervention_key` maps a treatment name to the key of the intervention it names, so that
``medcite treatments`` lists "metformin" once, with "Glucophage" among its names, and "gastric
bypass" under "bariatric surgery". Three sources, in order:

1. :data:`BRANDS` — a small table of US trade names of common drugs mapped to their generic
   (INN) names, as listed on the drugs' US prescribing information (DailyMed / Drugs@FDA); not
   exhaustive: a brand name not in it stays an option of its own.
2. :data:`SPELLINGS` — USAN/INN and British/American variants of the same substance
   (albuterol = salbutamol, acetaminophen = paracetamol, epinephrine = adrenaline).
3. :data:`GROUPS` — procedures named by their kind ("Roux-en-Y gastric bypass", "sleeve
   gastrectomy", "gastric banding" are bariatric surgery; "hemodialysis" is dialysis) and word
   forms of one procedure ("transplant" / "transplantation").

Names outside all three keep their own key.
"""

from __future__ import annotations

import re

from .terms import fold_token, normalize

#: trade name → generic (INN) name; US prescribing information (DailyMed / Drugs@FDA).
BRANDS: dict[str, str] = {
    "glucophage": "metformin", "fortamet": "metformin", "glumetza": "metformin", "januvia": "sitagliptin",
    "jardiance": "empagliflozin", "farxiga": "dapagliflozin", "invokana": "canagliflozin", "ozempic": "semaglutide",
    "wegovy": "semaglutide", "rybelsus": "semaglutide", "victoza": "liraglutide", "saxenda": "liraglutide",
    "trulicity": "dulaglutide", "mounjaro": "tirzepatide", "lantus": "insulin glargine", "levemir": "insulin detemir",
    "humalog": "insulin lispro", "novolog": "insulin aspart", "actos": "pioglitazone", "amaryl": "glimepiride",
    "lipitor": "atorvastatin", "zocor": "simvastatin", "crestor": "rosuvastatin", "pravachol": "pravastatin",
    "zetia": "ezetimibe", "coumadin": "warfarin", "eliquis": "apixaban", "xarelto": "rivaroxaban",
    "pradaxa": "dabigatran", "plavix": "clopidogrel", "brilinta": "ticagrelor", "lasix": "furosemide",
    "norvasc": "amlodipine", "zestril": "lisinopril", "prinivil": "lisinopril", "cozaar": "losartan",
    "diovan": "valsartan", "lopressor": "metoprolol", "toprol-xl": "metoprolol", "coreg": "carvedilol",
    "entresto": "sacubitril/valsartan", "nolvadex": "tamoxifen", "arimidex": "anastrozole", "femara": "letrozole",
    "aromasin": "exemestane", "herceptin": "trastuzumab", "avastin": "bevacizumab", "taxol": "paclitaxel",
    "taxotere": "docetaxel", "keytruda": "pembrolizumab", "opdivo": "nivolumab", "gleevec": "imatinib",
    "humira": "adalimumab", "enbrel": "etanercept", "remicade": "infliximab", "rituxan": "rituximab",
    "actemra": "tocilizumab", "abilify": "aripiprazole", "zyprexa": "olanzapine", "risperdal": "risperidone",
    "seroquel": "quetiapine", "clozaril": "clozapine", "prozac": "fluoxetine", "zoloft": "sertraline",
    "lexapro": "escitalopram", "celexa": "citalopram", "paxil": "paroxetine", "effexor": "venlafaxine",
    "cymbalta": "duloxetine", "wellbutrin": "bupropion", "imitrex": "sumatriptan", "fosamax": "alendronate",
    "boniva": "ibandronate", "reclast": "zoledronic acid", "prolia": "denosumab", "singulair": "montelukast",
    "ventolin": "salbutamol", "proventil": "salbutamol", "spiriva": "tiotropium", "flovent": "fluticasone",
    "pulmicort": "budesonide", "deltasone": "prednisone", "zithromax": "azithromycin", "cipro": "ciprofloxacin",
    "tamiflu": "oseltamivir", "truvada": "emtricitabine/tenofovir", "biktarvy": "bictegravir/emtricitabine/tenofovir alafenamide",
    "tylenol": "paracetamol", "advil": "ibuprofen", "motrin": "ibuprofen", "aleve": "naproxen",
}
#: other names of the same substance → the INN.
SPELLINGS: dict[str, str] = {
    "albuterol": "salbutamol", "acetaminophen": "paracetamol", "epinephrine": "adrenaline",
    "norepinephrine": "noradrenaline", "glyburide": "glibenclamide", "meperidine": "pethidine",
    "acetylsalicylic acid": "aspirin", "asa": "aspirin",
}
#: intervention heading → patterns of the names filed under it (whole words, normalised text).
GROUPS: dict[str, re.Pattern] = {
    "bariatric surgery": re.compile(r"\b(?:bariatric|metabolic) surgery\b|\bgastric (?:bypass|banding|band|sleeve)\b|"
                                    r"\bsleeve gastrectomy\b|\broux en y\b|\bbiliopancreatic diversion\b|\bweight loss surgery\b"),
    "dialysis": re.compile(r"\b(?:haemo|hemo|peritoneal |)dialysis\b"),
    "transplantation": re.compile(r"\btransplant(?:ation)?\b"),
    "antiretroviral therapy": re.compile(r"\b(?:antiretroviral|art|haart|cart)\b"),
    "radiotherapy": re.compile(r"\bradiotherapy\b|\bradiation\b|\bexternal beam\b"),
    "exercise": re.compile(r"\bexercise(?: training| programme| program)?\b|\bphysical activity\b"),
}


def _fold(name: str) -> str:
    return " ".join(fold_token(w) for w in normalize(name).split())


def lexicon_key(name: str) -> str | None:
    """The intervention ``name`` names by the tables of this module ("Glucophage" → "metformin",
    "Roux-en-Y gastric bypass" → "bariatric surgery", "transplant" → "transplantation"), or
    ``None`` when none of them knows it."""
    low = normalize(name)
    if low in BRANDS:
        return BRANDS[low]
    if low in SPELLINGS:
        return SPELLINGS[low]
    for head, pat in GROUPS.items():
        if pat.search(low):
            return head
    for w in low.split():  # "oral metformin", "Glucophage XR"
        if w in BRANDS:
            return BRANDS[w]
        if w in SPELLINGS:
            return SPELLINGS[w]
    return None


def intervention_key(name: str) -> str:
    """:func:`lexicon_key`, else ``name`` normalised with plurals folded."""
    return lexicon_key(name) or _fold(name)
