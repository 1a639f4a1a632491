"""Laboratory values read from case text and interpreted against adult reference ranges (kind
``"lab"``, via ``"lab-range"``). A value inside the range yields no finding.

Reference ranges: the ABIM *Laboratory Test Reference Ranges* (American Board of Internal
Medicine, January 2024), which follow Kratz et al., "Laboratory values of clinical importance",
Harrison's Principles of Internal Medicine, 21st ed. (McGraw-Hill 2022), Appendix. Where a range
differs by sex the female/male limits are used when the sex is known, the wider of the two
otherwise. Three limits are decision limits rather than reference limits and say so below:
glucose (hypoglycaemia < 70 mg/dL, ADA level 1; random glucose > 140 mg/dL), troponin (the 99th
percentile of the assay named) and procalcitonin (> 0.5 ng/mL); so are total cholesterol (≥ 240 mg/dL,
"high" in NCEP ATP III, JAMA 2001;285:2486) and BNP (> 100 pg/mL, the heart-failure cut-off of
the 2022 AHA/ACC/HFSA guideline). Low bicarbonate is read as metabolic acidosis and an arterial pH
below 7.35 as acidosis (a bare "pH" is read as blood pH unless the sentence or header names
urine or another specimen); an anion gap above 12 mEq/L as elevated (Kraut & Madias, Clin J Am
Soc Nephrol 2007;2:162); uric acid, MCV, ferritin and free T4 follow Harrison's table.

Units are converted to one canonical unit per analyte (factors in :data:`ANALYTES`);
a value without a unit is read in the canonical unit, except cell counts over 1,000 (read as
per µL) and values implausible in that unit for analytes reported in several units
(``"Hb 85"``, ``"glucose 6.1"``, ``"creatinine 250"``: not read). Each analyte maps a low and/or a high value to the HPO term it implies, e.g.
platelets 45,000/mm³ → Thrombocytopenia (HP:0001873). A count per µL written with a point for
thousands (Spanish ``"leucocitos 16.000/mm3"``) is read as 16,000. Analytes carry their
Spanish and Chinese names as written in case notes (``"glucemia"``, ``"血钠 152 mmol/L"``,
``"尿素氮"`` in mmol/L, ``"渗透压 360 mOsm/kg"``); a Chinese name preceded by 尿 (urine) or 脑脊液
(CSF) is not a blood value. A lab table in ``|`` or tab columns (``"| Glucose | 486 mg/dL | 70-140 |"``)
is read like prose; a reference range in a value column is not a value. Proteinuria is read from
urine values (:func:`read_proteinuria`: protein:creatinine ratio ≥ 0.3 mg/mg, ACOG 2020).
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Analyte:
    """One analyte: names as written, canonical unit, unit factors (value × factor = canonical),
    reference limits (``low``/``high``; female/male overrides) and the HPO ids implied."""

    key: str
    names: tuple[str, ...]
    unit: str
    factors: dict[str, float]
    low: float | None
    high: float | None
    low_id: str | None
    high_id: str | None
    female: tuple[float | None, float | None] | None = None
    male: tuple[float | None, float | None] | None = None
    count: bool = False  # a cell count: "45,000" without a unit is per µL
    plausible: tuple[float, float] | None = None  # a value without a unit outside this range is not read
    unit_required: bool = False  # a value without a unit is not read ("ketones 3+" is a dipstick grade)


_CELLS = {"x10^9/l": 1.0, "10^9/l": 1.0, "x10^3/ul": 1.0, "10^3/ul": 1.0, "k/ul": 1.0, "/nl": 1.0,
          "g/l": 1.0, "/mm3": 1e-3, "/ul": 1e-3, "cells/ul": 1e-3, "cells/mm3": 1e-3, "/cumm": 1e-3}
_MGDL = {"mg/dl": 1.0}

ANALYTES: tuple[Analyte, ...] = (
    Analyte("hemoglobin", ("hemoglobin", "haemoglobin", "hgb", "hb", "hemoglobina", "血红蛋白"), "g/dL",
            {"g/dl": 1.0, "g/l": 0.1, "mmol/l": 1.611}, 12.0, 17.5, "HP:0001903", "HP:0001900",
            female=(12.0, 16.0), male=(13.5, 17.5), plausible=(2.0, 25.0)),
    Analyte("hematocrit", ("hematocrit", "haematocrit", "hct"), "%", {"%": 1.0}, 36.0, None, "HP:0001903", None,
            female=(36.0, None), male=(41.0, None)),
    Analyte("platelets", ("platelet count", "platelets", "platelet", "plt", "thrombocytes", "plaquetas", "血小板"),
            "x10^9/L", _CELLS, 150.0, 450.0, "HP:0001873", "HP:0001894", count=True),
    Analyte("leukocytes", ("white blood cell count", "white blood cells", "white cell count", "white count",
                           "leukocyte count", "leukocytes", "leucocytes", "wbc count", "wbc", "leucocitos", "白细胞"),
            "x10^9/L", _CELLS, 4.0, 11.0, "HP:0001882", "HP:0001974", count=True),
    Analyte("sodium", ("sodium", "na+", "na", "sodio", "血钠", "钠"), "mmol/L", {"mmol/l": 1.0, "meq/l": 1.0}, 136.0, 145.0,
            "HP:0002902", "HP:0003228", plausible=(90.0, 200.0)),
    Analyte("potassium", ("potassium", "k+", "k", "potasio", "血钾", "钾"), "mmol/L", {"mmol/l": 1.0, "meq/l": 1.0}, 3.5, 5.0,
            "HP:0002900", "HP:0002153", plausible=(1.0, 10.0)),
    Analyte("creatinine", ("creatinine", "creat", "cr", "creatinina", "肌酐"), "mg/dL", {"mg/dl": 1.0, "umol/l": 1 / 88.4},
            None, 1.3, None, "HP:0003259", female=(None, 1.1), male=(None, 1.3), plausible=(0.1, 25.0)),
    # a Chinese report gives 尿素氮 in mmol/L (urea nitrogen 1 mmol/L = 2.8 mg/dL)
    Analyte("bun", ("blood urea nitrogen", "urea nitrogen", "bun", "nitrógeno ureico", "nitrogeno ureico", "血尿素氮", "尿素氮"),
            "mg/dL", {"mg/dl": 1.0, "mmol/l": 2.801}, None, 20.0, None, "HP:0003138"),
    Analyte("urea", ("urea", "urea sérica", "尿素"), "mmol/L", {"mmol/l": 1.0, "mg/dl": 1 / 6.006}, None, 7.1, None, "HP:0003138"),
    Analyte("bilirubin", ("total bilirubin", "bilirubin, total", "bilirubin total", "bilirubin", "bilirrubina total", "bilirrubina",
                          "总胆红素"),
            "mg/dL", {"mg/dl": 1.0, "umol/l": 1 / 17.1}, None, 1.2, None, "HP:0002904"),
    Analyte("ldh", ("lactate dehydrogenase", "lactic dehydrogenase", "ldh", "ld", "乳酸脱氢酶"), "U/L", {"u/l": 1.0, "iu/l": 1.0},
            None, 225.0, None, "HP:0025435"),
    Analyte("alt", ("alanine aminotransferase", "alanine transaminase", "alt", "sgpt", "gpt", "谷丙转氨酶", "丙氨酸氨基转移酶"), "U/L",
            {"u/l": 1.0, "iu/l": 1.0}, None, 40.0, None, "HP:0031964"),
    Analyte("ast", ("aspartate aminotransferase", "aspartate transaminase", "ast", "sgot", "got", "谷草转氨酶",
                    "天门冬氨酸氨基转移酶"), "U/L",
            {"u/l": 1.0, "iu/l": 1.0}, None, 40.0, None, "HP:0031956"),
    Analyte("alp", ("alkaline phosphatase", "alk phos", "alp"), "U/L", {"u/l": 1.0, "iu/l": 1.0}, None, 120.0,
            None, "HP:0003155"),
    # decision limits: < 70 mg/dL hypoglycaemia (ADA level 1), > 140 mg/dL above the random-glucose range
    Analyte("glucose", ("blood glucose", "plasma glucose", "serum glucose", "glucose", "blood sugar", "glucosa", "glucemia", "glicemia",
                         "血糖", "血葡萄糖", "葡萄糖"),
            "mg/dL", {"mg/dl": 1.0, "mmol/l": 18.016}, 70.0, 140.0, "HP:0001943", "HP:0003074", plausible=(15.0, 2000.0)),
    Analyte("crp", ("c-reactive protein", "c reactive protein", "crp", "proteína c reactiva", "pcr", "c反应蛋白", "c-反应蛋白"), "mg/L",
            {"mg/l": 1.0, "mg/dl": 10.0}, None, 8.0, None, "HP:0011227"),
    # the 99th percentile of a conventional troponin I assay (0.04 ng/mL) and of hs-troponin T (14 ng/L)
    Analyte("troponin_t", ("troponin t", "hs-tnt", "tnt", "ctnt", "troponina t", "高敏肌钙蛋白t", "肌钙蛋白t"), "ng/L", {"ng/l": 1.0, "ng/ml": 1000.0, "ug/l": 1000.0},
            None, 14.0, None, "HP:0410174"),
    Analyte("troponin", ("troponin i", "troponin", "troponina i", "troponina", "hs-tni", "tni", "ctni", "高敏肌钙蛋白i",
                           "肌钙蛋白i", "肌钙蛋白"), "ng/mL",
            {"ng/ml": 1.0, "ng/l": 1e-3, "ug/l": 1.0, "pg/ml": 1e-3}, None, 0.04, None, "HP:0410173"),
    Analyte("albumin", ("albumin", "albúmina", "白蛋白"), "g/dL", {"g/dl": 1.0, "g/l": 0.1}, 3.5, None,
            "HP:0003073", None, plausible=(0.5, 8.0)),
    Analyte("calcium", ("calcium", "ca2+", "calcio", "血钙", "钙"), "mg/dL", {"mg/dl": 1.0, "mmol/l": 4.008}, 8.6, 10.2,
            "HP:0002901", "HP:0003072", plausible=(3.0, 25.0)),
    Analyte("lactate", ("lactate", "lactic acid", "lactato", "血乳酸", "乳酸"), "mmol/L", {"mmol/l": 1.0, "mg/dl": 1 / 9.01}, None, 2.2,
            None, "HP:0002151"),
    Analyte("esr", ("erythrocyte sedimentation rate", "sedimentation rate", "esr", "velocidad de sedimentación globular",
                    "velocidad de sedimentacion globular", "velocidad de sedimentación", "vsg", "红细胞沉降率", "血沉"), "mm/h",
            {"mm/h": 1.0, "mm/hr": 1.0, "mm/hour": 1.0}, None, 20.0, None, "HP:0003565",
            female=(None, 20.0), male=(None, 15.0)),
    Analyte("d_dimer", ("d-dimer", "d dimer", "dimero d", "dímero d", "d-二聚体", "d二聚体"), "ug/mL FEU",
            {"ug/ml": 1.0, "mg/l": 1.0, "ng/ml": 1e-3, "ug/l": 1e-3}, None, 0.5, None, "HP:0033106"),
    Analyte("inr", ("international normalized ratio", "inr"), "", {"": 1.0}, None, 1.2, None, "HP:0008151"),
    Analyte("lipase", ("lipase", "lipasa", "血脂肪酶", "脂肪酶"), "U/L", {"u/l": 1.0, "iu/l": 1.0}, None, 160.0, None, "HP:0032932"),
    Analyte("amylase", ("amylase", "amilasa", "血淀粉酶", "淀粉酶"), "U/L", {"u/l": 1.0, "iu/l": 1.0}, None, 125.0, None, "HP:0410288"),
    Analyte("procalcitonin", ("procalcitonin", "procalcitonina", "pct", "降钙素原"), "ng/mL", {"ng/ml": 1.0, "ug/l": 1.0}, None, 0.5, None,
            "HP:0032308"),
    Analyte("tsh", ("thyroid-stimulating hormone", "thyroid stimulating hormone", "tsh"), "mU/L",
            {"mu/l": 1.0, "uu/ml": 1.0, "uiu/ml": 1.0, "miu/l": 1.0}, 0.5, 5.0, "HP:0031098", "HP:0002925"),
    Analyte("haptoglobin", ("haptoglobin",), "mg/dL", {"mg/dl": 1.0, "g/l": 100.0}, 83.0, None, "HP:0020181", None),
    Analyte("reticulocytes", ("reticulocyte count", "reticulocytes", "retic count"), "%", {"%": 1.0}, None, 1.5, None,
            "HP:0001923"),
    Analyte("bicarbonate", ("bicarbonate", "hco3-", "hco3", "serum co2", "total co2", "bicarbonato", "碳酸氢根", "碳酸氢盐",
                             "二氧化碳结合力"), "mmol/L",
            {"mmol/l": 1.0, "meq/l": 1.0}, 23.0, 28.0, "HP:0001942", "HP:0032067", plausible=(1.0, 60.0)),
    Analyte("ph", ("arterial ph", "arterial blood ph", "blood ph", "serum ph", "venous ph", "ph", "血ph"), "", {"": 1.0}, 7.35, 7.45,
            "HP:0001941", "HP:0001948", plausible=(6.5, 8.0)),
    # > 12 mEq/L: the upper limit commonly used (Kraut & Madias, "Serum anion gap: its uses and
    # limitations in clinical medicine", Clin J Am Soc Nephrol 2007;2:162-174)
    Analyte("anion_gap", ("serum anion gap", "anion gap"), "mmol/L", {"mmol/l": 1.0, "meq/l": 1.0}, None, 12.0,
            None, "HP:0031962", plausible=(-5.0, 60.0)),
    # arterial oxygen tension: 80-100 mmHg (11-13 kPa) in Harrison's table; below 80 mmHg is hypoxaemia.
    # Only an arterial value: a venous pO2 is lower by nature, so a bare "pO2" is not read
    Analyte("pao2", ("arterial partial pressure of oxygen", "arterial oxygen tension", "arterial po2", "pao2", "pa o2",
                     "pao₂"), "mmHg", {"mmhg": 1.0, "kpa": 7.50062}, 80.0, None, "HP:0012418", None,
            plausible=(20.0, 700.0)),
    # blood beta-hydroxybutyrate (the ketone that blood-ketone meters and laboratories report):
    # < 0.6 mmol/L normal, >= 3.0 mmol/L the ketonaemia criterion of DKA (Joint British Diabetes
    # Societies Inpatient Care Group, "The management of diabetic ketoacidosis in adults", 2023;
    # Umpierrez et al., "Hyperglycemic crises in adults with diabetes: a consensus report",
    # Diabetes Care 2024;47:1257); above 0.6 mmol/L → Hyperketonemia (a child of Ketosis, the
    # term :mod:`.qualitative` gives "serum ketones positive"). mg/dL: molar mass 104.1 g/mol
    Analyte("ketones", ("beta-hydroxybutyrate", "beta hydroxybutyrate", "β-hydroxybutyrate", "b-hydroxybutyrate",
                        "3-hydroxybutyrate", "beta-hydroxybutyric acid", "β-hydroxybutyric acid", "bhb", "serum ketones",
                        "blood ketones", "plasma ketones", "capillary ketones", "serum ketone", "blood ketone", "ketones"),
            "mmol/L", {"mmol/l": 1.0, "mg/dl": 1 / 10.41}, None, 0.6, None, "HP:0410175", unit_required=True),
    Analyte("urate", ("uric acid", "urate", "ácido úrico", "尿酸"), "mg/dL", {"mg/dl": 1.0, "umol/l": 1 / 59.48, "mmol/l": 16.81},
            None, 7.0, None, "HP:0002149", female=(None, 5.6), male=(None, 7.0), plausible=(0.5, 25.0)),
    Analyte("mcv", ("mean corpuscular volume", "mcv"), "fL", {"fl": 1.0}, 80.0, 100.0, "HP:0025066", "HP:0005518",
            plausible=(40.0, 150.0)),
    Analyte("ferritin", ("ferritin", "ferritina"), "ng/mL", {"ng/ml": 1.0, "ug/l": 1.0}, 11.0, 336.0, "HP:0012343", "HP:0003281",
            female=(11.0, 307.0), male=(24.0, 336.0)),
    Analyte("free_t4", ("free thyroxine", "free t4", "ft4"), "ng/dL", {"ng/dl": 1.0, "pmol/l": 1 / 12.87}, 0.8, 1.8,
            "HP:0033078", "HP:0033077", plausible=(0.05, 8.0)),
    Analyte("cholesterol", ("total cholesterol", "serum cholesterol", "cholesterol"), "mg/dL",
            {"mg/dl": 1.0, "mmol/l": 38.67}, None, 240.0, None, "HP:0003124", plausible=(50.0, 1000.0)),
    Analyte("bnp", ("b-type natriuretic peptide", "brain natriuretic peptide", "bnp"), "pg/mL", {"pg/ml": 1.0, "ng/l": 1.0},
            None, 100.0, None, "HP:0031138"),
    # plasma ammonia 11-35 umol/L (19-60 ug/dL as NH3; 1 ug/dL = 0.587 umol/L), Harrison's table
    Analyte("ammonia", ("plasma ammonia", "serum ammonia", "blood ammonia", "ammonia", "nh3", "amonio", "amoniemia", "血氨"),
            "umol/L", {"umol/l": 1.0, "mmol/l": 1000.0, "ug/dl": 0.587}, None, 35.0, None, "HP:0001987", plausible=(1.0, 2000.0)),
    # creatine kinase: female 39-238 U/L, male 51-294 U/L (Harrison's table)
    Analyte("creatine_kinase", ("creatine kinase", "creatine phosphokinase", "ck", "cpk", "creatina quinasa", "creatina cinasa",
                                "creatinfosfoquinasa", "肌酸激酶"), "U/L", {"u/l": 1.0, "iu/l": 1.0}, None, 294.0, None, "HP:0003236",
            female=(None, 238.0), male=(None, 294.0)),
    # serum vitamin B12 (cobalamin) 200-800 pg/mL (148-590 pmol/L; ABIM table); below 200 is low
    Analyte("vitamin_b12", ("vitamin b12", "vitamin b 12", "serum b12", "cobalamin", "b12", "vitamina b12", "cobalamina",
                            "维生素b12"), "pg/mL", {"pg/ml": 1.0, "ng/l": 1.0, "pmol/l": 1.355}, 200.0, None, "HP:0100502", None,
            plausible=(10.0, 5000.0)),
    # arterial carbon dioxide tension 35-45 mmHg (4.7-6.0 kPa), Harrison's table: above → Hypercapnia.
    # A low value is not read: hypocapnia is the respiratory response to hypoxaemia, acidosis or pain
    # in most acute cases, not a finding a condition is known by. Only an arterial value (a venous
    # pCO2 runs higher); a bare "pCO2" is not read
    Analyte("paco2", ("arterial partial pressure of carbon dioxide", "arterial pco2", "paco2", "pa co2", "paco₂"), "mmHg",
            {"mmhg": 1.0, "kpa": 7.50062}, None, 45.0, None, "HP:0012416", plausible=(5.0, 200.0)),
    # intraocular pressure above 21 mmHg (the upper limit of the normal 10-21 mmHg, mean + 2 SD of
    # population tonometry; American Academy of Ophthalmology, Primary Open-Angle Glaucoma Suspect
    # Preferred Practice Pattern, 2020) → Ocular hypertension
    Analyte("iop", ("intraocular pressure", "intra-ocular pressure", "iop", "presión intraocular", "presion intraocular", "pio", "眼压"),
            "mmHg", {"mmhg": 1.0}, None, 21.0, None, "HP:0007906", plausible=(2.0, 90.0)),
    # serum osmolality 275-295 mOsm/kg H2O (Harrison's table); a calculated osmolarity in
    # mOsm/L is read on the same scale
    Analyte("osmolality", ("serum osmolality", "plasma osmolality", "serum osmolarity", "plasma osmolarity", "osmolality",
                           "osmolarity", "osmolalidad plasmática", "osmolalidad sérica", "osmolalidad plasmatica",
                           "osmolalidad serica", "osmolalidad", "osmolaridad", "血浆渗透压", "血清渗透压", "血渗透压", "渗透压"),
            "mOsm/kg", {"mosm/kg": 1.0, "mosm/kgh2o": 1.0, "mosm/l": 1.0}, 275.0, 295.0, "HP:6000680", "HP:6000681",
            plausible=(200.0, 450.0)),
)

_NUMBER = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?)"
_UNIT = (r"((?:m?osm\s*/\s*(?:kg(?:\s*h2o)?|l))|(?:[x×\*]\s*10\s*(?:\^|\*|e)?\s*[39⁹³]\s*/\s*[lLµμu]L?)|k/[µμu]l|"
         r"(?:cells\s*)?/\s*(?:mm3|mm³|[µμu]l|cumm|nl)|[µμu]?(?:i?u|mol|mmol|g|mg|ng|pg|meq|miu|mu|uiu)\s*/\s*(?:d?l|ml|l)|"
         r"g/l|mm/h(?:r|our)?|%|iu/l|u/l|mmol/l|meq/l|fl|pmol/l|mm\s*hg|kpa)?")
#: words between a name and its value; "|" and tabs are the columns of a lab table ("| Glucose | 486 mg/dL | 70-140 |"),
#: a specimen in brackets the name's qualifier ("pH (venous) | 7.08")
_FILLER = (r"(?:\s*(?:count|level|concentration|value|is|was|of|on admission|at admission|:|=|\|"
           r"|\((?:venous|arterial|capillary|serum|plasma|blood|fasting|random)\)|\(|serum|plasma|\s)){0,6}\s*[<>≤≥]?\s*")
_SKIP_BEFORE = re.compile(r"(?i)(?:direct|conjugated|indirect|urine|urinary|csf|fetal|mean corpuscular|ldl|hdl|non-hdl|pro-?|"
                          r"直接|间接|尿|脑脊液)[\s-]*$")
# values of another specimen than blood: read with other ranges, so not read at all
_SPECIMEN = re.compile(r"(?i)\b(?:CSF|cerebrospinal|lumbar puncture|urine|urinalysis|urinary|pleural|ascitic|peritoneal fluid|"
                       r"synovial|joint fluid|sputum|stool|bronchoalveolar|BAL|aspirate|paracentesis|l[ií]quido\s+asc[ií]tico)\b|脑脊液|尿液|尿常规|胸水|腹水")
_SENTENCE_START = re.compile(r"(?<=[.!?])\s+|[;；。\n]")


def _other_specimen(text: str, pos: int) -> str:
    """The non-blood specimen the value at ``pos`` belongs to, as written ("" for blood): named
    earlier in its sentence, or in a header line above it (``"Cerebrospinal fluid:"``) with only
    value lines between."""
    left = 0
    for m in _SENTENCE_START.finditer(text, 0, pos):
        left = m.end()
    found = list(_SPECIMEN.finditer(text, left, pos))
    if found:
        return found[-1].group(0)
    line_start = text.rfind("\n", 0, pos) + 1
    while line_start > 0:
        prev_start = text.rfind("\n", 0, line_start - 1) + 1
        prev = text[prev_start:line_start - 1]
        if not any(ch.isdigit() for ch in prev):  # a header line decides
            m = _SPECIMEN.search(prev)
            return m.group(0) if m else ""
        line_start = prev_start
    return ""


@dataclass(frozen=True)
class LabReading:
    """A laboratory value read from text that is outside its reference range.

    Attributes:
        analyte: the :attr:`Analyte.key` (``"platelets"``).
        concept_id: the HPO id implied (``"HP:0001873"``).
        start, end: offsets of the reading (analyte name to unit).
        value: the value and unit as written (``"45,000/mm3"``).
        canonical: the value in the analyte's canonical unit (``45.0`` for ×10⁹/L).
    """

    analyte: str
    concept_id: str
    start: int
    end: int
    value: str
    canonical: float


def _unit_key(unit: str) -> str:
    u = unit.lower().replace(" ", "").replace("µ", "u").replace("μ", "u").replace("×", "x").replace("*", "x")
    u = u.replace("³", "3").replace("⁹", "9").replace("mm3", "mm3")
    u = re.sub(r"x10(?:\^|x|e)?([39])", r"x10^\1", u)
    if u.startswith("10") and not u.startswith("10^"):
        u = "10^" + u[2:]
    return u.replace("cells/mm3", "/mm3").replace("cells/ul", "/ul").replace("/ml", "/ml")


def _pattern(a: Analyte) -> re.Pattern:
    names = "|".join(re.escape(n) for n in sorted(a.names, key=len, reverse=True))
    ascii_names = all(n.isascii() for n in a.names)
    lead = r"(?<![\w-])" if ascii_names else r"(?<![A-Za-z-])"
    # a Chinese analyte name is written straight before its value ("白细胞15.1×10^9/L")
    tail = r"(?![\w+-]|\s+A1c)" if ascii_names else r"(?![A-Za-z+-]|\s+A1c)"
    return re.compile(rf"(?i){lead}(?:{names}){tail}{_FILLER}{_NUMBER}\s*{_UNIT}")


#: Cerebrospinal fluid, read with its own adult limits (Seehusen et al., "Cerebrospinal fluid
#: analysis", Am Fam Physician 2003;68:1103): leukocytes > 5/µL (pleocytosis), protein > 45 mg/dL,
#: glucose < 40 mg/dL (hypoglycorrhachia).
CSF_ANALYTES: tuple[Analyte, ...] = (
    Analyte("csf_leukocytes", ("white blood cell count", "white cell count", "leukocyte count", "leukocytes", "leucocytes",
                               "white blood cells", "white cells", "wbc count", "wbc", "cell count", "cells"),
            "/uL", {"/mm3": 1.0, "/ul": 1.0, "/cumm": 1.0, "x10^6/l": 1.0, "10^6/l": 1.0}, None, 5.0, None, "HP:0012229"),
    Analyte("csf_protein", ("protein", "total protein"), "mg/dL", {"mg/dl": 1.0, "g/l": 100.0}, None, 45.0, None, "HP:0002922",
            plausible=(1.0, 2000.0)),
    Analyte("csf_glucose", ("glucose",), "mg/dL", {"mg/dl": 1.0, "mmol/l": 18.016}, 40.0, None, "HP:0011972", None,
            plausible=(1.0, 400.0)),
)
_CSF = re.compile(r"(?i)CSF|cerebrospinal|lumbar puncture|脑脊液")
_PATTERNS = [(a, _pattern(a)) for a in ANALYTES]
_CSF_PATTERNS = [(a, _pattern(a)) for a in CSF_ANALYTES]


def _limits(a: Analyte, sex: str | None) -> tuple[float | None, float | None]:
    if sex == "female" and a.female:
        return a.female
    if sex == "male" and a.male:
        return a.male
    return a.low, a.high


def _canonical(a: Analyte, number: str, unit: str) -> float | None:
    n = number.replace(",", "") if re.search(r",\d{3}\b", number) else number.replace(",", ".")
    if a.count and re.fullmatch(r"\d{1,3}(?:\.\d{3})+", number) and (not unit or a.factors.get(_unit_key(unit), 1.0) < 1.0):
        n = number.replace(".", "")  # a count per µL with a point for thousands ("leucocitos 16.000/mm3")
    v = float(n)
    key = _unit_key(unit) if unit else ""
    if not key:
        if a.unit_required:
            return None
        if a.count and v >= 1000:
            return v * 1e-3
        if a.plausible and not a.plausible[0] <= v <= a.plausible[1]:
            return None  # "Hb 85": g/L or g/dL cannot be told without the unit
        return v
    if key in a.factors:
        return v * a.factors[key]
    return None  # a unit that does not belong to this analyte: not read


def read_labs(text: str, sex: str | None = None) -> list[LabReading]:
    """Laboratory values in ``text`` outside their adult reference range (see the module
    docstring), in order, not overlapping. ``sex`` (``"female"``/``"male"``) selects sex-specific
    limits. Values inside the range, in units foreign to the analyte, in a phrase such as
    ``"direct bilirubin"``/``"urine sodium"``, or of another specimen than blood (urine, pleural
    fluid … named earlier in the sentence or in a header line above) give nothing, except
    cerebrospinal fluid, read against :data:`CSF_ANALYTES`."""
    out: list[LabReading] = []
    taken: list[tuple[int, int]] = []
    for csf, patterns in ((True, _CSF_PATTERNS), (False, _PATTERNS)):
        out += _read(text, sex, patterns, taken, csf)
    out += [r for r in read_proteinuria(text) + read_ascitic_neutrophils(text) if all(r.end <= s or r.start >= e for s, e in taken)]
    return sorted(out, key=lambda r: r.start)


PERITONITIS = "HP:0002586"
#: ascitic fluid named in the sentence or the header before the count
_ASCITIC = re.compile(r"(?i)\b(?:ascitic|ascites|paracentesis|peritoneal\s+fluid|l[ií]quido\s+asc[ií]tico|paracentesis)\b|腹水|腹腔穿刺")
#: an ascitic neutrophil (PMN) count per mm³/µL: ≥ 250 cells/mm³ is the diagnostic threshold of
#: spontaneous bacterial peritonitis (Biggins et al., AASLD practice guidance on ascites, SBP and
#: hepatorenal syndrome, Hepatology 2021;74:1014-1048; EASL decompensated cirrhosis guideline,
#: J Hepatol 2018;69:406-460) → Peritonitis
_ASCITIC_PMN = re.compile(r"(?i)(?<![\w-])(?:PMNs?|polymorphonuclear(?:\s+(?:cells|leu[ck]ocytes|neutrophils))?|neutrophils?|"
                          r"neutr[oó]filos|polimorfonucleares|中性粒细胞)(?:\s*(?:count|recuento|计数))?\s*(?:of|was|is|:|=|：)?\s*"
                          r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:cells\s*|c[eé]lulas\s*)?/\s*(?:mm3|mm³|[µμu]l|cumm)")


def read_ascitic_neutrophils(text: str) -> list[LabReading]:
    """Peritonitis (HP:0002586) from an ascitic fluid neutrophil (PMN) count ≥ 250 cells/mm³
    written in a sentence that names ascitic fluid or paracentesis (``"Paracentesis: PMN
    670/mm3"``, ``"líquido ascítico con 480 polimorfonucleares/mm3"``); a lower count gives
    nothing, as does a neutrophil count of blood or another fluid."""
    out = []
    for m in _ASCITIC_PMN.finditer(text):
        left = max((b.end() for b in _SENTENCE_START.finditer(text, 0, m.start())), default=0)
        if not _ASCITIC.search(text, left, m.start() + 1) and not _ASCITIC.search(text[max(0, left - 1):m.start()]):
            continue
        v = float(re.sub(r"[.,]", "", m.group(1)))
        if v >= 250:
            out.append(LabReading("ascitic_neutrophils", PERITONITIS, m.start(), m.end(), m.group(0), v))
    return out


PROTEINURIA = "HP:0000093"
#: urine protein:creatinine ratio (a spot sample): ≥ 0.3 mg/mg (= g/g; 300 mg/g), the threshold of
#: ACOG Practice Bulletin No. 222, "Gestational hypertension and preeclampsia", Obstet Gynecol
#: 2020;135:e237; in mg/mmol ≥ 30 (NICE NG133, "Hypertension in pregnancy", 2019)
_UPCR = re.compile(r"(?i)(?<![\w-])(?:(?:spot\s+)?urin(?:e|ary)\s+)?(?:protein\s*(?::|/|-to-|\s+to\s+)\s*creatinine(?:\s+ratio)?|"
                   r"u?PCR(?=\s*(?:ratio|of|:|=)?\s*\d+(?:[.,]\d+)?\s*(?:mg/mg|g/g|mg/g|mg/mmol)))"
                   r"(?:\s*(?:ratio|of|was|is|:|=|\(UPCR\)|\s)){0,4}\s*(\d+(?:[.,]\d+)?)\s*(mg/mg|g/g|mg/g|mg/mmol)?")
_UPCR_LIMIT = {"": 0.3, "mg/mg": 0.3, "g/g": 0.3, "mg/g": 300.0, "mg/mmol": 30.0}
#: 24-hour urine protein ≥ 300 mg/24 h (ACOG 2020, as above)
_U24 = re.compile(r"(?i)(?<![\w-])24[- ]?(?:h|hr|hour)s?\s+(?:urine|urinary)\s+protein(?:\s*(?:excretion|was|is|of|:|=|\s)){0,3}"
                  r"\s*(\d+(?:[.,]\d+)?)\s*(mg|g)(?:\s*/\s*24\s*h(?:ours?|r)?|/d(?:ay)?)?")
#: dipstick protein graded 1+ (≈ 30 mg/dL) or more is proteinuria; "trace" is not. ACOG 2020 accepts
#: 2+ for preeclampsia only where a quantitative method is unavailable: that is a criterion of the
#: disease, the finding is read from 1+
_DIPSTICK = re.compile(r"(?i)(?:(?<![\w-])(?:(?:dipstick|urine|urinary|urinalysis)\s+(?:protein|proteinuria|albumin)|"
                       r"prote[ií]nas?\s+en\s+orina|proteinuria(?:\s+(?:on|by)\s+dipstick)?|dipstick\s+proteinuria)|尿蛋白)"
                       r"\s*(?:of|was|is|:|=|：|\()?\s*(\+{1,4}(?!\d)|[1-4]\s*\+|trace|negative|neg|阴性|\+/-|±)\)?")


def read_proteinuria(text: str) -> list[LabReading]:
    """Proteinuria (HP:0000093) from a urine protein:creatinine ratio ≥ 0.3 mg/mg (≥ 30 mg/mmol,
    ≥ 300 mg/g), a 24-hour urine protein ≥ 300 mg, or a dipstick protein of 1+ or more
    (``"dipstick protein 3+"``, ``"尿蛋白(++)"``); a value below the limit, trace or negative gives
    nothing. Sources in the comments above (ACOG 2020; NICE NG133)."""
    out = []
    for m in _UPCR.finditer(text):
        unit = (m.group(2) or "").lower()
        v = float(m.group(1).replace(",", "."))
        if v >= _UPCR_LIMIT[unit]:
            out.append(LabReading("urine_protein_creatinine_ratio", PROTEINURIA, m.start(), m.end(),
                                  f"{m.group(1)} {m.group(2) or ''}".strip(), v))
    for m in _U24.finditer(text):
        v = float(m.group(1).replace(",", ".")) * (1000.0 if m.group(2).lower() == "g" else 1.0)
        if v >= 300.0:
            out.append(LabReading("urine_protein_24h", PROTEINURIA, m.start(), m.end(), f"{m.group(1)} {m.group(2)}", v))
    for m in _DIPSTICK.finditer(text):
        grade = m.group(1).replace(" ", "")
        plus = grade.count("+") if set(grade) == {"+"} else int(grade[0]) if grade[0].isdigit() else 0
        if plus >= 1:
            out.append(LabReading("urine_protein_dipstick", PROTEINURIA, m.start(), m.end(), grade, float(plus)))
    return sorted(out, key=lambda r: r.start)


def _read(text: str, sex: str | None, patterns, taken: list[tuple[int, int]], csf: bool) -> list[LabReading]:
    """Readings of ``patterns``: blood values (``csf`` false) or values of a CSF specimen."""
    out: list[LabReading] = []
    for a, pat in patterns:
        for m in pat.finditer(text):
            s, e = m.start(), m.end()
            if any(not (e <= ts or s >= te) for ts, te in taken):
                continue
            specimen = _other_specimen(text, s)
            if (not csf and _SKIP_BEFORE.search(text[max(0, s - 25):s])) or (bool(_CSF.fullmatch(specimen)) if csf else bool(specimen)) is not csf:
                continue
            unit = (m.group(2) or "").strip()
            if not unit and re.match(r"\s*[-–]\s*\d", text[m.end(1):]):
                continue  # a reference range ("| Glucose | | 70-140 |"), not a value
            value = _canonical(a, m.group(1), unit)
            if value is None:
                continue
            taken.append((s, e))
            low, high = _limits(a, sex)
            cid = a.low_id if low is not None and value < low else a.high_id if high is not None and value > high else None
            if cid is None:
                continue
            end = m.end(2) if unit else m.end(1)
            shown = f"{m.group(1)} {unit}".strip() if unit and not unit.startswith("/") else f"{m.group(1)}{unit}"
            out.append(LabReading(a.key, cid, s, end, shown, round(value, 4)))
    return out
