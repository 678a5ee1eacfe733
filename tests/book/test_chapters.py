"""The chapter notebooks follow the book's rules (see docs/CONVENTIONS.md).

These read the committed notebooks; nbval (run by the same `make test`)
separately re-executes them and compares every output.
"""

from __future__ import annotations

import re

import nbformat
import pytest

from analysis import paths
from analysis.data.release import load_release

CHAPTERS = sorted(paths.CHAPTERS.glob("*.ipynb"))
# Which chapter shows the excerpts of each findings theme.
THEME_CHAPTER = {
    "T1": "02_innovation_harms",
    "T2": "03_retraction",
    "T3": "04_old_school_values",
    "T4": "05_treadmill",
}
# Digits allowed in prose: names that contain a year, not numbers the book states.
ALLOWED_DIGITS = [
    r"Offender Rehabilitation Act 2014",  # the statute's name
    r"ORA 2014",  # its usual short name
]
# MyST constructs whose contents are not prose: roles ({cite:t}`key`,
# {glue:text}`name`), inline code, code fences and directive option lines.
NOT_PROSE = [
    r"```.*?```",
    r"\{[\w:-]+\}`[^`]*`",
    r"`[^`]*`",
    r"^:[\w-]+:.*$",
    r"\(#?[\w./-]+\)",  # link targets
]


def notebook(path):
    return nbformat.read(path, as_version=4)


def prose(text: str) -> str:
    for pattern in NOT_PROSE:
        text = re.sub(pattern, " ", text, flags=re.DOTALL | re.MULTILINE)
    for allowed in ALLOWED_DIGITS:
        text = text.replace(allowed, " ")
    return text


def test_prose_filter_keeps_digits_that_are_prose():
    assert re.search(r"\d", prose("There were 35 interviews."))
    assert not re.search(r"\d", prose("There were {glue:text}`n` interviews {cite:p}`mcneill2018`."))
    assert not re.search(r"\d", prose("The ORA 2014 changed this."))


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_unglued_digits_in_prose(path):
    offending = []
    for cell in notebook(path).cells:
        if cell.cell_type == "markdown":
            for line in prose(cell.source).splitlines():
                if re.search(r"\d", line):
                    offending.append(line.strip())
    assert offending == [], f"{path.name}: glue these numbers instead of typing them: {offending}"


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapter_opens_with_title_imports_parameters(path):
    cells = notebook(path).cells
    assert cells[0].cell_type == "markdown" and cells[0].source.startswith("# ")
    assert cells[1].cell_type == "code"
    assert all(line.startswith(("import ", "from ")) for line in cells[1].source.splitlines() if line.strip()), (
        "the second cell holds imports only"
    )
    assert "parameters" in cells[2].metadata.get("tags", []), "the third cell is the parameters cell"
    assert re.search(r"^data_version = ", cells[2].source, re.MULTILINE)


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_chapters_call_functions_and_never_define_them(path):
    for cell in notebook(path).cells:
        if cell.cell_type == "code":
            assert not re.search(r"^\s*(def|class|lambda)\b", cell.source, re.MULTILINE), cell.source
            assert "../" not in cell.source, "paths come from analysis.paths"


def shown_excerpts(path) -> set[str]:
    """Excerpt ids whose rendered quote is among the chapter's stored outputs."""
    found = set()
    for cell in notebook(path).cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            found |= set(re.findall(r'id="excerpt-(E\d+)"', html))
    return found


def test_every_excerpt_appears_in_its_theme_chapter_and_only_there():
    excerpts = load_release().table("excerpts")
    where = {path.stem: shown_excerpts(path) for path in CHAPTERS}
    for row in excerpts.itertuples():
        chapters = sorted(stem for stem, ids in where.items() if row.excerpt_id in ids)
        assert chapters == [THEME_CHAPTER[row.theme_id]], (
            f"excerpt {row.excerpt_id} (theme {row.theme_id}) is shown in {chapters}"
        )


@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.stem)
def test_no_errors_or_warnings_in_stored_outputs(path):
    """allow_errors is false in spirit too: a warning printed by a chapter is a defect."""
    for cell in notebook(path).cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"{path.name}: {output.get('ename')}"
            if output.output_type == "stream":
                assert output.name != "stderr", f"{path.name}: {output.text[:200]}"
