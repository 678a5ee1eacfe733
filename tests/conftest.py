"""Shared pytest setup: mark each test by kind, and name a root cause first.

``analysis`` is imported as installed (``make`` installs the project editable).

When the committed record is stale, a frozen release was edited or a source
document changed, dozens of tests fail as a knock-on effect. The summary hook
below checks those three causes once, after the run, and prints them under
"Start here", so the one real failure is not buried in the others.
"""

from pathlib import Path

# Test modules by kind; every other test module is a unit test. Notebooks are nbval items.
BUILD_MODULES = {"test_build", "test_failures", "test_interruptions", "test_fresh_clone", "test_mutations",
                 "test_diff", "test_author_workflow"}
BROWSER_MODULES = {"test_browser", "test_pdf", "test_preview"}


def pytest_collection_modifyitems(config, items):
    """Mark each test unit, build, nbval or browser (see pyproject.toml), so none is left out."""
    import pytest

    for item in items:
        path = Path(str(item.fspath))
        if path.suffix == ".ipynb":
            kind = "nbval"
        elif path.stem in BROWSER_MODULES:
            kind = "browser"
        elif path.stem in BUILD_MODULES:
            kind = "build"
        else:
            kind = "unit"
        item.add_marker(getattr(pytest.mark, kind))


def root_causes() -> list[str]:
    """Problems that make many tests fail at once, each with what to do."""
    from analysis import paths
    from analysis.build import Project, stale_chapters
    from analysis.data import sources
    from analysis.releases.registry import check_frozen

    causes = [f"{p} (restore it; releases are immutable)" for p in check_frozen(paths.DATA)]
    try:
        sources.check()
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
