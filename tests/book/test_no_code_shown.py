"""Readers see no code (issue 20, item 1): code input is hidden by default, and the parameters cells are removed.

The browser tests check the built pages; these check the settings and the committed record that make them so.
"""

from __future__ import annotations

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_notebook

from analysis import paths
from analysis.build.execute import hide_injected
from analysis.build.keys import INJECTED_TAG

ROOT = paths.ROOT
CHAPTERS = sorted(paths.CHAPTERS.glob("*.ipynb"))


def test_code_input_is_hidden_unless_a_cell_asks_to_show_it():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"]["nb_remove_code_source"] is True


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_the_parameters_cells_are_removed_from_the_page(path):
    nb = nbformat.read(path, as_version=4)
    tagged = [c.metadata.get("tags", []) for c in nb.cells if c.cell_type == "code"]
    parameters = [t for t in tagged if "parameters" in t or INJECTED_TAG in t]
    assert len(parameters) == 2, "a chapter has its parameters cell and papermill's injected one"
    assert all("remove-cell" in t for t in parameters)


def test_the_build_tags_papermills_injected_cell_remove_cell_once():
    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": [INJECTED_TAG]}), new_code_cell("y = 2")])
    hide_injected(nb)
    hide_injected(nb)
    assert nb.cells[0].metadata["tags"] == [INJECTED_TAG, "remove-cell"]
    assert "tags" not in nb.cells[1].metadata
