"""BENCHMARKS.md: the results table, issue 22's targets (met or not, :mod:`benchmarks.targets`), and notes."""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from benchmarks.harness import REPO, SAMPLE_EVERY, Run
from benchmarks.notes import jb_cache_notes, observations
from benchmarks.scratch import JB_TIMEOUT
from benchmarks.shortfalls import shortfalls
from benchmarks.stats import cpu, pair_ratios, runs_of, seconds, spread, values
from benchmarks.targets import mark, targets

if TYPE_CHECKING:
    from benchmarks.cases import Bench

# BENCHMARKS.md from this line on is not this script's: it is kept when the report is rewritten.
KEPT = "<!-- make bench keeps what follows: measured by other commands -->"

ROWS = [
    # label, ours case, Jupyter Book label, jb case ("" when nothing of Jupyter Book's compares)
    ("(1) Clean build: execute every chapter, build HTML", "clean", "`build .`, empty cache", "jb_cold"),
    ("(2) No-op rebuild", "noop", "`build .`, nothing changed", "jb_noop"),
    ("(3) One data file changed", "data", "`build .`, same CSV change", "jb_data"),
    ("(4) Prose edit to one chapter", "prose", "`build .`, same markdown edit", "jb_prose"),
    ("(4a) Code edit to one chapter", "edit", "`build .`, same code edit", "jb_edit"),
    ("(4b) The code edit undone", "undo", "–", ""),
    ("(7) One figure function edited", "figure", "–", ""),
    ("(8) The package re-wrapped by `ruff format` (same syntax)", "reformat", "–", ""),
    ("(8a) The re-wrap undone", "unformat", "–", ""),
    ("(5) `make test`", "test", "–", ""),
    ("(6) New release changing one table, made default", "release", "–", ""),
]


def results_table(results: list[Run], facts: dict) -> list[str]:
    lines = [
        "| Case | Ours: wall | Ours: CPU | Jupyter Book (`jupyter-book build .`) | JB: wall | JB: CPU | "
        "Ours / JB, wall, per pair | Ours / JB, CPU, per pair | Peak memory, ours / JB | Ours executed | Runs |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for label, ours, jb_label, jb in ROWS:
        if not runs_of(results, ours):
            continue
        mine = values(results, ours, seconds)
        theirs = values(results, jb, seconds) if jb else []
        memory = spread(values(results, ours, lambda r: r.peak_tree_mb), "MB", 0)
        if jb:
            memory += " / " + spread(values(results, jb, lambda r: r.peak_tree_mb), "MB", 0)
            if jb == "jb_data" and facts.get("readers") and not any(r.executed for r in runs_of(results, jb).values()):
                jb_label += ": re-executed nothing, its pages are stale"
        ran = sorted({len(r.executed) for r in runs_of(results, ours).values()})
        lines.append(
            f"| {label} | {spread(mine)} | {spread(values(results, ours, cpu))} | {jb_label} | "
            f"{spread(theirs) if jb else '–'} | {spread(values(results, jb, cpu)) if jb else '–'} | "
            f"{_ratio(results, ours, jb, seconds)} | {_ratio(results, ours, jb, cpu)} | {memory} | "
            f"{'/'.join(map(str, ran))} | {len(mine)}{f' / {len(theirs)}' if jb else ''} |"
        )
    return lines


def _ratio(results: list[Run], ours: str, jb: str, get) -> str:
    ratios = pair_ratios(results, ours, jb, get, get) if jb else []
    return spread(ratios, "", 2) if ratios else "–"


def machine() -> list[str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    versions = []
    for dist in (
        "jupyter-book",
        "myst-nb",
        "jupyter-cache",
        "papermill",
        "nbclient",
        "ipykernel",
        "Sphinx",
        "pytest",
        "nbval",
    ):
        try:
            versions.append(f"{dist} {metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            pass
    return [
        f"- CPU: {cpu}; {os.cpu_count()} logical cores (`nproc`); RAM {psutil.virtual_memory().total / 2**30:.1f} GiB",
        f"- OS: {platform.platform()}",
        f"- Python {platform.python_version()}; {', '.join(versions)}",
    ]


def git_describe() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "chapters", "analysis", "data"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return head + (" with uncommitted changes in chapters/, analysis/ or data/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(bench: Bench, total: float, args: argparse.Namespace, load: tuple[str, str]) -> str:
    results, facts = bench.results, bench.facts
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    counts = sorted({len(runs_of(results, c)) for c in ("clean", "noop", "data", "edit") if runs_of(results, c)})
    target_rows = targets(results, facts, total)
    lines = [
        "# Benchmarks: the author loop against Jupyter Book's own execution",
        "",
        f"Measured by `make bench` (`python -m benchmarks.run`) on {when}, commit {git_describe()}, "
        f"{len(facts['chapters'])} chapters; {'/'.join(map(str, counts))} run(s) per case"
        + (" (`--quick`: one run each, not the final figures)" if args.quick else "")
        + f". The whole benchmark took {total / 60:.1f} min. Load average (1, 5, 15 min) before: {load[0]}; "
        f"after: {load[1]}; 1-minute load at the start of the measurements: "
        f"{min(r.load for r in results):.1f}–{max(r.load for r in results):.1f}.",
        "",
        "## Machine",
        "",
        *machine(),
        "",
        "## How to reproduce",
        "",
        "```bash",
        "make bench                                 # up to 3 runs per case, repeats only within ~9 minutes",
        ".venv/bin/python -m benchmarks.run --quick  # one run per case (checks the harness)",
        ".venv/bin/python -m benchmarks.run --runs 5 --budget 1500  # more repeats, if you have the time",
        "```",
        "",
        "Everything runs on scratch copies in a temporary directory, never on `chapters/` or `_build/`: "
        "copy A is built by ours (`python -m analysis.build`: papermill over all cores for the default release "
        "only, older releases read from their committed editions, then the HTML), copy B by "
        "`jupyter-book build .` typed in its folder, as a Jupyter Book author runs it: `execute_notebooks: "
        "cache` (myst-nb executes serially, jupyter-cache keeps the outputs), incremental, with no `--all`. "
        "Both start from the same chapters with outputs and build records stripped, and both include the HTML "
        f"build. Jupyter Book's per-notebook timeout is raised to {JB_TIMEOUT} s (its default, 30 s, is not "
        "what we want to measure). `make test` runs once, in a full copy of the checkout sharing `.venv`.",
        "",
        "- (1) clean build: no executed outputs or build records reusable, `_build/` empty (venv present); "
        "Jupyter Book with an empty cache.",
        "- (2) no-op rebuild: the same build again; Jupyter Book's cache filled by (1).",
        f"- (3) one data file: the same CSV change in both copies (table `{facts.get('table', '–')}`), see below.",
        f"- (4) prose: a sentence appended to the last markdown cell of `{facts.get('edit_chapter', '–')}`; "
        "(4a) code: a comment appended to its `open_chapter` cell (code changes, outputs do not); (4b) that "
        "code edit undone (ours only). Each edit goes through one function (`benchmarks.scratch.edit_prose`, "
        "`edit_chapter`), which edits the chapter's MyST Markdown source when there is one.",
        "- (7) one `@figure` function of `analysis/book/figures/` gains a statement; (8) every module of "
        "`analysis/` re-wrapped by `ruff format` at another line length (the syntax trees are unchanged), "
        "then (8a) put back. Ours only: what each executes is the point.",
        "- (5) `make test` (lint, unit, build, nbval, browser tests), timed once in this run.",
        "- (6) a new release: the default release copied as a new one, the same CSV change as (3) made in it, "
        "and the new release made the default, in a copy of the built book.",
        "- Preview: from saving a prose edit to the served page containing it, "
        "three saves each: `make preview` on our built copy (once its warm Sphinx is up), and `sphinx-autobuild` "
        "over Jupyter Book's copy (`jupyter-book config sphinx .` writes its `conf.py`; the environment and "
        "cache of (1) are reused).",
        "",
        "Ratios are ours / Jupyter Book for pairs measured back to back in the same run, wall and CPU; the "
        "machine is noisy, so compare ratios, not seconds from different runs. CPU is user + system time of "
        "the command and every process it waited for (wait4). Peak memory is the largest sum of RSS over the "
        f"whole process tree (the build and its kernels), sampled every {SAMPLE_EVERY} s; "
        "`benchmarks/results.json` also has the largest single process (wait4 `ru_maxrss`).",
        "",
        "## Results",
        "",
        *results_table(results, facts),
        "",
        "## Targets",
        "",
        "A ratio target compares the median of the per-pair wall ratios; the CPU ratios are shown beside it.",
        "",
        "| Target | Measured | Status |",
        "|---|---|---|",
        *[f"| {name} | {what} | {mark(met)} |" for name, what, met in target_rows],
        "",
        "## Targets not met: why, and what would meet them",
        "",
        *shortfalls(target_rows, results, facts),
        "",
        "## Jupyter Book's cache and a changed data file",
        "",
        *jb_cache_notes(facts),
        "",
        "## Other observations",
        "",
        *observations(results, facts),
        "",
    ]
    return "\n".join(lines)
