"""Every figure of the book, from the registry (``figures.FIGURES``), built from the real data release.

The house rules run over every registered figure and every variant the book shows: titled, both
axes titled, alt text and a caption, inputs that are tables of the release, only the house palette,
the same spec and the same offline HTML on every build. A test checks that every public function of
the figures package is registered, so a new figure cannot skip the rules. What each chart shows is
checked against the tables independently of the figure code (here and in test_figures_context.py).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pytest
from support.specs import assert_described, assert_palette_only, assert_positions_titled, records

from analysis.book import figures
from analysis.book.charts import MISSING_COLOUR, PALETTE, Figure, figure_html
from analysis.book.figures import FIGURES
from analysis.data.release import load_release

ALLOWED_COLOURS = {c.lower() for c in PALETTE} | {MISSING_COLOUR.lower()}
# (figure, variant): every build the registry names.
CASES = [(name, variant) for name, entry in FIGURES.items() for variant in range(len(entry.variants))]


@pytest.fixture(scope="module")
def release():
    return load_release()


def build(release, name: str, variant: int = 0) -> Figure:
    return FIGURES[name].build(release.table, variant)


def test_every_public_function_of_the_figures_package_is_registered():
    package = figures.__name__
    found = {}
    for info in pkgutil.iter_modules(figures.__path__):
        module = importlib.import_module(f"{package}.{info.name}")
        for name, obj in inspect.getmembers(module, inspect.isfunction):
            if obj.__module__ == module.__name__ and not name.startswith("_") and info.name != "registry":
                found[name] = obj
    assert found, "no figure functions found in the package's modules"
    unregistered = sorted(n for n, function in found.items() if n not in FIGURES or FIGURES[n].function is not function)
    assert not unregistered, f"figure functions without @figure(...): {unregistered}"
    assert set(figures.__all__) - {"FIGURES"} == set(FIGURES)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_figure_is_described_and_titled(release, name, variant):
    assert_described(build(release, name, variant), release)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_a_figure_names_exactly_the_tables_it_is_built_from(release, name, variant):
    assert set(build(release, name, variant).inputs) == set(FIGURES[name].tables)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_every_positional_channel_has_a_title(release, name, variant):
    assert_positions_titled(build(release, name, variant).spec())


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_only_palette_colours(release, name, variant):
    assert_palette_only(build(release, name, variant).spec(), ALLOWED_COLOURS)


@pytest.mark.parametrize(("name", "variant"), CASES)
def test_the_same_figure_and_offline_html_on_every_build(release, name, variant):
    first, again = build(release, name, variant), build(release, name, variant)
    assert first.spec() == again.spec()
    html = figure_html(first.spec(), first.alt_text, first.caption, detail=first.detail)
    assert html == figure_html(again.spec(), again.alt_text, again.caption, detail=again.detail)
    web = re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)
    assert not web, f"the figure's HTML loads from the web: {web}"


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
    rows = records(build(release, "theme_codes", FIGURES["theme_codes"].variants.index((theme_id,))).spec())
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
