"""The HTML: stage the book, render it with Jupyter Book, publish it atomically."""

from __future__ import annotations

import hashlib
import json
import pickle
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from analysis import paths
from analysis.book.citation import PDF_NAME
from analysis.build import publish
from analysis.build.execute import check_release, default_version, previous_release, stale_chapters
from analysis.build.extras import _pdf_beside, _stage_release_files, _static_libraries, draft_banner
from analysis.build.keys import INJECTED_TAG, _sha, file_digest, read_notebook
from analysis.build.project import BOOK_FILES, BuildError, Project
from analysis.build.text import check_records, is_source
from analysis.data.files import checkpoint, write_atomic
from analysis.data.reads import META_KEY
from analysis.data.release import fill_release_name

# Where the cached data comparison is put in the stage for a moment (removed before Sphinx reads it).
COMPARISON_FILE = ".data-comparison.pickle"


def _files_digest(files: list[Path]) -> list[str]:
    return [part for path in files if path.is_file() for part in (str(path), file_digest(path))]


def _data_key(project: Project, version: str) -> str:
    """Hash of what the REFI-QDA exports and the data comparison are made from: both releases'
    files, the sources, the release registry and the ``analysis`` code (no chapter, no execution)."""
    old = previous_release(project, version)
    files = [*sorted(paths.ANALYSIS.rglob("*.py")), *sorted(project.data_dir.glob("*"))]
    for name in filter(None, (version, old, "sources")):
        files += sorted((project.data_dir / name).rglob("*"))
    return _sha(version, old or "", *_files_digest(files))


def _extras_key(project: Project, version: str) -> str:
    """Hash of everything the staged extras are made from: the data (:func:`_data_key`), the
    table of contents, the keys of the release's stored executions and the previous release's
    edition (their glued numbers), so a prose edit, which changes no output, keeps the whole page."""
    from analysis.build.editions import edition_files

    parts = [_data_key(project, version), *_files_digest([project.root / "_toc.yml"])]
    for chapter in project.chapters():
        store = project.store(chapter, version)
        meta = read_notebook(store).metadata.get(META_KEY, {}) if store.is_file() else {}
        parts += [str(store), str(meta.get("key"))]
    old = previous_release(project, version)
    edition = edition_files(project, old) if old else {}
    return _sha(*parts, *_files_digest(list(edition.values())))


def _cached(cache: Path, stage: Path, make) -> None:
    """Run ``make()`` (which writes into ``stage``), or copy what it wrote last time with the same key.

    ``cache`` is ``<kind>-<key>``; one entry of each kind is kept. Only a
    complete run is cached: a failure raises before anything is written.
    """
    if (cache / ".complete").is_file():
        for path in sorted(p for p in cache.rglob("*") if p.is_file() and p.name != ".complete"):
            target = stage / path.relative_to(cache)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        return

    def snapshot() -> dict[Path, bytes]:
        return {p.relative_to(stage): p.read_bytes() for p in stage.rglob("*") if p.is_file()}

    before = snapshot()
    make()
    kind = cache.name.partition("-")[0]
    for old in cache.parent.glob(f"{kind}-*"):
        shutil.rmtree(old, ignore_errors=True)
    for rel, content in snapshot().items():
        if before.get(rel) != content:  # what it wrote or changed
            write_atomic(cache / rel, content)
    write_atomic(cache / ".complete", "")


def _cached_extras(project: Project, version: str, stage: Path) -> None:
    """:func:`stage_release_extras`, or what it staged in the last build with the same inputs.

    Two levels: a prose edit changes none of the inputs, and the whole result
    is copied; a code edit changes only the executions, and the costly part,
    the data comparison (both claims registers, every table diffed) and the
    REFI-QDA exports, is taken from the cache keyed by the data alone.
    """
    caches = project.build_dir / "extras-cache"
    _cached(
        caches / f"page-{_extras_key(project, version)}", stage, lambda: stage_release_extras(project, version, stage)
    )


def _with_release_name(store: Path, version: str) -> nbformat.NotebookNode:
    """An executed chapter with the release's name in its outputs where they show the mark (not in its prose)."""
    nb = nbformat.read(store, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code" and cell.outputs:
            cell.outputs = nbformat.from_dict(json.loads(fill_release_name(json.dumps(cell.outputs), version)))
    return nb


def _stage(project: Project, version: str, stage: Path) -> None:
    """Copy the book's sources, with the executed chapters for ``version``."""
    for name in BOOK_FILES:
        shutil.copy(project.root / name, stage / name)
    shutil.copytree(project.static_dir, stage / "_static")
    _static_libraries(stage / "_static")
    draft_banner(project, version, stage / "_config.yml")
    (stage / "chapters").mkdir()
    for item in project.chapters_dir.iterdir():
        if item.suffix == ".ipynb":
            nbformat.write(_with_release_name(project.store(item, version), version), stage / "chapters" / item.name)
        elif item.is_file() and not is_source(item):  # a chapter's text is not a page: its record is
            shutil.copy(item, stage / "chapters" / item.name)
    _stage_release_files(project, version, stage)
    _cached_extras(project, version, stage)  # REFI-QDA exports, "What changed" page
    from analysis.book.charts import FIGURES_DIR

    export_figures(stage / "chapters", stage / "downloads" / FIGURES_DIR, project.build_dir / "figure-cache")


def export_figures(chapters: Path, out_dir: Path, cache_dir: Path | None = None) -> int:
    """Static copies (PNG, SVG, Vega-Lite spec, CSV data) of every figure in the executed chapters.

    They land in the site's ``figures/`` folder (``downloads`` is an
    ``html_extra_path``), where the line under each figure links them. A
    figure's id is the hash of its spec, so exports are cached by id (per
    vl-convert version) and a rebuild draws only new or changed figures.
    """
    import vl_convert as vlc

    from analysis.book.charts import DOWNLOADS, export_figure, specs_in_notebook

    out_dir.mkdir(parents=True, exist_ok=True)
    cache = (cache_dir / vlc.__version__) if cache_dir else out_dir  # type: ignore[attr-defined]  # vl-convert's stub omits __version__, which the module has
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
WORK, WORK_OK = publish.WORK, publish.WORK_OK


def _vega_bundle(project: Project) -> None:
    """Write ``_static/vega-bundle.js`` unless the one there was made by this vl-convert.

    vl-convert takes seconds to produce the bundle, so the build records which
    version made the file (and its hash) and only regenerates when either changed.
    """
    import vl_convert as vlc

    bundle = project.static_dir / "vega-bundle.js"
    stamp = project.build_dir / "vega-bundle.stamp"
    expected = f"{vlc.__version__} {hashlib.sha256(bundle.read_bytes()).hexdigest() if bundle.is_file() else ''}"  # type: ignore[attr-defined]  # (as above)
    if bundle.is_file() and stamp.is_file() and stamp.read_text(encoding="utf-8") == expected:
        return
    from analysis.book.charts import write_vega_bundle  # Altair costs a second: only when needed

    write_vega_bundle(project.static_dir)
    write_atomic(stamp, f"{vlc.__version__} {hashlib.sha256(bundle.read_bytes()).hexdigest()}")  # type: ignore[attr-defined]  # (as above)


def _static_changed(fresh: Path, book: Path) -> bool:
    """Whether a file of the staged ``_static`` differs from the last build's.

    Sphinx copies static files only when some page is rebuilt ("no targets are out of
    date" ends the build before), so a change to a stylesheet or script alone must
    start the output afresh, or the published site keeps the old file.
    """
    new, old = fresh / "_static", book / "_static"
    names = {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    names |= {p.relative_to(old) for p in old.rglob("*") if p.is_file()} if old.is_dir() else set()
    return any(
        not (new / n).is_file() or not (old / n).is_file() or (new / n).read_bytes() != (old / n).read_bytes()
        for n in names
    )


def _sync(source: Path, target: Path) -> tuple[int, int]:
    """Make ``target`` a copy of ``source``, touching only files whose bytes differ.

    Returns how many files were written and how many removed.
    """
    changed = removed = 0
    wanted = {p.relative_to(source) for p in source.rglob("*") if p.is_file()}
    for rel in sorted(wanted):
        new, old = source / rel, target / rel
        if not old.is_file() or old.read_bytes() != new.read_bytes():
            old.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(new, old)
            changed += 1
    for path in sorted(target.rglob("*"), reverse=True):
        if path.is_file() and path.relative_to(target) not in wanted:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed, removed


def html_inputs_key(project: Project, version: str) -> str:
    """Hash of everything the HTML is made from, so an unchanged book is not rebuilt."""
    files = [project.root / name for name in BOOK_FILES + ("requirements.txt",)]
    files += [p for p in sorted(project.static_dir.rglob("*")) if p.name != "vega-bundle.js"]
    files += sorted(paths.ANALYSIS.rglob("*.py")) + sorted(project.data_dir.rglob("*"))
    files += sorted(project.editions_dir.rglob("*.ipynb"))  # the "What changed" page reads the previous edition
    for item in sorted(project.chapters_dir.iterdir()):
        if not is_source(item):  # the texts count through their records (require_fresh: they agree)
            files.append(project.store(item, version) if item.suffix == ".ipynb" else item)
    return _sha(version, *_files_digest(files))


ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# MyST-NB numbers a notebook's lines as (cell index + 1) * 10000 + line in the cell.
NOTEBOOK_LINE = re.compile(r"(?P<file>[\w./-]+\.ipynb):(?P<line>\d{5,})")


def author_messages(log: str, staged: Path) -> str:
    """Sphinx's messages as the author can act on them: no colour codes, no staging paths, no
    Jupyter Book trailer pointing "above" when the cause is in these lines, and a chapter's
    line as its cell (counted from 1, from the top) and the line in that cell."""
    text = ANSI_ESCAPE.sub("", log)
    text = text.replace(f"{staged}/", "").replace(str(staged), ".")

    def cell(match: re.Match) -> str:
        line, name = int(match["line"]), match["file"]
        index, staged_record = line // 10000 - 1, staged / name
        if is_source(Path(name).with_suffix(".md")) and staged_record.is_file():  # a chapter: count in its text
            ran = [INJECTED_TAG in c.metadata.get("tags", []) for c in nbformat.read(staged_record, 4).cells]
            if 0 <= index < len(ran) and not ran[index]:  # papermill's injected cell is in no text
                index, name = ran[:index].count(False), Path(name).with_suffix(".md").as_posix()
        return f"{name}, cell {index + 1} (counted from 1, from the top), line {line % 10000}"

    text = NOTEBOOK_LINE.sub(cell, text)
    keep = [
        line
        for line in text.strip().splitlines()
        if "Look above for the cause" not in line and not re.fullmatch(r"\s*[=\-─━]{3,}\s*", line)
    ]
    return "\n".join(keep)


def require_fresh(project: Project, version: str) -> None:
    """Refuse to render stale executions, or a record edited by hand: name them and say what to do."""
    check_records(project)
    stale = [f"{version}: {stem}" for stem in stale_chapters(project, version)]
    if stale:
        raise BuildError(
            "these chapters are stale (their text or inputs changed since their records were built), so the "
            "book would mix old and new; run `make book` to bring them up to date (a prose edit executes "
            "nothing):\n  " + "\n  ".join(stale)
        )


@publish.holding_lock
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
    _vega_bundle(project)
    work = project.build_dir / WORK
    publish.discard_unfinished(work)
    (work / WORK_OK).unlink(missing_ok=True)  # until this build succeeds, the work folder is suspect
    project.build_dir.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=publish.STAGE_PREFIX, dir=project.build_dir))
    try:
        _stage(project, version, fresh)
        static_changed = _static_changed(fresh, work / "book")
        changed, removed = _sync(fresh, work / "book")  # unchanged files keep their mtime: Sphinx skips them
        if removed or static_changed:  # Sphinx never deletes the output of a page that is gone: start that part afresh
            shutil.rmtree(work / "out", ignore_errors=True)
        command = [
            str(Path(sys.executable).parent / "jupyter-book"),
            "build",
            str(work / "book"),
            "--path-output",
            str(work / "out"),
            "--warningiserror",
            "--nitpick",
            "--keep-going",
            "--quiet",
        ]
        checkpoint("html")
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        log = project.build_dir / "last-html-build.log"
        write_atomic(log, result.stdout + result.stderr)
        built = work / "out" / "_build" / "html"
        if result.returncode != 0 or not (built / "index.html").exists():
            # Sphinx re-reads only changed pages, so it would not repeat these warnings
            # next time: forget the incremental state and let the next build start afresh.
            tail = "\n".join(author_messages(result.stdout + result.stderr, work / "book").splitlines()[-25:])
            shutil.rmtree(work, ignore_errors=True)
            raise BuildError(f"HTML build failed (full log: {log}); the previous book is untouched.\n{tail}")
        if html_inputs_key(project, version) != key:
            raise BuildError("the book's sources changed while the HTML was being built; run `make book` again")
        site = fresh / "site"
        shutil.copytree(built, site)  # a copy: Sphinx rewrites its own output in place next time
        with_pdf = _pdf_beside(project, key, site)
        write_atomic(site / HTML_KEY_FILE, key)
        publish.publish(site, project.html_dir)
        write_atomic(work / WORK_OK, key)
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
    seconds = time.perf_counter() - start
    echo(f"  built     HTML ({seconds:.1f} s, {changed} staged files changed) -> {project.html_dir}")
    if not with_pdf:
        echo(f'  no PDF    for these pages: run `make pdf` to add {PDF_NAME} (the "Download the book as PDF" link)')
    return seconds


def stage_release_extras(project: Project, version: str, stage: Path, echo=print) -> None:
    """Stage the REFI-QDA exports and the "What changed" page.

    Writes ``downloads/data/<version>/codebook.qdc`` and ``coded-excerpts.qdpx``
    (served as ``data/<version>/...`` at the site root) and, when ``version``
    has a predecessor in ``data/``, ``chapters/changes.md`` with its entry in
    the staged ``_toc.yml`` (the repository's ``_toc.yml`` is not touched).
    Both releases' executions are fresh by now (see :func:`require_fresh`).
    The exports and the data comparison are cached by the data's content.
    """
    from analysis.build.changes import compare_data, write_changes_page
    from analysis.data.release import DataError, load_release
    from analysis.releases import refiqda, registry

    old = previous_release(project, version)
    saved = stage / COMPARISON_FILE

    def exports_and_comparison() -> None:
        refiqda.write_exports(load_release(version, project.data_dir), stage / "downloads" / "data" / version)
        if old is not None:
            saved.write_bytes(pickle.dumps(compare_data(project, old, version)))

    try:
        _cached(
            project.build_dir / "extras-cache" / f"data-{_data_key(project, version)}", stage, exports_and_comparison
        )
        data = pickle.loads(saved.read_bytes()) if saved.is_file() else None  # our own cache, written above
        saved.unlink(missing_ok=True)
        write_changes_page(project, version, stage, echo=echo, data=data)
    except (DataError, refiqda.CodebookError, registry.ReleaseError) as err:
        raise BuildError(f"data release {version}: {err}") from err
