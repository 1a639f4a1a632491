"""A quote that names a candidate only among a study's exclusion criteria, or that is the bare
name, is no support for it (session 11, dxbt: 'Exclusion criteria were … spontaneous bacterial
peritonitis …' and 'Hepatorenal syndrome.' were cited as support)."""

import pytest

from medcite.clinical.quote_choice import names_as_support
from medcite.clinical.terms import normalize

SBP = [normalize("spontaneous bacterial peritonitis")]


@pytest.mark.parametrize("sentence", [
    "Exclusion criteria were refractory ascites, cancer, spontaneous bacterial peritonitis and variceal bleeding.",
    "Patients with spontaneous bacterial peritonitis were excluded from the analysis.",
    "Spontaneous bacterial peritonitis.",
])
def test_not_support(sentence):
    assert not names_as_support(sentence, SBP)


def test_a_sentence_about_the_condition_is_support():
    assert names_as_support("Spontaneous bacterial peritonitis presents with fever and abdominal pain in cirrhosis.", SBP)
