"""The commands compared: our build, Jupyter Book's, ``make test`` and ``make preview``, each measured once."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import JUPYTER_BOOK, PYTHON, STAMP, BenchError, Measured, Run, clean_env, measure, tail
from benchmarks.scratch import edit_prose

# "  executed  05_treadmill (2.1 s)"; a chapter of the release the changes page compares with
# ends its name with " [data release 1.1.0]", recorded here as "05_treadmill@1.1.0".
OURS_LINE = re.compile(r"^\s+(executed|reused|failed)\s+(\S+)(?: \[data release ([^\]]+)\])?", re.M)
OURS_HTML = re.compile(r"built\s+HTML \(([\d.]+) s[,)]")
JB_EXECUTED = re.compile(r"([^\s/]+)\.ipynb: Executed notebook in ([\d.]+) seconds")
JB_CACHED = re.compile(r"([^\s/]+)\.ipynb: Using cached notebook")
JB_FAILED = re.compile(r"([^\s/]+)\.ipynb: .*Executing notebook failed")


def _run(m: Measured, case: str, rep: int, ok: bool, **found: Any) -> Run:
    """One measured run of ``case``: its time, memory and load, and what its log says it did."""
    return Run(case, rep, m.seconds, m.tree_mb, m.proc_mb, ok, load=m.load, **found)


def run_ours(root: Path, case: str, rep: int, logs: Path) -> Run:
    cmd = [str(PYTHON), "-m", "analysis.build"]
    m = measure(cmd, root, clean_env(root), logs / f"{case}-{rep}.log")
    text = m.text
    lines = [(k, f"{s}@{v}" if v else s) for k, s, v in OURS_LINE.findall(text)]
    html = OURS_HTML.search(text)
    run = _run(
        m,
        case,
        rep,
        m.code == 0,
        executed=sorted(s for k, s in lines if k == "executed"),
        reused=sorted(s for k, s in lines if k == "reused"),
        failed=sorted(s for k, s in lines if k == "failed"),
        html_seconds=float(html.group(1)) if html else None,
        log=str(logs / f"{case}-{rep}.log"),
    )
    if not run.ok:
        raise BenchError(f"our build failed ({case}, run {rep}); log {run.log}:\n{tail(text)}")
    return run


def run_jb(root: Path, case: str, rep: int, logs: Path) -> Run:
    cmd = [str(JUPYTER_BOOK), "build", "--all", str(root)]
    m = measure(cmd, root, clean_env(root), logs / f"{case}-{rep}.log")
    text = m.text
    executed = JB_EXECUTED.findall(text)
    ok = m.code == 0 and (root / "_build" / "html" / "index.html").exists()
    run = _run(
        m,
        case,
        rep,
        ok,
        executed=sorted(s for s, _ in executed),
        exec_seconds=sum(float(t) for _, t in executed),
        cached=sorted(set(JB_CACHED.findall(text))),
        failed=sorted(set(JB_FAILED.findall(text))),
        log=str(logs / f"{case}-{rep}.log"),
    )
    if not ok:
        raise BenchError(f"jupyter-book build failed ({case}, run {rep}); log {run.log}:\n{tail(text)}")
    return run


def run_make_test(root: Path, rep: int, logs: Path) -> Run:
    # -o: never remake the venv stamp (the symlinked venv is the checkout's; `make bench` made it current).
    # -i: a failing step (say, lint) does not stop the others, so the time is that of the whole suite;
    # the failures are read from make's "(ignored)" lines and reported.
    cmd = ["make", "--no-print-directory", "-i", "-o", STAMP, "test"]
    m = measure(cmd, root, clean_env(root, treadmill_root=False), logs / f"test-{rep}.log")
    text, code = m.text, m.code
    summary = re.findall(r"^=+ (.*(?:passed|failed|error).*?) =+$", text, re.M)
    steps = re.findall(r"^make: \[[^\]]*: (\S+)\] Error \d+ \(ignored\)", text, re.M)
    ok = code == 0 and not steps
    run = Run("test", rep, m.seconds, m.tree_mb, m.proc_mb, ok, load=m.load, log=str(logs / f"test-{rep}.log"))
    if not ok:
        run.failed = [f"`make {step}` failed" for step in steps] or [f"exit code {code}"]
        print(f"    make test failed; log {run.log}:\n{tail(text, 8)}", flush=True)
    run.cached = summary[-1:]  # the pytest summary line, for the report
    return run


def preview_latency(root: Path, stem: str, logs: Path) -> float | None:
    """Seconds from saving a prose edit to the preview server's next successful build (pages reload then)."""
    import urllib.request

    def state(base: str) -> dict:
        with urllib.request.urlopen(base + "__preview/state", timeout=5) as response:  # noqa: S310 (localhost)
            return json.loads(response.read())

    log = (logs / "preview.log").open("w")
    process = subprocess.Popen(
        [str(PYTHON), "-m", "analysis.build.preview", "--port", "0"],
        cwd=root,
        env=clean_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = None
        deadline = time.monotonic() + 600
        while base is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            log.write(line)
            if found := re.search(r"serving (http://127\.0\.0\.1:\d+/)", line):
                base = found.group(1)
        if base is None:
            return None
        before = state(base)["generation"]
        edit_prose(root, stem, 99)
        start = time.perf_counter()
        while time.perf_counter() - start < 300:
            if state(base)["generation"] > before:
                return time.perf_counter() - start
            time.sleep(0.05)
        return None
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()
        log.close()
