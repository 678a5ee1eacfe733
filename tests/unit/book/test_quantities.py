"""Tests of the number functions on tiny hand-made tables (not the real release).

Expectations are written out by hand from the toy tables below, so a wrong
lookup, sum, qualifier or mapping makes a test fail.
"""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.book import quantities
from analysis.book.quantities.reported import qualifier_words
from analysis.data.release import available_releases, load_release


def figures_table(*rows) -> pd.DataFrame:
    columns = ["figure_id", "value", "value_high", "unit", "qualifier", "as_of"]
    frame = pd.DataFrame.from_records(rows, columns=columns)
    frame["value"] = frame["value"].astype("Float64")
    frame["value_high"] = frame["value_high"].astype("Float64")
    for column in ("figure_id", "unit", "qualifier", "as_of"):
        frame[column] = frame[column].astype("string")
    return frame


FIGURES = figures_table(
    ("big", 123456.0, None, "people", "estimated", None),
    ("share", 33.0, None, "percent", "about", None),
    ("few", 7.0, None, "people", "less than", None),
    ("brief", 1.0, None, "weeks", "less than", None),
    ("span", 10.0, 25.0, "minutes", "range", None),
    ("long", 3.0, None, "years", "over", None),
    ("plain", 2.0, None, "count", "exact", None),
    ("when", 1999.0, None, "year", "exact", None),
    ("plan", 2031.0, None, "year", "estimated", None),
    ("visits", 3.0, None, "months", "exact", "2001-11/2002-01"),
    ("summer", 3.0, None, "months", "exact", "2010-06/2010-08"),
    ("whole", 400.0, None, "people", "about", None),
    ("part", 6.0, None, "people", "less than", None),
    ("exactpart", 100.0, None, "people", "exact", None),
    ("over_part", 6.0, None, "people", "over", None),
    ("pct_whole", 50.0, None, "percent", "exact", None),
)


@pytest.mark.parametrize(
    ("figure_id", "expected"),
    [
        ("big", "an estimated 123,456 people"),
        ("share", "about 33%"),
        ("few", "fewer than 7 people"),
        ("brief", "less than 1 week"),
        ("span", "10–25 minutes"),
        ("long", "over 3 years"),
        ("plain", "2"),
        ("when", "1999"),
        ("plan", "2031 (estimated)"),
    ],
)
def test_figure_phrase_reads_qualifier_value_and_unit(figure_id, expected):
    assert quantities.figure_phrase(FIGURES, figure_id) == expected


def test_figure_phrase_can_drop_the_unit_but_keeps_a_percent_sign():
    assert quantities.figure_phrase(FIGURES, "big", with_unit=False) == "an estimated 123,456"
    assert quantities.figure_phrase(FIGURES, "share", with_unit=False) == "about 33%"


def test_figure_phrase_noun_replaces_the_unit_word():
    assert quantities.figure_phrase(FIGURES, "big", noun="more prisoners") == "an estimated 123,456 more prisoners"
    assert quantities.figure_phrase(FIGURES, "share", noun="ignored") == "about 33%"


def test_figure_value_is_a_plain_number_and_unknown_ids_fail():
    assert quantities.figure_value(FIGURES, "big") == 123456
    assert isinstance(quantities.figure_value(FIGURES, "big"), int)
    with pytest.raises(KeyError):
        quantities.figure_value(FIGURES, "missing")


def test_unknown_qualifier_is_refused():
    odd = figures_table(("x", 1.0, None, "people", "roughly", None))
    with pytest.raises(ValueError):
        quantities.figure_phrase(odd, "x")


@pytest.mark.parametrize("version", available_releases())
def test_every_qualifier_the_schema_allows_has_wording(version):
    """The qualifiers are each release's schema enum (figures, cohorts); the prose words each one."""
    descriptor = load_release(version).descriptor
    fields = {(r["name"], f["name"]): f for r in descriptor["resources"] for f in r.get("schema", {}).get("fields", [])}
    allowed = set(fields["figures", "qualifier"]["constraints"]["enum"])
    allowed |= set(fields["cohorts", "size_qualifier"]["constraints"]["enum"])
    for qualifier in allowed - {"range"}:  # a range is written "60–70", with no words before it
        for unit in ("people", "percent"):
            words = qualifier_words(qualifier, unit)
            assert (words == "") == (qualifier == "exact"), (qualifier, words)


def test_period_phrases():
    assert quantities.figure_period(FIGURES, "summer") == "June to August 2010"
    assert quantities.figure_period(FIGURES, "visits") == "November 2001 to January 2002"
    assert quantities.period_phrase("2015-03-31") == "31 March 2015"
    assert quantities.period_phrase("2015-03-31/2020-03-31") == "31 March 2015 to 31 March 2020"
    assert quantities.figure_year(FIGURES, "visits") == 2002
    with pytest.raises(ValueError):
        quantities.figure_period(FIGURES, "big")


def test_in_words():
    assert [quantities.in_words(n) for n in (0, 9, 20, 21, 1500)] == ["zero", "nine", "twenty", "21", "1,500"]


SAMPLE = pd.DataFrame(
    {
        "dimension": pd.array(["interviews", "role", "role", "role", "gender", "gender"], dtype="string"),
        "category": pd.array(["this paper", "Officer", "Manager", "Helper", "female", "male"], dtype="string"),
        "count": pd.array([6, 3, 2, 1, 4, 2], dtype="Int64"),
    }
)


def test_sample_count_and_total():
    assert quantities.sample_count(SAMPLE, "role", "Manager") == 2
    assert quantities.sample_total(SAMPLE, "role") == 6
    assert quantities.sample_total(SAMPLE, "gender") == 6
    with pytest.raises(KeyError):
        quantities.sample_count(SAMPLE, "role", "Judge")
    with pytest.raises(KeyError):
        quantities.sample_total(SAMPLE, "age")


EXCERPTS = pd.DataFrame(
    {
        "excerpt_id": pd.array(["X3", "X1", "X2", "X4"], dtype="string"),
        "theme_id": pd.array(["T2", "T1", "T1", "T2"], dtype="string"),
        "position": pd.array([3, 1, 2, 4], dtype="Int64"),
        "speaker_role": pd.array(
            ["Probation officer", "CRC business manager", "Probation officer", "CRC partnership manager"],
            dtype="string",
        ),
    }
)


def test_excerpt_ids_and_counts_follow_article_order():
    assert quantities.excerpt_ids(EXCERPTS) == ["X1", "X2", "X3", "X4"]
    assert quantities.excerpt_ids(EXCERPTS, "T2") == ["X3", "X4"]
    assert quantities.excerpt_count(EXCERPTS) == 4
    assert quantities.excerpt_count(EXCERPTS, "T1") == 2
    assert quantities.excerpt_count(EXCERPTS, "T9") == 0
    assert quantities.excerpt_count_by_role(EXCERPTS, "Probation officer") == 2


def test_excerpt_attribute_count_counts_stated_values_only():
    frame = pd.DataFrame({"gender": pd.array(["female", None, "male", "female"], dtype="string")})
    assert quantities.excerpt_attribute_count(frame, "gender") == 3
    assert quantities.excerpt_attribute_count(frame, "gender", "female") == 2
    assert quantities.excerpt_attribute_count(frame, "gender", "other") == 0


def test_role_group_maps_managers_by_assumption_and_refuses_unknown_roles():
    assert quantities.role_group("CRC partnership manager") == "Middle manager"
    assert quantities.role_group("Probation officer") == "Probation officer"
    assert quantities.ASSUMED_ROLE_GROUPS == {"CRC business manager", "CRC partnership manager"}
    with pytest.raises(KeyError):
        quantities.role_group("Judge")


def test_quoted_vs_interviewed_counts_excerpts_per_group():
    sample = pd.DataFrame(
        {
            "dimension": pd.array(["role"] * 3, dtype="string"),
            "category": pd.array(["Probation officer", "Third-sector practitioner", "Middle manager"], dtype="string"),
            "count": pd.array([1, 2, 2], dtype="Int64"),
        }
    )
    table = quantities.quoted_vs_interviewed_counts(sample, EXCERPTS)
    assert list(table["role_group"]) == ["Probation officer", "Third-sector practitioner", "Middle manager"]
    assert list(table["interviewed"]) == [1, 2, 2]
    assert list(table["excerpts_quoted"]) == [2, 0, 2]
    assert list(table["assumed"]) == [False, False, True]
    assert quantities.roles_not_quoted(sample, EXCERPTS) == ["Third-sector practitioner"]


def test_quoted_vs_interviewed_refuses_a_group_missing_from_the_sample():
    sample = SAMPLE  # has no "Probation officer" or "Middle manager" role
    with pytest.raises(KeyError):
        quantities.quoted_vs_interviewed_counts(sample, EXCERPTS)


CODES = pd.DataFrame(
    {
        "code_id": pd.array(["T1", "T2", "K1", "K2", "K3", "O1", "O2", "O3", "O4"], dtype="string"),
        "level": pd.array([3, 3, 2, 2, 2, 1, 1, 1, 1], dtype="Int64"),
        "parent_id": pd.array([None, None, "T1", "T1", "T2", "K1", "K2", "K2", "K3"], dtype="string"),
        "name": pd.array(["Th1", "Th2", "Cat1", "Cat2", "Cat3", "a", "b", "c", "d"], dtype="string"),
    }
)
CODING = pd.DataFrame(
    {
        "excerpt_id": pd.array(["X1", "X2", "X2", "X3", "X4", "X3"], dtype="string"),
        "code_id": pd.array(["O1", "O1", "O2", "O2", "O4", "O4"], dtype="string"),
    }
)


def test_open_codes_and_counts_per_theme():
    assert list(quantities.open_codes(CODES, "T1")["code_id"]) == ["O1", "O2", "O3"]
    assert list(quantities.open_codes(CODES, "T1")["category_name"]) == ["Cat1", "Cat2", "Cat2"]
    assert quantities.open_code_count(CODES) == 4
    assert quantities.open_code_count(CODES, "T2") == 1
    assert quantities.category_count(CODES, "T1") == 2
    assert quantities.category_count(CODES) == 3


def test_theme_code_counts_includes_uncoded_codes_and_lists_excerpts():
    table = quantities.theme_code_counts(CODES, CODING, "T1")
    assert list(table["code_id"]) == ["O1", "O2", "O3"]
    assert list(table["codings"]) == [2, 2, 0]
    assert list(table["excerpts"]) == ["X1, X2", "X2, X3", ""]
    assert list(table["category_id"]) == ["K1", "K2", "K2"]


def test_coding_and_cross_theme_counts():
    assert quantities.coding_count(CODES, CODING) == 6
    assert quantities.coding_count(CODES, CODING, "T1") == 4
    assert quantities.coding_count(CODES, CODING, "T2") == 2
    # T1 codes on X3 (a T2 excerpt): one; T2 codes on T1 excerpts: none.
    assert quantities.cross_theme_coding_count(CODES, CODING, EXCERPTS, "T1") == 1
    assert quantities.cross_theme_coding_count(CODES, CODING, EXCERPTS, "T2") == 0


def test_codes_by_role_is_a_full_grid_that_sums_to_the_codings():
    grid = quantities.codes_by_role_counts(CODES, CODING, EXCERPTS)
    assert len(grid) == 3 * 3  # three roles speak, three categories
    assert grid["codings"].sum() == len(CODING)
    cell = grid[(grid["speaker_role"] == "Probation officer") & (grid["category_id"] == "K2")]
    assert int(cell["codings"].iloc[0]) == 2  # X2-O2 and X3-O2
    cell = grid[(grid["speaker_role"] == "CRC partnership manager") & (grid["category_id"] == "K3")]
    assert int(cell["codings"].iloc[0]) == 1
    only_t2 = quantities.codes_by_role_counts(CODES, CODING, EXCERPTS, "T2")
    assert set(only_t2["category_id"]) == {"K3"}
    assert only_t2["codings"].sum() == 2


COHORTS = pd.DataFrame(
    {
        "cohort_id": pd.array(["C2", "C1", "C3"], dtype="string"),
        "position": pd.array([2, 1, 3], dtype="Int64"),
        "name": pd.array(["Big", "Unknown", "Small"], dtype="string"),
        "age_range": pd.array(["20–30", None, None], dtype="string"),
        "size_reported": pd.array([True, False, True], dtype="boolean"),
        "size_value": pd.array([60.0, None, 6.0], dtype="Float64"),
        "size_unit": pd.array(["percent of caseload", None, "people"], dtype="string"),
        "size_qualifier": pd.array(["about", None, "less than"], dtype="string"),
    }
)


def test_cohort_counts_and_phrases():
    assert quantities.cohort_count(COHORTS) == 3
    assert quantities.unreported_cohort_count(COHORTS) == 1
    assert quantities.cohort_size_phrase(COHORTS, "C2") == "about 60% of all service users"
    assert quantities.cohort_size_phrase(COHORTS, "C3") == "fewer than 6 people"
    assert quantities.cohort_size_phrase(COHORTS, "C1") == "not reported"


def test_cohort_shares_never_estimate_an_unreported_size():
    table = quantities.cohort_shares(COHORTS, FIGURES, caseload_id="whole")
    assert list(table["cohort_id"]) == ["C1", "C2", "C3"]
    assert list(table["label"]) == ["Unknown", "Big (20–30)", "Small"]
    assert pd.isna(table["share_pct"].iloc[0])
    assert list(table["share_kind"]) == ["not reported", "reported estimate", "derived upper bound"]
    assert table["share_pct"].iloc[1] == 60
    assert table["share_pct"].iloc[2] == pytest.approx(100 * 6 / 400)


def test_share_upper_bound():
    assert quantities.share_upper_bound_pct(FIGURES, "part", "whole") == pytest.approx(1.5)
    assert quantities.share_upper_bound_pct(FIGURES, "exactpart", "whole") == pytest.approx(25)
    with pytest.raises(ValueError):
        quantities.share_upper_bound_pct(FIGURES, "over_part", "whole")  # "over" is no upper bound
    with pytest.raises(ValueError):
        quantities.share_upper_bound_pct(FIGURES, "part", "pct_whole")  # people vs percent


APPOINTMENTS = pd.DataFrame(
    {
        "model_id": pd.array(["A", "B"], dtype="string"),
        "minutes": pd.array([50, 20], dtype="Int64"),
    }
)


def test_appointment_minutes_and_how_many_fit():
    assert quantities.appointment_minutes(APPOINTMENTS, "B") == 20
    assert quantities.appointments_per(APPOINTMENTS, "A", "B") == 2
    with pytest.raises(KeyError):
        quantities.appointment_minutes(APPOINTMENTS, "Z")
