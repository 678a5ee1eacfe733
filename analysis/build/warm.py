"""The warm path of ``make preview``: one Sphinx application kept alive between prose saves.

Measured on this book (2 cores, load 5): a prose save through ``make book`` took about
8 s, 5.7 s of it the ``jupyter-book build`` subprocess, most of which was starting Python,
importing Sphinx and its extensions, loading the pickled environment, and (5 s of a
7.5 s profile) pybtex looking its plugins up through every installed package's entry
points (fixed in :mod:`analysis.sphinx_ext.harvard`). This worker pays the start-up once:
it builds Jupyter Book's Sphinx application as ``jupyter-book build`` does
(``jupyter_book.sphinx.build_sphinx``, whose application is dropped after one build) and
keeps it. A prose save then rewrites the one staged chapter and calls the live
application's incremental ``build()`` (Sphinx re-reads the sources whose mtime moved,
and writes the pages that depend on them): about 1.2 s.

Only a prose edit takes this path: a chapter's text (``chapters/NN_name.md``) whose code is
the record's has its prose merged into the record (:func:`analysis.build.execute.update_prose`,
as ``make book`` does), and then every changed file is a chapter whose code cells
(tags, sources, outputs) and metadata are those staged, so no key moved and nothing
needs executing. Anything else is refused and ``make preview`` runs the normal build.
The worker starts from the work folder the last successful normal build left
(``_build/work``), in its own folder (``_build/preview``), and publishes exactly as the
normal build does (:mod:`analysis.build.publish`): a complete copy of the output, its
inputs key inside, switched in by one rename under the build lock. A failed build
publishes nothing and ends the worker (Sphinx would not repeat a warning for a page it
has read), and the preview falls back to the normal build, which reports the error.

It runs in a process of its own (``python -m analysis.build.warm``), started by the
preview after each successful normal build, so an edit to ``analysis`` takes effect:
requests and replies are JSON lines on stdin/stdout, replies prefixed with
:data:`PREFIX`. It ends when its stdin closes (the preview is gone).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from analysis import paths
from analysis.build import publish
from analysis.build.execute import default_version, is_fresh, job_for, update_prose
from analysis.build.extras import _pdf_beside
from analysis.build.project import BuildError, Project
from analysis.build.site import (
    HTML_KEY_FILE,
    WORK,
    WORK_OK,
    _sync,
    _with_release_name,
    author_messages,
    html_inputs_key,
)
from analysis.build.text import SOURCE_KEY, digest, is_source
from analysis.data.files import write_atomic
from analysis.data.reads import META_KEY

if TYPE_CHECKING:
    from sphinx.application import Sphinx

PREFIX = "@@warm "
FOLDER = "preview"  # under _build/: the warm application's sources, doctrees and output


def _code_view(nb: nbformat.NotebookNode) -> tuple:
    """What a prose edit leaves alone: the metadata (but the digest of the text), and each code cell's tags,
    source and outputs."""
    cells = [
        (c.get("metadata", {}).get("tags", []), c.source, c.get("outputs", []))
        for c in nb.cells
        if c.cell_type == "code"
    ]
    metadata = dict(nb.metadata)
    if isinstance(metadata.get(META_KEY), dict):
        metadata[META_KEY] = {k: v for k, v in metadata[META_KEY].items() if k != SOURCE_KEY}
    return (metadata, cells)


class Warm:
    """A Sphinx application over ``_build/preview/book``, kept between builds."""

    def __init__(self, project: Project, version: str | None = None) -> None:
        self.project = project
        self.version = version or default_version(project)
        self.root = project.build_dir / FOLDER
        self.book = self.root / "book"
        self.out = self.root / "out" / "html"
        self.log = io.StringIO()
        self._stack = contextlib.ExitStack()
        self.app: Sphinx | None = None
        self._assets: tuple[list, list] = ([], [])
        self.phases: dict[str, float] = {}  # seconds per step of the last rebuild, for the terminal

    def _lap(self, name: str, since: float) -> float:
        now = time.perf_counter()
        self.phases[name] = round(now - since, 2)
        return now

    def start(self) -> float:
        """Copy the last successful build's staged sources, create the application, build once."""
        start = time.perf_counter()
        work = self.project.build_dir / WORK
        if not (work / WORK_OK).is_file():
            raise BuildError(f"no complete build in {work} to start from")
        _sync(work / "book", self.book)  # unchanged files keep their mtime: Sphinx re-reads only the others
        # The work folder can be behind the published site by prose edits a warm build published
        # (the normal build then finds its inputs unchanged and leaves the work folder alone).
        for chapter in self.project.chapters():
            self._stage(chapter)
        from jupyter_book.config import get_final_config
        from jupyter_book.pdf import update_latex_documents
        from sphinx.application import Sphinx
        from sphinx.util.docutils import docutils_namespace, patch_docutils

        # What `jupyter-book build --warningiserror --nitpick --keep-going` passes (jupyter_book.cli.main).
        overrides = {
            "external_toc_path": (self.book / "_toc.yml").as_posix(),
            "latex_individualpages": False,
            "nitpicky": True,
        }
        config, meta = get_final_config(
            user_yaml=self.book / "_config.yml", cli_config=overrides, sourcedir=self.book, use_external_toc=True
        )
        self._stack.enter_context(patch_docutils(None))
        self._stack.enter_context(docutils_namespace())
        self.app = app = Sphinx(
            srcdir=self.book,
            confdir=None,
            outdir=self.out,
            doctreedir=self.root / "out" / ".doctrees",
            buildername="html",
            confoverrides=config,
            status=self.log,
            warning=self.log,
            warningiserror=True,
            keep_going=True,
        )
        app.config.latex_documents = update_latex_documents(app.config.latex_documents, meta["latex_doc_overrides"])
        # Scripts and stylesheets registered so far; a theme adds one per page while writing it
        # (pydata-sphinx-theme's ``DOCUMENTATION_OPTIONS.pagename``), and Sphinx would add every one
        # of those to every page of the next build of this application.
        self._assets = (list(app.registry.js_files), list(app.registry.css_files))
        self._build()
        return time.perf_counter() - start

    def _build(self) -> None:
        from sphinx.builders.html import StandaloneHTMLBuilder

        app = self.app
        if app is None:
            raise BuildError("the warm Sphinx application was never started")
        self.log.seek(0)
        self.log.truncate()
        app.registry.js_files[:], app.registry.css_files[:] = (list(files) for files in self._assets)
        builder = app.builder
        if isinstance(builder, StandaloneHTMLBuilder):  # its asset lists again as after its init()
            builder.init_css_files()
            builder.init_js_files()
        try:
            app.build(False, [])
        except Exception as err:  # noqa: BLE001 (Sphinx raises anything an extension raises; reported, not lost)
            raise BuildError(self._messages(f"{type(err).__name__}: {err}")) from err
        if app.statuscode != 0:
            raise BuildError(self._messages())

    def _messages(self, extra: str = "") -> str:
        text = author_messages(self.log.getvalue() + "\n" + extra, self.book)
        return "HTML build failed (warm preview):\n" + "\n".join(text.splitlines()[-25:])

    def not_prose(self, changed: list[Path]) -> str | None:
        """Why this batch of changes needs the normal build; None when it is prose edits only."""
        chapters = self.project.chapters_dir.resolve()
        for path in changed:
            if path.resolve().parent != chapters or path.suffix != ".ipynb":
                return f"{path.name} is not a chapter notebook"
            staged = self.book / "chapters" / path.name
            if not path.is_file() or not staged.is_file():
                return f"{path.name} was added or removed"
            try:
                new = _with_release_name(self.project.store(path, self.version), self.version)
            except Exception as err:  # noqa: BLE001 (a half-written or broken notebook: the normal build says why)
                return f"{path.name} could not be read: {err}"
            if _code_view(new) != _code_view(nbformat.read(staged, as_version=4)):
                return f"{path.name}: its code, outputs or metadata changed"
        return None

    def records(self, changed: list[Path]) -> tuple[list[Path], str | None]:
        """The batch with each chapter text replaced by its record, the text's prose merged into the record
        first, as ``make book`` does; a reason for the normal build when a text's code changed."""
        chapters = self.project.chapters_dir.resolve()
        out: list[Path] = []
        for path in changed:
            if path.resolve().parent == chapters and path.suffix == ".ipynb" and path.is_file():
                try:
                    nb = nbformat.read(path, as_version=4)
                except Exception as err:  # noqa: BLE001 (a half-written record: the normal build says why)
                    return changed, f"{path.name} could not be read: {err}"
                if (nb.metadata.get(META_KEY) or {}).get(SOURCE_KEY) != digest(nb):
                    return changed, f"{path.name} was edited by hand (the build writes it from its text)"
            if path.resolve().parent != chapters or not is_source(path):
                out.append(path)
                continue
            record = path.with_suffix(".ipynb")
            if not path.is_file() or not record.is_file():
                return changed, f"{path.name} was added or removed"
            try:
                job = job_for(self.project, record, self.version)
                if not is_fresh(job):
                    return changed, f"{path.name}: its code changed (or what the code uses)"
                update_prose(job)
            except Exception as err:  # noqa: BLE001 (a half-written or broken text: the normal build says why)
                return changed, f"{path.name} could not be read: {err}"
            out.append(record)
        return out, None

    def _staged(self, chapter: Path) -> tuple[Path, str]:
        """Where the chapter is staged, and what the normal build would write there."""
        text = nbformat.writes(_with_release_name(self.project.store(chapter, self.version), self.version))
        return self.book / "chapters" / chapter.name, text + ("" if text.endswith("\n") else "\n")

    def unchanged(self, changed: list[Path]) -> bool:
        """True when every changed file is a chapter already staged as it stands (e.g. the record this
        worker just wrote from a text): there is nothing to build."""
        chapters = self.project.chapters_dir.resolve()
        for path in changed:
            if path.resolve().parent != chapters or path.suffix != ".ipynb" or not path.is_file():
                return False
            target, text = self._staged(path)
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                return False
        return True

    def _stage(self, chapter: Path) -> None:
        """Write the chapter as the normal build stages it, unless the staged copy is that already (its mtime stays)."""
        target, text = self._staged(chapter)
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")

    def _publish(self, changed: list[Path]) -> None:
        """Stage the chapters, build, publish a copy of the output (under the build lock throughout)."""
        with publish.locked(self.project.build_dir):
            self._publish_locked(changed)

    def _publish_locked(self, changed: list[Path]) -> None:
        lap = time.perf_counter()
        key = html_inputs_key(self.project, self.version)
        for path in changed:
            self._stage(path)
        lap = self._lap("stage", lap)
        self._build()
        lap = self._lap("sphinx", lap)
        if html_inputs_key(self.project, self.version) != key:
            raise BuildError("the book's sources changed during the warm build")
        fresh = Path(tempfile.mkdtemp(prefix=publish.STAGE_PREFIX, dir=self.project.build_dir))
        try:
            site = fresh / "site"
            shutil.copytree(self.out, site)  # a copy: Sphinx rewrites its output in place next time
            _pdf_beside(self.project, key, site)
            write_atomic(site / HTML_KEY_FILE, key)
            publish.publish(site, self.project.html_dir)
        finally:
            shutil.rmtree(fresh, ignore_errors=True)
        self._lap("publish", lap)

    def rebuild(self, changed: list[Path]) -> dict:
        """Rebuild and publish a prose-only batch; the reply says what happened."""
        start = time.perf_counter()
        self.phases = {}
        changed, reason = self.records(changed)
        if reason or (reason := self.not_prose(changed)):
            return {"status": "not-prose", "reason": reason}
        if self.unchanged(changed):
            return {"status": "unchanged"}
        self._lap("check", start)
        self._publish(changed)
        return {"status": "published", "seconds": time.perf_counter() - start, "phases": self.phases}


def _reply(message: dict) -> None:
    sys.stdout.write(PREFIX + json.dumps(message) + "\n")
    sys.stdout.flush()


def main() -> int:
    """Serve requests (a JSON list of changed paths per line) until stdin closes or a build fails."""
    project = Project(paths.ROOT)
    warm = Warm(project)
    try:
        _reply({"ready": True, "seconds": warm.start()})
    except BuildError as err:
        _reply({"ready": False, "error": str(err)})
        return 1
    for line in sys.stdin:
        try:
            reply = warm.rebuild([Path(p) for p in json.loads(line)])
        except BuildError as err:
            _reply({"status": "failed", "error": str(err)})
            return 1
        _reply(reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
