"""Download links, descriptions and source parsing for the data appendix (analysis.book.downloads)."""

from __future__ import annotations

import html
import json
import re

import pandas as pd
import pytest

from analysis.book import downloads
from analysis.data.release import load_release


@pytest.fixture(scope="module")
def release():
    return load_release()


def test_links_point_where_the_build_puts_the_release(release):
    # Chapter pages sit in chapters/; the build copies data/<version>/ to the site root.
    assert downloads.href(release, "excerpts.csv") == f"../data/{release.label}/excerpts.csv"
    assert downloads.href(release, "a b.csv").endswith("/a%20b.csv")


def test_about_names_the_file_and_its_digest(release):
    block = downloads.about(release, "excerpts")
    page = block._repr_html_()
    path = release.file_path("excerpts")
    assert f'href="../data/{release.label}/{path.name}"' in page
    assert release.sha256("excerpts")[:12] in page
    assert f"{path.stat().st_size:,} bytes" in page
    assert html.escape(downloads.description(release, "excerpts")) in page
    assert "<" not in repr(block)


def test_about_escapes_the_description(release):
    descriptor = json.loads(json.dumps(release.descriptor))
    for resource in descriptor["resources"]:
        if resource["name"] == "excerpts":
            resource["description"] = '<script>alert("x")</script> & more'
    fake = type(release)(release.version, release.path, descriptor)
    page = downloads.about(fake, "excerpts")._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page and "&amp; more" in page


def test_file_links_list_every_file_of_the_release(release):
    page = downloads.file_links(release)._repr_html_()
    files = sorted(p.name for p in release.path.iterdir() if p.is_file() and not p.name.startswith("."))
    linked = re.findall(r'href="\.\./data/[^/]+/([^"]+)"', page)
    assert linked == files


def test_title_and_description_come_from_the_datapackage(release):
    resources = {r["name"]: r for r in release.descriptor["resources"]}
    for name in release.resource_names:
        assert downloads.title(release, name) == resources[name].get("title", name)
        assert downloads.description(release, name) == resources[name].get("description", "").strip()
    with pytest.raises(KeyError):
        downloads.title(release, "no_such_resource")


def test_table_names_are_the_tabular_resources(release):
    names = downloads.table_names(release)
    assert "references" not in names
    assert set(names) == {n for n in release.resource_names if release.is_table(n)}


def test_source_parts_split_the_convention():
    parts = downloads.source_parts(
        pd.Series(['file.txt § Findings — A heading: with colon: "a phrase with "quotes" inside"'])
    )
    row = parts.iloc[0]
    assert row["file"] == "file.txt"
    assert row["section"] == "Findings — A heading: with colon"
    assert row["phrase"] == 'a phrase with "quotes" inside'


def test_source_parts_reject_a_cell_of_another_shape():
    """The shapes themselves are tested with the format (tests/unit/test_words.py)."""
    with pytest.raises(ValueError):
        downloads.source_parts(pd.Series(['file.txt § Section: "fine"', "no section sign"]))


def test_every_source_cell_of_the_release_parses(release):
    tables = downloads.tables(release)
    expected = sum(len(frame) for frame in tables.values() if "source" in frame.columns)
    assert downloads.source_cell_count(tables) == expected


def test_source_examples_take_the_first_row_of_each_table(release):
    table = downloads.source_examples(release, ("sample", "figures"))
    assert list(table["table"]) == ["sample", "figures"]
    first = str(release.table("sample")["source"].iloc[0])
    assert str(table["phrase"].iloc[0]) in first
    assert first.startswith(str(table["file"].iloc[0]))


def test_other_resources_covers_what_the_appendix_does_not(release):
    block = downloads.other_resources(release, described=("excerpts",))
    page = block._repr_html_()
    for name in release.resource_names:
        if name != "excerpts":
            assert html.escape(downloads.title(release, name)) in page
    assert 'id="excerpt' not in page
    everything = downloads.other_resources(release, described=tuple(release.resource_names))
    assert "no resources beyond" in everything._repr_html_()


def test_qda_links_point_at_the_exports_the_build_writes(tmp_path):
    from analysis.releases import refiqda

    release = load_release()
    written = {p.name for p in refiqda.write_exports(release, tmp_path)}
    links = re.findall(r'href="\.\./data/([^/"]+)/([^"]+)"', downloads.qda_links(release).html)
    assert {version for version, _ in links} == {release.label}  # the build fills in the name
    assert {name for _, name in links} == written


def test_a_table_card_summarises_and_folds_away_the_rows():
    from analysis.book import downloads as dl
    from analysis.data.release import load_release

    release = load_release()
    for name in ("excerpts", "claims", "figures"):
        card = dl.table_card(release, name).html
        frame = release.table(name)
        assert f"<strong>Rows</strong>: {len(frame):,}" in card
        assert dl.href(release, release.file_path(name).name) in card
        assert card.count("<details") == 2 and "<details open" not in card  # schema and rows, both folded
        assert f'id="table-rows-{name.replace("_", "-")}"' in card and "treadmill-interactive" in card
        assert card == dl.table_card(release, name).html  # deterministic: nbval compares it
