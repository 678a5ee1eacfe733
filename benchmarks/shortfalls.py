"""BENCHMARKS.md's "Targets not met": for each, why (from this run's figures) and what would meet it."""

from __future__ import annotations

from benchmarks.harness import Run
from benchmarks.stats import jb_exec, med, ours_exec, runs_of, seconds, values


def _executed(results: list[Run], case: str) -> tuple[list[str], list[str]]:
    """The chapters one run of ``case`` executed: of the release built, and of the one before it."""
    run = next(iter(runs_of(results, case).values()), None)
    names = run.executed if run else []
    return [n for n in names if "@" not in n], [n for n in names if "@" in n]


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def explain(name: str, results: list[Run], facts: dict) -> str | None:
    """A paragraph on why target ``name`` was not met and what would meet it (None: nothing to add)."""
    if name.startswith("Clean build"):
        own, previous = _executed(results, "clean")
        jb = next(iter(runs_of(results, "jb_force").values()), None)
        return (
            f"Our clean build executes {len(own)} chapters of the default release and {len(previous)} of the "
            "release before it, for the page on what changed; Jupyter Book executes "
            f"{len(jb.executed) if jb else '–'} and builds no such page. Execution alone took "
            f"{_fmt(med(values(results, 'clean', ours_exec)))} for ours against "
            f"{_fmt(med(values(results, 'jb_force', jb_exec)))} summed over Jupyter Book's notebooks, so per notebook "
            "ours is cheaper, but it runs twice as many. Chapters whose reads are the same in both releases are "
            "executed once and adopted (the key no longer holds the release's name), but every chapter links its "
            "numbers to the claims table, which changed between the two releases, so none is shared here. What "
            "would meet it: a clean build that does not execute the previous release, i.e. a committed record of "
            "its executions (which this benchmark strips, as it strips ours), or a page on what changed built "
            "from the data alone, without the glued numbers."
        )
    if name.startswith("Code edit"):
        own, previous = _executed(results, "edit")
        run = next(iter(runs_of(results, "edit").values()), None)
        html = run.html_seconds if run else None
        return (
            f"Our code edit executed {', '.join(own + previous) or 'nothing'}: the chapter for the default "
            "release and again for the release before it (both in one pool, one per core), then compared the "
            "glued numbers of both for the page on what changed (the data comparison is cached by the data), "
            f"and rebuilt the HTML incrementally ({_fmt(html)} of the {_fmt(med(values(results, 'edit', seconds)))}). "
            "Jupyter Book executes the one notebook and re-reads one page. What would meet it: a kernel started "
            "before it is needed (a warm pool, saving each execution its kernel start-up, not measured here), "
            "and publishing the edited page before the previous release's execution and the changes page are "
            "brought up to date."
        )
    if name.startswith("`make preview`"):
        return (
            "A prose edit in preview runs the same incremental build as `make book`: no kernel, the page "
            "re-read by Sphinx, the site published by one rename, then the browser reloads; Sphinx starts afresh "
            "for each save. What would meet it: one Sphinx application kept alive between saves (neither our "
            "preview nor sphinx-autobuild does that)."
        )
    if name.startswith("`make test`"):
        return (
            "`make test` re-executes every chapter under nbval, builds several scratch books end to end (with "
            "Sphinx), kills builds at four points, clones the repository, and drives a real browser over every "
            "page and the PDF. On 2 cores these alone take minutes. What would meet it: sharing one built "
            "scratch book between more of the build tests, at the cost of tests that depend on each other."
        )
    if name.startswith("New release"):
        return (
            "Chapters that read the changed table, or that show the release's name through `release.version` "
            "rather than the mark `release.label`, or read the whole descriptor, are executed; see the list."
        )
    return None


def shortfalls(rows: list[tuple[str, str, bool | None]], results: list[Run], facts: dict) -> list[str]:
    """The section's lines: one paragraph per target not met."""
    out = []
    for name, _what, met in rows:
        if met is False:
            text = explain(name, results, facts)
            out.append(f"- **{name}.** {text or 'Not met; see the figures above.'}")
    return out or ["Every target was met in this run."]
