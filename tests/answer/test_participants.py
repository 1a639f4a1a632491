"""Number of participants parsed from real abstract sentences (PubMedQA abstracts in ../shared/data,
PMID given per case) and the evidence table built from an answer."""

import pytest

from medcite.answer.evidence_table import population_of
from medcite.answer.participants import parse_participants, words_to_int

REAL = [  # (PMID, sentence as printed in the abstract, participants)
    ("9003088", "Thirty-five specimens of the anorectal region from 21 patients (14 women, seven men) were examined histologically", 21),
    ("18182265", "DW images of endometrial cancer in 23 patients were examined by using a 1.5-T MR scanner.", 23),
    ("17551944", "One hundred five pregnant women underwent transvaginal Doppler sonographic examination of uteroplacental circulation", 105),
    ("25155638", "Non-Hispanic black, Hispanic and non-Hispanic white adults living in the United States (N\u2009=\u20093,418).", 3418),
    ("23794696", "Forty-five patients requiring upper first premolar extractions.", 45),
    ("17008699", "One hundred fifty patients with primary prostate cancer (T(1-3)N(0)M(0)) were informed by means of a decision aid", 150),
    ("14976655", "Seven hundred six stapedectomies performed in 580 patients were reviewed.", 580),
    ("27096199", "204 children were recruited in the main cohort and 97 in the replication cohort.", 204),
    ("15800018", "During 2001-03, 1895 patients underwent primary CABG", 1895),
    ("24061619", "A retrospective analysis was performed from a single institution, including 2,301 patients undergoing LAGB with HHR", 2301),
    ("17054994", "From May 1994 through November 2004, 236 patients with multinodular goiter underwent thyroidectomy at our institution.", 236),
    ("22075911", "Data for 432 participants were entered into the analysis.", 432),
    ("17429333", "A total of 734 premenopausal women participated in the baseline study, and 579 women (78.9%) completed a follow-up 2 years later.", 734),
    ("14599616", "Ninety breast cancer patients were prospectively enrolled in an academic trial", 90),
    ("11882828", "This prospective randomized study was carried out with 100 patients undergoing coronary artery bypass operations between April 1999 and November 2000", 100),
    ("21951591", "13 CLBP patients and 15 healthy subjects performed", 28),
    ("24073931", "We retrospectively analysed the data of 74 patients that underwent distal pancreatectomy between 2001 and 2011", 74),
    ("19482903", "Twenty children who had spina bifida and were ambulatory participated.", 20),
    ("26578404", "This was a pilot observational study with 18 inpatients with advanced disease and refractory breathlessness receiving opioid PCT.", 18),
    ("21342862", "One hundred and twenty-two patients responded to the instruments.", 122),
    ("8847047", "Seventy six patients with solitary small HCCs up to 3 cm in diameter, who underwent hepatectomy, were observed", 76),
    ("11438275", "The physiological effect of variation in horizontal attitude on central and hepatic venous pressure was measured in 10 patients during liver surgery.", 10),
    ("22668712", "Forty patients and 20 asymptomatic volunteers underwent a standardized interview, physical examination", 60),
    ("21394762", "This is a cross sectional study of 248 women with stage II POP or greater.", 248),
    ("24973051", "Data from 130 students at three institutions were captured; 15.4% of students saw all 10 conditions", 130),
    ("19430778", "Sixty-two patients (aged 17-68 years) with axial low back pain that was likely to be disc related underwent lumbar discography (178 discs tested).", 62),
    ("18575014", "We included 99 members of this family.", 99),
    ("12765819", "A 52-year-old woman underwent a craniotomy for a ruptured internal carotid aneurysm.", 1),
    ("16909975", "In total, 19 patients were treated with compensator-based IMRT between February 2003 and March 2004.", 19),
    ("10808977", "One thousand ninety-nine women aged 50 and older recruited from a health maintenance organization in North Carolina.", 1099),
    ("19757704", "A total of 370 students were interviewed over a period of six weeks, of which 205 (55.4%) were boys.", 370),
    ("16778275", "The study group included 350 consecutive patients who underwent FB with TBB at our institution", 350),
    ("22644412", "Eight hundred fifteen patients were enrolled.", 815),
    ("23735520", "Patients (N=22) in a vegetative state (VS; n=10) and minimally conscious state (MCS; n=12)", 22),
    ("24172579", "A total of 45 079 patients treated with intravenous alteplase were recorded from 2002 to 2011.", 45079),
    ("27884344", "Thirty-six residents (58.3% female) participated in the study.", 36),
    ("22768311", "We analyzed data on 2979 men and 3324 women in the NHANES 1999-2002.", 6303),
    ("28407529", "From January 2005 to June 2013, 5624 and 791 consecutive patients of a prospective international cohort received", 6415),
    ("19694846", "data from Danish healthcare workers at time 1 in 2005 (n = 447) and 18 months later at time 2 in 2007 (n = 274).", 447),
]


@pytest.mark.parametrize("pmid,sentence,n", REAL, ids=[r[0] for r in REAL])
def test_real_phrasings(pmid, sentence, n):
    got = parse_participants(sentence)
    assert got is not None and got.n == n, (pmid, got)
    assert got.phrase in sentence  # verbatim


@pytest.mark.parametrize("sentence", [
    "Mortality was 12% at 30 days and 3 of 89 patients had a recurrence after 2 years.",
    "Patients treated between 1998 and 2004 were reviewed.",
    "The dose was 5 mg/kg in adults.",
])
def test_no_sample_size(sentence):
    assert parse_participants(sentence) is None


def test_issue_examples_and_words():
    assert parse_participants("n = 2229").n == 2229
    assert parse_participants("Among 2,229 patients, mortality fell.").n == 2229
    assert parse_participants("We randomized 412 adults to metformin or placebo.").n == 412
    assert parse_participants("a total of 96 women were enrolled").n == 96
    assert words_to_int("Two hundred forty-one") == 241 and words_to_int("fever") is None


def test_population_is_the_counted_group():
    n, phrase, pop = population_of("We randomized 412 adults with moderate asthma aged 18-65 years to budesonide or placebo.")
    assert n == 412 and phrase == "randomized 412 adults"
    assert pop.startswith("412 adults with moderate asthma")


# Wrong figures seen in the break-test (issue 16, item 2), each a sentence of the shared abstracts.
SUBSETS_AND_GROUPS = [  # (PMID, text, participants or None)
    # a subset's events are not the sample: the 18 adrenalectomies are procedures, the 3 cases conversions
    ("17704864", "18 consecutive laparoscopic adrenalectomies were performed from 1996 to 2005 on patients with adrenal lesions "
                 "larger than 7 cm. The mean tumor size was 8.3 cm, and in three cases we switched from laparoscopic procedure to open surgery.", None),
    # cases (n=125) and their two referents each (n=250): the study had 375
    ("11340218", "We conducted a population-based case-referent study of 25- to 74-year-old stroke patients with, for each case of a "
                 "patient who was on statin treatment at the onset of stroke (n=125), 2 referent patients who were not treated with "
                 "statins but were matched for age, gender, year of onset, and stroke subtype (n=250).", 375),
    ("15677624", "Patient research records in study arms (A) irinotecan/5-FU/leucovorin (LV) (IFL, n = 264), (F) oxaliplatin/5-FU/LV "
                 "(FOLFOX4, n = 267) and (G) oxaliplatin/irinotecan (IROX, n = 265) were reviewed.", 796),
    # the same parents before and after: not added
    ("29932288", "Prior to (n\u00a0=\u00a096) and 1 year after (n\u00a0=\u00a073) proton therapy, parents of children diagnosed with Cp", 96),
    # a share of the treated patients: not added
    ("29174221", "With the limit of a lower number of treated patients (n\u00a0= 359), brigatinib resulted as the most frequently "
                 "involved in lung toxicity (7%; n\u00a0= 25).", 359),
    # "in 75 cases of cholangiocarcinoma" is the material studied, not cases within it
    ("8735716", "The expression of blood group-related antigens was investigated immunohistochemically in 75 cases of "
                "cholangiocarcinoma (31 peripheral type and 44 hilar type).", 75),
]


@pytest.mark.parametrize("pmid,text,n", SUBSETS_AND_GROUPS, ids=[r[0] for r in SUBSETS_AND_GROUPS])
def test_subsets_events_and_groups(pmid, text, n):
    got = parse_participants(text)
    assert (got.n if got else None) == n, (pmid, got)
    if got:
        assert got.phrase in text


# Break-test 11 (issue 16): the pool before selection was shown as the sample.
SELECTED = [  # (PMID, text as printed in the abstract, participants)
    # identified, then a subset included: the included count is the study's
    ("17276801", "One hundred sixteen patients with PE were identified, and 77 of them (66%) were included in the study. "
                 "Thirty-three patients (42%) had elevated cTnI levels.", 77),
    # a total, then exclusions, confirmed by the two groups' sizes (77 + 126 = 221 - 14 - 4)
    ("21881325", "221 patients underwent CABG in our hospital from 2004 to 2007. 14 patients with preoperative AF and 4 patients "
                 "with concomitant valve surgery were excluded from this study. Patients were divided into two groups to examine "
                 "the influence of statins: those with preoperative statin therapy (Statin group, n = 77) and those without it "
                 "(Non-statin group, n = 126).", 203),
]


# Break test askbt (session 11): samples the evidence table missed or under-counted.
ASKBT = [  # (PMID, text as printed in the abstract, participants)
    ("24013712", "From January 2006 to December 2008, a retrospective analysis of 425 consecutive patients with ESCC was conducted.", 425),
    ("25503376", "We performed a retrospective review of 113 adult patients with OSA who underwent surgery (nasal or "
                 "uvulopalatopharyngoplasty [UPPP]). For nasal patients (n=62), only the serum LP(a) decreased (P<0.01).", 113),
    ("26471488", "Of 655 patients, 398 (60.8%) had BCS, whereas 226 (34.5%) underwent initial mastectomy.", 655),
    ("25043083", "A total of 20 failure cases of ACLR and 20 randomly selected controls were included in this retrospective study.", 40),
    ("12632437", "Seventy-five PSV cases and 273 controls (220 nonvasculitis, 19 secondary vasculitis, and 34 asthma controls) "
                 "were interviewed using a structured questionnaire.", 348),
    ("25274085", "548 female BRCA1 mutation carriers and 523 BRCA2 carriers were identified from the database.", 1071),
]


@pytest.mark.parametrize("pmid,text,n", SELECTED + ASKBT, ids=[r[0] for r in SELECTED + ASKBT])
def test_selected_sample_not_the_pool(pmid, text, n):
    got = parse_participants(text)
    assert got is not None and got.n == n, (pmid, got)
    assert got.phrase in text


def test_screening_count_gives_way_to_the_inclusion_count():
    text = "Two hundred patients were screened for eligibility, and 120 patients were randomized."
    assert parse_participants(text).n == 120
    assert parse_participants("Two hundred patients were screened.").n == 200  # the only count stated
    # exclusions the group sizes do not confirm are not subtracted
    assert parse_participants("221 patients underwent CABG. 14 patients were excluded.").n == 221


def test_decision_model_base_case_is_no_participant():
    """PMID 12805495: a Markov decision analysis whose base case is "a 69-year-old man" showed N = 1."""
    model = ("We used a Markov state transition decision model stratified by location of hemorrhage. "
             "The base case focused on a 69-year-old man with a history of ICH.")
    assert parse_participants(model) is None
    assert parse_participants("A 52-year-old woman underwent a craniotomy.").n == 1  # a case report still counts one


def test_denominator_only_at_sentence_start():
    """"Of N patients," opens a results sentence; "3 of 89 patients" inside one is an event count."""
    assert parse_participants("Mortality was 12% at 30 days and 3 of 89 patients had a recurrence.") is None
    assert parse_participants("Of the 40 participants, the mean slope was 4.1 degrees.").n == 40
