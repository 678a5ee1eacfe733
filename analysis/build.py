"""Build the book: execute stale chapters with papermill, then render HTML.

``make book`` calls :func:`main`. A chapter is re-executed only when something
it depends on has changed: its cells, its parameters, the data release
version, the ``analysis`` package, the pinned requirements, or one of the data
files it read last time (by the sha256 the data package records). What it read
is logged by :mod:`analysis.data` while the kernel runs and stored, with the
key, in the notebook's metadata, so a fresh clone reuses the committed record.

Executed notebooks for the default release are written back into
``chapters/`` (the committed record); those for another release go to
``_build/executed/<version>/``. The release before the one built is executed
too, for the "What changed" page. Any failure, in any release, stops the
build with a non-zero exit naming the release, the chapter and the cell.

The HTML is rendered only from fresh executions (a stale chapter is refused,
never published), built from a staging copy and published atomically by
:mod:`analysis.publish`; an interrupted build leaves the previous book and
records intact, and the next build cleans up after it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from analysis import paths, publish
from analysis.charts import DOWNLOADS, FIGURES_DIR, export_figure, specs_in_notebook, write_vega_bundle
from analysis.files import checkpoint, write_atomic
from analysis.sources import LOG_PREFIX as SOURCE_READ

KERNEL = "python3"
INJECTED_TAG = "injected-parameters"
META_KEY = "treadmill"
# Book sources copied into the staging directory besides the chapters.
BOOK_FILES = ("_config.yml", "_toc.yml")


class BuildError(RuntimeError):
    """A chapter or the HTML build failed; the message says which and where."""


@dataclass(frozen=True)
class Project:
    """The folders one build works on (the checkout, or a scratch copy in tests)."""

    root: Path

    @property
    def chapters_dir(self) -> Path:
        return self.root / "chapters"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def static_dir(self) -> Path:
        return self.root / "_static"

    @property
    def html_dir(self) -> Path:
        return self.build_dir / "html"

    def default_release(self) -> str:
        return (self.data_dir / "DEFAULT_RELEASE").read_text(encoding="utf-8").strip()

    def chapters(self) -> list[Path]:
        return sorted(self.chapters_dir.glob("*.ipynb"))

    def store(self, chapter: Path, version: str) -> Path:
        """Where the executed notebook of ``chapter`` for ``version`` is kept."""
        if version == self.default_release():
            return chapter
        return self.build_dir / "executed" / version / chapter.name


def short_name(chapter: Path) -> str:
    """``05_treadmill.ipynb`` -> ``treadmill`` (the name ``make chapter`` takes)."""
    return re.sub(r"^\d+_", "", chapter.stem)


def select(project: Project, only: str | None) -> list[Path]:
    chapters = project.chapters()
    if not only:
        return chapters
    chosen = [c for c in chapters if only in (short_name(c), c.stem, c.name)]
    if not chosen:
        names = ", ".join(short_name(c) for c in chapters)
        raise BuildError(f"no chapter named {only!r}; chapters are: {names}")
    return chosen


# --- fingerprints -----------------------------------------------------------


def _sha(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


def _code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]


def code_fingerprint(nb: nbformat.NotebookNode) -> str:
    """Hash of the cells' kinds, tags and sources; outputs do not count."""
    cells = [(c.cell_type, c.get("metadata", {}).get("tags", []), c.source) for c in _code_cells(nb)]
    return _sha(json.dumps(cells))


def environment_fingerprint(project: Project) -> str:
    """Hash of the analysis package and the pinned requirements."""
    parts = []
    for path in sorted(paths.ANALYSIS.rglob("*.py")):
        parts += [path.relative_to(paths.ANALYSIS).as_posix(), path.read_text(encoding="utf-8")]
    requirements = project.root / "requirements.txt"
    parts.append(requirements.read_text(encoding="utf-8") if requirements.exists() else "")
    return _sha(*parts)


def data_fingerprint(project: Project, reads: list[str]) -> str:
    """Hash of what a chapter read: package entries (sha256, bytes, schema) and source files."""
    parts = []
    descriptors: dict[str, dict] = {}
    for read in sorted(reads):
        if read.startswith(SOURCE_READ):  # a source document: its content, as verified on read
            source = project.data_dir / "sources" / read.removeprefix(SOURCE_READ)
            digest = hashlib.sha256(source.read_bytes()).hexdigest() if source.is_file() else "missing"
            parts += [read, digest]
            continue
        version, _, name = read.partition("/")
        if version not in descriptors:
            package = project.data_dir / version / "datapackage.json"
            descriptors[version] = json.loads(package.read_text("utf-8")) if package.exists() else {}
        entry = next(
            (r for r in descriptors[version].get("resources", []) if r.get("name") == name),
            None,
        )
        parts += [read, json.dumps(entry, sort_keys=True)]
    return _sha(*parts)


def cache_key(
    project: Project, nb: nbformat.NotebookNode, version: str, parameters: dict, reads: list[str], env: str
) -> str:
    return _sha(
        code_fingerprint(nb),
        json.dumps(parameters, sort_keys=True),
        version,
        env,
        data_fingerprint(project, reads),
    )


# --- execution --------------------------------------------------------------


@dataclass
class Job:
    project: Project
    chapter: Path
    version: str
    parameters: dict
    env: str
    store: Path


@dataclass
class Outcome:
    chapter: Path
    status: str  # "executed", "reused" or "failed"
    seconds: float = 0.0
    error: str = ""
    reads: list[str] = field(default_factory=list)


def is_fresh(job: Job) -> bool:
    """True when the stored execution was made from exactly these inputs."""
    if not job.store.exists():
        return False
    stored = nbformat.read(job.store, as_version=4)
    meta = stored.metadata.get(META_KEY)
    if not meta:
        return False
    source = nbformat.read(job.chapter, as_version=4)
    key = cache_key(job.project, source, job.version, job.parameters, meta.get("reads", []), job.env)
    return meta.get("key") == key


def normalise(nb: nbformat.NotebookNode) -> None:
    """Drop what papermill and nbclient record that changes run to run (times, paths)."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)


def _write_atomic(nb: nbformat.NotebookNode, target: Path) -> None:
    text = nbformat.writes(nb)
    write_atomic(target, text if text.endswith("\n") else text + "\n")  # as nbformat.write does


def execute(job: Job) -> Outcome:
    """Run one chapter with papermill in a fresh kernel; store it only on success."""
    import papermill

    start = time.perf_counter()
    failed_dir = job.project.build_dir / "failed"
    with tempfile.TemporaryDirectory(prefix="chapter-") as tmp:
        tmp_dir = Path(tmp)
        source = nbformat.read(job.chapter, as_version=4)
        source.cells = _code_cells(source)
        source_path = tmp_dir / job.chapter.name
        nbformat.write(source, source_path)
        output_path = tmp_dir / f"executed-{job.chapter.name}"
        log = tmp_dir / "reads.log"
        log.touch()
        # The kernel inherits these: analysis.data logs each resource it reads,
        # and analysis.paths resolves the project root (a scratch copy in tests).
        os.environ["TREADMILL_READS_LOG"] = str(log)
        os.environ["TREADMILL_ROOT"] = str(job.project.root)
        try:
            papermill.execute_notebook(
                str(source_path),
                str(output_path),
                parameters=job.parameters or None,
                kernel_name=KERNEL,
                cwd=str(job.chapter.parent),
                progress_bar=False,
                log_output=False,
                # The kernel's own start-up chatter (a TCP-transport notice per chapter)
                # would bury the messages that matter; errors still show.
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
        except papermill.PapermillExecutionError as err:
            failed_dir.mkdir(parents=True, exist_ok=True)
            if output_path.exists():
                shutil.copy(output_path, failed_dir / job.chapter.name)
            message = (
                f"data release {job.version}, chapter {job.chapter.stem}: failed in cell {err.cell_index} "
                f"(execution count {err.exec_count}): {err.ename}: {err.evalue}"
            )
            return Outcome(job.chapter, "failed", time.perf_counter() - start, message)
        except Exception as err:  # kernel died, notebook unreadable, ...
            message = f"data release {job.version}, chapter {job.chapter.stem}: failed: {type(err).__name__}: {err}"
            return Outcome(job.chapter, "failed", time.perf_counter() - start, message)
        reads = sorted(set(log.read_text(encoding="utf-8").split()))
        executed = nbformat.read(output_path, as_version=4)
        normalise(executed)
        executed.metadata[META_KEY] = {
            "data_version": job.version,
            "parameters": job.parameters,
            "reads": reads,
            "key": cache_key(job.project, source, job.version, job.parameters, reads, job.env),
        }
        checkpoint("execute")
        _write_atomic(executed, job.store)
    return Outcome(job.chapter, "executed", time.perf_counter() - start, reads=reads)


def job_for(project: Project, chapter: Path, version: str, env: str) -> Job:
    """The execution of ``chapter`` against ``version``, stored where that release keeps it."""
    parameters = {} if version == project.default_release() else {"data_version": version}
    return Job(project, chapter, version, parameters, env, project.store(chapter, version))


def check_release(project: Project, version: str) -> None:
    """Refuse an unknown release, or any frozen release edited in place."""
    from analysis.release import check_frozen

    if not (project.data_dir / version / "datapackage.json").exists():
        known = sorted(p.name for p in project.data_dir.iterdir() if (p / "datapackage.json").exists())
        raise BuildError(f"unknown data release {version!r}; releases are: {', '.join(known)}")
    problems = check_frozen(project.data_dir)
    if problems:
        raise BuildError("a frozen data release was edited in place:\n" + "\n".join(problems))


def default_version(project: Project) -> str:
    """The default release, which must be frozen: the book never builds by default from a draft."""
    from analysis.data import DataError, load_release

    version = project.default_release()
    try:
        release = load_release(version, project.data_dir)
    except DataError as err:
        raise BuildError(str(err)) from err
    if (project.data_dir / "RELEASES.json").is_file() and not release.is_frozen():
        raise BuildError(
            f"the default release {version} (data/DEFAULT_RELEASE) is a draft; freeze it first "
            f"(python -m analysis.release freeze {version}), or build the draft on its own with "
            f"`make book DATA_VERSION={version}`"
        )
    return version


def execute_chapters(
    project: Project,
    version: str | None = None,
    only: str | None = None,
    force: bool = False,
    jobs: int | None = None,
    echo=print,
) -> list[Outcome]:
    """Execute every stale chapter (all of them with ``force``), in parallel."""
    version = version or project.default_release()
    check_release(project, version)
    env = environment_fingerprint(project)
    todo, outcomes = [], []
    for chapter in select(project, only):
        job = job_for(project, chapter, version, env)
        if not force and is_fresh(job):
            outcomes.append(Outcome(chapter, "reused"))
            echo(f"  reused    {chapter.stem}")
        else:
            todo.append(job)
    if todo:
        workers = max(1, min(len(todo), jobs or os.cpu_count() or 1))
        # spawn: each worker starts clean, not a fork of a parent holding open files and threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = {pool.submit(execute, job): job for job in todo}
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                echo(f"  {outcome.status:<9} {outcome.chapter.stem} ({outcome.seconds:.1f} s)")
    order = {c: i for i, c in enumerate(project.chapters())}
    outcomes.sort(key=lambda o: order[o.chapter])
    return outcomes


def stale_chapters(project: Project, version: str) -> list[str]:
    """The chapters whose stored execution for ``version`` is missing or out of date."""
    env = environment_fingerprint(project)
    return [c.stem for c in project.chapters() if not is_fresh(job_for(project, c, version, env))]


def previous_release(project: Project, version: str) -> str | None:
    """The release the "What changed" page compares ``version`` with (None for the first)."""
    from analysis.release import predecessor

    return predecessor(version, project.data_dir)


# --- HTML -------------------------------------------------------------------


def _stage(project: Project, version: str, stage: Path) -> None:
    """Copy the book's sources, with the executed chapters for ``version``."""
    for name in BOOK_FILES:
        shutil.copy(project.root / name, stage / name)
    shutil.copytree(project.static_dir, stage / "_static")
    (stage / "chapters").mkdir()
    for item in project.chapters_dir.iterdir():
        if item.suffix == ".ipynb":
            shutil.copy(project.store(item, version), stage / "chapters" / item.name)
        elif item.is_file():
            shutil.copy(item, stage / "chapters" / item.name)
    release = project.data_dir / version
    # The bibliography comes from the release; its files are offered for download.
    shutil.copy(release / "references.bib", stage / "references.bib")
    shutil.copytree(release, stage / "downloads" / "data" / version)
    stage_release_extras(project, version, stage)  # REFI-QDA exports, "What changed" page
    export_figures(stage / "chapters", stage / "downloads" / FIGURES_DIR, project.build_dir / "figure-cache")


def export_figures(chapters: Path, out_dir: Path, cache_dir: Path | None = None) -> int:
    """Static copies (PNG, SVG, Vega-Lite spec, CSV data) of every figure in the executed chapters.

    They land in the site's ``figures/`` folder (``downloads`` is an
    ``html_extra_path``), where the line under each figure links them. A
    figure's id is the hash of its spec, so exports are cached by id (per
    vl-convert version) and a rebuild draws only new or changed figures.
    """
    import vl_convert as vlc

    out_dir.mkdir(parents=True, exist_ok=True)
    cache = (cache_dir / vlc.__version__) if cache_dir else out_dir
    count = 0
    for notebook in sorted(chapters.glob("*.ipynb")):
        try:
            specs = specs_in_notebook(nbformat.read(notebook, as_version=4))
            for vid, spec in specs.items():
                cached = sorted(cache.glob(f"{vid}.*"))
                if len(cached) != len(DOWNLOADS):
                    cached = export_figure(spec, cache, vid)
                if cache != out_dir:
                    for path in cached:
                        shutil.copy(path, out_dir / path.name)
                count += 1
        except ValueError as err:
            raise BuildError(f"static copies of the figures in {notebook.name}: {err}") from err
    return count


HTML_KEY_FILE = ".build-inputs"


def html_inputs_key(project: Project, version: str) -> str:
    """Hash of everything the HTML is made from, so an unchanged book is not rebuilt."""
    files = [project.root / name for name in BOOK_FILES + ("requirements.txt",)]
    files += [p for p in sorted(project.static_dir.rglob("*")) if p.name != "vega-bundle.js"]
    files += sorted(paths.ANALYSIS.rglob("*.py")) + sorted(project.data_dir.rglob("*"))
    files += sorted((project.build_dir / "executed").rglob("*.ipynb"))
    for item in sorted(project.chapters_dir.iterdir()):
        files.append(project.store(item, version) if item.suffix == ".ipynb" else item)
    parts = [version]
    for path in files:
        if path.is_file():
            parts += [str(path), hashlib.sha256(path.read_bytes()).hexdigest()]
    return _sha(*parts)


def require_fresh(project: Project, version: str) -> None:
    """Refuse to render stale executions: name them and say how to refresh them."""
    stale = [f"{version}: {stem}" for stem in stale_chapters(project, version)]
    old = previous_release(project, version)
    if old is not None:
        stale += [f"{old}: {stem}" for stem in stale_chapters(project, old)]
    if stale:
        raise BuildError(
            "these chapters are stale (their inputs changed since they were executed), so the book "
            "would mix old and new numbers; run `make book` to execute them:\n  " + "\n  ".join(stale)
        )


def build_html(project: Project, version: str | None = None, echo=print) -> float:
    """Render the stored executions (executing nothing) and publish the site atomically.

    Refuses stale chapters. Skipped when the inputs are exactly those the
    published site was built from. The inputs key is written into the new
    site before it is published, so it only ever describes a complete,
    successful build; a failed build publishes nothing and records nothing,
    and the next build tries again.
    """
    version = version or default_version(project)
    start = time.perf_counter()
    publish.recover(project.build_dir, project.chapters_dir)
    check_release(project, version)
    require_fresh(project, version)
    key = html_inputs_key(project, version)
    site = publish.current_site(project.html_dir)
    if site is not None and (site / HTML_KEY_FILE).is_file() and (site / HTML_KEY_FILE).read_text("utf-8") == key:
        echo(f"  reused    HTML (inputs unchanged) -> {project.html_dir}")
        return time.perf_counter() - start
    write_vega_bundle(project.static_dir)
    project.build_dir.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=publish.STAGE_PREFIX, dir=project.build_dir))
    try:
        _stage(project, version, stage)
        out = stage / "out"
        command = [
            str(Path(sys.executable).parent / "jupyter-book"),
            "build",
            str(stage),
            "--path-output",
            str(out),
            "--warningiserror",
            "--nitpick",
            "--keep-going",
            "--quiet",
        ]
        checkpoint("html")
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        log = project.build_dir / "last-html-build.log"
        write_atomic(log, result.stdout + result.stderr)
        built = out / "_build" / "html"
        if result.returncode != 0 or not (built / "index.html").exists():
            tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
            raise BuildError(f"HTML build failed (full log: {log}); the previous book is untouched.\n{tail}")
        if html_inputs_key(project, version) != key:
            raise BuildError("the book's sources changed while the HTML was being built; run `make book` again")
        write_atomic(built / HTML_KEY_FILE, key)
        publish.publish(built, project.html_dir)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    seconds = time.perf_counter() - start
    echo(f"  built     HTML ({seconds:.1f} s) -> {project.html_dir}")
    return seconds


def raise_failures(outcomes: list[Outcome], project: Project) -> None:
    """Raise one :class:`BuildError` naming every failed chapter (release, chapter, cell)."""
    failures = [o for o in outcomes if o.status == "failed"]
    if failures:
        raise BuildError(
            "\n".join(o.error for o in failures)
            + f"\nThe previous book in {project.html_dir} is untouched; "
            + f"the failed notebooks are in {project.build_dir / 'failed'}."
        )


def build_book(
    project: Project,
    version: str | None = None,
    only: str | None = None,
    force: bool = False,
    html: bool = True,
    echo=print,
) -> list[Outcome]:
    """Execute stale chapters of ``version`` and of the release before it, then build the HTML.

    Any chapter that fails, in either release, raises :class:`BuildError`
    before anything is published.
    """
    version = version or default_version(project)
    publish.recover(project.build_dir, project.chapters_dir)
    echo(f"Building the book from data release {version}")
    outcomes = execute_chapters(project, version, only=only, force=force, echo=echo)
    echo(summary(outcomes))
    raise_failures(outcomes, project)
    old = previous_release(project, version)
    if old is not None and (html or not only):
        echo(f"Chapters of data release {old}, for the page on what changed:")
        earlier = execute_chapters(project, old, echo=echo)
        raise_failures(earlier, project)
    if html:
        build_html(project, version, echo=echo)
    return outcomes


def summary(outcomes: list[Outcome]) -> str:
    lines = ["", f"{'chapter':<28}{'seconds':>9}  result"]
    for o in outcomes:
        lines.append(f"{o.chapter.stem:<28}{o.seconds:>9.1f}  {o.status}")
    executed = sum(o.status == "executed" for o in outcomes)
    lines.append(f"{executed} executed, {sum(o.status == 'reused' for o in outcomes)} reused, "
                 f"{sum(o.status == 'failed' for o in outcomes)} failed")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build", description=__doc__.splitlines()[0])
    parser.add_argument("--data-version", default="", help="data release to build from (default: data/DEFAULT_RELEASE)")
    parser.add_argument("--only", default="", help="execute just this chapter (e.g. treadmill)")
    parser.add_argument("--force", action="store_true", help="re-execute even if nothing changed")
    parser.add_argument("--no-html", action="store_true", help="execute chapters but do not build HTML")
    parser.add_argument("--html-only", action="store_true", help="render the stored notebooks; execute nothing")
    args = parser.parse_args(argv)
    project = Project(paths.ROOT)
    try:
        if args.html_only:
            build_html(project, args.data_version or None)
        else:
            build_book(project, args.data_version or None, args.only or None, args.force, not args.no_html)
    except BuildError as err:
        print(f"\nBUILD FAILED: {err}", file=sys.stderr)
        return 1
    return 0


# --- data release extras (analysis/release.py, diff.py, refiqda.py) ---------------


def stage_release_extras(project: Project, version: str, stage: Path, echo=print) -> None:
    """Stage the REFI-QDA exports and the "What changed" page.

    Writes ``downloads/data/<version>/codebook.qdc`` and ``coded-excerpts.qdpx``
    (served as ``data/<version>/...`` at the site root) and, when ``version``
    has a predecessor in ``data/``, ``chapters/changes.md`` with its entry in
    the staged ``_toc.yml`` (the repository's ``_toc.yml`` is not touched).
    Both releases' executions are fresh by now (see :func:`require_fresh`).
    """
    from analysis import diff, refiqda, release
    from analysis.data import DataError, load_release

    try:
        refiqda.write_exports(load_release(version, project.data_dir), stage / "downloads" / "data" / version)
        diff.write_changes_page(project, version, stage, echo=echo)
    except (DataError, refiqda.CodebookError, release.ReleaseError) as err:
        raise BuildError(f"data release {version}: {err}") from err


if __name__ == "__main__":
    sys.exit(main())
