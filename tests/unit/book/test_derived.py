"""The book's own arithmetic, listed in the claims appendix instead of the running prose."""

from __future__ import annotations

import re

import pytest

from analysis import paths
from analysis.book import derived
from analysis.data.release import load_release


@pytest.fixture(scope="module")
def release():
    return load_release()


def test_each_derived_quantity_is_recomputed_from_its_inputs(release):
    table = derived.derived_arithmetic(release).set_index("quantity")
    figures = release.table("figures").set_index("figure_id")
    mh = table.loc[table.index.str.contains("mental health")].iloc[0]
    expected = 100 * figures.loc["mental_health_cohort_size", "value"] / figures.loc["caseload_case_study", "value"]
    assert mh["result"] == f"less than {expected:.2f}%"
    implied = table.loc[table.index.str.contains("implied by the rise")].iloc[0]
    end, rise = figures.loc["postrelease_caseload_2020", "value"], figures.loc["postrelease_rise_pct", "value"]
    central, low, high = (end / (1 + r / 100) for r in (rise, rise + 0.5, rise - 0.5))
    assert implied["result"] == f"{central:,.0f} ({low:,.0f} to {high:,.0f})"
    # Every row names its inputs and its caveat.
    assert table["computed from"].str.len().gt(10).all() and table["caveat"].str.len().gt(10).all()


def test_older_releases_list_only_what_they_can_compute():
    old, new = (derived.derived_arithmetic(load_release(v)) for v in ("1.0.0", load_release().version))
    assert set(old["quantity"]) < set(new["quantity"])
    assert not old["computed from"].str.contains("kirton_survey|community_sentences").any()


def test_the_derived_numbers_are_not_in_the_chapters_prose():
    """The appendix holds them; the running text of the study does not glue them."""
    for path in sorted(paths.CHAPTERS.glob("0[0-7]_*.ipynb")):
        text = path.read_text(encoding="utf-8")
        for name in (
            "mh_bound",
            "checkins_per_hour",
            "pr_implied_central",
            "pr_implied_range",
            "wi_headroom_pct",
            "kg_agree_gap",
            "cs_official_fall",
            "fieldwork_months",
        ):
            assert not re.search(rf"\{{glue(?::\w+)?\}}`{name}`", text), (path.name, name)
