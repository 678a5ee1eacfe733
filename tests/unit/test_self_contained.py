"""The repository is enough: nothing the build or the tests run reads outside it (issue 11).

A reader who clones the book has no folders beside it, so every path the
package names must resolve inside the project, and no code may point past the
project root with a relative climb or a sibling folder's name.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from analysis import paths

# Spelled in pieces so that this file does not match its own patterns.
SIBLING = "sha" + "red"
OUTSIDE = re.compile(
    r"Path\([\"']\.\.|open\([\"']\.\./|/ *[\"']\.\.[\"']|"  # a file-system climb (site links may use ../)
    + rf"[\"']{SIBLING}[\"']|/{SIBLING}/|"  # the sibling folder of sources
    + r"parent\.parent\.parent|"  # three levels up from a module is outside the project
    + r"[\"']/work/"  # an absolute path on the developers' machine
)


def code_files() -> list[Path]:
    roots = [paths.ROOT / "analysis", paths.ROOT / "tests", paths.ROOT / "benchmarks"]
    files = [p for root in roots for p in root.rglob("*.py")]
    files += [paths.ROOT / "Makefile", paths.ROOT / ".ci" / "run", paths.ROOT / "_config.yml"]
    return sorted(files)


def code_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return path.read_text(encoding="utf-8")


def test_every_path_the_package_names_is_inside_the_project():
    named = {name: value for name, value in vars(paths).items() if isinstance(value, Path)}
    assert "SOURCES" in named and "DATA" in named
    for name, value in named.items():
        assert value.resolve().is_relative_to(paths.ROOT.resolve()), f"paths.{name} = {value} is outside the project"


def test_the_sources_are_in_the_repository_with_their_checksums():
    from analysis.data import sources

    assert paths.SOURCES.is_relative_to(paths.DATA)
    sources.verify_all()  # every listed file present and unaltered
    listed = set(sources.expected_hashes())
    present = {p.name for p in paths.SOURCES.iterdir() if p.is_file() and p.name != sources.SUMS}  # versions/: kept
    assert listed == present, "every file in data/sources is listed in SHA256SUMS, and only those"


def test_no_code_points_outside_the_project():
    offenders = []
    for path in code_files() + sorted(paths.CHAPTERS.glob("*.ipynb")):
        if path.name == Path(__file__).name:
            continue
        for number, line in enumerate(code_of(path).splitlines(), start=1):
            if OUTSIDE.search(line) and not line.lstrip().startswith("#"):
                offenders.append(f"{path.relative_to(paths.ROOT)}:{number}: {line.strip()}")
    assert offenders == []


def test_the_pattern_catches_what_it_is_for():
    """The scan above is only as good as its pattern: show it matches each way out."""
    for line in [
        'p = ROOT / ".." / "x"',
        "open('../data/x.csv')",
        'Path("../data")',
        f'ROOT.parent / "{SIBLING}"',
        "Path(__file__).parent.parent.parent",
        'Path("/work/main/data")',
    ]:
        assert OUTSIDE.search(line), line
    assert not OUTSIDE.search('FIGURES_HREF = "../" + FIGURES_DIR')  # a link within the site is fine
