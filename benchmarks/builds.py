"""The commands compared, each measured once: our build and ``jupyter-book build .``, ``make test``, and
``make preview`` against ``sphinx-autobuild`` (save to served page)."""

from __future__ import annotations

import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from benchmarks.harness import JUPYTER_BOOK, PYTHON, STAMP, BenchError, Measured, Run, clean_env, measure, tail
from benchmarks.scratch import PROSE_MARK, edit_prose

# "  executed  05_treadmill (2.1 s)"; a chapter of another release than the one built (only when
# asked for: older releases are read from their editions) ends " [data release 1.1.0]", kept as "05_treadmill@1.1.0".
OURS_LINE = re.compile(r"^\s+(executed|reused|failed)\s+(\S+)(?: \[data release ([^\]]+)\])?", re.M)
OURS_HTML = re.compile(r"built\s+HTML \(([\d.]+) s[,)]")
JB_EXECUTED = re.compile(r"([^\s/]+)\.ipynb: Executed notebook in ([\d.]+) seconds")
JB_CACHED = re.compile(r"([^\s/]+)\.ipynb: Using cached notebook")
JB_FAILED = re.compile(r"([^\s/]+)\.ipynb: .*Executing notebook failed")


def _run(m: Measured, case: str, rep: int, ok: bool, **found: Any) -> Run:
    """One measured run of ``case``: its time, memory and load, and what its log says it did."""
    return Run(case, rep, m.seconds, m.tree_mb, m.proc_mb, ok, load=m.load, cpu_seconds=m.cpu, **found)


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
    """``jupyter-book build .`` in the book's folder, as its author types it (incremental: no ``--all``)."""
    cmd = [str(JUPYTER_BOOK), "build", "."]
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
    run = _run(m, "test", rep, ok, log=str(logs / f"test-{rep}.log"))
    if not ok:
        run.failed = [f"`make {step}` failed" for step in steps] or [f"exit code {code}"]
        print(f"    make test failed; log {run.log}:\n{tail(text, 8)}", flush=True)
    run.cached = summary[-1:]  # the pytest summary line, for the report
    return run


def _get(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 (127.0.0.1 only)
            return response.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError):
        return ""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SAVES = 3  # prose saves timed per server (the median is reported)
SETTLE = 600  # seconds at most for a server to start, or a save to reach the page


def save_to_page(root: Path, stem: str, page: str, first_rep: int) -> list[float]:
    """Seconds from each of :data:`SAVES` prose saves (:func:`edit_prose`) until ``page`` serves the new sentence."""
    times = []
    for rep in range(first_rep, first_rep + SAVES):
        edit_prose(root, stem, rep)
        start = time.perf_counter()
        while f"{PROSE_MARK} ({rep})" not in _get(page):
            if time.perf_counter() - start > SETTLE:
                raise BenchError(f"a prose save never reached {page}")
            time.sleep(0.05)
        times.append(time.perf_counter() - start)
        time.sleep(1)  # let the server settle (the page reloads, the watcher goes quiet)
    return times


def _server(cmd: list[str], root: Path, env: dict[str, str], log: Path, ready) -> subprocess.Popen:
    """Start a preview server and wait (bounded) until ``ready(log text)`` says it is up."""
    out = log.open("w")
    process = subprocess.Popen(cmd, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, text=True)
    out.close()  # the child holds its own descriptor
    deadline = time.monotonic() + SETTLE
    while not ready(log.read_text(encoding="utf-8", errors="replace")):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            raise BenchError(f"{cmd[2] if len(cmd) > 2 else cmd[0]} did not start; log {log}")
        time.sleep(0.2)
    return process


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def preview_latency(root: Path, stem: str, logs: Path) -> list[float]:
    """``make preview`` on a built copy: save to served page, :data:`SAVES` prose saves, once its warm Sphinx is up."""
    port = free_port()
    log = logs / "preview.log"
    cmd = [str(PYTHON), "-m", "analysis.build.preview", "--port", str(port)]
    process = _server(cmd, root, clean_env(root), log, lambda text: "warm Sphinx ready" in text or "no warm" in text)
    try:
        return save_to_page(root, stem, f"http://127.0.0.1:{port}/chapters/{stem}.html", 101)
    finally:
        _stop(process)


def autobuild_latency(root: Path, stem: str, logs: Path) -> list[float]:
    """``sphinx-autobuild`` over the Jupyter Book copy (its conf.py from ``jupyter-book config sphinx .``),
    reusing that build's environment and cache: save to served page, :data:`SAVES` prose saves."""
    env = clean_env(root, treadmill_root=False)
    subprocess.run([str(JUPYTER_BOOK), "config", "sphinx", "."], cwd=root, env=env, check=True, capture_output=True)
    port = free_port()
    page = f"http://127.0.0.1:{port}/chapters/{stem}.html"
    cmd = [
        str(PYTHON.parent / "sphinx-autobuild"),
        ".",
        "_build/html",
        "-d",
        "_build/.doctrees",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--ignore",
        "_build",  # Jupyter Book's cache and executed copies live there: its own writes start no rebuild
    ]
    process = _server(cmd, root, env, logs / "sphinx-autobuild.log", lambda _text: bool(_get(page)))
    try:
        return save_to_page(root, stem, page, 201)
    finally:
        _stop(process)
