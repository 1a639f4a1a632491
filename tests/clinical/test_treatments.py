"""Treatment options ordered by the strongest evidence behind them."""

from __future__ import annotations

import pytest

from medcite.clinical.evidence import evidence_level, evidence_rank
from medcite.clinical.lexicon import is_drug_like, option_key, treatment_mentions
from medcite.clinical.treatments import find_treatments
from medcite.errors import UsageError
from medcite.retrieval import SearchOptions


def test_mentions_and_keys():
    text = "Patients were treated with oral metformin and insulin therapy; lisinopril was added. Cholesterol fell."
    keys = {option_key(x) for x, _ in treatment_mentions(text)}
    assert {"metformin", "insulin", "lisinopril"} <= keys
    assert "cholesterol" not in keys
    assert is_drug_like("adalimumab") and not is_drug_like("protein")


def test_options_are_ordered_by_evidence(retriever, vocab, clinical_index):
    rep = find_treatments("type 2 diabetes", retriever, vocab, SearchOptions(top_k=13), top_k=10)
    names = [o.key for o in rep.options]
    for drug in ("metformin", "sitagliptin", "glipizide", "insulin"):
        assert drug in names
    assert names.index("metformin") < names.index("sitagliptin") < names.index("glipizide") < names.index("insulin")
    ranks = [(o.best_rank) for o in rep.options]
    assert ranks == sorted(ranks, reverse=True)
    assert "diabetes" not in names and "type 2 diabete" not in names  # the condition is not an option
    for o in rep.options:
        assert o.citations and len(o.evidence) == len(o.citations)
        assert o.best_rank == max(e["rank"] for e in o.evidence)
        for e in o.evidence:
            ref = rep.references[e["n"] - 1]
            doc = clinical_index.store.get_document(ref.id)
            assert e["level"] == evidence_level(doc.publication_types, doc.title + "\n" + doc.body())
            assert ref.evidence_level == e["level"] and evidence_rank(e["level"]) == e["rank"]
        for q in o.quotes:
            assert q["text"] in rep.references[q["n"] - 1].title + "\n" + rep.references[q["n"] - 1].passage


def test_metformin_cites_the_meta_analysis(retriever, vocab):
    rep = find_treatments("type 2 diabetes", retriever, vocab, SearchOptions(top_k=13))
    met = next(o for o in rep.options if o.key == "metformin")
    assert met.best_level == "Meta-Analysis"
    assert rep.references[met.citations[0] - 1].pmid == "201"


def test_empty_condition_is_refused(retriever, vocab):
    with pytest.raises(UsageError):
        find_treatments(" ", retriever, vocab)


def test_condition_qualifiers_keep_the_asked_kind():
    from medcite.clinical.qualifiers import matches_qualifiers, qualifiers_of

    want = qualifiers_of("type 2 diabetes")
    assert want == {"diabetes type": "type 2"}
    assert matches_qualifiers(want, "Metformin lowered HbA1c in adults with type 2 diabetes (T2DM).")
    assert not matches_qualifiers(want, "A low-carbohydrate diet in children with type 1 diabetes improved glycaemic control.")
    assert not matches_qualifiers(want, "Eccentric exercise for Achilles tendinopathy reduced pain.")  # names no diabetes type
    assert not matches_qualifiers(qualifiers_of("gestational diabetes"), "Insulin glargine in type 2 diabetes.")
    kids = qualifiers_of("asthma in children")
    assert kids == {"age group": "paediatric"} and not matches_qualifiers(kids, "Tiotropium in adults with asthma.")
    assert matches_qualifiers(kids, "Montelukast in asthma.")  # no age group named: kept


def test_options_are_whole_interventions():
    from medcite.clinical.treatments import whole_name

    s = "Bariatric surgery such as gastric bypass is emerging as a promising option in obese patients with type 2 diabetes."
    assert whole_name(s, "surgery") == "Bariatric surgery"
    assert whole_name(s, "bypass") == "gastric bypass"
    assert whole_name("Patients treated with sulfonylurea and metformin were randomized.", "metformin") == "metformin"
    assert whole_name("No mention here.", "insulin") == "insulin"


def test_names_are_trimmed_to_the_intervention():
    from medcite.clinical.treatments import clean_name, is_modifier, whole_name

    assert clean_name("receive anticoagulant therapy") == "anticoagulant therapy"
    assert clean_name("chemotherapy between") == "chemotherapy"
    assert clean_name("study whether exercise") == "exercise"
    assert clean_name("proved carotid endarterectomy") == "carotid endarterectomy"
    assert clean_name("Laparoscopic colectomy") == "Laparoscopic colectomy"
    assert not is_modifier("administers") and not is_modifier("increasing") and is_modifier("targeted")
    assert whole_name("Surgeons increasing psychotherapy sessions saw gains.", "psychotherapy") == "psychotherapy"


def test_brand_generic_and_procedure_kinds_are_one_option():
    from medcite.clinical.synonyms import intervention_key, lexicon_key

    assert intervention_key("Glucophage") == intervention_key("metformin") == "metformin"
    assert intervention_key("Glucophage XR") == "metformin"
    assert lexicon_key("Roux-en-Y gastric bypass") == lexicon_key("Bariatric surgery") == "bariatric surgery"
    assert lexicon_key("transplant") == lexicon_key("pancreatic transplantation") == "transplantation"
    assert lexicon_key("albuterol") == lexicon_key("Ventolin") == "salbutamol"
    assert lexicon_key("sitagliptin") is None and intervention_key("Insulin injections") == "insulin injection"


def test_grouping_merges_synonyms_and_fragments():
    from collections import Counter

    from medcite.clinical.treatments import _group_interventions

    texts = {
        0: "Bariatric surgery such as gastric bypass induced remission of type 2 diabetes.",
        1: "Glucophage lowered HbA1c in type 2 diabetes.",
        2: "Metformin lowered HbA1c by 0.8% in type 2 diabetes.",
        3: "Surgery was compared with medical care in type 2 diabetes.",
    }
    found = {"bariatric surgery": {0: "Bariatric surgery"}, "bypass": {0: "bypass"}, "glucophage": {1: "Glucophage"},
             "metformin": {2: "Metformin"}, "surgery": {3: "Surgery"}}
    surfaces = {k: Counter(v.values()) for k, v in found.items()}
    merged, _surf, display = _group_interventions(found, surfaces, texts.__getitem__)
    assert set(merged) == {"bariatric surgery", "metformin"}
    assert sorted(merged["bariatric surgery"]) == [0] and sorted(merged["metformin"]) == [1, 2]  # "Surgery" alone: dropped
    name, names = display["metformin"]
    assert name == "metformin" and "Glucophage" in names
    assert display["bariatric surgery"][0] == "bariatric surgery" and "gastric bypass" in display["bariatric surgery"][1]


def test_a_passage_naming_two_kinds_equally_is_not_evidence_for_one():
    from medcite.clinical.qualifiers import matches_qualifiers, qualifiers_of

    t2 = qualifiers_of("type 2 diabetes")
    assert not matches_qualifiers(t2, "Women with previous gestational diabetes or parents with type 2 diabetes did incremental exercise.")
    assert matches_qualifiers(t2, "In type 2 diabetes, unlike type 1, metformin reduced type 2 complications.")


class _FixedRetriever:
    """Returns the given passages for any query (no index)."""

    def __init__(self, passages):
        self.passages = passages

    def search(self, queries, opts=None, exclude_docs=None):
        return list(self.passages)


def _passage(n, title, text):
    from medcite.documents import Passage

    return Passage(chunk_id=n, doc_id=f"pmid:{n}", text=text, section="abstract", start=0, end=len(text),
                   title=title, pmid=str(n), publication_types=["Journal Article"], score=1.0 / n)


def test_a_condition_named_only_as_a_complication_gives_no_option():
    hydatid = _passage(1, "Management of liver hydatid cysts: a survey of surgeons",
                       "Rupture of the cyst may cause anaphylaxis. Only 3 surgeons (10%) considered laparoscopy as the "
                       "first line of treatment. Most preferred open surgery with albendazole.")
    rep = find_treatments("anaphylaxis", _FixedRetriever([hydatid]), None, full_text={})
    assert rep.options == []
    assert any("no treatment" in n for n in rep.notes)


def test_an_option_counts_in_the_title_paper_or_beside_the_condition():
    about = _passage(1, "Hydrocortisone for anaphylaxis in the emergency department",
                     "We reviewed 200 cases. Intramuscular hydrocortisone was given within 10 minutes in 80%.")
    beside = _passage(2, "Adverse reactions during abdominal surgery",
                      "Severe anaphylaxis was treated with dexamethasone. Metformin was continued and laparoscopy was performed.")
    rep = find_treatments("anaphylaxis", _FixedRetriever([about, beside]), None, full_text={})
    keys = {o.key for o in rep.options}
    assert {"hydrocortisone", "dexamethasone"} <= keys
    assert not keys & {"metformin", "laparoscopy"}  # named in the surgery paper, but not beside anaphylaxis
    dexa = next(o for o in rep.options if o.key == "dexamethasone")
    assert [q["text"] for q in dexa.quotes] == ["Severe anaphylaxis was treated with dexamethasone."]


def test_a_sentence_naming_another_kind_is_no_evidence():
    from medcite.clinical.qualifiers import conflicts, qualifiers_of
    from medcite.clinical.treatments import core_tokens, evidence_text

    t2 = qualifiers_of("type 2 diabetes")
    assert conflicts(t2, "Insulin pumps in type 1 diabetes.") and not conflicts(t2, "Metformin in diabetes.")
    text = "In type 1 diabetes, insulin pumps were used. In diabetes of type 2, metformin was first line."
    kept = evidence_text("A cohort study", text, {"diabete"}, wanted=t2)
    assert "metformin" in kept and "pumps" not in kept
    assert core_tokens({"hiv", "infection"}) == {"hiv"} and core_tokens({"asthma", "children"}) == {"asthma"}
    assert core_tokens({"infection"}) == {"infection"}


def test_a_paper_opening_on_the_condition_as_a_complication_is_read_sentence_by_sentence():
    foregut = _passage(1, "", "Atrial fibrillation, which occurs in 12% of all major foregut surgeries, prolongs hospital stay. "
                              "We reviewed 154 patients who underwent esophagectomy or total gastrectomy. "
                              "Atrial fibrillation was treated with metoprolol.")
    rep = find_treatments("atrial fibrillation", _FixedRetriever([foregut]), None, full_text={})
    assert [o.key for o in rep.options] == ["metoprolol"]


def test_a_treatment_named_only_under_negation_is_no_option():
    """PMID 12805495 (decision analysis of anticoagulation after ICH): "should not receive anticoagulant therapy"."""
    ich = _passage(1, "", "Should a patient with both a history of ICH and a clear indication for anticoagulation such as "
                          "nonvalvular atrial fibrillation be anticoagulated? Similarly, most patients with deep hemispheric ICH "
                          "and atrial fibrillation should not receive anticoagulant therapy.")
    rep = find_treatments("atrial fibrillation", _FixedRetriever([ich]), None, full_text={})
    assert not [o for o in rep.options if "anticoagulant" in o.key]
    assert any("only negated" in n for n in rep.notes)
    # the same name affirmed elsewhere still counts
    trial = _passage(2, "Anticoagulant therapy in atrial fibrillation", "Anticoagulant therapy reduced stroke by 64% in atrial fibrillation.")
    rep = find_treatments("atrial fibrillation", _FixedRetriever([ich, trial]), None, full_text={})
    opt = next(o for o in rep.options if "anticoagulant" in o.key)
    assert [q["n"] for q in opt.quotes] == [rep.references.index(next(r for r in rep.references if r.id == "pmid:2")) + 1]


def test_the_cause_or_standing_treatment_is_no_option():
    """PMID 23791827 (neutropenic fever in gynecologic oncology): the chemotherapy treats the cancer, not the fever."""
    nf = _passage(1, "", "This study aimed to evaluate the utility of risk stratification of gynecologic oncology patients with "
                         "neutropenic fever (NF). All patients were receiving chemotherapy on admission (72% for primary, 28% "
                         "for recurrent disease). Fever resolved with empirical antibiotic therapy in most patients.")
    rep = find_treatments("fever", _FixedRetriever([nf]), None, full_text={})
    keys = {o.key for o in rep.options}
    assert "chemotherapy" not in keys and any("antibiotic" in k for k in keys)


@pytest.mark.parametrize("sentence,name,ok", [
    ("Most patients with deep hemispheric ICH and atrial fibrillation should not receive anticoagulant therapy.", "anticoagulant therapy", False),
    ("We compared two strategies, warfarin and no anticoagulation.", "anticoagulation", False),
    ("We compared two strategies, warfarin and no anticoagulation.", "warfarin", True),
    ("Patients were treated with surgery with or without adjuvant chemotherapy.", "chemotherapy", True),
    ("NSAIDs should be avoided in heart failure.", "NSAIDs", False),
    ("Chemotherapy-induced fever was common.", "Chemotherapy", False),
    ("Fever after chemotherapy was treated with cefepime.", "chemotherapy", False),
    ("Fever after chemotherapy was treated with cefepime.", "cefepime", True),
    ("Survival after surgery was longer than after radiotherapy in prostate cancer.", "surgery", True),
])
def test_option_role(sentence, name, ok):
    from medcite.clinical.option_role import affirmed

    assert affirmed(sentence, name, {"fever", "prostate", "cancer", "heart", "failure", "fibrillation"}) is ok


def test_british_spelling_finds_the_condition():
    """"paediatric asthma" set aside all 30 passages on "pediatric asthma" (issue 16 break test)."""
    from medcite.clinical.spelling import american

    pairs = {"paediatric": "pediatric", "anaemia": "anemia", "oesophageal": "esophageal", "haemorrhage": "hemorrhage",
             "oedema": "edema", "tumours": "tumors", "diarrhoea": "diarrhea", "foetal": "fetal", "leukaemia": "leukemia",
             "gynaecological": "gynecological", "orthopaedic": "orthopedic", "asthma": "asthma", "aerobic": "aerobic"}
    assert {b: american(b) for b in pairs} == pairs
    trial = _passage(1, "Dexamethasone for pediatric asthma exacerbations",
                     "In children with pediatric asthma exacerbations, dexamethasone reduced relapse compared with prednisone.")
    for asked in ("paediatric asthma", "pediatric asthma"):
        rep = find_treatments(asked, _FixedRetriever([trial]), None, full_text={})
        assert "dexamethasone" in {o.key for o in rep.options}, asked


@pytest.mark.parametrize("sentence,name,ok", [  # roles of a name (issue 16 break test)
    ("A total of 64 insulin-naive patients treated with maximal feasible dosages of sulfonylurea and metformin were randomly "
     "assigned to insulin monotherapy or insulin in addition to oral medication.", "metformin", False),  # background
    ("A total of 64 insulin-naive patients treated with maximal feasible dosages of sulfonylurea and metformin were randomly "
     "assigned to insulin monotherapy or insulin in addition to oral medication.", "insulin monotherapy", True),  # randomised
    ("Sitagliptin added to metformin lowered HbA1c.", "metformin", False),
    ("Sitagliptin added to metformin lowered HbA1c.", "Sitagliptin", True),
    ("Postoperative AF was significantly lower in the Statin group compared with the Non-statin group.", "Non-statin", False),
    ("Patients received placebo for 12 weeks.", "placebo", False),
    ("We studied AF in 221 patients undergoing coronary artery bypass grafting.", "coronary artery bypass grafting", False),
    ("After adjusting for lifestyle factors, including other diet and BMI variables, compared with children who never ate "
     "hamburgers, consumption of hamburgers was a risk factor for wheeze.", "diet", False),
    ("Frequent consumption of hamburgers was associated with asthma.", "hamburgers", False),
    ("Metformin versus sulfonylurea in type 2 diabetes.", "sulfonylurea", True),
    ("Patients were randomized to metformin or placebo.", "metformin", True),
    # the patients' own condition treated: an option (PMIDs 15708048, 18243752)
    ("A total of 1369 patients with clinically localized prostate cancer underwent radical prostatectomy.", "radical prostatectomy", True),
    ("Node negative breast cancer patients treated with post-mastectomy radiotherapy.", "post-mastectomy radiotherapy", True),
    ("Outcomes of patients treated with radical perineal prostatectomy for prostate cancer.", "radical perineal prostatectomy", True),
    ("Delay in hospital admission is the main obstacle for the use of thrombolytic therapy in stroke.", "thrombolytic therapy", True),
])
def test_background_setting_control_and_risk_factor_are_no_option(sentence, name, ok):
    from medcite.clinical.option_role import affirmed

    core = {"diabetes", "atrial", "fibrillation", "asthma", "prostate", "cancer", "breast", "stroke"}
    assert affirmed(sentence, name, core) is ok


def test_operations_are_the_setting_of_a_postoperative_condition():
    """PMID 18322741 / 21881325: laparoscopic surgery and CABG are where postoperative AF arises, not its treatment."""
    foregut = _passage(1, "Atrial fibrillation after foregut surgery",
                       "New-onset atrial fibrillation occurred in 14 of 154 patients. Laparoscopic surgery is associated with lower "
                       "risk of atrial fibrillation in foregut surgery. Atrial fibrillation was treated with metoprolol.")
    rep = find_treatments("atrial fibrillation", _FixedRetriever([foregut]), None, full_text={})
    keys = {o.key for o in rep.options}
    assert "metoprolol" in keys and not any("surgery" in k for k in keys)
    ablation = _passage(2, "Surgical ablation of atrial fibrillation", "Surgical ablation restored sinus rhythm in atrial fibrillation.")
    rep = find_treatments("atrial fibrillation", _FixedRetriever([ablation]), None, full_text={})
    assert any("ablation" in o.key for o in rep.options)  # not a postoperative paper: operations stay options


def test_a_condition_abbreviation_names_the_patients_condition():
    """PMID 25787073: "patients with clinically localized PC who underwent radical prostatectomy" (PC = prostate cancer)."""
    from medcite.clinical.option_role import affirmed

    s = "The study evaluated 629 patients with clinically localized PC who underwent radical prostatectomy."
    assert affirmed(s, "radical prostatectomy", {"prostate", "cancer"})
    assert not affirmed("Stroke occurred in 3% of patients undergoing coronary artery bypass.", "coronary artery bypass", {"stroke"})


def test_option_quote_is_a_finding_not_the_aim_or_a_call_for_research():
    """askbt break test: options quoted the paper's aim ("We aimed to evaluate the effect of upper
    airway surgery …") although a result sentence of the same passage names the option."""
    from medcite.clinical.treatments import _quote

    text = ("We aimed to evaluate the effect of upper airway surgery on lipid profiles. "
            "Adults with sleep apnea underwent upper airway surgery between 2012 and 2013. "
            "After upper airway surgery, serum LP(a) decreased significantly (P<0.01). "
            "Prospective studies should examine the metabolic effect of upper airway surgery.")
    assert _quote(text, "upper airway surgery").startswith("After upper airway surgery, serum LP(a) decreased")
    aims = ("We aimed to evaluate the effect of upper airway surgery on lipid profiles. "
            "Further studies of upper airway surgery are needed.")
    assert _quote(aims, "upper airway surgery").startswith("We aimed")  # only those name it: the earliest, never nothing
    assert _quote(aims, "metformin") == ""
