"""Author-date citations in round brackets, and 2014a/2014b for same-author same-year works.

The style and the year letters come from ``analysis.sphinx_ext.citations`` (a Sphinx extension
listed in ``_config.yml``); the rendered pages are checked in ``tests/browser/test_browser.py``.
"""

from __future__ import annotations

import pybtex.database
import yaml
from sphinxcontrib.bibtex.plugin import find_plugin

from analysis import paths
from analysis.data.release import load_release
from analysis.sphinx_ext import citations as sphinx_citations


def _entries(text: str):
    return pybtex.database.parse_string(text, "bibtex").entries


TWO_SAME = """
@misc{a1, author = {{Ministry of Justice}}, title = {First}, year = {2014}}
@misc{a2, author = {{Ministry of Justice}}, title = {Second}, year = {2014}}
@misc{b1, author = {{Ministry of Justice}}, title = {Other year}, year = {2013}}
@article{c1, author = {Robinson, G.}, title = {Alone}, year = {2014}}
"""


def test_same_author_same_year_get_letters_in_file_order():
    entries = _entries(TWO_SAME)
    changed = sphinx_citations.disambiguate_years(entries)
    assert changed == {"a1": "2014a", "a2": "2014b"}
    assert entries["b1"].fields["year"] == "2013" and entries["c1"].fields["year"] == "2014"
    # Running again (a cached bibliography) changes nothing.
    assert sphinx_citations.disambiguate_years(entries) == changed
    assert [entries[k].fields["year"] for k in ("a1", "a2")] == ["2014a", "2014b"]


def test_every_work_of_the_release_gets_a_label_of_its_own():
    entries = _entries(load_release().text("references"))
    sphinx_citations.disambiguate_years(entries)
    labels = [(sphinx_citations._who(e), e.fields.get("year", "")) for e in entries.values()]
    assert len(labels) == len(set(labels))
    # The article's own labels: MoJ 2014a (charities) and 2014b (the new law); two inspectorate works of 2021.
    assert entries["moj2014a"].fields["year"].endswith("a") and entries["moj2014b"].fields["year"].endswith("b")
    assert entries["hmiprobation2021"].fields["year"] != entries["hmiprobation2021b"].fields["year"]


def test_the_round_style_is_registered_and_chosen():
    style = find_plugin("sphinxcontrib.bibtex.style.referencing", sphinx_citations.STYLE_NAME)()
    for bracket in (style.bracket_parenthetical, style.bracket_textual):
        assert (bracket.left, bracket.right) == ("(", ")")
        assert bracket.sep.strip() == ";"
    config = yaml.safe_load((paths.CHAPTERS.parent / "_config.yml").read_text(encoding="utf-8"))
    assert "analysis.sphinx_ext.citations" in config["sphinx"]["extra_extensions"]
    assert config["sphinx"]["config"]["bibtex_reference_style"] == sphinx_citations.STYLE_NAME


def test_every_key_the_chapters_cite_is_in_every_release():
    """The chapters build from every release (nitpicky): a key only a later release has must be glued, not cited."""
    import re

    from analysis.data.release import available_releases

    cited = set()
    for path in sorted(paths.CHAPTERS.glob("*.ipynb")):
        for role in re.findall(r"\{cite:\w+\}`([^`]+)`", path.read_text(encoding="utf-8")):
            cited |= {re.sub(r"\{[^}]*\}", "", key).strip() for key in role.split(",")}  # {pre}key{post}
    assert cited
    for version in available_releases():
        keys = set(_entries(load_release(version).text("references")))
        assert cited - keys == set(), version
