"""The book's figures for chapters 00-04, built from the real data release.

Each figure must be titled, have titled axes, alt text and a caption, name only
tables of the release as inputs, and use only the house palette. Counts shown in
the charts are checked against the tables independently of the figure code.
"""

from __future__ import annotations

import pytest
from support.specs import assert_described, assert_palette_only, assert_positions_titled, records

from analysis.book import figures
from analysis.book.charts import MISSING_COLOUR, PALETTE, Figure
from analysis.data.release import load_release

ALLOWED_COLOURS = {c.lower() for c in PALETTE} | {MISSING_COLOUR.lower()}


@pytest.fixture(scope="module")
def release():
    return load_release()


def build(release, name: str) -> Figure:
    t = release.table
    makers = {
        "national_context": lambda: figures.national_context(t("figures")),
        "sample_composition": lambda: figures.sample_composition(t("sample")),
        "quoted_vs_interviewed": lambda: figures.quoted_vs_interviewed(t("sample"), t("excerpts")),
        "cohort_model": lambda: figures.cohort_model(t("cohorts"), t("figures")),
        "appointment_models": lambda: figures.appointment_models(t("appointment_models")),
        "theme_codes_T1": lambda: figures.theme_codes(t("codes"), t("coding"), "T1"),
        "theme_codes_T2": lambda: figures.theme_codes(t("codes"), t("coding"), "T2"),
        "theme_codes_T3": lambda: figures.theme_codes(t("codes"), t("coding"), "T3"),
        "codes_by_role": lambda: figures.codes_by_role(t("codes"), t("coding"), t("excerpts")),
        "codes_by_role_T3": lambda: figures.codes_by_role(t("codes"), t("coding"), t("excerpts"), "T3"),
    }
    return makers[name]()


NAMES = [
    "national_context",
    "sample_composition",
    "quoted_vs_interviewed",
    "cohort_model",
    "appointment_models",
    "theme_codes_T1",
    "theme_codes_T2",
    "theme_codes_T3",
    "codes_by_role",
    "codes_by_role_T3",
]


@pytest.mark.parametrize("name", NAMES)
def test_figure_is_described_and_titled(release, name):
    assert_described(build(release, name), release)


@pytest.mark.parametrize("name", NAMES)
def test_every_positional_channel_has_a_title(release, name):
    assert_positions_titled(build(release, name).spec())


@pytest.mark.parametrize("name", NAMES)
def test_only_palette_colours(release, name):
    assert_palette_only(build(release, name).spec(), ALLOWED_COLOURS)


def test_cohort_model_gives_unreported_cohorts_no_number(release):
    cohorts = release.table("cohorts")
    spec = build(release, "cohort_model").spec()
    rows = records(spec)
    unreported = {str(n) for n, r in zip(cohorts["name"], cohorts["size_reported"], strict=True) if not r}
    assert unreported, "the release has cohorts without a reported size"
    seen = set()
    for row in rows:
        if any(str(row.get("cohort", "")).startswith(name) for name in unreported):
            seen.add(row["cohort"])
            numeric = {k: v for k, v in row.items() if isinstance(v, int | float) and not isinstance(v, bool)}
            assert numeric == {}, row
            assert "not reported" in row["as_reported"]
    assert len(seen) == len(unreported)
    reported = [r for r in rows if r.get("share_pct") is not None]
    assert len(reported) == int(cohorts["size_reported"].sum())


def test_quoted_vs_interviewed_counts_match_the_tables(release):
    sample, excerpts = release.table("sample"), release.table("excerpts")
    rows = records(build(release, "quoted_vs_interviewed").spec())
    quoted = {r["group"]: r["count"] for r in rows if r["measure"] == "Excerpts quoted"}
    interviewed = {r["group"]: r["count"] for r in rows if r["measure"] == "Participants interviewed"}
    assert sum(quoted.values()) == len(excerpts)
    roles = sample[sample["dimension"] == "role"]
    assert sum(interviewed.values()) == int(roles["count"].sum())
    assert quoted["Probation officer"] == int((excerpts["speaker_role"] == "Probation officer").sum())
    assert quoted["Third-sector practitioner"] == 0
    assert any("assumed" in group for group in quoted), "the assumed mapping is labelled on the chart"


def test_sample_composition_shows_each_dimension_not_a_cross_tab(release):
    sample = release.table("sample")
    rows = records(build(release, "sample_composition").spec())
    expected = sample[sample["dimension"].isin(["role", "gender", "experience"])]
    assert len(rows) == len(expected)
    assert sum(r["participants"] for r in rows) == int(expected["count"].sum())


@pytest.mark.parametrize("theme_id", ["T1", "T2", "T3"])
def test_theme_codes_total_matches_coding(release, theme_id):
    codes, coding = release.table("codes"), release.table("coding")
    categories = set(codes.loc[codes["parent_id"] == theme_id, "code_id"])
    open_codes = set(codes.loc[codes["parent_id"].isin(categories), "code_id"])
    rows = records(build(release, f"theme_codes_{theme_id}").spec())
    assert len(rows) == len(open_codes)
    assert sum(r["codings"] for r in rows) == int(coding["code_id"].isin(open_codes).sum())


def test_codes_by_role_covers_every_coding_once(release):
    coding = release.table("coding")
    rows = records(build(release, "codes_by_role").spec())
    assert sum(r["codings"] for r in rows) == len(coding)
    roles = set(release.table("excerpts")["speaker_role"])
    assert {r["role"] for r in rows} == roles


def test_national_context_labels_carry_qualifiers(release):
    figures_table = release.table("figures")
    rows = records(build(release, "national_context").spec())
    estimated = figures_table.loc[figures_table["qualifier"] == "estimated", "figure_id"]
    assert "crc_cases" in set(estimated)
    labels = [r["as_stated"] for r in rows]
    assert any(label.startswith("an estimated") for label in labels)


def test_appointment_models_show_every_model(release):
    table = release.table("appointment_models")
    rows = records(build(release, "appointment_models").spec())
    assert sorted(r["minutes"] for r in rows) == sorted(int(m) for m in table["minutes"])
