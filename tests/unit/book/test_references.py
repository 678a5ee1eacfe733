"""Citations as text for works only later releases hold (quantities.references)."""

from __future__ import annotations

from analysis.book import quantities

BIB = """
@misc{inspect2021, author = {{HM Inspectorate}}, title = {Bulletin}, year = {2021}}
@misc{inspect2021b, author = {{HM Inspectorate}}, title = {Press release}, year = {2021}}
@misc{smith2020, author = {Smith, A. and Jones, B.}, title = {Two}, year = {2020}}
@misc{lee2019, author = {Lee, C. and Park, D. and Kim, E.}, title = {Three}, year = {2019}}
"""


def test_one_author_s_works_of_a_year_get_letters_in_key_order():
    assert quantities.cite_text(BIB, "inspect2021") == "(HM Inspectorate, 2021a)"
    assert quantities.cite_text(BIB, "inspect2021b", narrative=True) == "HM Inspectorate (2021b)"


def test_authors_are_named_as_the_style_names_them():
    assert quantities.cite_text(BIB, "smith2020") == "(Smith and Jones, 2020)"
    assert quantities.cite_text(BIB, "lee2019", narrative=True) == "Lee et al. (2019)"


def test_a_work_the_bibliography_lacks_says_so():
    assert quantities.cite_text(BIB, "absent2022") == quantities.NOT_IN_BIBLIOGRAPHY
