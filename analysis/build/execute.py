"""Executing chapters with papermill: one fresh kernel each, in parallel, stored atomically."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from multiprocessing import resource_tracker
from pathlib import Path

import nbformat

from analysis.build import cache, publish
from analysis.build import text as texts
from analysis.build.code_keys import kernel_setup
from analysis.build.keys import INJECTED_TAG, cache_key, environment_fingerprint, read_notebook, rebase
from analysis.build.project import BuildError, Project, select
from analysis.build.text import cell_in_chapter, merge_prose, read_source, record_source, source_of
from analysis.data.files import checkpoint, write_atomic
from analysis.data.ran import recorded as ran_recorded
from analysis.data.reads import META_KEY, recorded

KERNEL = "python3"


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
    version: str = ""  # the data release it was for
    note: str = ""  # for a reuse: where the execution came from


def is_fresh(job: Job) -> bool:
    """True when the stored execution was made from exactly these inputs."""
    if not job.store.exists():
        return False
    stored = read_notebook(job.store)
    meta = stored.metadata.get(META_KEY)
    if not meta:
        return False
    source = read_source(source_of(job.chapter))  # the key comes from the text's cells
    reads = rebase(meta.get("reads", []), meta.get("data_version", job.version), job.version)
    key = cache_key(job.project, source, job.version, job.parameters, reads, job.env, meta.get("ran"))
    return meta.get("key") == key


def retarget(nb: nbformat.NotebookNode, job: Job) -> nbformat.NotebookNode:
    """``nb``, a fresh execution for another release with this job's key, recorded as made for ``job``.

    Its outputs are those of ``job`` (the key says so); only what names the
    release changes: papermill's injected parameters cell and the record.
    """
    from papermill.translators import translate_parameters

    meta = nb.metadata[META_KEY]
    if meta["data_version"] == job.version and meta["parameters"] == job.parameters:
        return nb
    for cell in nb.cells:
        if INJECTED_TAG in cell.get("metadata", {}).get("tags", []):
            cell.source = translate_parameters(KERNEL, "python", job.parameters, "Parameters")
    nb.metadata[META_KEY] = {
        **meta,
        "data_version": job.version,
        "parameters": job.parameters,
        "reads": rebase(meta["reads"], meta["data_version"], job.version),
    }
    return nb


def update_prose(job: Job) -> bool:
    """Bring a fresh stored execution up to date with its chapter's text; True if it changed.

    A prose edit to the text changes no key: its markdown cells are merged into
    the store (the record, for the default release), outputs kept, and no
    kernel is started. A store made for another release whose key is this
    job's is also recorded as made for this one (:func:`retarget`).
    """
    meta = read_notebook(job.store).metadata.get(META_KEY, {})
    recorded = (meta.get("data_version"), meta.get("parameters"), meta.get(texts.SOURCE_KEY))
    text = read_source(source_of(job.chapter))
    if recorded == (job.version, job.parameters, texts.digest(text)):
        return False  # the common case, decided without reading the notebook again
    stored = nbformat.read(job.store, as_version=4)
    updated = record_source(retarget(merge_prose(text, nbformat.from_dict(stored)), job), text)
    if nbformat.writes(updated) == nbformat.writes(stored):
        return False
    _write_atomic(updated, job.store)
    return True


def strip_run_metadata(nb: nbformat.NotebookNode) -> None:
    """Drop what papermill and nbclient record that changes run to run (times, paths, random ids)."""
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        cell.metadata.pop("papermill", None)
        cell.metadata.pop("execution", None)
        if cell.metadata.get("tags") == []:  # papermill's; a cell merged from the text has none
            del cell.metadata["tags"]
        if INJECTED_TAG in cell.metadata.get("tags", []):
            cell.id = INJECTED_TAG  # papermill draws a new random id for it on every run
    hide_injected(nb)


def hide_injected(nb: nbformat.NotebookNode) -> None:
    """Tag papermill's injected parameters cell ``remove-cell``: readers never see it (nbval still runs it)."""
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if INJECTED_TAG in tags and "remove-cell" not in tags:
            cell.metadata["tags"] = [*tags, "remove-cell"]


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
        source = texts.editable(source_of(job.chapter))  # the notebook jupytext makes from the text
        source_path = tmp_dir / job.chapter.name
        nbformat.write(source, source_path)
        output_path = tmp_dir / f"executed-{job.chapter.name}"
        log, ran_log = tmp_dir / "reads.log", tmp_dir / "ran.log"
        log.touch()
        ran_log.touch()
        config = kernel_setup(job.project.root, log, ran_log)  # run in the kernel before the first cell
        try:
            papermill.execute_notebook(
                str(source_path),
                str(output_path),
                parameters=job.parameters or None,
                kernel_name=KERNEL,
                cwd=str(job.chapter.parent),
                progress_bar=False,
                log_output=False,
                start_timeout=300,  # a kernel starts slowly on a loaded 2-core machine; that is no failure
                # The kernel's own log is infrastructure chatter (a TCP-transport notice at start,
                # "KeyboardInterrupt caught" when jupyter_client interrupts it at shutdown) that
                # would bury the messages that matter. A failing cell or a dead kernel is still
                # reported, by papermill, with the cell and the error.
                extra_arguments=["--IPKernelApp.log_level=CRITICAL", f"--IPKernelApp.exec_lines={json.dumps(config)}"],
            )
        except papermill.PapermillExecutionError as err:
            failed_dir.mkdir(parents=True, exist_ok=True)
            if output_path.exists():
                shutil.copy(output_path, failed_dir / job.chapter.name)
            cell = cell_in_chapter(job.project.root, job.chapter, output_path, err.cell_index)
            message = (
                f"data release {job.version}, chapter {job.chapter.stem}: failed in {cell}: {err.ename}: {err.evalue}"
            )
            return Outcome(job.chapter, "failed", time.perf_counter() - start, message, version=job.version)
        except Exception as err:  # kernel died, notebook unreadable, ...
            message = f"data release {job.version}, chapter {job.chapter.stem}: failed: {type(err).__name__}: {err}"
            return Outcome(job.chapter, "failed", time.perf_counter() - start, message, version=job.version)
        # Each raises if the kernel was never configured: its reads, or the code it ran, would be unknown.
        reads, ran = recorded(log), ran_recorded(ran_log)
        executed = nbformat.read(output_path, as_version=4)
        strip_run_metadata(executed)
        executed.metadata[META_KEY] = {
            "data_version": job.version,
            "parameters": job.parameters,
            "reads": reads,
            "ran": ran,
            "key": cache_key(job.project, source, job.version, job.parameters, reads, job.env, ran),
        }
        record_source(executed, source)
        checkpoint("execute")
        _write_atomic(executed, job.store)
        cache.keep(job.project, job.chapter, job.store)
    return Outcome(job.chapter, "executed", time.perf_counter() - start, reads=reads, version=job.version)


def job_for(project: Project, chapter: Path, version: str, store: Path | None = None) -> Job:
    """The execution of ``chapter`` against ``version``, stored where that release keeps it.

    The release is always passed as a parameter, even for the default one, so
    that an execution is the same wherever it is stored: one made by
    ``make book DATA_VERSION=1.2.0`` serves unchanged once 1.2.0 is the default.
    """
    env = environment_fingerprint(project)
    return Job(project, chapter, version, {"data_version": version}, env, store or project.store(chapter, version))


def _elsewhere(job: Job) -> list[Path]:
    """Other stores that may hold this very execution: the committed record, every release's, the cache."""
    found = [job.chapter, *sorted((job.project.build_dir / "executed").glob(f"*/{job.chapter.name}"))]
    found += cache.candidates(job.project, job.chapter)
    return [path for path in found if path != job.store and path.is_file()]


def adopt(job: Job) -> Path | None:
    """Store a fresh execution of ``job`` found in another store, instead of executing; returns where from.

    Keys cover what the outputs depend on, so an execution with the same key
    is the same execution, whichever release it was made for (see
    :mod:`analysis.build.keys`). Its prose is brought up to date on the way.
    """
    for candidate in _elsewhere(job):
        if is_fresh(Job(job.project, job.chapter, job.version, job.parameters, job.env, candidate)):
            source = read_source(source_of(job.chapter))
            merged = merge_prose(source, nbformat.read(candidate, as_version=4))
            _write_atomic(record_source(retarget(merged, job), source), job.store)
            if candidate.is_relative_to(cache.chapter_dir(job.project, job.chapter)):
                cache.used(candidate)
            return candidate
    return None


def check_release(project: Project, version: str) -> None:
    """Refuse an unknown release, or any frozen release edited in place."""
    from analysis.data.release import DataError, available_releases, check_version_name, load_release
    from analysis.releases.registry import ReleaseError, check_frozen

    try:
        check_version_name(version, "the data release asked for")
        if not (project.data_dir / version / "datapackage.json").exists():
            known = available_releases(project.data_dir)
            raise BuildError(f"unknown data release {version!r}; releases are: {', '.join(known)}")
        load_release(version, project.data_dir)  # its name, its folder: no link, no stray file
    except DataError as err:
        raise BuildError(str(err)) from err
    try:
        problems = check_frozen(project.data_dir)
    except ReleaseError as err:  # e.g. a link in a frozen release: refused, never followed
        raise BuildError(str(err)) from err
    if problems:
        raise BuildError("a frozen data release was edited in place:\n" + "\n".join(problems))


def default_version(project: Project) -> str:
    """The default release, which must be frozen: the book never builds by default from a draft."""
    from analysis.data.release import DataError, load_release

    version = project.default_release()
    try:
        release = load_release(version, project.data_dir)
    except DataError as err:
        raise BuildError(str(err)) from err
    if (project.data_dir / "RELEASES.json").is_file() and not release.is_frozen():
        raise BuildError(
            f"the default release {version} (data/DEFAULT_RELEASE) is a draft; freeze it first "
            f"(python -m analysis.releases.registry freeze {version}), or build the draft on its own with "
            f"`make book DATA_VERSION={version}`"
        )
    return version


def _execute_or_adopt(job: Job) -> Outcome:
    """In a worker: adopt an execution finished meanwhile (another release's, same key), else execute."""
    source = adopt(job)
    if source is not None:
        where = source.relative_to(job.project.root)
        return Outcome(job.chapter, "reused", version=job.version, note=f"the same execution, from {where}")
    return execute(job)


@publish.holding_lock
def execute_chapters(
    project: Project,
    version: str | None = None,
    only: str | None = None,
    force: bool = False,
    jobs: int | None = None,
    echo=print,
    also: tuple[str, ...] = (),
) -> list[Outcome]:
    """Execute every stale chapter (all of them with ``force``) of ``version``, in parallel.

    ``also`` names other releases (the one the "What changed" page compares
    with) whose stale chapters run in the same pool, after ``version``'s: one
    pool keeps both cores busy, and a chapter whose reads are the same in both
    releases is executed once and adopted by the other when it starts.
    """
    version = version or project.default_release()
    check_release(project, version)
    texts.check_records(project)  # a record edited by hand is refused before anything overwrites it
    shutil.rmtree(project.build_dir / "failed", ignore_errors=True)  # only this run's failures are shown there
    todo, outcomes = [], []
    plans = [(version, select(project, only), force)] + [(v, project.chapters(), False) for v in also]
    for release, chapters, forced in plans:
        if release != version:
            check_release(project, release)
        suffix = "" if release == version else f" [data release {release}]"
        for chapter in chapters:
            job = job_for(project, chapter, release)
            if not forced and is_fresh(job):
                prose = update_prose(job)
                outcomes.append(Outcome(chapter, "reused", version=release))
                echo(f"  reused    {chapter.stem}{suffix}{' (prose updated, nothing executed)' if prose else ''}")
                continue
            # The execution about to be replaced (for the default release, the committed record of the
            # previous default, perhaps): kept by key, so an undo or `make book DATA_VERSION=` reuses it.
            cache.keep(project, chapter, job.store)
            source = None if forced else adopt(job)
            if source is not None:
                outcomes.append(Outcome(chapter, "reused", version=release))
                echo(
                    f"  reused    {chapter.stem}{suffix} (the same execution, from {source.relative_to(project.root)})"
                )
            else:
                todo.append(job)
    if todo:
        workers = max(1, min(len(todo), jobs or os.cpu_count() or 1))
        # spawn: each worker starts clean, not a fork of a parent holding open files and threads.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            # Forced jobs execute; the others may find their execution made meanwhile by another release's.
            futures = [
                pool.submit(execute if force and job.version == version else _execute_or_adopt, job) for job in todo
            ]
            for future in as_completed(futures):
                outcome = future.result()
                outcomes.append(outcome)
                suffix = "" if outcome.version == version else f" [data release {outcome.version}]"
                said = outcome.note or f"{outcome.seconds:.1f} s"
                echo(f"  {outcome.status:<9} {outcome.chapter.stem}{suffix} ({said})")
        # The spawned pool started multiprocessing's resource tracker, a process that would outlive
        # `make book` (it exits only when it notices its parent gone): stop it and reap it now.
        resource_tracker._resource_tracker._stop()  # type: ignore[attr-defined]  # not in typeshed
    order = {c: i for i, c in enumerate(project.chapters())}
    releases = [version, *also]
    outcomes.sort(key=lambda o: (releases.index(o.version), order[o.chapter]))
    return outcomes


def stale_chapters(project: Project, version: str) -> list[str]:
    """The chapters whose stored execution for ``version`` is missing or out of date, and why
    when it is its text (a prose edit not yet in the record)."""
    stale = []
    for chapter in project.chapters():
        job = job_for(project, chapter, version)
        if not is_fresh(job):
            stale.append(chapter.stem)
        elif why := texts.disagreement(project, chapter, job.store):
            stale.append(f"{chapter.stem} ({why})")
    return stale


def previous_release(project: Project, version: str) -> str | None:
    """The release the "What changed" page compares ``version`` with (None for the first)."""
    from analysis.releases.registry import predecessor

    return predecessor(version, project.data_dir)


def raise_failures(outcomes: list[Outcome], project: Project, book: bool = True) -> None:
    """Raise one :class:`BuildError` naming every failed chapter (release, chapter, cell).

    ``book``: the build of the book, whose previous version is then said to be untouched;
    the folder of failed notebooks is named only when this run left one there.
    """
    failures = [o for o in outcomes if o.status == "failed"]
    if failures:
        failed = project.build_dir / "failed"
        kept = [o.chapter.name for o in failures if (failed / o.chapter.name).is_file()]
        raise BuildError(
            "\n".join(o.error for o in failures)
            + (f"\nThe previous book in {project.html_dir} is untouched." if book else "")
            + (f"\nThe failed notebooks, with their outputs up to the error, are in {failed}." if kept else "")
        )
