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
