"""Issue 22's targets, each met or not from one run's figures (the rows of BENCHMARKS.md's "Targets")."""

from __future__ import annotations

from benchmarks.harness import Run
from benchmarks.stats import cpu, med, pair_ratios, runs_of, seconds, values

# Ratios measured side by side in one run (ours / Jupyter Book), and their moonshots.
TARGET_CLEAN, MOONSHOT_CLEAN = 0.8, 0.6  # / `jupyter-book build .` with an empty cache
TARGET_PROSE, MOONSHOT_PROSE = 1.0, 0.7  # / `jupyter-book build .`, and no kernel started
TARGET_CODE, MOONSHOT_CODE = 1.0, 0.8  # / `jupyter-book build .`, and one execution
TARGET_PREVIEW_SECONDS, MOONSHOT_PREVIEW_SECONDS = 1.5, 1.0  # save to served page, prose edit
TARGET_PREVIEW_RATIO = 0.5  # / sphinx-autobuild over the same Jupyter Book project
TARGET_NOOP_SECONDS = 1.0
TARGET_TEST_SECONDS = 180

Row = tuple[str, str, bool | None]


def executed(facts: dict, case: str) -> list[str]:
    """Every chapter ``case`` executed, over its runs."""
    return sorted({s for run in facts.get(f"{case}_runs", []) for s in run["ours_executed"]})


def _ratios(results: list[Run], ours: str, jb: str) -> tuple[float | None, str]:
    """The median wall ratio, and the text: wall and CPU ratios per pair."""
    wall, spent = pair_ratios(results, ours, jb), pair_ratios(results, ours, jb, cpu, cpu)
    if not wall:
        return None, "not measured"
    text = f"ours / JB = {med(wall):.2f} wall (per pair: {', '.join(f'{x:.2f}' for x in wall)})"
    if spent:
        text += f", {med(spent):.2f} CPU (per pair: {', '.join(f'{x:.2f}' for x in spent)})"
    return med(wall), text


def _moon(ratio: float | None, moonshot: float) -> str:
    return "" if ratio is None else f"; moonshot {moonshot} {'reached' if ratio <= moonshot else 'not reached'}"


def _ratio_row(results: list[Run], name: str, ours: str, jb: str, limit: float, moonshot: float, extra: str, ok: bool):
    ratio, text = _ratios(results, ours, jb)
    met = None if ratio is None else (ratio <= limit and ok)
    return (name, text + extra + _moon(ratio, moonshot), met)


def targets(results: list[Run], facts: dict, total: float | None) -> list[Row]:
    """Issue 22's targets table, each met, not met, or not measured, with the figures behind it."""
    stem = facts.get("edit_chapter", "")
    prose, code = executed(facts, "prose"), executed(facts, "edit")
    rows: list[Row] = [
        _ratio_row(
            results,
            f"Clean build / `jupyter-book build .` with an empty cache ≤ {TARGET_CLEAN}",
            "clean",
            "jb_cold",
            TARGET_CLEAN,
            MOONSHOT_CLEAN,
            f"; ours executed {len(_clean_executed(results))} chapters",
            True,
        ),
        _ratio_row(
            results,
            f"Prose edit, then `make book` / `jupyter-book build .` ≤ {TARGET_PROSE}, no kernel",
            "prose",
            "jb_prose",
            TARGET_PROSE,
            MOONSHOT_PROSE,
            f"; chapters executed by ours: {', '.join(prose) or 'none'}",
            not prose,
        ),
        _ratio_row(
            results,
            f"Code edit to one chapter / `jupyter-book build .` ≤ {TARGET_CODE}, one execution",
            "edit",
            "jb_edit",
            TARGET_CODE,
            MOONSHOT_CODE,
            f"; chapters executed by ours: {', '.join(code) or 'none'}",
            code == [stem],
        ),
    ]
    figure = facts.get("figure")
    if figure:
        got = executed(facts, "figure")
        rows.append(
            (
                "One figure function edited: only the chapters that use it are executed",
                f"edited `{figure['function']}` in `{figure['module']}`; chapters that use it: "
                f"{', '.join(figure['users']) or 'none'}; executed: {', '.join(got) or 'none'} ({len(got)})",
                set(got) <= set(figure["users"]) and bool(got) == bool(figure["users"]),
            )
        )
    else:
        rows.append(("One figure function edited", "not measured", None))
    if facts.get("reformat_runs"):
        counts = {case: executed(facts, case) for case in ("reformat", "unformat", "undo")}
        rows.append(
            (
                "Reformat of the package, or undo of an edit: nothing executed",
                f"re-wrapped {facts.get('reformatted_files', '?')} modules (same syntax trees): executed "
                f"{len(counts['reformat'])}; the re-wrap undone: {len(counts['unformat'])}; the code edit undone: "
                f"{len(counts['undo'])}",
                not any(counts.values()),
            )
        )
    else:
        rows.append(("Reformat of the package, or undo of an edit", "not measured", None))
    rows.append(_preview_row(facts))
    noop = med(values(results, "noop", seconds))
    rows.append(
        (
            f"No-op `make book` ≤ {TARGET_NOOP_SECONDS:.0f} s",
            "not measured" if noop is None else f"{noop:.2f} s",
            None if noop is None else noop <= TARGET_NOOP_SECONDS,
        )
    )
    rows.append(_test_row(results))
    peak = max(values(results, "clean", lambda r: r.peak_tree_mb), default=None)
    if peak is not None:
        rows.append(("Peak memory of a clean build (reported)", f"{peak:.0f} MB summed over the process tree", True))
    if total is not None:
        rows.append(("`make bench` itself (reported)", f"{total / 60:.1f} min", True))
    return rows


def _clean_executed(results: list[Run]) -> list[str]:
    run = next(iter(runs_of(results, "clean").values()), None)
    return run.executed if run else []


def _preview_row(facts: dict) -> Row:
    ours, theirs = facts.get("preview_seconds") or [], facts.get("autobuild_seconds") or []
    name = (
        f"Preview: save to page, prose edit ≤ {TARGET_PREVIEW_SECONDS} s, and / `sphinx-autobuild` "
        f"≤ {TARGET_PREVIEW_RATIO}"
    )
    if not ours:
        return (name, "not measured", None)
    mine = med(ours)
    text = f"`make preview` {mine:.2f} s (saves: {', '.join(f'{t:.2f}' for t in ours)})"
    ratio = None
    if theirs:
        ratio = mine / med(theirs)
        text += f"; `sphinx-autobuild` {med(theirs):.2f} s (saves: {', '.join(f'{t:.2f}' for t in theirs)})"
        text += f"; ratio {ratio:.2f}"
    text += (
        f"; moonshot {MOONSHOT_PREVIEW_SECONDS:g} s {'reached' if mine <= MOONSHOT_PREVIEW_SECONDS else 'not reached'}"
    )
    met = mine <= TARGET_PREVIEW_SECONDS and ratio is not None and ratio <= TARGET_PREVIEW_RATIO
    return (name, text, met)


def _test_row(results: list[Run]) -> Row:
    tests = runs_of(results, "test")
    name = f"`make test`, whole, on 2 cores ≤ {TARGET_TEST_SECONDS} s"
    if not tests:
        return (name, "not measured (--skip-test)", None)
    worst = max(t.seconds for t in tests.values())
    passed = all(t.ok for t in tests.values())
    failures = sorted({f for t in tests.values() for f in t.failed})
    state = "passed" if passed else "FAILED: " + ", ".join(failures)
    return (
        name,
        f"timed in this run, slowest of {len(tests)}: {worst:.0f} s; {state}",
        passed and worst <= TARGET_TEST_SECONDS,
    )


def mark(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measured"}[met]
