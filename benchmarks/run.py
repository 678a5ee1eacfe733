"""Benchmark the author loop against Jupyter Book's own execution (``make bench``).

Everything is measured on scratch copies of the project in a temporary
directory; the checkout's chapters/, data/ and _build/ are never touched.

* ``ours``: ``python -m analysis.build`` (papermill over all cores, then the
  HTML build) on scratch copy A, with TREADMILL_ROOT and PYTHONPATH pointing at
  A, so its kernels import the snapshot of ``analysis`` copied into A (a
  helper editing the checkout mid-run cannot invalidate the measurement).
* ``jb``: ``jupyter-book build .`` typed in scratch copy B of the same chapters,
  staged as analysis.build stages them (references.bib, downloads/), with
  ``execute_notebooks: cache``: what a Jupyter Book author runs (incremental, its
  cache empty for the clean build; it executes the notebooks one after another).
* the preview: ``make preview`` on a built copy of A against ``sphinx-autobuild``
  over B (``jupyter-book config sphinx .``), from a prose save to the served page.
* ``make test``: on a full copy of the checkout whose .venv is a symlink to ours.

Each comparable pair is measured back to back in the same run, and every
ratio (wall and CPU) is ours / Jupyter Book for that pair (the machine is noisy; seconds from
different runs are not comparable). Results go to BENCHMARKS.md and
benchmarks/results.json.

Usage (from the project root)::

    .venv/bin/python -m benchmarks.run            # what `make bench` runs (up to 3 runs per case)
    .venv/bin/python -m benchmarks.run --quick    # one run per case, to check it works

This module is the command line; the rest of the package, by subject: ``harness`` (timing one
command), ``scratch`` (the scratch copies and their edits), ``builds`` (the commands compared),
``cases`` (the author-loop cases within a budget), ``stats``, ``targets``, ``shortfalls``, ``notes`` and
``report`` (BENCHMARKS.md).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

from benchmarks.cases import Bench
from benchmarks.harness import REPO, BenchError
from benchmarks.report import KEPT, report, results_table
from benchmarks.targets import mark, targets

RESULTS_JSON = REPO / "benchmarks" / "results.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case, if the budget allows (default 3)")
    parser.add_argument("--quick", action="store_true", help="one run per case")
    parser.add_argument(
        "--budget",
        type=float,
        default=560,
        help="no repeat starts unless it should end within this many seconds (default 560)",
    )
    parser.add_argument("--table", default=None, help="CSV table to change (default: the one with fewest readers)")
    parser.add_argument("--chapter", default="treadmill", help="chapter to edit (default: treadmill)")
    parser.add_argument("--skip-test", action="store_true", help="do not time `make test`")
    parser.add_argument("--output", type=Path, default=REPO / "BENCHMARKS.md")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies and logs")
    args = parser.parse_args(argv)
    runs = 1 if args.quick else max(1, args.runs)
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    tmp = Path(tempfile.mkdtemp(prefix="treadmill-bench-"))
    bench = Bench(tmp, runs, args.budget, args.table, args.chapter, not args.skip_test)
    try:
        bench.run()
    except BenchError as err:
        print(f"\nBENCHMARK FAILED: {err}\n(scratch copies and logs kept in {tmp})", file=sys.stderr)
        return 1
    total = bench.elapsed()
    load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())
    text = report(bench, total, args, (load_before, load_after))
    previous = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
    if KEPT in previous:  # sections measured by other commands (e.g. `make pdf`) stay
        text = text.rstrip("\n") + "\n\n" + previous[previous.index(KEPT) :]
    args.output.write_text(text, encoding="utf-8")
    RESULTS_JSON.write_text(
        json.dumps(
            {"results": [asdict(r) for r in bench.results], "facts": bench.facts, "total_seconds": total}, indent=2
        )
        + "\n",
        encoding="utf-8",
    )
    print("\n" + "\n".join(results_table(bench.results, bench.facts)))
    print("\n" + "\n".join(f"{mark(m):>13}  {n}: {w}" for n, w, m in targets(bench.results, bench.facts, total)))
    print(f"\nWrote {args.output} and {RESULTS_JSON} ({total / 60:.1f} min)")
    if args.keep:
        print(f"Scratch copies and logs kept in {tmp}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
