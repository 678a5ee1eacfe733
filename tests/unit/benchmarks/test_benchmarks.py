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
from benchmarks.report import jb_cache_notes, mark, report, results_table, targets
from benchmarks.scratch import change_table, choose_table, free_text_column, rehash_resource
from benchmarks.stats import med, ours_exec, pair_ratios, runs_of, spread, values


def run(case: str, rep: int, seconds: float, **kwargs) -> Run:
    return Run(case, rep, seconds, peak_tree_mb=100.0 * rep, peak_proc_mb=50.0, ok=True, **kwargs)


def test_spread_gives_the_median_and_the_range():
    assert spread([]) == "–"
    assert spread([2.0]) == "2.0 s"
    assert spread([3.0, 1.0, 2.0]) == "2.0 (1.0–3.0) s"
    assert spread([0.5, 0.25], "", 2) == "0.38 (0.25–0.50)"
    assert med([]) is None and med([1.0, 3.0]) == 2.0


def test_ratios_pair_runs_of_the_same_repeat_only():
    results = [run("clean", 1, 10.0), run("jb_force", 1, 20.0), run("clean", 2, 30.0), run("jb_force", 3, 5.0)]
    assert pair_ratios(results, "clean", "jb_force") == [0.5]
    assert sorted(runs_of(results, "clean")) == [1, 2]
    assert values(results, "clean", lambda r: r.seconds) == [10.0, 30.0]


def test_our_execution_time_leaves_out_the_html_step():
    assert ours_exec(run("clean", 1, 10.0, html_seconds=4.0)) == 6.0
    assert ours_exec(run("noop", 1, 0.5)) == 0.5  # HTML skipped: the whole run is hashing


def test_mark_names_each_state():
    assert [mark(True), mark(False), mark(None)] == ["met", "**not met**", "not measured"]


def bench_results() -> tuple[list[Run], dict]:
    results = [
        run("clean", 1, 40.0, html_seconds=20.0),
        run("jb_force", 1, 50.0, exec_seconds=30.0),
        run("jb_cold", 1, 55.0),
        run("noop", 1, 0.5),
        run("jb_noop", 1, 3.0, cached=["a", "b"]),
        run("data", 1, 10.0, executed=["02_x"]),
        run("jb_data", 1, 3.0),
        run("prose", 1, 2.0),
        run("jb_prose", 1, 3.0),
        run("edit", 1, 5.0, executed=["05_treadmill"]),
        run("jb_edit", 1, 10.0, executed=["05_treadmill"]),
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
        "preview_seconds": 1.5,
    }
    return results, facts


def test_the_results_table_has_one_row_per_case_with_ratios():
    results, facts = bench_results()
    lines = results_table(results, facts)
    assert lines[0].startswith("| Case |") and len(lines) == 2 + 9
    clean = next(line for line in lines if line.startswith("| (1) Clean build: execute"))
    assert "| 40.0 s |" in clean and "| 0.80 |" in clean  # 40 / 50
    data = next(line for line in lines if line.startswith("| (3)"))
    assert "re-executed nothing, its pages are stale" in data


def test_targets_are_met_or_not_from_the_figures():
    results, facts = bench_results()
    met = {name.split(",")[0].split(":")[0]: ok for name, _, ok in targets(results, facts, 300.0)}
    assert met["Clean build"] is True  # 40 / 50 = 0.8, at the target
    assert met["No-op `make book` ≤ 1 s"] is True
    assert met["Prose edit to one chapter"] is True  # 2 / 3 and no kernel started
    assert met["Code edit to one chapter"] is True  # 5 / 10 <= 0.6
    assert met["One data file changed"] is True  # only the reader, 10 / 40 = 25%
    assert met["`make test`"] is None  # not measured


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
        "## Jupyter Book's cache and a changed data file",
        "## Other observations",
    ):
        assert f"\n{heading}" in "\n" + text
    assert "python -m benchmarks.run --quick" in text
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

    results = [
        run("clean", 1, 40.0, executed=["01_a", "02_b", "01_a@1.0.0"], html_seconds=8.0),
        run("jb_force", 1, 30.0, executed=["01_a", "02_b"], exec_seconds=25.0),
    ]
    rows = [("Clean build, ours / JB ≤ 0.8", "1.33", False), ("No-op ≤ 1 s", "0.7 s", True)]
    lines = shortfalls(rows, results, {})
    assert len(lines) == 1 and lines[0].startswith("- **Clean build")
    assert "executes 2 chapters of the default release and 1 of the release before it" in lines[0]
    assert "32.0 s for ours against 25.0 s" in lines[0]  # execution alone: 40 s less the HTML's 8 s
    assert shortfalls(rows[1:], results, {}) == ["Every target was met in this run."]
