"""``make preview``: serves the book, rebuilds on save, reloads the page, shows failures (issue 13).

A scratch book is served on a free local port; the test edits a chapter and
waits (bounded) for the server's generation to move on and the new text to be
served, then breaks a chapter and checks the error is reported while the
previous pages are still served. A headless Chromium page checks that an open
page reloads by itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from support.scratch import make_project, set_markdown, write_chapter

WAIT = 240  # seconds at most for one rebuild on a loaded 2-core machine


def get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (127.0.0.1 only)
        return response.read().decode("utf-8")


def state(base: str) -> dict:
    return json.loads(get(base + "__preview/state"))


def wait_for(condition, what: str) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture
def preview(tmp_path):
    project = make_project(tmp_path / "book")
    env = {**os.environ, "TREADMILL_ROOT": str(project.root)}
    process = subprocess.Popen(
        [sys.executable, "-m", "analysis.build.preview", "--port", "0"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            lines.append(line)
            if match := re.search(r"serving (http://127\.0\.0\.1:\d+/)", line):
                break
        else:
            raise AssertionError("preview did not start:\n" + "".join(lines))
        yield project, match.group(1)
    finally:
        process.terminate()
        process.wait(timeout=30)
        process.stdout.close()


def test_preview_rebuilds_on_save_and_reports_failures_while_serving_the_previous_book(preview):
    project, base = preview
    page = base + "chapters/02_codes.html"
    assert state(base) == {"generation": 1, "error": ""}
    assert '<script src="/__preview/reload.js"></script>' in get(page)
    assert "location.reload()" in get(base + "__preview/reload.js")

    set_markdown(project.chapters_dir / "02_codes.md", "# Codes\n\nWritten while the preview ran.")
    wait_for(lambda: state(base)["generation"] == 2, "the rebuild after a prose edit")
    assert "Written while the preview ran." in get(page)

    write_chapter(project.chapters_dir / "02_codes.md", "codes", extra='\nraise ValueError("broken on purpose")')
    wait_for(lambda: state(base)["error"], "the failed build to be reported")
    assert "broken on purpose" in state(base)["error"]
    assert state(base)["generation"] == 2
    assert "Written while the preview ran." in get(page)  # the previous book is still served


def test_an_open_page_reloads_by_itself(preview):
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import sync_playwright

    from analysis.build.browser import launch

    project, base = preview

    def watch_page() -> None:
        # In a thread of its own: the browser tests may hold a Playwright session on this one.
        with sync_playwright() as p:
            browser = launch(p)
            page = browser.new_page()
            page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base) else r.abort())
            page.goto(base + "chapters/03_nothing.html")
            set_markdown(project.chapters_dir / "03_nothing.md", "# Nothing\n\nThe page reloaded by itself.")
            page.wait_for_function(
                "!!document.body && document.body.innerText.includes('The page reloaded by itself.')",
                timeout=WAIT * 1000,
            )
            browser.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(watch_page).result()
