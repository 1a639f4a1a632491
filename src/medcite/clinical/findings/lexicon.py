"""Hand-checked phrases that HPO does not spell the way clinicians and patients write them.

* :data:`LAY_EN` — English lay and bedside names of signs and symptoms (``"shortness of
  breath"``, ``"high fever"``, ``"feeling tired"``, ``"rebound"``) → the HPO term they name.
  Each id was looked up by hand in HPO release 2025-01-16 (a test checks that every id is a
  phenotypic-abnormality term of the bundled release).
* :data:`NEGATED_EN` — words that *are* a negated finding (``"afebrile"``).
* :data:`LEXICON_ZH`, :data:`LEXICON_ES` — the commonest symptoms in Chinese and Spanish, the
  fallback for inputs in those languages when no embedder is given (the embedder route,
  :mod:`.crosslingual`, covers the rest of HPO).
* :data:`SKIP_PHRASES` — HPO EXACT synonyms that are ordinary words in case notes and would
  match wrongly (``"inaction"``, ``"dullness"`` as synonyms of *Lethargy*).
* :data:`SYMPTOM_IDS` — terms reported by the patient (kind ``"symptom"``); other matched HPO
  terms are ``"sign"`` unless the sentence names an imaging study or a laboratory specimen.
"""

from __future__ import annotations

FEVER = "HP:0001945"

LAY_EN: dict[str, str] = {
    # fever and constitutional
    "high fever": FEVER, "fevers": FEVER, "febrile": FEVER, "feverish": FEVER, "high temperature": FEVER,
    "chill": "HP:0025143", "rigors": "HP:0025143", "shaking chills": "HP:0025143",
    "sweats": "HP:0000975", "night sweat": "HP:0030166", "diaphoretic": "HP:0000975", "diaphoresis": "HP:0000975",
    "weight gain": "HP:0004324", "gained weight": "HP:0004324", "increased appetite": "HP:0002591",
    "dehydrated": "HP:0001944", "nauseated": "HP:0002018", "nauseous": "HP:0002018",
    "feeling tired": "HP:0012378", "feels tired": "HP:0012378", "exhaustion": "HP:0012378",
    "exhausted": "HP:0012378", "malaise": "HP:0033834", "weakness": "HP:0001324",
    "generalized weakness": "HP:0003324", "weight loss": "HP:0001824", "lost weight": "HP:0001824",
    "poor appetite": "HP:0004396", "body aches": "HP:0003326", "muscle aches": "HP:0003326",
    "aching muscles": "HP:0003326",
    # respiratory
    "productive cough": "HP:0031245", "cough productive of sputum": "HP:0031245", "cough productive of": "HP:0031245",
    "cough with sputum": "HP:0031245", "coughing up sputum": "HP:0031245", "wet cough": "HP:0031245",
    "purulent sputum": "HP:0034777", "rusty sputum": "HP:0034777",
    "pleuritic pain": "HP:0033771", "pleuritic chest pain": "HP:0033771",
    "crackle": "HP:0030830", "crackles": "HP:0030830", "rales": "HP:0030830", "crepitations": "HP:0030830",
    "sob": "HP:0002094", "n/v": "HP:0002017", "abd pain": "HP:0002027",
    "shortness of breath": "HP:0002094", "short of breath": "HP:0002094", "breathlessness": "HP:0002094",
    "breathless": "HP:0002094", "trouble breathing": "HP:0002094", "dyspnea on exertion": "HP:0002875",
    "wheeze": "HP:0030828", "wheezes": "HP:0030828", "stuffy nose": "HP:0001742",
    "blocked nose": "HP:0001742", "runny nose": "HP:0031417", "sore throat": "HP:0033050",
    "consolidation": "HP:0032177", "lobar consolidation": "HP:0032177", "infiltrate": "HP:0002113",
    "infiltrates": "HP:0002113", "opacity": "HP:0031457", "opacities": "HP:0031457",
    "ground glass opacities": "HP:0025179", "coughing blood": "HP:0002105",
    # cardiovascular
    "racing heart": "HP:0001649", "murmur": "HP:0030148", "heart murmur": "HP:0030148", "chest tightness": "HP:0031352", "chest pressure": "HP:0031352",
    "leg swelling": "HP:0010741", "ankle swelling": "HP:0010741", "swollen legs": "HP:0010741",
    "passed out": "HP:0007185", "fainted": "HP:0001279", "fainting": "HP:0001279",
    # abdominal
    "belly pain": "HP:0002027", "stomach ache": "HP:0002027", "stomachache": "HP:0002027",
    "abdominal tenderness": "HP:0002027", "epigastric pain": "HP:0002027",
    "rebound": "HP:0002586", "rebound tenderness": "HP:0002586", "guarding": "HP:0002586",
    "peritoneal signs": "HP:0002586", "vomited": "HP:0002013", "throwing up": "HP:0002013",
    "loose stools": "HP:0002014", "watery diarrhea": "HP:0002014", "bloody stools": "HP:0025085",
    "black stools": "HP:0002249", "tarry stools": "HP:0002249", "vomiting blood": "HP:0002248",
    "yellow eyes": "HP:0000952", "yellowing of the eyes": "HP:0000952", "scleral icterus": "HP:0000952",
    "dark urine": "HP:0040319", "cola colored urine": "HP:0040319",
    # neurological
    "neck stiffness": "HP:0025258", "stiff neck": "HP:0025258", "nuchal rigidity": "HP:0031179",
    "altered mental status": "HP:0001289", "confused": "HP:0001289", "disoriented": "HP:0001289",
    "drowsy": "HP:0002329", "lethargic": "HP:0001254", "seizure": "HP:0001250", "fit": "HP:0001250",
    "dizzy": "HP:0002321", "light sensitivity": "HP:0000613", "sensitivity to light": "HP:0000613",
    # skin, blood, urinary, musculoskeletal
    "rash": "HP:0000988", "bruises easily": "HP:0000978", "easy bruising": "HP:0000978",
    "swollen glands": "HP:0002716", "enlarged lymph nodes": "HP:0002716", "pale": "HP:0000980",
    "painful urination": "HP:0100518", "burning on urination": "HP:0100518",
    "burning urination": "HP:0100518", "frequent urination": "HP:0100515",
    "increased thirst": "HP:0001959", "excessive thirst": "HP:0001959", "joint pain": "HP:0002829",
    "joint pains": "HP:0002829", "swollen joints": "HP:0001386", "back pain": "HP:0003418",
    "schistocytes": "HP:0001981", "fragmented red cells": "HP:0001981", "helmet cells": "HP:0001981",
    "low platelets": "HP:0001873", "low platelet count": "HP:0001873",
}

#: words that name a finding as absent
NEGATED_EN: dict[str, str] = {"afebrile": FEVER, "apyrexial": FEVER, "normotensive": "HP:0000822",
                              "normocardic": "HP:0001649", "eupneic": "HP:0002094", "eupnoeic": "HP:0002094"}

LEXICON_ZH: dict[str, str] = {
    "发热": FEVER, "发烧": FEVER, "高烧": FEVER, "高热": FEVER, "低热": FEVER, "低烧": FEVER,
    "头痛": "HP:0002315", "头疼": "HP:0002315", "咳嗽": "HP:0012735", "干咳": "HP:0031246",
    "咳痰": "HP:0031245", "咯痰": "HP:0031245", "胸痛": "HP:0100749", "腹痛": "HP:0002027",
    "肚子痛": "HP:0002027", "呼吸困难": "HP:0002094", "气促": "HP:0002094", "气短": "HP:0002094",
    "气喘": "HP:0030828", "喘息": "HP:0030828", "乏力": "HP:0012378", "疲劳": "HP:0012378",
    "疲乏": "HP:0012378", "恶心": "HP:0002018", "呕吐": "HP:0002013", "腹泻": "HP:0002014",
    "皮疹": "HP:0000988", "头晕": "HP:0002321", "眩晕": "HP:0002321", "肌肉痛": "HP:0003326",
    "肌痛": "HP:0003326", "全身酸痛": "HP:0003326", "咽痛": "HP:0033050", "喉咙痛": "HP:0033050",
    "流涕": "HP:0031417", "流鼻涕": "HP:0031417", "鼻塞": "HP:0001742", "关节痛": "HP:0002829",
    "黄疸": "HP:0000952", "水肿": "HP:0000969", "心悸": "HP:0001962", "晕厥": "HP:0001279",
    "抽搐": "HP:0001250", "咯血": "HP:0002105", "寒战": "HP:0025143", "畏寒": "HP:0025143",
    "盗汗": "HP:0030166", "体重下降": "HP:0001824", "消瘦": "HP:0001824", "食欲不振": "HP:0004396",
    "纳差": "HP:0004396", "便血": "HP:0002573", "黑便": "HP:0002249", "尿痛": "HP:0100518",
    "尿频": "HP:0100515", "意识模糊": "HP:0001289", "颈项强直": "HP:0031179", "胸闷": "HP:0031352",
    "背痛": "HP:0003418", "无力": "HP:0001324",
    "口腔溃疡": "HP:0000155", "红斑": "HP:0010783", "面部红斑": "HP:0025300", "蝶形红斑": "HP:0025300",
    "出汗": "HP:0000975", "大汗": "HP:0000975", "脱水": "HP:0001944", "腰痛": "HP:0003419", "贫血": "HP:0001903",
    # common findings in Chinese case notes (added after the calibration of crosslingual.py)
    "高血压": "HP:0000822", "低血压": "HP:0002615", "心动过速": "HP:0001649", "心动过缓": "HP:0001662",
    "肝大": "HP:0002240", "肝肿大": "HP:0002240", "脾大": "HP:0001744", "脾肿大": "HP:0001744",
    "肝脾肿大": "HP:0001433", "淋巴结肿大": "HP:0002716", "便秘": "HP:0002019", "失眠": "HP:0100785",
    "血尿": "HP:0000790", "蛋白尿": "HP:0000093", "耳鸣": "HP:0000360", "视力模糊": "HP:0000622",
    "震颤": "HP:0001337", "手抖": "HP:0001337", "癫痫发作": "HP:0001250", "惊厥": "HP:0001250",
    "血小板减少": "HP:0001873", "白细胞减少": "HP:0001882", "白细胞升高": "HP:0001974", "白细胞增多": "HP:0001974",
    "低钠血症": "HP:0002902", "高钾血症": "HP:0002153", "低钾血症": "HP:0002900", "高血糖": "HP:0003074",
    "低血糖": "HP:0001943", "嗜睡": "HP:0002329", "昏迷": "HP:0001259", "呼吸急促": "HP:0002789",
    "低氧血症": "HP:0012418", "发绀": "HP:0000961", "湿啰音": "HP:0030830", "啰音": "HP:0030830",
    "哮鸣音": "HP:0030828", "胸腔积液": "HP:0002202", "腹水": "HP:0001541", "肌无力": "HP:0001324",
    "瘙痒": "HP:0000989", "紫癜": "HP:0000979", "瘀点": "HP:0000967", "呕血": "HP:0002248", "少尿": "HP:0100520",
    "尿少": "HP:0100520", "多尿": "HP:0000103", "多饮": "HP:0001959", "口渴": "HP:0001959", "体重增加": "HP:0004324",
    "畏光": "HP:0000613", "吞咽困难": "HP:0002015", "声音嘶哑": "HP:0001609", "腹胀": "HP:0003270",
}

LEXICON_ES: dict[str, str] = {
    "fiebre": FEVER, "fiebre alta": FEVER, "calentura": FEVER, "febril": FEVER,
    "dolor de cabeza": "HP:0002315", "cefalea": "HP:0002315", "tos": "HP:0012735",
    "tos seca": "HP:0031246", "tos productiva": "HP:0031245", "tos con flemas": "HP:0031245",
    "dolor toracico": "HP:0100749", "dolor de pecho": "HP:0100749", "dolor abdominal": "HP:0002027",
    "dolor de barriga": "HP:0002027", "dolor de estomago": "HP:0002027", "disnea": "HP:0002094",
    "falta de aire": "HP:0002094", "dificultad para respirar": "HP:0002094",
    "dificultad respiratoria": "HP:0002094", "cansancio": "HP:0012378", "fatiga": "HP:0012378",
    "nausea": "HP:0002018", "nauseas": "HP:0002018", "vomito": "HP:0002013", "vomitos": "HP:0002013",
    "diarrea": "HP:0002014", "erupcion": "HP:0000988", "sarpullido": "HP:0000988",
    "mareo": "HP:0002321", "mareos": "HP:0002321", "mialgia": "HP:0003326", "mialgias": "HP:0003326",
    "dolor muscular": "HP:0003326", "dolores musculares": "HP:0003326",
    "dolor de garganta": "HP:0033050", "escalofrios": "HP:0025143", "ictericia": "HP:0000952",
    "palpitaciones": "HP:0001962", "sudores nocturnos": "HP:0030166", "sudoracion nocturna": "HP:0030166",
    "perdida de peso": "HP:0001824", "edema": "HP:0000969", "hinchazon de piernas": "HP:0010741",
    "convulsiones": "HP:0001250", "sincope": "HP:0001279", "desmayo": "HP:0001279",
    "confusion": "HP:0001289", "rigidez de nuca": "HP:0031179", "congestion nasal": "HP:0001742",
    "secrecion nasal": "HP:0031417", "dolor articular": "HP:0002829", "dolor de espalda": "HP:0003418",
    "anemia": "HP:0001903", "sibilancias": "HP:0030828", "hemoptisis": "HP:0002105",
    "perdida del apetito": "HP:0004396", "ardor al orinar": "HP:0100518", "crepitantes": "HP:0030830",
    "diaforesis": "HP:0000975", "sudoracion": "HP:0000975", "ulceras orales": "HP:0000155",
    "deshidratacion": "HP:0001944", "aumento de peso": "HP:0004324",
    # common findings in Spanish case notes (added after the calibration of crosslingual.py)
    "hipertension": "HP:0000822", "hipotension": "HP:0002615", "taquicardia": "HP:0001649",
    "bradicardia": "HP:0001662", "hepatomegalia": "HP:0002240", "esplenomegalia": "HP:0001744",
    "adenopatias": "HP:0002716", "linfadenopatia": "HP:0002716", "estrenimiento": "HP:0002019",
    "insomnio": "HP:0100785", "hematuria": "HP:0000790", "proteinuria": "HP:0000093", "acufenos": "HP:0000360",
    "tinnitus": "HP:0000360", "vision borrosa": "HP:0000622", "temblor": "HP:0001337",
    "trombocitopenia": "HP:0001873", "plaquetopenia": "HP:0001873", "leucopenia": "HP:0001882",
    "leucocitosis": "HP:0001974", "hiponatremia": "HP:0002902", "hiperpotasemia": "HP:0002153",
    "hipopotasemia": "HP:0002900", "hiperglucemia": "HP:0003074", "hipoglucemia": "HP:0001943",
    "somnolencia": "HP:0002329", "taquipnea": "HP:0002789", "cianosis": "HP:0000961", "derrame pleural": "HP:0002202",
    "ascitis": "HP:0001541", "prurito": "HP:0000989", "petequias": "HP:0000967", "purpura": "HP:0000979",
    "hematemesis": "HP:0002248", "melena": "HP:0002249", "oliguria": "HP:0100520", "poliuria": "HP:0000103",
    "polidipsia": "HP:0001959", "fotofobia": "HP:0000613", "disfagia": "HP:0002015", "ronquera": "HP:0001609",
    "distension abdominal": "HP:0003270", "esputo purulento": "HP:0034777", "disuria": "HP:0100518",
    "orina oscura": "HP:0040319", "coma": "HP:0001259",
}

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
