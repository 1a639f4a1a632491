"""Hand-checked phrases that HPO does not spell the way clinicians and patients write them.

* :data:`LAY_EN` — English lay and bedside names of signs and symptoms (``"shortness of
  breath"``, ``"high fever"``, ``"feeling tired"``, ``"rebound"``) → the HPO term they name.
  Each id was looked up by hand in HPO release 2025-01-16 (a test checks that every id is a
  phenotypic-abnormality term of the bundled release).
* :data:`NEGATED_EN` — words that *are* a negated finding (``"afebrile"``).
* :data:`LEXICON_ZH`, :data:`LEXICON_ES` (the three tables live in ``lexicon.json``) — the commonest symptoms in Chinese and Spanish, the
  fallback for inputs in those languages when no embedder is given (the embedder route,
  :mod:`.crosslingual`, covers the rest of HPO).
* :data:`SIGN_LABELS` — named bedside signs that HPO has no term for (McBurney point
  tenderness, Rovsing, psoas, Kernig, Brudzinski, Homan signs, Kussmaul breathing, rebound
  tenderness, the tearing quality of an aortic dissection's pain, 撕裂样), under the project's own concept ids ``MEDCITE:<sign>`` → label; the phrase tables
  above may map to these ids as well as to HPO ids (:func:`concept_label` names either).
* :data:`SKIP_PHRASES` — HPO EXACT synonyms that are ordinary words in case notes and would
  match wrongly (``"inaction"``, ``"dullness"`` as synonyms of *Lethargy*).
* :data:`SYMPTOM_IDS` — terms reported by the patient (kind ``"symptom"``); other matched HPO
  terms are ``"sign"`` unless the sentence names an imaging study or a laboratory specimen.
"""

from __future__ import annotations

import json
from importlib import resources

FEVER = "HP:0001945"

#: the phrase tables, kept as data in ``lexicon.json`` beside this module
_DATA: dict[str, dict[str, str]] = json.loads(resources.files(__package__).joinpath("lexicon.json").read_text(encoding="utf-8"))

LAY_EN: dict[str, str] = _DATA["lay_en"]

#: words that name a finding as absent
NEGATED_EN: dict[str, str] = {"afebrile": FEVER, "apyrexial": FEVER, "normotensive": "HP:0000822",
                              "normocardic": "HP:0001649", "eupneic": "HP:0002094", "eupnoeic": "HP:0002094"}

LEXICON_ZH: dict[str, str] = _DATA["zh"]

LEXICON_ES: dict[str, str] = _DATA["es"]

#: the project's own concept ids for named signs HPO lacks (``"MEDCITE:rovsing-sign"``) → label
SIGN_LABELS: dict[str, str] = _DATA["signs"]
SIGN_PREFIX = "MEDCITE:"

#: named sign → the broader HPO term it is evidence of (McBurney point tenderness → Abdominal
#: pain, rebound tenderness → Peritonitis (peritoneal irritation; the finding itself stays the sign), Kernig sign → Nuchal rigidity, Kussmaul breathing → Hyperventilation), for scorers that
#: read HPO terms only; signs without one (Homan sign) are absent
SIGN_HPO: dict[str, str] = _DATA["sign_hpo"]
#: named sign → the condition it classically points to (McBurney point tenderness → appendicitis,
#: Kernig sign → meningitis), added to that sign's literature query only: it proposes no candidate
#: itself and scores nothing; the retrieved passages still have to name the condition
SIGN_CONDITION: dict[str, str] = _DATA.get("sign_condition", {})


def nearest_hpo(concept_id: str) -> str | None:
    """The HPO id standing for ``concept_id``: itself for an HPO id, :data:`SIGN_HPO` for a named
    sign (None when the sign has no HPO counterpart)."""
    return SIGN_HPO.get(concept_id) if concept_id.startswith(SIGN_PREFIX) else concept_id


def concept_label(concept_id: str, hpo_names: dict[str, str]) -> str:
    """The label of a finding concept: :data:`SIGN_LABELS` for a ``MEDCITE:`` id, else the HPO
    term name from ``hpo_names``.

    Raises:
        KeyError: the id is neither a named sign nor in ``hpo_names``.
    """
    if concept_id.startswith(SIGN_PREFIX):
        return SIGN_LABELS[concept_id]
    return hpo_names[concept_id]

#: HPO EXACT synonyms that are ordinary words in case notes (matched wrongly otherwise)
SKIP_PHRASES: frozenset[str] = frozenset({
    "inaction", "inactivity", "dullness", "slowness", "languor", "panting", "dropsy", "hydrops",
    "abnormal breathing", "gastro pain", "fainting", "mild", "severe",
    "tall", "short", "small", "large", "thin", "absent", "blood spots", "soft tissue swelling",
    "water retention", "epilepsy", "hyperthermia", "hypersensitivity", "ordering", "corn", "hostile",
    "mole", "bouncing", "hopping", "twirling", "mouthing", "fisting", "boil", "hive",
})

#: HPO abbreviations kept as synonyms (others, such as "PACS" or "GIST", are other words in notes)
ABBREVIATIONS: frozenset[str] = frozenset({"ards", "copd", "gerd", "gord", "adhd", "iugr", "niddm", "iddm", "psvt"})

#: HPO ids whose findings are reported by the patient (kind "symptom")
SYMPTOM_IDS: frozenset[str] = frozenset({
    FEVER, "HP:0002315", "HP:0012735", "HP:0031245", "HP:0031246", "HP:0033771", "HP:0100749",
    "HP:0002027", "HP:0002094", "HP:0002875", "HP:0012378", "HP:0033834", "HP:0002018", "HP:0002013",
    "HP:0002017", "HP:0002014", "HP:0002321", "HP:0003326", "HP:0033050", "HP:0031417", "HP:0001742",
    "HP:0002829", "HP:0001962", "HP:0025143", "HP:0030166", "HP:0004396", "HP:0100518", "HP:0100515",
    "HP:0001959", "HP:0000103", "HP:0031352", "HP:0003418", "HP:0003419", "HP:0030833", "HP:0030157",
    "HP:0012531", "HP:0002015", "HP:0000613", "HP:0002019", "HP:0002105", "HP:0002248", "HP:0001279",
    "HP:0007185", "HP:0000975", "HP:0001824", "HP:0025085", "HP:0002573", "HP:0002249", "HP:0040319",
})
