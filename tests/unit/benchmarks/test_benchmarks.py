"""The benchmark harness's pure parts: statistics, the report's tables and targets, the data edit.

``make bench`` itself is not run here (it takes minutes and times the whole build).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from benchmarks.harness import BenchError, Run
from benchmarks.notes import jb_cache_notes
from benchmarks.report import ROWS, report, results_table
from benchmarks.scratch import change_table, choose_table, free_text_column, rehash_resource
from benchmarks.stats import cpu, med, ours_exec, pair_ratios, runs_of, spread, values
from benchmarks.targets import mark, targets


def run(case: str, rep: int, seconds: float, **kwargs) -> Run:
    kwargs.setdefault("cpu_seconds", seconds / 2)
    return Run(case, rep, seconds, peak_tree_mb=100.0 * rep, peak_proc_mb=50.0, ok=True, **kwargs)


def test_spread_gives_the_median_and_the_range():
    assert spread([]) == "–"
    assert spread([2.0]) == "2.0 s"
    assert spread([3.0, 1.0, 2.0]) == "2.0 (1.0–3.0) s"
    assert spread([0.5, 0.25], "", 2) == "0.38 (0.25–0.50)"
    assert med([]) is None and med([1.0, 3.0]) == 2.0


def test_ratios_pair_runs_of_the_same_repeat_only_in_wall_and_cpu_time():
    results = [
        run("clean", 1, 10.0, cpu_seconds=8.0),
        run("jb_cold", 1, 20.0, cpu_seconds=4.0),
        run("clean", 2, 30.0),
        run("jb_cold", 3, 5.0),
    ]
    assert pair_ratios(results, "clean", "jb_cold") == [0.5]
    assert pair_ratios(results, "clean", "jb_cold", cpu, cpu) == [2.0]
    assert sorted(runs_of(results, "clean")) == [1, 2]
    assert values(results, "clean", lambda r: r.seconds) == [10.0, 30.0]


def test_our_execution_time_leaves_out_the_html_step():
    assert ours_exec(run("clean", 1, 10.0, html_seconds=4.0)) == 6.0
    assert ours_exec(run("noop", 1, 0.5)) == 0.5  # HTML skipped: the whole run is hashing


def test_mark_names_each_state():
    assert [mark(True), mark(False), mark(None)] == ["met", "**not met**", "not measured"]


def bench_results() -> tuple[list[Run], dict]:
    results = [
        run("clean", 1, 40.0, html_seconds=20.0, executed=["02_x", "05_treadmill"]),
        run("jb_cold", 1, 50.0, exec_seconds=30.0, executed=["02_x", "05_treadmill"]),
        run("noop", 1, 0.5),
        run("jb_noop", 1, 3.0, cached=["a", "b"]),
        run("data", 1, 10.0, executed=["02_x"]),
        run("jb_data", 1, 3.0),
        run("prose", 1, 2.0),
        run("jb_prose", 1, 3.0),
        run("edit", 1, 5.0, executed=["05_treadmill"]),
        run("jb_edit", 1, 10.0, executed=["05_treadmill"]),
        run("undo", 1, 1.0),
        run("figure", 1, 6.0, executed=["05_treadmill"]),
        run("reformat", 1, 1.0),
        run("unformat", 1, 1.0),
    ]
    facts = {
        "chapters": ["02_x", "05_treadmill"],
        "table": "figures",
        "readers": ["02_x"],
        "edit_chapter": "05_treadmill",
        "change": "appended 'x' to column `note`",
        "unfrozen": True,
        "data_runs": [
            {
                "rep": 1,
                "ours_executed": ["02_x"],
                "jb_executed": [],
                "pages": {"02_x": {"ours_before": ["a"], "ours_after": ["b"], "jb_before": ["a"], "jb_after": ["a"]}},
            }
        ],
        "prose_runs": [{"rep": 1, "ours_executed": [], "jb_executed": []}],
        "edit_runs": [{"rep": 1, "ours_executed": ["05_treadmill"], "jb_executed": ["05_treadmill"]}],
        "undo_runs": [{"rep": 1, "ours_executed": []}],
        "figure": {"module": "analysis/book/figures/treadmill.py", "function": "caseload", "users": ["05_treadmill"]},
        "figure_runs": [{"rep": 1, "ours_executed": ["05_treadmill"]}],
        "reformatted_files": 12,
        "reformat_runs": [{"rep": 1, "ours_executed": []}],
        "unformat_runs": [{"rep": 1, "ours_executed": []}],
        "preview_seconds": [1.0, 1.2, 1.4],
        "autobuild_seconds": [3.0, 4.0, 5.0],
    }
    return results, facts


def test_the_results_table_has_one_row_per_case_measured_with_wall_and_cpu_ratios():
    results, facts = bench_results()
    lines = results_table(results, facts)
    measured = [row for row in ROWS if runs_of(results, row[1])]
    assert lines[0].startswith("| Case |") and len(lines) == 2 + len(measured)
    clean = next(line for line in lines if line.startswith("| (1) Clean build"))
    assert "| 40.0 s | 20.0 s |" in clean  # wall, CPU
    assert "| 0.80 | 0.80 |" in clean  # 40 / 50 wall, 20 / 25 CPU
    data = next(line for line in lines if line.startswith("| (3)"))
    assert "re-executed nothing, its pages are stale" in data
    assert not any(line.startswith("| (5)") for line in lines)  # make test not measured: no row


def test_targets_are_met_or_not_from_the_figures():
    results, facts = bench_results()
    met = {name.split(" ")[0] + " " + name.split(" ")[1]: ok for name, _, ok in targets(results, facts, 300.0)}
    assert met["Clean build"] is True  # 40 / 50 = 0.8, at the target
    assert met["No-op `make"] is True
    assert met["Prose edit,"] is True  # 2 / 3 and no kernel started
    assert met["Code edit"] is True  # 5 / 10, one execution
    assert met["One figure"] is True  # only its user executed
    assert met["Reformat of"] is True  # nothing executed
    assert met["Preview: save"] is True  # 1.2 s, and 1.2 / 4.0 = 0.3
    assert met["`make test`,"] is None  # not measured

    facts["edit_runs"][0]["ours_executed"] = ["05_treadmill", "02_x"]  # two executions for one edit
    facts["figure_runs"][0]["ours_executed"] = ["02_x", "05_treadmill"]  # a chapter that does not use it
    facts["undo_runs"][0]["ours_executed"] = ["05_treadmill"]
    facts["autobuild_seconds"] = [2.0]  # 1.2 / 2.0 = 0.6 > 0.5
    rows = {name.split(" ")[0]: (what, ok) for name, what, ok in targets(results, facts, None)}
    assert rows["Code"][1] is False and rows["One"][1] is False and rows["Reformat"][1] is False
    assert rows["Preview:"][1] is False and "ratio 0.60" in rows["Preview:"][0]
    assert "the code edit undone: 1" in rows["Reformat"][0]


def test_the_report_is_markdown_with_every_section():
    results, facts = bench_results()
    bench = SimpleNamespace(results=results, facts=facts)  # what report() reads of a Bench
    text = report(bench, 300.0, argparse.Namespace(quick=True), ("0.1 0.2 0.3", "0.4 0.5 0.6"))
    for heading in (
        "# Benchmarks",
        "## Machine",
        "## How to reproduce",
        "## Results",
        "## Targets",
        "## Targets not met: why, and what would meet them",
        "## Jupyter Book's cache and a changed data file",
        "## Other observations",
    ):
        assert f"\n{heading}" in "\n" + text
    assert "python -m benchmarks.run --quick" in text
    assert "`jupyter-book build .`" in text and "build --all" not in text
    assert "previous release" not in text  # only the default release is executed
    assert "did not change in Jupyter Book's: its page is stale" in "\n".join(jb_cache_notes(facts))


def write_release(folder: Path) -> dict:
    folder.mkdir(parents=True)
    (folder / "notes.csv").write_text("note_id,text,kind\nN1,first,a\nN2,second,b\n", encoding="utf-8")
    resource = {
        "name": "notes",
        "path": "notes.csv",
        "schema": {
            "fields": [
                {"name": "note_id", "type": "string"},
                {"name": "text", "type": "string"},
                {"name": "kind", "type": "string", "constraints": {"enum": ["a", "b"]}},
            ],
            "primaryKey": ["note_id"],
        },
    }
    descriptor = {"resources": [resource]}
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    return resource


def test_the_free_text_column_is_outside_keys_and_constraints():
    resource = {
        "name": "t",
        "schema": {
            "fields": [
                {"name": "id", "type": "string"},
                {"name": "kind", "type": "string", "constraints": {"enum": ["a"]}},
                {"name": "n", "type": "integer"},
                {"name": "text", "type": "string", "constraints": {"required": True}},
            ],
            "primaryKey": "id",
        },
    }
    assert free_text_column(resource) == "text"
    resource["schema"]["fields"].pop()
    with pytest.raises(BenchError, match="no free text column"):
        free_text_column(resource)


def test_changing_a_table_edits_its_last_row_and_rehashes_it(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "DEFAULT_RELEASE").write_text("1.0.0\n", encoding="utf-8")
    folder = tmp_path / "data" / "1.0.0"
    write_release(folder)
    what = change_table(tmp_path, "notes", "value")
    assert "column `text` of the last row" in what
    content = (folder / "notes.csv").read_bytes()
    assert content.endswith(b"N2,second (benchmark edit),b\n")
    entry = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"][0]
    assert entry["hash"] == "sha256:" + hashlib.sha256(content).hexdigest() and entry["bytes"] == len(content)

    change_table(tmp_path, "notes", "quoting")
    assert (folder / "notes.csv").read_text(encoding="utf-8").startswith('"note_id","text","kind"\n')
    rehash_resource(folder, "notes")  # idempotent: the recorded hash stays that of the file
    entry = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"][0]
    assert entry["hash"] == "sha256:" + hashlib.sha256((folder / "notes.csv").read_bytes()).hexdigest()


def test_the_table_to_change_has_the_fewest_readers(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "DEFAULT_RELEASE").write_text("1.0.0\n", encoding="utf-8")
    folder = tmp_path / "data" / "1.0.0"
    write_release(folder)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append({"name": "codes", "path": "codes.csv"})
    (folder / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    reads = {"a": ["1.0.0/notes", "1.0.0/codes"], "b": ["1.0.0/codes"], "c": []}
    assert choose_table(tmp_path, reads, None) == ("notes", ["a"])
    assert choose_table(tmp_path, reads, "codes") == ("codes", ["a", "b"])
    with pytest.raises(BenchError, match="not a CSV table"):
        choose_table(tmp_path, reads, "missing")


def test_shortfalls_explain_each_target_not_met_with_this_runs_figures():
    from benchmarks.shortfalls import shortfalls

    results, facts = bench_results()
    facts["figure_runs"][0]["ours_executed"] = ["02_x", "05_treadmill"]
    rows = [
        ("Clean build / `jupyter-book build .` with an empty cache ≤ 0.8", "1.33", False),
        ("One figure function edited: only the chapters that use it are executed", "…", False),
        ("No-op `make book` ≤ 1 s", "0.7 s", True),
    ]
    lines = shortfalls(rows, results, facts)
    assert len(lines) == 2 and lines[0].startswith("- **Clean build")
    assert "executed 2 chapters of the default release" in lines[0]
    assert "40.0 s: 20.0 s before the HTML step" in lines[0] and "the HTML step 20.0 s" in lines[0]  # 40 less 20
    assert "of which executing notebooks 30.0 s (2 executed)" in lines[0]
    assert "executed 2 chapters, 1 of which do not use it (02_x)" in lines[1]
    assert shortfalls(rows[2:], results, facts) == ["Every target was met in this run."]
    noop = shortfalls([(rows[2][0], "", False)], results, facts)[0]
    assert "took 0.5 s wall and 0.2 s CPU" in noop and "executed 0 chapters" in noop  # run("noop", 1, 0.5)
