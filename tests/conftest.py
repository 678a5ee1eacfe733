"""Shared pytest setup: mark each test by kind, and name a root cause first.

``analysis`` is imported as installed (``make`` installs the project editable).

When the committed record is stale, a frozen release was edited or a source
document changed, dozens of tests fail as a knock-on effect. The summary hook
below checks those three causes once, after the run, and prints them under
"Start here", so the one real failure is not buried in the others.
"""

from pathlib import Path

# Tests by kind, by folder (tests/<kind>/...); unit/ and book/ are unit tests. Notebooks are nbval items.
KIND_FOLDERS = {"build": "build", "browser": "browser", "unit": "unit", "book": "unit"}
TESTS = Path(__file__).resolve().parent


def kind_of(path: Path) -> str:
    """unit, build, nbval or browser (see pyproject.toml); a test outside the known folders is an error."""
    if path.suffix == ".ipynb":
        return "nbval"
    folder = path.resolve().relative_to(TESTS).parts[0]
    if folder not in KIND_FOLDERS:
        raise ValueError(f"{path}: tests live in tests/{{{','.join(KIND_FOLDERS)}}}/, not in tests/{folder}")
    return KIND_FOLDERS[folder]


def pytest_collection_modifyitems(config, items):
    """Mark each test unit, build, nbval or browser (see pyproject.toml), so none is left out."""
    import pytest

    for item in items:
        item.add_marker(getattr(pytest.mark, kind_of(Path(str(item.fspath)))))


def root_causes() -> list[str]:
    """Problems that make many tests fail at once, each with what to do."""
    from analysis import paths
    from analysis.build import Project, stale_chapters
    from analysis.data import sources
    from analysis.releases.registry import check_frozen

    causes = [f"{p} (restore it; releases are immutable)" for p in check_frozen(paths.DATA)]
    try:
        sources.verify_all()
    except sources.SourceError as err:
        causes.append(str(err))
    project = Project(paths.ROOT)
    stale = stale_chapters(project, project.default_release())
    if stale:
        causes.append(f"stale committed chapters: {', '.join(stale)} (run `make book` and commit them)")
    return causes


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if exitstatus == 0:
        return
    causes = root_causes()
    if causes:
        terminalreporter.section("Start here: these make many other tests fail", sep="=", red=True, bold=True)
        for cause in causes:
            terminalreporter.line(f"- {cause}")
