"""Statement file names (spec section 9): safe characters, one file per payee."""

from compengine.statements.files import statement_file_names


def test_unsafe_characters_become_underscores():
    assert statement_file_names(["ae1", "Zoë O'Neil/EU"], "2027-07", "pdf") == {
        "ae1": "ae1_2027-07.pdf",
        "Zoë O'Neil/EU": "Zo__O_Neil_EU_2027-07.pdf",
    }


def test_ids_that_would_share_a_name_get_a_short_hash():
    names = statement_file_names(["a/b", "a?b", "A_B", "c"], "2027-07", "html")
    assert names["c"] == "c_2027-07.html"
    colliding = [names["a/b"], names["a?b"], names["A_B"]]
    assert len({n.casefold() for n in colliding}) == 3
    assert all(
        n.endswith("_2027-07.html") and len(n) == len("a_b-12345678_2027-07.html")
        for n in colliding
    )
