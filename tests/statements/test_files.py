"""File names of statements (spec section 9): the payee id with characters outside
`A-Za-z0-9._-` replaced by `_`, a short hash where two would collide, and `_<P>`."""

from __future__ import annotations

import hashlib

import pytest

from compengine.statements.files import statement_file_names


def short(payee_id: str) -> str:
    return hashlib.sha256(payee_id.encode()).hexdigest()[:8]


def test_a_safe_id_is_kept_and_the_period_and_format_are_appended():
    names = statement_file_names(["ann.lee-2", "Bo_B"], "2027-07", "pdf")

    assert names == {"ann.lee-2": "ann.lee-2_2027-07.pdf", "Bo_B": "Bo_B_2027-07.pdf"}


def test_characters_outside_the_safe_set_become_underscores_one_each():
    names = statement_file_names(["ann lee/é€", "../etc"], "2027-07", "html")

    assert names == {"ann lee/é€": "ann_lee____2027-07.html", "../etc": ".._etc_2027-07.html"}


def test_ids_that_would_share_a_name_each_get_a_short_hash_of_their_own_id():
    names = statement_file_names(["ann/lee", "ann_lee", "bob"], "2027-07", "pdf")

    assert names == {
        "ann/lee": f"ann_lee_{short('ann/lee')}_2027-07.pdf",
        "ann_lee": f"ann_lee_{short('ann_lee')}_2027-07.pdf",
        "bob": "bob_2027-07.pdf",
    }


def test_names_differing_only_in_case_collide_as_on_a_case_insensitive_file_system():
    names = statement_file_names(["Ann", "ann"], "2027-07", "pdf")

    assert names == {
        "Ann": f"Ann_{short('Ann')}_2027-07.pdf",
        "ann": f"ann_{short('ann')}_2027-07.pdf",
    }


def test_the_names_do_not_depend_on_the_order_of_the_ids():
    ids = ["z", "a/b", "a_b", "a.b"]

    assert statement_file_names(ids, "2027-07", "pdf") == statement_file_names(
        list(reversed(ids)), "2027-07", "pdf"
    )


def test_a_name_of_a_200_character_id_fits_a_file_system_name():
    names = statement_file_names(["€" * 200, "_" * 200], "2027-07", "html")

    assert all(len(name.encode()) <= 255 for name in names.values())
    assert len(set(names.values())) == 2


def test_an_unknown_format_is_a_bug_of_the_caller():
    with pytest.raises(ValueError, match="unknown statement format 'docx'"):
        statement_file_names(["a"], "2027-07", "docx")
