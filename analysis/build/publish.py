"""Publishing the HTML atomically, and recovering from an interrupted build.

``_build/html`` is a symbolic link to one complete site in ``_build/sites/``.
A new site is built elsewhere, moved into ``_build/sites/`` and then the link
is replaced in a single ``rename``: a reader (or a crash) sees the old site or
the new one, never a mixture or nothing. The inputs key of a site is written
inside it before the switch, so the key always describes the site it sits in.

:func:`recover` runs at the start of every build: it removes what an
interrupted build left behind (staging folders, half-written temporary
files, sites no link points to), so the next ``make book`` starts clean.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from analysis.data.files import checkpoint, remove_partials

SITES = "sites"
LINK_TMP = ".html.link"
STAGE_PREFIX = "stage-"
# Sphinx's persistent work folder under _build/ (staged sources, doctrees, its
# output), and the marker only a successful build leaves in it.
WORK = "work"
WORK_OK = ".complete"


_held = 0  # how deeply this process holds the build lock (a build calls build steps that lock too)


@contextlib.contextmanager
def locked(build_dir: Path) -> Iterator[None]:
    """Hold ``_build/.lock`` while building: two builds of one checkout (make preview and make
    book, or two test workers) take turns instead of overwriting each other's work."""
    global _held
    if _held:
        _held += 1
        try:
            yield
        finally:
            _held -= 1
        return
    build_dir.mkdir(parents=True, exist_ok=True)
    with open(build_dir / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes, or the process dies
        _held = 1
        try:
            yield
        finally:
            _held = 0


def holding_lock(function):
    """Decorate a build step taking the project first: it runs under :func:`locked`."""

    @functools.wraps(function)
    def wrapper(project, *args, **kwargs):
        with locked(project.build_dir):
            return function(project, *args, **kwargs)

    return wrapper


def current_site(html: Path) -> Path | None:
    """The site ``html`` points to (or ``html`` itself in the old layout); None if there is none."""
    if html.is_symlink():
        target = html.resolve()
        return target if target.is_dir() else None
    return html if html.is_dir() else None


def publish(built: Path, html: Path) -> Path:
    """Make ``built`` (a complete site) the one ``html`` points to, in one atomic step."""
    sites = html.parent / SITES
    sites.mkdir(parents=True, exist_ok=True)
    site = sites / f"site-{time.time_ns()}"
    os.replace(built, site)
    checkpoint("publish")
    link = html.parent / LINK_TMP
    link.unlink(missing_ok=True)
    link.symlink_to(site.relative_to(html.parent))
    if html.exists() and not html.is_symlink():
        # The old layout: a real folder. Move it aside first; until the link
        # lands, a crash leaves no html, and recover() + the next build fix that.
        os.replace(html, sites / f"legacy-{time.time_ns()}")
    os.replace(link, html)
    _remove_unused_sites(html)
    return site


def _remove_unused_sites(html: Path) -> None:
    keep = current_site(html)
    for site in sorted((html.parent / SITES).glob("*")):
        if site != keep:
            shutil.rmtree(site, ignore_errors=True)


def discard_unfinished(work: Path) -> None:
    """Remove Sphinx's work folder unless the last build that used it completed."""
    if work.exists() and not (work / WORK_OK).is_file():
        shutil.rmtree(work, ignore_errors=True)


def recover(build_dir: Path, *folders: Path) -> None:
    """Remove what an interrupted build left in ``build_dir`` and ``folders``."""
    if build_dir.is_dir():
        for stage in build_dir.glob(f"{STAGE_PREFIX}*"):
            shutil.rmtree(stage, ignore_errors=True)
        (build_dir / LINK_TMP).unlink(missing_ok=True)
        if (build_dir / SITES).is_dir():
            _remove_unused_sites(build_dir / "html")
        discard_unfinished(build_dir / WORK)
        for folder in [build_dir, *build_dir.glob("executed/*"), *build_dir.glob("figure-cache/*")]:
            remove_partials(folder)
    for folder in folders:
        remove_partials(folder)
