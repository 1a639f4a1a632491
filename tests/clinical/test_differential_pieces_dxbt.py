"""Text pieces that no finding covers are literature queries and shown as "unexplained": a piece
that negates something or reports a normal examination is neither (session 11, dxbt)."""

from medcite.clinical.differential import _uncovered_pieces


def _pieces(text: str) -> list[str]:
    return _uncovered_pieces(text, [], "en")


def test_negation_inside_a_piece_is_not_a_finding():
    assert _pieces("He has no medical history and takes no medications.") == []


def test_normal_examination_pieces_are_not_findings():
    got = _pieces("Pupils equal and reactive. Plantar responses flexor. Postural reflexes preserved.")
    assert got == []


def test_an_unrecognised_abnormal_piece_is_kept():
    assert _pieces("The testis lies high in the scrotum with a horizontal lie.") != []


def test_a_condition_the_case_states_absent_is_set_aside():
    from types import SimpleNamespace

    from medcite.clinical.candidate_filter import STATED_ABSENT, split_open
    from medcite.clinical.findings import CaseFindings, Finding

    text = "Sudden testicular pain. No inguinal hernia."
    pain = Finding("HP:0033839", "Testicular pain", "testicular pain", 7, 22, "present", "symptom", None, "hpo-name")
    hernia = Finding("HP:0000023", "Inguinal hernia", "inguinal hernia", 27, 42, "negated", "sign", None, "hpo-name")
    case = CaseFindings(text, (pain, hernia), 14, "male", "en")
    entries = [SimpleNamespace(key="MESH:Hernia, Inguinal", name="Inguinal Hernia", given=None, kb=None, score=0.5),
               SimpleNamespace(key="CRITERIA:testicular-torsion", name="Testicular torsion", given=None, kb=None, score=0.4)]
    kept, aside = split_open(entries, case, [pain], lambda e: {e.name.lower()})
    assert [e.name for e in kept] == ["Testicular torsion"]
    assert [(a["condition"], a["reason"]) for a in aside] == [("Inguinal Hernia", STATED_ABSENT)]


def test_spanish_and_chinese_history_cues():
    from medcite.clinical.candidate_filter import known_history
    from medcite.clinical.findings import extract_findings

    es = extract_findings("Varón de 55 años con cirrosis hepática y ascitis conocida, que acude por fiebre.")
    zh = extract_findings("男，60岁，既往肝硬化病史5年，发热、腹痛2天。")
    assert "cirrhosis" in known_history(es)
    assert "cirrhosis" in known_history(zh)
    assert "abdominal pain" not in known_history(zh)
