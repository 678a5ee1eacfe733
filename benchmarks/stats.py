"""Medians, spreads and per-pair ratios of the measured runs (pure functions, unit-tested)."""

from __future__ import annotations

import statistics
from collections.abc import Callable

from benchmarks.harness import Run


def runs_of(results: list[Run], case: str) -> dict[int, Run]:
    return {r.rep: r for r in results if r.case == case}


def spread(values: list[float], unit: str = "s", digits: int = 1) -> str:
    if not values:
        return "–"
    med = statistics.median(values)
    if len(values) == 1:
        return f"{med:.{digits}f} {unit}".strip()
    return f"{med:.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f}) {unit}".strip()


def med(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


Getter = Callable[[Run], float | None]


def seconds(run: Run) -> float | None:
    return run.seconds


def cpu(run: Run) -> float | None:
    return run.cpu_seconds


def ours_exec(run: Run) -> float | None:
    # With the HTML step skipped (inputs unchanged) the whole run is execution and hashing.
    return run.seconds if run.html_seconds is None else run.seconds - run.html_seconds


def jb_exec(run: Run) -> float | None:
    return run.exec_seconds


def values(results: list[Run], case: str, get: Getter) -> list[float]:
    out = [get(r) for r in runs_of(results, case).values()]
    return [v for v in out if v is not None]


def pair_ratios(
    results: list[Run], ours: str, jb: str, get_ours: Getter = seconds, get_jb: Getter = seconds
) -> list[float]:
    a, b = runs_of(results, ours), runs_of(results, jb)
    ratios = []
    for rep in sorted(set(a) & set(b)):
        x, y = get_ours(a[rep]), get_jb(b[rep])
        if x is not None and y:
            ratios.append(x / y)
    return ratios
