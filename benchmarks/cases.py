"""The author-loop cases, in the order one run measures them, within a time budget (``Bench``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.builds import autobuild_latency, preview_latency, run_jb, run_make_test, run_ours
from benchmarks.harness import Run
from benchmarks.scratch import (
    change_table,
    chapter_reads,
    chapter_source,
    choose_table,
    copy_tree,
    edit_chapter,
    edit_figure_function,
    edit_prose,
    figure_function,
    figure_users,
    make_new_release,
    make_template,
    make_test_copy,
    pick_change_mode,
    provenance,
    reformat_package,
    resolve_chapter,
    stage_for_jupyter_book,
)


@dataclass
class Bench:
    tmp: Path
    runs: int
    budget: float
    table_wanted: str | None
    chapter_wanted: str
    with_test: bool
    started: float = field(default_factory=time.perf_counter)
    results: list[Run] = field(default_factory=list)
    facts: dict = field(default_factory=dict)

    @property
    def a(self) -> Path:
        return self.tmp / "ours"

    @property
    def b(self) -> Path:
        return self.tmp / "jb"

    @property
    def logs(self) -> Path:
        return self.tmp / "logs"

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def record(self, run: Run) -> Run:
        self.results.append(run)
        extra = ""
        if run.case.startswith("jb"):
            extra = f"executed {len(run.executed)}, cached {len(run.cached)}"
        elif run.case != "test":
            extra = f"executed {len(run.executed)}, reused {len(run.reused)}"
        else:
            extra = "passed" if run.ok else "FAILED"
        print(
            f"  [{self.elapsed():4.0f} s] {run.case:<9} run {run.rep}: {run.seconds:6.1f} s (load {run.load:.1f}), "
            f"peak {run.peak_tree_mb:6.0f} MB tree / {run.peak_proc_mb:5.0f} MB process; {extra}",
            flush=True,
        )
        return run

    def setup(self) -> None:
        print(f"Scratch copies in {self.tmp}", flush=True)
        self.facts["unfrozen"] = make_template(self.tmp / "template")
        if self.with_test:
            make_test_copy(self.tmp / "test")
        self.facts["chapters"] = [p.stem for p in sorted((self.tmp / "template" / "chapters").glob("*.ipynb"))]
        self.facts["edit_chapter"] = resolve_chapter(self.tmp / "template", self.chapter_wanted)

    def fresh_ours(self) -> None:
        copy_tree(self.tmp / "template", self.a)

    def fresh_jb(self, mode: str) -> None:
        copy_tree(self.tmp / "template", self.b)
        stage_for_jupyter_book(self.b, mode)

    def clean_pair(self, rep: int) -> None:
        """Ours from nothing, then ``jupyter-book build .`` in cache mode with an empty cache."""
        self.fresh_ours()
        self.record(run_ours(self.a, "clean", rep, self.logs))
        if rep == 1:
            copy_tree(self.a, self.tmp / "ours-built")
        self.fresh_jb("cache")
        self.record(run_jb(self.b, "jb_cold", rep, self.logs))
        if rep == 1:
            copy_tree(self.b, self.tmp / "jb-cached")

    def choose_change(self) -> None:
        reads = chapter_reads(self.tmp / "ours-built")
        table, readers = choose_table(self.tmp / "ours-built", reads, self.table_wanted)
        mode = pick_change_mode(self.tmp / "template", self.tmp / "probe", table)
        self.facts.update(reads=reads, table=table, readers=readers, change_mode=mode)

    def incremental_trio(self, rep: int) -> None:
        """No-op, one data file, one chapter: each of ours then Jupyter Book's cache."""
        copy_tree(self.tmp / "ours-built", self.a)
        copy_tree(self.tmp / "jb-cached", self.b)
        self.record(run_ours(self.a, "noop", rep, self.logs))
        self.record(run_jb(self.b, "jb_noop", rep, self.logs))

        table, readers = self.facts["table"], self.facts["readers"]
        pages = {
            s: (self.a / "_build/html/chapters" / f"{s}.html", self.b / "_build/html/chapters" / f"{s}.html")
            for s in readers
        }
        before = {s: (provenance(a), provenance(b)) for s, (a, b) in pages.items()}
        self.facts["change"] = change_table(self.a, table, self.facts["change_mode"])
        ours = self.record(run_ours(self.a, "data", rep, self.logs))
        change_table(self.b, table, self.facts["change_mode"])
        jb = self.record(run_jb(self.b, "jb_data", rep, self.logs))
        after = {s: (provenance(a), provenance(b)) for s, (a, b) in pages.items()}
        self.facts.setdefault("data_runs", []).append(
            {
                "rep": rep,
                "ours_executed": ours.executed,
                "jb_executed": jb.executed,
                "pages": {
                    s: {
                        "ours_before": before[s][0],
                        "ours_after": after[s][0],
                        "jb_before": before[s][1],
                        "jb_after": after[s][1],
                    }
                    for s in readers
                },
            }
        )

        self.same_edit(edit_prose, "prose", rep)
        source = chapter_source(self.a, self.facts["edit_chapter"])
        before = source.read_bytes()
        self.same_edit(edit_chapter, "edit", rep)
        if rep == 1:  # the undo of that code edit: the source as it was before it
            source.write_bytes(before)
            self.ours_only("undo", rep)

    def same_edit(self, edit: Callable[[Path, str, int], object], case: str, rep: int) -> None:
        """The same edit to the chosen chapter in both copies, each then rebuilt: ours, then Jupyter Book's cache."""
        stem = self.facts["edit_chapter"]
        edit(self.a, stem, rep)
        ours = self.record(run_ours(self.a, case, rep, self.logs))
        edit(self.b, stem, rep)
        jb = self.record(run_jb(self.b, f"jb_{case}", rep, self.logs))
        self.facts.setdefault(f"{case}_runs", []).append(
            {"rep": rep, "ours_executed": ours.executed, "jb_executed": jb.executed}
        )

    def ours_only(self, case: str, rep: int) -> Run:
        """One of our builds on copy A, with what it executed kept in the facts."""
        run = self.record(run_ours(self.a, case, rep, self.logs))
        self.facts.setdefault(f"{case}_runs", []).append({"rep": rep, "ours_executed": run.executed})
        return run

    def finer_keys(self, rep: int) -> None:
        """One figure function edited; the package re-wrapped; the re-wrap undone: what each executes."""
        module, function = figure_function(self.a, self.facts["edit_chapter"])
        self.facts["figure"] = {
            "module": str(module.relative_to(self.a)),
            "function": function,
            "users": figure_users(self.a, function),
        }
        edit_figure_function(module, function)
        self.ours_only("figure", rep)
        saved = self.tmp / "analysis-before-reformat"
        copy_tree(self.a / "analysis", saved)
        self.facts["reformatted_files"] = reformat_package(self.a)
        self.ours_only("reformat", rep)
        copy_tree(saved, self.a / "analysis")
        self.ours_only("unformat", rep)

    def previews(self) -> None:
        """Save to served page: ``make preview`` on our built copy, ``sphinx-autobuild`` on Jupyter Book's."""
        stem = self.facts["edit_chapter"]
        copy_tree(self.tmp / "ours-built", self.tmp / "preview")
        self.facts["preview_seconds"] = preview_latency(self.tmp / "preview", stem, self.logs)
        copy_tree(self.tmp / "jb-cached", self.tmp / "autobuild")
        self.facts["autobuild_seconds"] = autobuild_latency(self.tmp / "autobuild", stem, self.logs)
        for name in ("preview_seconds", "autobuild_seconds"):
            print(f"  {name.split('_')[0]}: save -> page " + ", ".join(f"{t:.2f} s" for t in self.facts[name]))

    def new_release(self, rep: int) -> None:
        """Case 6: from the built copy, a new release that changes the chosen table becomes the default."""
        root = self.tmp / "release"
        copy_tree(self.tmp / "ours-built", root)
        self.facts["release_change"] = make_new_release(root, self.facts["table"], self.facts["change_mode"])
        run = self.record(run_ours(root, "release", rep, self.logs))
        self.facts.setdefault("release_runs", []).append({"rep": rep, "ours_executed": run.executed})

    def make_test(self, rep: int) -> None:
        self.record(run_make_test(self.tmp / "test", rep, self.logs))

    def duration(self, *cases: str) -> float:
        """Longest measured time of one run of these cases together (plus copying)."""
        total = 0.0
        for case in cases:
            times = [r.seconds for r in self.results if r.case == case]
            total += max(times) if times else 0.0
        return total * 1.05 + 2

    def fits(self, *cases: str) -> bool:
        return self.elapsed() + self.duration(*cases) <= self.budget

    def run(self) -> None:
        self.setup()
        print("Run 1: every case once", flush=True)
        self.clean_pair(1)
        self.choose_change()
        self.incremental_trio(1)
        self.finer_keys(1)
        self.new_release(1)
        self.previews()
        if self.with_test:
            self.make_test(1)
        trio = ("noop", "jb_noop", "data", "jb_data", "prose", "jb_prose", "edit", "jb_edit")
        # Repeats, cheapest first, each only if it should end within the budget.
        for rep in range(2, self.runs + 1):
            did = False
            if self.fits(*trio):
                print(f"Run {rep}: incremental rebuilds", flush=True)
                self.incremental_trio(rep)
                did = True
            if self.fits("clean", "jb_cold"):
                print(f"Run {rep}: clean build vs Jupyter Book with an empty cache", flush=True)
                self.clean_pair(rep)
                did = True
            if not did:
                print(f"Stopping after run {rep - 1}: another would pass the {self.budget:.0f} s budget", flush=True)
                break
