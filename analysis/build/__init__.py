"""Build the book: execute stale chapters with papermill, then render HTML.

``make book`` calls :func:`main`. The author edits a chapter's text, a MyST
Markdown notebook; the build executes the notebook jupytext makes from it. A
chapter is re-executed only when something it depends on has changed: its code cells, its parameters, the data release
version, the ``analysis`` code it ran last time (each function and each module's
top level, by syntax tree: :mod:`~analysis.build.code_keys`), the pinned requirements, or one of the data
files it read last time (by the sha256 the data package records). What it read
is logged by :mod:`analysis.data.release`, and what it ran by :mod:`analysis.data.ran`,
while the kernel runs; both are stored, with the
key, in the notebook's metadata, so a fresh clone reuses the committed record.

Executed notebooks for the default release are written back into
``chapters/`` (the committed record); those for another release go to
``_build/executed/<version>/``; every execution is also kept by its key in
``_build/cache/`` (:mod:`~analysis.build.cache`), so an undo executes nothing.
Only the release built is executed: the "What changed" page reads the previous
release's committed edition (:mod:`~analysis.build.editions`). Any failure
stops the build with a non-zero exit naming the release, the chapter and the cell.

The HTML is rendered only from fresh executions (a stale chapter is refused,
never published), built from a staging copy and published atomically by
:mod:`analysis.build.publish`; an interrupted build leaves the previous book and
records intact, and the next build cleans up after it.

The package, by job: :mod:`~analysis.build.project` (the folders, the error),
:mod:`~analysis.build.text` (a chapter's text, ``chapters/NN_name.md``, and its record),
:mod:`~analysis.build.keys` and :mod:`~analysis.build.code_keys` (what an execution depends on),
:mod:`~analysis.build.execute` (papermill, freshness), :mod:`~analysis.build.site`
(staging and the HTML), :mod:`~analysis.build.publish` (the atomic switch and
recovery) and :mod:`~analysis.build.cli` (``make book``).
"""

from analysis.build.cli import build_book, main, summary
from analysis.build.execute import (
    Job,
    Outcome,
    check_release,
    default_version,
    execute,
    execute_chapters,
    is_fresh,
    job_for,
    previous_release,
    raise_failures,
    stale_chapters,
)
from analysis.build.keys import cache_key, code_fingerprint, data_fingerprint, environment_fingerprint
from analysis.build.project import BuildError, Project, select, short_name
from analysis.build.site import build_html, export_figures, html_inputs_key, require_fresh

__all__ = [
    "BuildError",
    "Job",
    "Outcome",
    "Project",
    "build_book",
    "build_html",
    "cache_key",
    "check_release",
    "code_fingerprint",
    "data_fingerprint",
    "default_version",
    "environment_fingerprint",
    "execute",
    "execute_chapters",
    "export_figures",
    "html_inputs_key",
    "is_fresh",
    "job_for",
    "main",
    "previous_release",
    "raise_failures",
    "require_fresh",
    "select",
    "short_name",
    "stale_chapters",
    "summary",
]
