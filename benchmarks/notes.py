"""BENCHMARKS.md's notes: Jupyter Book's cache after a data change, and what else the runs showed."""

from __future__ import annotations

from benchmarks.harness import Run
from benchmarks.stats import runs_of


def jb_cache_notes(facts: dict) -> list[str]:
    table, readers = facts["table"], facts["readers"]
    lines = [
        f"The data change: {facts.get('change', '')}, then its `datapackage.json` entry (sha256, bytes) "
        f"was updated, as a new release would be"
        + (
            " (the scratch copies drop the default release from `data/RELEASES.json`'s frozen list, since "
            "our build refuses a frozen release edited in place)"
            if facts.get("unfrozen")
            else ""
        )
        + f". Chapters that read `{table}` "
        f"(from their stored `metadata.treadmill.reads`): {', '.join(readers) or 'none'}.",
        "",
    ]
    for run in facts.get("data_runs", []):
        jb = run["jb_executed"]
        lines.append(
            f"- Run {run['rep']}: our build re-executed {', '.join(run['ours_executed']) or 'nothing'}; "
            f"Jupyter Book's cache re-executed {', '.join(jb) or 'nothing'}."
        )
        for stem, page in run["pages"].items():
            if page["ours_after"] is None or page["jb_after"] is None:
                lines.append(f"  - `{stem}`: no provenance line on the page, so staleness could not be read from it.")
                continue
            ours_new = page["ours_after"] != page["ours_before"]
            jb_new = page["jb_after"] != page["jb_before"]
            lines.append(
                f"  - `{stem}`: the page's provenance lines (sha256 of the tables read) "
                f"{'changed' if ours_new else 'did NOT change'} in our book and "
                f"{'changed' if jb_new else 'did not change'} in Jupyter Book's"
                + ("" if jb_new else ": its page is stale, built from the old data")
                + "."
            )
    if readers:
        lines += [
            "",
            "Jupyter Book's cache (jupyter-cache) keys a notebook on its code cells and kernelspec only; "
            "a changed input file does not invalidate it, so after a data change it serves the outputs "
            "computed from the old data unless the notebooks are forced or the cache cleared.",
        ]
    else:
        lines += [
            "",
            "No chapter reads a data table yet, so the data change could not make any page stale; "
            "Jupyter Book's cache (jupyter-cache) keys a notebook on its code cells and kernelspec only, "
            "so it would not re-execute a reader either.",
        ]
    return lines


def observations(results: list[Run], facts: dict) -> list[str]:
    out = []
    for run in runs_of(results, "noop").values():
        if run.executed:
            out.append(f"- Our no-op rebuild (run {run.rep}) re-executed {', '.join(run.executed)}: a freshness bug.")
    for run in facts.get("edit_runs", []):
        if run["ours_executed"] != [facts["edit_chapter"]]:
            out.append(
                f"- Run {run['rep']}: after editing {facts['edit_chapter']} our build re-executed "
                f"{', '.join(run['ours_executed']) or 'nothing'}."
            )
        out.append(
            f"- Run {run['rep']}, chapter edit: Jupyter Book's cache re-executed "
            f"{', '.join(run['jb_executed']) or 'nothing'}."
        )
    for run in facts.get("release_runs", []):
        out.append(
            f"- Run {run['rep']}, {facts.get('release_change', 'a new release')}: our build executed "
            f"{', '.join(run['ours_executed']) or 'nothing'} (the changed table's readers: "
            f"{', '.join(facts.get('readers', [])) or 'none'})."
        )
    for run in runs_of(results, "jb_noop").values():
        out.append(
            f"- Run {run.rep}, no-op: Jupyter Book executed {len(run.executed)} notebooks and took "
            f"{len(run.cached)} from its cache."
        )
    for case in ("jb_cold", "jb_noop", "jb_data", "jb_prose", "jb_edit"):
        for run in runs_of(results, case).values():
            if run.failed:
                out.append(f"- {case} run {run.rep}: Jupyter Book's execution failed for {', '.join(run.failed)}.")
    out.append(
        "- Our HTML step is an incremental Sphinx build (`-W --nitpick`) in a persistent work folder, whose "
        "output is copied and switched into `_build/html` by one rename; it is skipped when the inputs are "
        "unchanged (the no-op). It also stages what `analysis.build.site._stage` adds to the site (downloads, "
        "static copies of the figures, exports, the page on what changed), which Jupyter Book's build of the "
        "same notebooks does not do."
    )
    tests = runs_of(results, "test")
    if any(not t.ok for t in tests.values()):
        out.append(
            "- `make test` ran with `make -i`, so a failing step (e.g. lint) did not skip the rest: its time "
            "is the whole suite's. See the log (`--keep`) for the failures."
        )
    return out
