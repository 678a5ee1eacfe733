"""BENCHMARKS.md's "Targets not met": for each, why (from this run's figures) and what would meet it."""

from __future__ import annotations

from benchmarks.harness import Run
from benchmarks.stats import cpu, jb_exec, med, ours_exec, runs_of, seconds, values
from benchmarks.targets import executed


def _fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} s"


def _first(results: list[Run], case: str) -> Run | None:
    return next(iter(runs_of(results, case).values()), None)


def _split(results: list[Run], ours: str, jb: str) -> str:
    """Where the time went in one pair: execution and HTML, ours against Jupyter Book's."""
    mine, theirs = _first(results, ours), _first(results, jb)
    html = mine.html_seconds if mine else None
    return (
        f"ours took {_fmt(med(values(results, ours, seconds)))}: {_fmt(med(values(results, ours, ours_exec)))} "
        f"before the HTML step (start-up, freshness check, executions, staging) and the HTML step {_fmt(html)}; "
        "Jupyter Book took "
        f"{_fmt(med(values(results, jb, seconds)))}, of which executing notebooks "
        f"{_fmt(med(values(results, jb, jb_exec)))} ({len(theirs.executed) if theirs else '–'} executed)"
    )


def explain(name: str, results: list[Run], facts: dict) -> str | None:
    """A paragraph on why target ``name`` was not met and what would meet it (None: nothing to add)."""
    if name.startswith("Clean build"):
        run = _first(results, "clean")
        return (
            f"Our clean build executed {len(run.executed) if run else '–'} chapters of the default release "
            f"(no older release: those are read from their committed editions); {_split(results, 'clean', 'jb_cold')}. "
            "Ours also stages and publishes what Jupyter Book's build does not make (the page on what changed, "
            "downloads, static copies of every figure, the REFI-QDA exports). What would meet it: a cheaper "
            "execution per chapter (a warm kernel pool: each papermill run starts a kernel and imports the "
            "package afresh), and the extras built from caches keyed by their inputs."
        )
    if name.startswith("Prose edit"):
        return (
            f"{_split(results, 'prose', 'jb_prose')}. No kernel is started by either; the difference is the fixed "
            "cost of our build: a new Python process, the freshness check of every chapter (keys over code and "
            "data), staging, a new Sphinx process loading its environment, and copying the site for an atomic "
            "switch. What would meet it: the warm path of `make preview` (one Sphinx application kept alive) "
            "cannot outlive `make book`'s process; what is left is cutting those fixed costs, or publishing "
            "from a long-lived build daemon."
        )
    if name.startswith("Code edit"):
        got = executed(facts, "edit")
        return (
            f"Our code edit executed {', '.join(got) or 'nothing'}; {_split(results, 'edit', 'jb_edit')}. "
            "What would meet it: a kernel started before it is needed (a warm pool, saving each execution "
            "its start-up and imports), and publishing the edited page before the extras are brought up to date."
            + ("" if got == [facts.get("edit_chapter")] else " More than the edited chapter ran: see the keys.")
        )
    if name.startswith("One figure function"):
        figure = facts.get("figure", {})
        got = executed(facts, "figure")
        extra = sorted(set(got) - set(figure.get("users", [])))
        return (
            f"Editing `{figure.get('function')}` executed {len(got)} chapters, {len(extra)} of which do not use it "
            f"({', '.join(extra) or 'none'}). That is what a key over every module a chapter's imports reach "
            "does (keys before issue 22, item 3): any change to such a module re-executes the chapter. What would "
            "meet it: keys as fine as the code that ran (per-function or per-module keys, or the functions a "
            "kernel recorded running); with those merged, a chapter listed here is a soundness question to check."
        )
    if name.startswith("Reformat"):
        return (
            f"Re-wrapping the package executed {len(executed(facts, 'reformat'))} chapters and putting it back "
            f"{len(executed(facts, 'unformat'))}; undoing the code edit executed {len(executed(facts, 'undo'))}. "
            "Keys over the files' bytes, with one execution kept per chapter, behave this way. What would meet it: "
            "keys over a normalised syntax tree (a re-wrap or a comment then changes nothing) and a "
            "content-addressed cache of executions, several per chapter (issue 22, items 3 and 4), so an undo "
            "finds its outputs."
        )
    if name.startswith("Preview"):
        ours, theirs = facts.get("preview_seconds") or [], facts.get("autobuild_seconds") or []
        return (
            f"`make preview` served a prose save in {_fmt(med(ours))} (median), `sphinx-autobuild` in "
            f"{_fmt(med(theirs))}. Ours keeps one Sphinx application alive and rebuilds the changed page in it "
            "(its terminal prints the time per step: check, stage, Sphinx, publish); sphinx-autobuild starts "
            "`sphinx-build` afresh for each save. What is left on our side is Sphinx re-reading the page and "
            "rewriting the pages that depend on it, and the load of the machine: the figures come from a 2-core "
            "machine shared with other work."
        )
    if name.startswith("No-op"):
        run = _first(results, "noop")
        return (
            f"A no-op `make book` took {_fmt(med(values(results, 'noop', seconds)))} wall and "
            f"{_fmt(med(values(results, 'noop', cpu)))} CPU at a load of {run.load:.1f} when it started; "
            f"it executed {len(run.executed)} chapters and reused {len(run.reused)}. Finding nothing to do "
            "still costs a Python start-up, the build's imports, the key of every chapter (code, imported "
            "modules, data read) and the HTML inputs key. What would meet it: a quieter machine first (the "
            "figure is wall time), then fewer imports before the keys are known and keys served from a "
            "cache of file stats instead of hashed again."
            if run
            else None
        )
    if name.startswith("`make test`"):
        return (
            "`make test` re-executes every chapter under nbval, builds several scratch books end to end (with "
            "Sphinx), kills builds at four points, clones the repository, and drives a real browser over every "
            "page and the PDF. On 2 cores these alone take minutes. What would meet it: sharing one built "
            "scratch book between more of the build tests, at the cost of tests that depend on each other."
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
