"""The shared words: the source-cell format, read and written in one place."""

import pytest

from analysis.words import SourceCell, parse_source


def test_parse_source_splits_file_section_and_phrase():
    assert parse_source('a.txt § Findings — X: "one: "two""') == ("a.txt", "Findings — X", 'one: "two"')


@pytest.mark.parametrize(
    "bad",
    [
        "a.txt: no section",
        "no section sign",
        "a.txt § Section: phrase without quotes",
        'a.txt: "x"',
        ' § S: "x"',
        'a.txt § : "x"',
    ],
)
def test_other_shapes_are_not_source_cells(bad):
    with pytest.raises(ValueError):
        parse_source(bad)


def test_a_source_cell_reads_back_as_written():
    cell = SourceCell("a.txt", "Findings — A heading: with colon", 'a phrase with "quotes" inside')
    assert parse_source(str(cell)) == cell
