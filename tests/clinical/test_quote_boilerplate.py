"""Which sentence of a passage a differential quotes for a candidate (issue 15 item 4, session 11
helper quotes): a sentence naming the case's findings or the candidate's phenotype, then one
listing its symptoms, then its definition; boilerplate (an ontology list's preamble, unknown
incidence, how it is tested for, vaccines) only when nothing else of the passage names it, and
then shown as "[n] is about it", never as a quote."""

import pytest

from medcite.clinical.quote_choice import (choose_sentence, is_boilerplate, naming_sentences, quote_sentence, rank_support,
                                           sentence_kind, shown_quote)
from medcite.clinical.terms import normalize


BOILERPLATE = [
    "The Human Phenotype Ontology provides the following list of signs and symptoms for Alport syndrome.",
    "The exact incidence of hereditary angioedema is unknown.",
    "The prevalence of this condition is not known.",
    "Lyme disease is diagnosed by testing your blood.",
    "Adults traveling to endemic areas need a booster dose of typhoid vaccine.",
    "For more information about cystic fibrosis, contact the Genetic and Rare Diseases Information Center.",
    "Weekly influenza surveillance reports are published by the state.",
]
ABOUT_IT = [
    "Symptoms of measles include fever, cough, runny nose and a rash.",
    "Measles is a highly contagious viral infection.",
    "In a randomised clinical trial, influenza caused fever in 80% of adults.",
    "Patients with dengue often present with fever and headache.",
]


@pytest.mark.parametrize(("sentence", "expected"), [(s, True) for s in BOILERPLATE] + [(s, False) for s in ABOUT_IT])
def test_boilerplate_kinds(sentence, expected):
    assert is_boilerplate(sentence) is expected


def test_features_then_definition_then_other():
    forms = [normalize("measles")]
    assert sentence_kind("Symptoms of measles include fever and a rash.", forms) == 3
    assert sentence_kind("Measles is a highly contagious viral infection.", forms) == 2
    assert sentence_kind("Symptoms of measles vary from person to person.", forms) == 1
    assert sentence_kind("Many children catch measles at school.", forms) == 0
    naming = ["Many children catch measles at school.", "Measles is a highly contagious viral infection.",
              "Symptoms of measles vary from person to person.", "Symptoms of measles include a rash and red eyes."]
    # no case finding in any of them: the symptom list, then the definition
    assert quote_sentence(naming, ["Headache"], forms=forms) == naming[3]
    assert quote_sentence(naming[:3], ["Headache"], forms=forms) == naming[1]


def test_a_sentence_naming_the_case_findings_beats_a_definition():
    forms = [normalize("measles")]
    naming = ["Measles is a highly contagious viral infection.", "Children with measles have fever and cough."]
    assert quote_sentence(naming, ["Fever", "Cough"], forms=forms) == naming[1]


def test_phenotype_terms_break_a_tie_of_case_findings():
    naming = ["Measles is a highly contagious viral infection.", "Children with measles get Koplik spots."]
    hits = {naming[1]: 1}
    assert quote_sentence(naming, ["Fever"], lambda s: hits.get(s, 0), [normalize("measles")]) == naming[1]


def test_boilerplate_is_never_preferred_even_with_finding_words():
    naming = ["The Human Phenotype Ontology provides the following list of signs and symptoms for Fifth disease - Fever - Headache.",
              "Fifth disease is a viral infection caused by parvovirus B19."]
    assert quote_sentence(naming, ["Fever", "Headache"], forms=[normalize("fifth disease")]) == naming[1]


def test_only_boilerplate_names_it_then_the_citation_shows_no_quote():
    text = ("The fungi live in the soil of dry areas. If you have symptoms, they may include fever and cough. "
            "Valley Fever is diagnosed by testing your blood, other body fluids, or tissues.")
    naming = naming_sentences(text, "What is (are) Valley Fever ?", [normalize("valley fever")])
    quote = quote_sentence(naming, ["Fever", "Cough"], forms=[normalize("valley fever")])
    assert quote and quote in text  # the passage still supports it, from its own text
    assert shown_quote(quote) == ""  # ... shown as "[n] is about it", not as a boilerplate quote
    assert shown_quote("Valley Fever causes fever and cough.") == "Valley Fever causes fever and cough."


def test_passages_with_a_boilerplate_quote_are_cited_after_the_others():
    sup = [(0, "text", "Yellow fever vaccine is given as a booster dose."), (1, "focus", ""),
           (2, "text", "Yellow fever is a viral infection spread by mosquitoes.")]
    assert [i for i, _, _ in rank_support(sup, ["Headache"])] == [1, 2, 0]


def test_a_page_about_the_candidate_shows_its_findings_sentence_instead_of_boilerplate():
    text = ("Valley Fever is often mild, with no symptoms. If you have symptoms, they may include fever, cough and headache. "
            "Valley Fever is diagnosed by testing your blood, other body fluids, or tissues.")
    forms = [normalize("valley fever")]
    quote = "Valley Fever is diagnosed by testing your blood, other body fluids, or tissues."
    shown = shown_quote(quote, text, "What is (are) Valley Fever ?", forms, ["Fever", "Cough"])
    assert shown == "If you have symptoms, they may include fever, cough and headache."
    assert shown in text
    # a page about another condition, or no sentence naming a finding: no quote
    assert shown_quote(quote, text, "What is (are) Histoplasmosis ?", forms, ["Fever", "Cough"]) == ""
    assert shown_quote(quote, text, "What is (are) Valley Fever ?", forms, ["Hematuria"]) == ""


def test_a_page_about_the_candidate_shows_its_findings_sentence_over_a_bare_definition():
    text = "Fifth disease is a viral infection caused by parvovirus B19. Symptoms can include a low fever and a headache."
    forms = [normalize("fifth disease")]
    definition = "Fifth disease is a viral infection caused by parvovirus B19."
    assert shown_quote(definition, text, "What is (are) Fifth Disease ?", forms, ["Fever", "Headache"]) == \
        "Symptoms can include a low fever and a headache."
    # a quote that already names a finding stays; on a research abstract (no question title) the definition stays
    assert shown_quote(definition, text, "What is (are) Fifth Disease ?", forms, ["Viral infection"]) == definition
    assert shown_quote(definition, text, "Parvovirus B19 in children", forms, ["Fever", "Headache"]) == definition


def test_the_quote_shown_never_changes_what_is_matched():
    # matching reads the sentence naming the most findings (an ontology list does name them);
    # only the quote shown skips the boilerplate
    naming = ["The Human Phenotype Ontology provides the following list of signs and symptoms for Fifth disease - Fever - Headache.",
              "Fifth disease is a viral infection caused by parvovirus B19."]
    assert choose_sentence(naming, ["Fever", "Headache"]) == naming[0]
    assert quote_sentence(naming, ["Fever", "Headache"], forms=[normalize("fifth disease")]) == naming[1]
