"""The browser tests' shared fixtures: the built book, served on localhost, and Debian's Chromium."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from analysis import paths
from analysis.build import Project, build_book
from analysis.build.browser import launch as launch_chromium
from analysis.build.browser import serve

ROOT = paths.ROOT


@pytest.fixture(scope="session")
def site() -> Path:
    """The built book, as `make book` makes it (or the site named by the env).

    The committed record is fresh, so nothing of the default release is executed; a fresh
    clone executes the previous release's chapters once, for the page on what changed.
    """
    given = os.environ.get("TREADMILL_BROWSER_SITE")
    if given:
        return Path(given).resolve()
    project = Project(ROOT)
    build_book(project, echo=lambda *_: None)
    return project.html_dir


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def base_url(site):
    with serve(site) as url:
        yield url
