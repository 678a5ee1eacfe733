"""Two ways to publish a wrong number, refused (issue 21, items 1 and 2).

1. A row whose value its own source phrase does not state.
2. A claim that was checked, silenced (check 'none', a looser qualifier or tolerance, removed)
   in the draft, with nothing in the changelog saying why.

The scenario of the issue is reproduced on a draft made from the default release in a scratch
copy of ``data/``: a count changed, its claim's check set to 'none' with a note, the row's
source phrase left as it was. Which row and which claim are found from the data (the first
claim that checks one row of a table the row check reads), not written here.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.chores import draft_of_default, quiet
from support.scenario import change_value, checked_row, rows, silence, write_rows

from analysis import claims, paths
from analysis.claims.register import unstated
from analysis.claims.row_sources import REGISTER, _undeclared, row_problems
from analysis.claims.silenced import weakened
from analysis.data.release import available_releases, load_release
from analysis.releases import guards
from analysis.releases import registry as rel
from analysis.releases.registry import ReleaseError

DRAFT = "9.0.0"


@pytest.fixture
def data_dir(tmp_path) -> Path:
    """data/ copied to tmp, with a draft made from the frozen default release."""
    return draft_of_default(tmp_path / "data", DRAFT)


def problems_of(data_dir: Path) -> list[str]:
    return row_problems(load_release(DRAFT, data_dir), data_dir / "sources")


# --- 1. every row agrees with its own source -------------------------------------------------


def test_every_number_beside_a_source_phrase_is_read_by_the_row_check():
    """A new table with a value column and source phrases cannot slip past: every number column is accounted for."""
    for version in available_releases(paths.DATA):
        release = load_release(version)
        for name in release.resource_names:
            if name != REGISTER and release.is_table(name) and "source" in release.table(name).columns:
                assert _undeclared(release, name, release.table(name)) == [], (version, name)


def test_a_row_whose_value_its_phrase_does_not_state_is_named_by_file_row_and_column(data_dir):
    folder = data_dir / DRAFT
    _, table, path, number, column = checked_row(folder)
    before = problems_of(data_dir)
    old = change_value(path, number, column)
    rel.rehash_release(DRAFT, data_dir, echo=quiet)
    new = [p for p in problems_of(data_dir) if p not in before]
    assert len(new) == 1, new
    assert new[0].startswith(f"file {path.name}, row {number}, column {column}: ")
    assert f"{int(float(old)) + 63:,}" in new[0]


def test_a_hedge_the_phrase_does_not_word_is_named_in_the_qualifier_column(data_dir):
    folder = data_dir / DRAFT
    records = rows(folder / "figures.csv")
    number = next(i for i, r in enumerate(records, start=2) if r["qualifier"] == "exact" and "over" not in r["source"])
    records[number - 2]["qualifier"] = "over"
    write_rows(folder / "figures.csv", records)
    rel.rehash_release(DRAFT, data_dir, echo=quiet)
    assert any(
        p.startswith(f"file figures.csv, row {number}, column qualifier: ") and "no wording for 'over'" in p
        for p in problems_of(data_dir)
    )


def test_a_phrase_may_state_minutes_in_hours_and_must_word_its_hedge():
    assert unstated("I used to see everyone for an hour.", 60, scales=(1.0, 1 / 60)) == []
    assert unstated("I used to see everyone for an hour.", 60) != []
    assert unstated("2,000 practitioners interviewed", 2000, qualifier="almost") == [
        "the source phrase has no wording for 'almost'"
    ]
    assert unstated("of almost 2,000 practitioners", 2000, qualifier="almost") == []


# --- 2. a claim that was checked cannot be silenced quietly --------------------------------------


def claims_of(version: str):
    return load_release(version).table("claims")


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        ("check", "none", "was set to 'none'"),
        ("check", "excerpt_verbatim", "does not fail on the value"),
        ("tolerance", 1000.0, "now accepts"),
        ("qualifier", "at least", "now accepts"),
    ],
)
def test_weakening_a_checked_claim_is_found(column, value, why):
    old = claims_of(paths.default_release())
    index = old.index[(old["qualifier"] == "exact") & old["check"].str.startswith("value:")][0]
    new = old.copy()
    new[column] = new[column].astype(object)
    new.loc[index, column] = value
    if column == "check" and value == "excerpt_verbatim":
        new.loc[index, ["published_value", "qualifier", "unit"]] = None
    found = weakened(old, new)
    assert list(found) == [old.loc[index, "claim_id"]] and why in found[old.loc[index, "claim_id"]]


def test_a_removed_claim_is_found_and_an_unchanged_or_tightened_one_is_not():
    old = claims_of(paths.default_release())
    assert weakened(old, old) == {}
    removed = old.iloc[1:]
    assert weakened(old, removed) == {old.iloc[0]["claim_id"]: "it was removed"}
    about = old.index[old["qualifier"] == "about"][0]
    tightened = old.copy()
    tightened.loc[about, "qualifier"] = "exact"
    tightened.loc[about, "tolerance"] = 0.0
    assert weakened(old, tightened) == {}


# --- the scenario: both checks refuse it, each on its own -----------------------------------


def test_the_silenced_claim_scenario_is_refused_by_each_check_and_by_freeze(data_dir):
    folder = data_dir / DRAFT
    claim_id, table, path, number, column = checked_row(folder)
    change_value(path, number, column)
    rel.rehash_release(DRAFT, data_dir, echo=quiet)
    rows_only = [p for p in problems_of(data_dir) if p.startswith(f"file {path.name}, row {number},")]
    assert rows_only and guards.silenced_problems(DRAFT, data_dir) == []  # item 1 alone catches the row
    silence(folder, claim_id)
    rel.rehash_release(DRAFT, data_dir, echo=quiet)
    claims.verified_register(load_release(DRAFT, data_dir), data_dir / "sources")  # every claim now "passes"
    silenced = guards.silenced_problems(DRAFT, data_dir)
    assert len(silenced) == 1 and silenced[0].startswith(f"claim {claim_id}: its check ")  # item 2, on its own
    problems = guards.publishable_problems(DRAFT, data_dir)
    assert rows_only[0] in problems and silenced[0] in problems
    with pytest.raises(ReleaseError) as refused:
        rel.freeze_release(DRAFT, data_dir, echo=quiet)
    assert rows_only[0] in str(refused.value) and silenced[0] in str(refused.value)
    assert DRAFT not in rel.read_registry(data_dir)["frozen"]


def test_a_silenced_claim_passes_only_when_the_changelog_names_it_and_says_why(data_dir):
    folder = data_dir / DRAFT
    claim_id = checked_row(folder)[0]
    silence(folder, claim_id)
    rel.rehash_release(DRAFT, data_dir, echo=quiet)
    changelog = data_dir / "CHANGELOG.md"
    base = changelog.read_text(encoding="utf-8")
    changelog.write_text(base + f"\n## {DRAFT}\n\n- {claim_id}.\n", encoding="utf-8")
    assert guards.silenced_problems(DRAFT, data_dir) != []  # named, but no reason given
    reason = f"- {claim_id} is no longer checked: the table it was checked against was withdrawn pending review.\n"
    changelog.write_text(base + f"\n## {DRAFT}\n\n{reason}", encoding="utf-8")
    assert guards.silenced_problems(DRAFT, data_dir) == []
