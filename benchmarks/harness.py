"""Measuring one command: wall time, peak memory, exit code and output (the harness under ``make bench``).

Timers: wall time is ``time.perf_counter`` (the standard library's high-resolution timer, what
``timeit`` uses) around one run of the command. ``timeit``'s repetition loop does not fit: every
sample needs its own scratch state (a fresh copy, one edit), made between runs by
:mod:`benchmarks.cases`, and each case runs once per repeat. hyperfine, which the issue suggests,
is not installable offline (the PyPI package of that name is another project), so it is not used.
CPU time is the user + system time ``wait4`` reports for the command and every process it waited
for (kernels, Sphinx, workers). Memory has no ready-made timer: the summed RSS of the whole
process tree (the build, its workers and kernels) is sampled with psutil every ``SAMPLE_EVERY`` s;
the largest single process comes from ``wait4``'s ``ru_maxrss`` (the kernel's own account).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)
JUPYTER_BOOK = PYTHON.parent / "jupyter-book"
STAMP = ".venv/.requirements-installed"
SAMPLE_EVERY = 0.1  # seconds between samples of the process tree's memory
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class BenchError(RuntimeError):
    """A measurement could not be made (the message says which and where the log is)."""


@dataclass
class Run:
    case: str
    rep: int
    seconds: float
    peak_tree_mb: float  # largest sum of RSS over the process tree, sampled every SAMPLE_EVERY s
    peak_proc_mb: float  # largest RSS of any single process in the tree (wait4 ru_maxrss)
    ok: bool
    executed: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    html_seconds: float | None = None  # ours: the HTML step as the build reports it
    exec_seconds: float | None = None  # jb: sum of "Executed notebook in X seconds"
    cached: list[str] = field(default_factory=list)  # jb: "Using cached notebook"
    failed: list[str] = field(default_factory=list)
    log: str = ""
    load: float = 0.0  # 1-minute load average when the run started (noise indicator)
    cpu_seconds: float | None = None  # user + system CPU of the command and every descendant it waited for


class TreeSampler(threading.Thread):
    """Samples the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.done = threading.Event()

    def run(self) -> None:
        try:
            root = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self.done.is_set():
            total = 0
            try:
                procs = [root, *root.children(recursive=True)]
            except psutil.Error:
                procs = []
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    pass
            self.peak = max(self.peak, total)
            self.done.wait(SAMPLE_EVERY)


@dataclass
class Measured:
    seconds: float
    tree_mb: float
    proc_mb: float
    code: int
    text: str
    load: float
    cpu: float  # user + system seconds (wait4's rusage: the command and the descendants it waited for)


def measure(cmd: list[str], cwd: Path, env: dict[str, str], log: Path) -> Measured:
    """Run ``cmd``: wall seconds, peak tree and single-process memory, exit code, output."""
    log.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    with open(log, "w", encoding="utf-8") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        # wait4's rusage covers the child and every descendant it waited for.
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        sampler.done.set()
        sampler.join()
    text = ANSI.sub("", log.read_text(encoding="utf-8", errors="replace"))
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(seconds, sampler.peak / 2**20, usage.ru_maxrss / 1024, proc.returncode, text, load, cpu)


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def clean_env(root: Path, treadmill_root: bool = True) -> dict[str, str]:
    """Environment for a command on the scratch project ``root``."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("TREADMILL_") and k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    }
    # PYTHONPATH comes before the venv's .pth (the checkout): kernels import root/analysis.
    env["PYTHONPATH"] = str(root)
    if treadmill_root:
        env["TREADMILL_ROOT"] = str(root)
    env["PATH"] = f"{PYTHON.parent}{os.pathsep}{env.get('PATH', '')}"
    return env
