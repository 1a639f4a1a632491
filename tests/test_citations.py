from medcite.answer.citations import clean_markers, markers_in, references_for, renumber
from medcite.documents import Passage


def test_invalid_markers_are_removed_and_counted():
    r = clean_markers("A is true [1]. B is true [7]. C [0]. D [2, 9]. E [1-2].", 3)
    assert r.text == "A is true [1]. B is true. C. D [2]. E [1][2]."
    assert r.removed == 3
    assert r.cited == [1, 2]


def test_malformed_markers_are_removed():
    r = clean_markers("X [a]. Y [1.5]. Z []. W [see appendix for full details].", 2)
    assert "[a]" not in r.text and "[1.5]" not in r.text and "[]" not in r.text
    assert "[see appendix for full details]" in r.text
    assert r.removed == 3


def test_markers_in_and_renumber():
    assert markers_in("a [3][1] b [2, 3]") == [3, 1, 2]
    assert renumber("x [3] y [1]", [3, 1]) == "x [1] y [2]"


def test_references_come_from_passage_metadata():
    ps = [Passage(10, "PMID:5", "text five", "RESULTS", 0, 9, title="T5", pmid="5", year=2011, journal="J"),
          Passage(11, "PMID:6", "text six", "", 0, 8, title="", pmid="6")]
    refs = references_for(ps, [2, 1])
    assert [r.n for r in refs] == [1, 2]
    assert refs[0].pmid == "6" and refs[0].url == "https://pubmed.ncbi.nlm.nih.gov/6/"
    assert refs[0].title.startswith("text six")
    assert refs[1].title == "T5" and refs[1].year == 2011
