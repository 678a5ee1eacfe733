"""Benchmark the author loop against Jupyter Book's own execution (``make bench``).

Everything is measured on scratch copies of the project in a temporary
directory; the checkout's chapters/, data/ and _build/ are never touched.

* ``ours``: ``python -m analysis.build`` (papermill over all cores, then the
  HTML build) on scratch copy A, with TREADMILL_ROOT and PYTHONPATH pointing at
  A, so its kernels import the snapshot of ``analysis`` copied into A (a
  helper editing the checkout mid-run cannot invalidate the measurement).
* ``jb``: ``jupyter-book build --all`` on scratch copy B of the same chapters,
  staged as analysis.build stages them (references.bib, downloads/), with
  ``execute_notebooks: force`` and then ``cache`` (Jupyter Book executes the
  notebooks one after another).
* ``make test``: on a full copy of the checkout whose .venv is a symlink to ours.

Each comparable pair is measured back to back in the same run, and every
ratio is ours / Jupyter Book for that pair (the machine is noisy; seconds from
different runs are not comparable). Results go to BENCHMARKS.md and
benchmarks/results.json.

Usage::

    .venv/bin/python benchmarks/run.py            # what `make bench` runs (up to 3 runs per case)
    .venv/bin/python benchmarks/run.py --quick    # one run per case, to check it works
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import nbformat
import psutil
import yaml

REPO = Path(__file__).resolve().parent.parent
VENV_BIN = REPO / ".venv" / "bin"
PYTHON = VENV_BIN / "python" if (VENV_BIN / "python").exists() else Path(sys.executable)
JUPYTER_BOOK = PYTHON.parent / "jupyter-book"
STAMP = ".venv/.requirements-installed"
RESULTS_JSON = REPO / "benchmarks" / "results.json"
# What a scratch book needs; analysis/ is copied too (the kernels import that snapshot).
BOOK_SOURCES = ("chapters", "data", "analysis", "_static", "_config.yml", "_toc.yml", "requirements.txt")
# What a scratch copy for `make test` leaves out (the venv is symlinked instead).
# The copy keeps .git: the fresh-clone test clones it.
TEST_COPY_IGNORE = (".venv", "_build", ".ruff_cache", ".pytest_cache", "__pycache__",
                    ".ipynb_checkpoints", "vega-bundle.js", "results.json")
EDIT_MARK = "# benchmark edit: changes the code, not the outputs"
VALUE_EDIT = " (benchmark edit)"
JB_TIMEOUT = 300  # seconds per notebook, as nbval's --nbval-cell-timeout (Jupyter Book's default is 30)
SAMPLE_EVERY = 0.1  # seconds between samples of the process tree's memory
# Issue 13's targets: ratios measured side by side in one run.
TARGET_CLEAN = 0.8  # ours / Jupyter Book forced
TARGET_PROSE = 1.0  # ours / Jupyter Book cache, and no kernel started
TARGET_CODE = 0.6  # ours / Jupyter Book cache
TARGET_DATA = 0.4  # of our clean build
TARGET_NOOP_SECONDS = 1.0
TARGET_TEST_SECONDS = 150  # an aim, reported
PROSE_MARK = "An added sentence (benchmark prose edit)."
TARGET_BENCH_SECONDS = 600
ANSI = re.compile(r"\x1b\[[0-9;]*m")


# BENCHMARKS.md from this line on is not this script's: it is kept when the report is rewritten.
KEPT = "<!-- make bench keeps what follows: measured by other commands -->"


class BenchError(RuntimeError):
    """A measurement could not be made (the message says which and where the log is)."""


# --- measuring one command ----------------------------------------------------


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
    return Measured(seconds, sampler.peak / 2**20, usage.ru_maxrss / 1024, proc.returncode, text, load)


def tail(text: str, lines: int = 25) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


# --- scratch projects ---------------------------------------------------------


def clean_env(root: Path, treadmill_root: bool = True) -> dict[str, str]:
    """Environment for a command on the scratch project ``root``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TREADMILL_") and k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL")}
    # PYTHONPATH comes before the venv's .pth (the checkout): kernels import root/analysis.
    env["PYTHONPATH"] = str(root)
    if treadmill_root:
        env["TREADMILL_ROOT"] = str(root)
    env["PATH"] = f"{PYTHON.parent}{os.pathsep}{env.get('PATH', '')}"
    return env


def copy_tree(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)


def make_template(dst: Path) -> bool:
    """Snapshot of the book's sources with every chapter stripped of outputs and build records."""
    dst.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "vega-bundle.js")
    for name in BOOK_SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=ignore)
        else:
            shutil.copy2(src, dst / name)
    for path in sorted((dst / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.metadata.pop("treadmill", None)
        nb.metadata.pop("papermill", None)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(nb, path)
    unfrozen = unfreeze_default_release(dst)
    # Jupyter Book needs the bundle in _static; our build writes it itself (timed).
    code = ("from pathlib import Path; from analysis.book.charts import write_vega_bundle; "
            "write_vega_bundle(Path('_static'))")
    subprocess.run([str(PYTHON), "-c", code], cwd=dst, env=clean_env(dst), check=True)
    return unfrozen


def unfreeze_default_release(root: Path) -> bool:
    """Let the scratch copy edit its default release in place (case 3): drop the release registry.

    Our build refuses a frozen release edited in place, and a draft as the default
    (a real correction is a new release); without a registry there are neither, and
    the benchmark can measure the rebuild after one CSV changes.
    """
    registry = root / "data" / "RELEASES.json"
    if not registry.exists():
        return False
    registry.unlink()
    return True


def make_test_copy(dst: Path) -> None:
    """A copy of the whole checkout (as committed, with outputs) for `make test`."""
    shutil.copytree(REPO, dst, symlinks=True, ignore=shutil.ignore_patterns(*TEST_COPY_IGNORE))
    (dst / ".venv").symlink_to(REPO / ".venv")


def default_release(root: Path) -> str:
    return (root / "data" / "DEFAULT_RELEASE").read_text(encoding="utf-8").strip()


def stage_for_jupyter_book(root: Path, mode: str) -> None:
    """Make ``root`` buildable by `jupyter-book build` as analysis.build._stage does, executing in ``mode``."""
    version = default_release(root)
    release = root / "data" / version
    shutil.copy(release / "references.bib", root / "references.bib")
    shutil.copytree(release, root / "downloads" / "data" / version, dirs_exist_ok=True)
    set_jb_mode(root, mode)


def set_jb_mode(root: Path, mode: str) -> None:
    config_path = root / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.setdefault("execute", {})
    config["execute"]["execute_notebooks"] = mode
    config["execute"]["timeout"] = JB_TIMEOUT
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def chapter_reads(root: Path) -> dict[str, list[str]]:
    """stem -> the resources the chapter read when our build last executed it."""
    reads = {}
    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        reads[path.stem] = list(nb.metadata.get("treadmill", {}).get("reads", []))
    return reads


def csv_tables(root: Path) -> list[str]:
    descriptor = json.loads((root / "data" / default_release(root) / "datapackage.json").read_text("utf-8"))
    return [r["name"] for r in descriptor["resources"] if str(r.get("path", "")).endswith(".csv")]


def choose_table(root: Path, reads: dict[str, list[str]], wanted: str | None) -> tuple[str, list[str]]:
    """The CSV to change and the chapters that read it (the fewest readers, but at least one)."""
    version = default_release(root)
    tables = csv_tables(root)
    readers = {t: sorted(s for s, r in reads.items() if f"{version}/{t}" in r) for t in tables}
    if wanted:
        if wanted not in readers:
            raise BenchError(f"--table {wanted!r} is not a CSV table of release {version}: {', '.join(tables)}")
        return wanted, readers[wanted]
    some = [t for t in tables if 0 < len(readers[t]) < len(reads)] or [t for t in tables if readers[t]] or tables
    table = min(some, key=lambda t: (len(readers[t]), t))
    return table, readers[table]


def rehash_resource(folder: Path, name: str) -> None:
    """Record the file's new sha256 and size in datapackage.json (as tests/support/releases.py does)."""
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == name:
            content = (folder / resource["path"]).read_bytes()
            resource["hash"] = "sha256:" + hashlib.sha256(content).hexdigest()
            resource["bytes"] = len(content)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def change_table(root: Path, table: str, mode: str) -> str:
    """Change one CSV of the default release in ``root`` and rehash it; say what changed."""
    folder = root / "data" / default_release(root)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    path = folder / resource["path"]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    buffer = io.StringIO()
    if mode == "value":
        column = free_text_column(resource)
        index = rows[0].index(column)
        rows[-1][index] += VALUE_EDIT
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        what = f"appended {VALUE_EDIT.strip()!r} to column `{column}` of the last row of `{resource['path']}`"
    else:
        csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
        what = f"re-quoted every field of `{resource['path']}` (same values, different bytes)"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    rehash_resource(folder, table)
    return what


def free_text_column(resource: dict) -> str:
    """A string column outside every key and without constraints beyond `required`."""
    schema = resource.get("schema", {})
    keys = set(schema.get("primaryKey", []) if isinstance(schema.get("primaryKey"), list)
               else [schema.get("primaryKey")])
    for fk in schema.get("foreignKeys", []):
        fields = fk.get("fields")
        keys.update(fields if isinstance(fields, list) else [fields])
    for column in schema.get("fields", []):
        extra = set(column.get("constraints", {})) - {"required"}
        if column.get("type") == "string" and column["name"] not in keys and not extra:
            return column["name"]
    raise BenchError(f"table {resource['name']} has no free text column")


def pick_change_mode(template: Path, probe: Path, table: str) -> str:
    """'value' when a realistic value edit still loads and validates, else 'quoting'."""
    check = f"from analysis.data.release import load_release; load_release().table({table!r})"
    for mode in ("value", "quoting"):
        copy_tree(template / "data", probe / "data")
        try:
            change_table(probe, table, mode)
        except (BenchError, IndexError, ValueError):
            continue
        env = clean_env(template)
        env["TREADMILL_ROOT"] = str(probe)
        if subprocess.run([str(PYTHON), "-c", check], cwd=probe, env=env, capture_output=True).returncode == 0:
            return mode
    raise BenchError(f"could not change table {table} and keep the release valid")


def resolve_chapter(root: Path, wanted: str) -> str:
    stems = [p.stem for p in sorted((root / "chapters").glob("*.ipynb"))]
    for stem in stems:
        if wanted in (stem, re.sub(r"^\d+_", "", stem)):
            return stem
    return stems[-1]


def edit_chapter(root: Path, stem: str, rep: int) -> None:
    """Append a comment to the chapter's open_chapter cell (its first code cell otherwise)."""
    path = root / "chapters" / f"{stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    cell = next((c for c in code if "open_chapter(" in c.source), code[0])
    cell.source = cell.source.rstrip("\n") + f"\n{EDIT_MARK} ({rep})"
    nbformat.write(nb, path)


def edit_prose(root: Path, stem: str, rep: int) -> None:
    """Append a sentence to the chapter's last markdown cell: the edit authors make most."""
    path = root / "chapters" / f"{stem}.ipynb"
    nb = nbformat.read(path, as_version=4)
    cell = [c for c in nb.cells if c.cell_type == "markdown"][-1]
    cell.source = cell.source.rstrip("\n") + f"\n\n{PROSE_MARK} ({rep})"
    nbformat.write(nb, path)


def preview_latency(root: Path, stem: str, logs: Path) -> float | None:
    """Seconds from saving a prose edit to the preview server's next successful build (pages reload then)."""
    import urllib.request

    def state(base: str) -> dict:
        with urllib.request.urlopen(base + "__preview/state", timeout=5) as response:  # noqa: S310 (localhost)
            return json.loads(response.read())

    log = (logs / "preview.log").open("w")
    process = subprocess.Popen([str(PYTHON), "-m", "analysis.build.preview", "--port", "0"], cwd=root,
                               env=clean_env(root), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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


def provenance(page: Path) -> list[str] | None:
    """The page's provenance lines (they name the sha256 of the tables read); None without any."""
    if not page.exists():
        return None
    found = re.findall(r'class="treadmill-provenance">(.*?)</p>', page.read_text(encoding="utf-8"), re.S)
    return [re.sub(r"\s+", " ", line).strip() for line in found] or None


# --- the two builds -----------------------------------------------------------


OURS_LINE = re.compile(r"^\s+(executed|reused|failed)\s+(\S+)", re.M)
OURS_HTML = re.compile(r"built\s+HTML \(([\d.]+) s[,)]")
JB_EXECUTED = re.compile(r"([^\s/]+)\.ipynb: Executed notebook in ([\d.]+) seconds")
JB_CACHED = re.compile(r"([^\s/]+)\.ipynb: Using cached notebook")
JB_FAILED = re.compile(r"([^\s/]+)\.ipynb: .*Executing notebook failed")


def run_ours(root: Path, case: str, rep: int, logs: Path) -> Run:
    cmd = [str(PYTHON), "-m", "analysis.build"]
    m = measure(cmd, root, clean_env(root), logs / f"{case}-{rep}.log")
    text = m.text
    lines = OURS_LINE.findall(text)
    html = OURS_HTML.search(text)
    run = Run(case, rep, m.seconds, m.tree_mb, m.proc_mb, m.code == 0, load=m.load,
              executed=sorted(s for k, s in lines if k == "executed"),
              reused=sorted(s for k, s in lines if k == "reused"),
              failed=sorted(s for k, s in lines if k == "failed"),
              html_seconds=float(html.group(1)) if html else None, log=str(logs / f"{case}-{rep}.log"))
    if not run.ok:
        raise BenchError(f"our build failed ({case}, run {rep}); log {run.log}:\n{tail(text)}")
    return run


def run_jb(root: Path, case: str, rep: int, logs: Path) -> Run:
    cmd = [str(JUPYTER_BOOK), "build", "--all", str(root)]
    m = measure(cmd, root, clean_env(root), logs / f"{case}-{rep}.log")
    text = m.text
    executed = JB_EXECUTED.findall(text)
    ok = m.code == 0 and (root / "_build" / "html" / "index.html").exists()
    run = Run(case, rep, m.seconds, m.tree_mb, m.proc_mb, ok, load=m.load,
              executed=sorted(s for s, _ in executed), exec_seconds=sum(float(t) for _, t in executed),
              cached=sorted(set(JB_CACHED.findall(text))), failed=sorted(set(JB_FAILED.findall(text))),
              log=str(logs / f"{case}-{rep}.log"))
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


# --- the benchmark ----------------------------------------------------------------


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
        print(f"  [{self.elapsed():4.0f} s] {run.case:<9} run {run.rep}: {run.seconds:6.1f} s (load {run.load:.1f}), "
              f"peak {run.peak_tree_mb:6.0f} MB tree / {run.peak_proc_mb:5.0f} MB process; {extra}", flush=True)
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
        self.fresh_ours()
        self.record(run_ours(self.a, "clean", rep, self.logs))
        if rep == 1:
            copy_tree(self.a, self.tmp / "ours-built")
        self.fresh_jb("force")
        self.record(run_jb(self.b, "jb_force", rep, self.logs))

    def jb_cold(self, rep: int) -> None:
        self.fresh_jb("cache")
        self.record(run_jb(self.b, "jb_cold", rep, self.logs))
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
        pages = {s: (self.a / "_build/html/chapters" / f"{s}.html", self.b / "_build/html/chapters" / f"{s}.html")
                 for s in readers}
        before = {s: (provenance(a), provenance(b)) for s, (a, b) in pages.items()}
        self.facts["change"] = change_table(self.a, table, self.facts["change_mode"])
        ours = self.record(run_ours(self.a, "data", rep, self.logs))
        change_table(self.b, table, self.facts["change_mode"])
        jb = self.record(run_jb(self.b, "jb_data", rep, self.logs))
        after = {s: (provenance(a), provenance(b)) for s, (a, b) in pages.items()}
        self.facts.setdefault("data_runs", []).append({
            "rep": rep,
            "ours_executed": ours.executed,
            "jb_executed": jb.executed,
            "pages": {s: {"ours_before": before[s][0], "ours_after": after[s][0],
                          "jb_before": before[s][1], "jb_after": after[s][1]} for s in readers},
        })

        stem = self.facts["edit_chapter"]
        edit_prose(self.a, stem, rep)
        ours = self.record(run_ours(self.a, "prose", rep, self.logs))
        edit_prose(self.b, stem, rep)
        jb = self.record(run_jb(self.b, "jb_prose", rep, self.logs))
        self.facts.setdefault("prose_runs", []).append({"rep": rep, "ours_executed": ours.executed,
                                                        "jb_executed": jb.executed})

        edit_chapter(self.a, stem, rep)
        ours = self.record(run_ours(self.a, "edit", rep, self.logs))
        edit_chapter(self.b, stem, rep)
        jb = self.record(run_jb(self.b, "jb_edit", rep, self.logs))
        self.facts.setdefault("edit_runs", []).append({"rep": rep, "ours_executed": ours.executed,
                                                       "jb_executed": jb.executed})

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
        self.jb_cold(1)
        self.choose_change()
        self.incremental_trio(1)
        if self.with_test:
            self.make_test(1)
        copy_tree(self.tmp / "ours-built", self.tmp / "preview")
        latency = preview_latency(self.tmp / "preview", self.facts["edit_chapter"], self.logs)
        self.facts["preview_seconds"] = latency
        print(f"  preview: prose edit saved -> rebuilt in {latency if latency is None else round(latency, 1)} s",
              flush=True)
        trio = ("noop", "jb_noop", "data", "jb_data", "prose", "jb_prose", "edit", "jb_edit")
        # Repeats, cheapest first, each only if it should end within the budget.
        for rep in range(2, self.runs + 1):
            did = False
            if self.fits(*trio):
                print(f"Run {rep}: incremental rebuilds", flush=True)
                self.incremental_trio(rep)
                did = True
            if self.fits("clean", "jb_force"):
                print(f"Run {rep}: clean build vs forced execution", flush=True)
                self.clean_pair(rep)
                did = True
            if not did:
                print(f"Stopping after run {rep - 1}: another would pass the {self.budget:.0f} s budget", flush=True)
                break
        for rep in range(2, self.runs + 1):
            if self.with_test and self.fits("test"):
                print(f"Run {rep}: make test", flush=True)
                self.make_test(rep)


# --- report -----------------------------------------------------------------------


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


def ours_exec(run: Run) -> float | None:
    # With the HTML step skipped (inputs unchanged) the whole run is execution and hashing.
    return run.seconds if run.html_seconds is None else run.seconds - run.html_seconds


def jb_exec(run: Run) -> float | None:
    return run.exec_seconds


def values(results: list[Run], case: str, get: Getter) -> list[float]:
    out = [get(r) for r in runs_of(results, case).values()]
    return [v for v in out if v is not None]


def pair_ratios(results: list[Run], ours: str, jb: str, get_ours: Getter = seconds,
                get_jb: Getter = seconds) -> list[float]:
    a, b = runs_of(results, ours), runs_of(results, jb)
    ratios = []
    for rep in sorted(set(a) & set(b)):
        x, y = get_ours(a[rep]), get_jb(b[rep])
        if x is not None and y:
            ratios.append(x / y)
    return ratios


ROWS = [
    # label, ours case, getter, Jupyter Book label, jb case, getter
    ("(1) Clean build: execute every chapter, build HTML", "clean", seconds,
     "`execute_notebooks: force`", "jb_force", seconds),
    ("(1) Clean build", "clean", seconds, "`execute_notebooks: cache`, empty cache", "jb_cold", seconds),
    ("(1a) Clean build, execution part", "clean", ours_exec,
     "force, sum of per-notebook execution times", "jb_force", jb_exec),
    ("(2) No-op rebuild", "noop", seconds, "`cache`, nothing changed", "jb_noop", seconds),
    ("(3) Rebuild after changing one data file", "data", seconds, "`cache`, same CSV change", "jb_data", seconds),
    ("(4) Prose edit to one chapter, page published", "prose", seconds, "`cache`, same markdown edit", "jb_prose",
     seconds),
    ("(4a) Code edit to one chapter, page published", "edit", seconds, "`cache`, same code edit", "jb_edit",
     seconds),
    ("(5) `make test`", "test", seconds, "–", "", seconds),
]


def results_table(results: list[Run], facts: dict) -> list[str]:
    lines = [
        "| Case | Ours: median (min–max) | Peak memory, ours | Jupyter Book (`build --all`) | "
        "Jupyter Book: median (min–max) | Peak memory, JB | Ours / JB, per pair: median (min–max) | Runs |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for label, ours, get_ours, jb_label, jb, get_jb in ROWS:
        mine = values(results, ours, get_ours)
        theirs = values(results, jb, get_jb) if jb else []
        ratios = pair_ratios(results, ours, jb, get_ours, get_jb) if jb else []
        mem_ours = spread(values(results, ours, lambda r: r.peak_tree_mb), "MB", 0) if get_ours is seconds else ""
        mem_jb = spread(values(results, jb, lambda r: r.peak_tree_mb), "MB", 0) if jb and get_jb is seconds else ""
        runs = f"{len(mine)}" + (f" / {len(theirs)}" if jb else "")
        if jb == "jb_data" and facts.get("readers") and not any(r.executed for r in runs_of(results, jb).values()):
            jb_label += ": re-executed nothing, its pages are stale"
        lines.append(f"| {label} | {spread(mine)} | {mem_ours} | {jb_label} | {spread(theirs) if jb else '–'} | "
                     f"{mem_jb or ('–' if not jb else '')} | {spread(ratios, '', 2) if ratios else '–'} | {runs} |")
    return lines


def targets(results: list[Run], facts: dict, total: float | None) -> list[tuple[str, str, bool | None]]:
    """Issue 13's targets, each met or not, with the figures behind it."""
    clean = med(values(results, "clean", seconds))
    noop = med(values(results, "noop", seconds))
    data = med(values(results, "data", seconds))
    rows: list[tuple[str, str, bool | None]] = []

    def ratio_row(label: str, ours: str, jb: str, limit: float, extra: str = "", ok: bool = True) -> None:
        ratios = pair_ratios(results, ours, jb)
        r = med(ratios)
        rows.append((label, f"ours / JB = {r:.2f} (per pair: {', '.join(f'{x:.2f}' for x in ratios)}){extra}",
                     r <= limit and ok))

    ratio_row(f"Clean build, ours / `jupyter-book build` forced ≤ {TARGET_CLEAN}", "clean", "jb_force", TARGET_CLEAN,
              "; ours also executes the previous release's chapters for the page on what changed")
    prose_exec = sorted({s for run in facts.get("prose_runs", []) for s in run["ours_executed"]})
    ratio_row(f"Prose edit to one chapter, ours / JB cache ≤ {TARGET_PROSE}, no kernel started", "prose", "jb_prose",
              TARGET_PROSE, f"; chapters executed by ours: {', '.join(prose_exec) or 'none'}", not prose_exec)
    ratio_row(f"Code edit to one chapter, ours / JB cache ≤ {TARGET_CODE}", "edit", "jb_edit", TARGET_CODE)

    readers = set(facts["readers"])
    executed_sets = [set(d["ours_executed"]) for d in facts.get("data_runs", [])]
    only_readers = bool(executed_sets) and all(s == readers for s in executed_sets)
    got = sorted(set().union(*executed_sets)) if executed_sets else []
    rows.append((f"One data file changed: readers re-executed, page published, ≤ {TARGET_DATA} of our clean build",
                 f"{data:.1f} s / {clean:.1f} s = {data / clean:.0%}; changed `{facts['table']}`, readers "
                 f"{sorted(readers) or 'none'}, re-executed {got or 'none'}",
                 only_readers and data / clean <= TARGET_DATA))
    rows.append((f"No-op `make book` ≤ {TARGET_NOOP_SECONDS:.0f} s", f"{noop:.2f} s", noop <= TARGET_NOOP_SECONDS))
    rows.append(("New release changing one table, made default: only that table's readers executed",
                 "not measured here. A release first built with `make book DATA_VERSION=…` is adopted unchanged "
                 "when it becomes the default, and the previous default's record is kept aside "
                 "(tests/test_build.py). But every chapter shows the release's name, and the key includes the "
                 "release, so a new release still re-executes every chapter once", False))
    latency = facts.get("preview_seconds")
    rows.append(("`make preview`: save to reloaded page, prose edit (aim under 3 s)",
                 "did not rebuild" if latency is None else f"{latency:.1f} s",
                 None if latency is None else latency < 3))
    tests = runs_of(results, "test")
    if tests:
        worst = max(t.seconds for t in tests.values())
        passed = all(t.ok for t in tests.values())
        failures = sorted({f for t in tests.values() for f in t.failed})
        state = "passed" if passed else "FAILED: " + ", ".join(failures)
        rows.append((f"`make test`, whole (aim ≤ {TARGET_TEST_SECONDS} s on 2 cores)",
                     f"slowest of {len(tests)}: {worst:.0f} s; {state}", passed and worst <= TARGET_TEST_SECONDS))
    else:
        rows.append(("`make test`, whole", "not measured (--skip-test)", None))
    peak = max(values(results, "clean", lambda r: r.peak_tree_mb))
    rows.append(("Peak memory of a clean build (reported)", f"{peak:.0f} MB summed over the process tree", True))
    if total is not None:
        rows.append(("`make bench` itself (reported)", f"{total / 60:.1f} min", True))
    return rows


def mark(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not measured"}[met]


def jb_cache_notes(facts: dict) -> list[str]:
    table, readers = facts["table"], facts["readers"]
    lines = [f"The data change: {facts.get('change', '')}, then its `datapackage.json` entry (sha256, bytes) "
             f"was updated, as a new release would be"
             + (" (the scratch copies drop the default release from `data/RELEASES.json`'s frozen list, since "
                "our build refuses a frozen release edited in place)" if facts.get("unfrozen") else "")
             + f". Chapters that read `{table}` "
             f"(from their stored `metadata.treadmill.reads`): {', '.join(readers) or 'none'}.", ""]
    for run in facts.get("data_runs", []):
        jb = run["jb_executed"]
        lines.append(f"- Run {run['rep']}: our build re-executed {', '.join(run['ours_executed']) or 'nothing'}; "
                     f"Jupyter Book's cache re-executed {', '.join(jb) or 'nothing'}.")
        for stem, page in run["pages"].items():
            if page["ours_after"] is None or page["jb_after"] is None:
                lines.append(f"  - `{stem}`: no provenance line on the page, so staleness could not be read from it.")
                continue
            ours_new = page["ours_after"] != page["ours_before"]
            jb_new = page["jb_after"] != page["jb_before"]
            lines.append(f"  - `{stem}`: the page's provenance lines (sha256 of the tables read) "
                         f"{'changed' if ours_new else 'did NOT change'} in our book and "
                         f"{'changed' if jb_new else 'did not change'} in Jupyter Book's"
                         + ("" if jb_new else ": its page is stale, built from the old data") + ".")
    if readers:
        lines += ["", "Jupyter Book's cache (jupyter-cache) keys a notebook on its code cells and kernelspec only; "
                  "a changed input file does not invalidate it, so after a data change it serves the outputs "
                  "computed from the old data unless the notebooks are forced or the cache cleared."]
    else:
        lines += ["", "No chapter reads a data table yet, so the data change could not make any page stale; "
                  "Jupyter Book's cache (jupyter-cache) keys a notebook on its code cells and kernelspec only, "
                  "so it would not re-execute a reader either."]
    return lines


def machine() -> list[str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"^model name\s*:\s*(.+)$", cpuinfo.read_text(), re.M)
        cpu = found.group(1).strip() if found else cpu
    versions = []
    for dist in ("jupyter-book", "myst-nb", "jupyter-cache", "papermill", "nbclient", "ipykernel", "Sphinx",
                 "pytest", "nbval"):
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
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True,
                              text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "chapters", "analysis", "data"], cwd=REPO,
                               capture_output=True, text=True, check=True).stdout.strip()
        return head + (" with uncommitted changes in chapters/, analysis/ or data/" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def report(bench: Bench, total: float, args: argparse.Namespace, load: tuple[str, str]) -> str:
    results, facts = bench.results, bench.facts
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    counts = sorted({len(runs_of(results, c)) for c in ("clean", "noop", "data", "edit")})
    lines = [
        "# Benchmarks: the author loop against Jupyter Book's own execution",
        "",
        f"Measured by `make bench` (`benchmarks/run.py`) on {when}, commit {git_describe()}, "
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
        ".venv/bin/python benchmarks/run.py --quick  # one run per case (checks the harness)",
        ".venv/bin/python benchmarks/run.py --runs 5 --budget 1500  # more repeats, if you have the time",
        "```",
        "",
        "Everything runs on scratch copies in a temporary directory, never on `chapters/` or `_build/`:",
        "copy A is built by ours (`python -m analysis.build`, papermill over all cores, then the HTML), copy B by "
        "`jupyter-book build --all` (serial execution by myst-nb) with `execute_notebooks: force`, then `cache`. "
        "Both start from the same chapters with outputs and build records stripped, and both include the HTML "
        f"build. Jupyter Book's per-notebook timeout is raised to {JB_TIMEOUT} s (its default, 30 s, is not "
        "what we want to measure). `make test` runs in a full copy of the checkout sharing `.venv`.",
        "",
        "- (1) clean build: no executed outputs or build records reusable, `_build/` empty (venv present).",
        "- (2) no-op rebuild: the same build again. Jupyter Book: `cache` mode with its cache filled by the "
        "empty-cache build.",
        f"- (3) one data file: the same CSV change in both copies (table `{facts['table']}`), see below.",
        f"- (4) one chapter: a comment appended to one code cell of `{facts['edit_chapter']}` (code changes, "
        "outputs do not; Jupyter Book's cache ignores markdown edits, so a code edit is the fair pair).",
        "- (5) `make test` (lint, unit, build, nbval, browser tests).",
        "",
        "Ratios are ours / Jupyter Book for pairs measured back to back in the same run; the machine is "
        "noisy, so compare ratios, not seconds from different runs. Peak memory is the largest sum of RSS "
        f"over the whole process tree (the build and its kernels), sampled every {SAMPLE_EVERY} s; "
        "`benchmarks/results.json` also has the largest single process (wait4 `ru_maxrss`).",
        "",
        "## Results",
        "",
        *results_table(results, facts),
        "",
        "## Targets",
        "",
        "Fractions of a clean build divide our medians of this run; the Jupyter Book comparison is the median of "
        "the per-pair ratios.",
        "",
        "| Target | Measured | Status |",
        "|---|---|---|",
        *[f"| {name} | {what} | {mark(met)} |" for name, what, met in targets(results, facts, total)],
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


def observations(results: list[Run], facts: dict) -> list[str]:
    out = []
    for run in runs_of(results, "noop").values():
        if run.executed:
            out.append(f"- Our no-op rebuild (run {run.rep}) re-executed {', '.join(run.executed)}: a freshness bug.")
    for run in facts.get("edit_runs", []):
        if run["ours_executed"] != [facts["edit_chapter"]]:
            out.append(f"- Run {run['rep']}: after editing {facts['edit_chapter']} our build re-executed "
                       f"{', '.join(run['ours_executed']) or 'nothing'}.")
        out.append(f"- Run {run['rep']}, chapter edit: Jupyter Book's cache re-executed "
                   f"{', '.join(run['jb_executed']) or 'nothing'}.")
    for run in runs_of(results, "jb_noop").values():
        out.append(f"- Run {run.rep}, no-op: Jupyter Book executed {len(run.executed)} and took "
                   f"{len(run.cached)} notebooks from its cache; `--all` re-renders every page, as ours always does.")
    for case in ("jb_force", "jb_cold", "jb_noop", "jb_data", "jb_edit"):
        for run in runs_of(results, case).values():
            if run.failed:
                out.append(f"- {case} run {run.rep}: Jupyter Book's execution failed for {', '.join(run.failed)}.")
    out.append("- Our HTML step is a full Sphinx build (`-W --nitpick`) in a fresh staging directory every time "
               "(atomic swap into `_build/html`), so it bounds every rebuild from below, including the no-op. It also "
               "stages what `analysis.build._stage` adds to the site (downloads, static copies of the figures, "
               "exports), which Jupyter Book's build of the same notebooks does not do.")
    tests = runs_of(results, "test")
    if any(not t.ok for t in tests.values()):
        out.append("- `make test` ran with `make -i`, so a failing step (e.g. lint) did not skip the rest: its time "
                   "is the whole suite's. See the log (`--keep`) for the failures.")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per case, if the budget allows (default 3)")
    parser.add_argument("--quick", action="store_true", help="one run per case")
    parser.add_argument("--budget", type=float, default=560,
                        help="no repeat starts unless it should end within this many seconds (default 560)")
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
        text = text.rstrip("\n") + "\n\n" + previous[previous.index(KEPT):]
    args.output.write_text(text, encoding="utf-8")
    RESULTS_JSON.write_text(json.dumps({"results": [asdict(r) for r in bench.results], "facts": bench.facts,
                                        "total_seconds": total}, indent=2) + "\n", encoding="utf-8")
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
