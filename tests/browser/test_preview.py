"""``make preview``: serves the book, rebuilds on save, reloads the page, shows failures (issue 13).

A scratch book is served on a free local port; the test edits a chapter and
waits (bounded) for the server's generation to move on and the new text to be
served, then breaks a chapter and checks the error is reported while the
previous pages are still served. A prose save goes through the warm Sphinx
worker (the terminal says so), editors' temporary files start nothing, and
stopping the preview stops the worker. A headless Chromium page checks that an
open page reloads by itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.request

import psutil
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


class Preview:
    """A running ``make preview`` on a scratch book: its address and every line it has printed."""

    def __init__(self, project) -> None:
        self.project = project
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "analysis.build.preview", "--port", "0"],
            env={**os.environ, "TREADMILL_ROOT": str(project.root)},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.reader = threading.Thread(target=self._read, daemon=True)  # the pipe never fills
        self.reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line)

    def printed(self, pattern: str) -> list[str]:
        return [line for line in list(self.lines) if re.search(pattern, line)]

    def base(self) -> str:
        wait_for(lambda: self.printed(r"serving http://") or self.process.poll() is not None, "the server")
        found = self.printed(r"serving (http://127\.0\.0\.1:\d+/)")
        assert found, "preview did not start:\n" + "".join(self.lines)
        return re.search(r"(http://127\.0\.0\.1:\d+/)", found[0]).group(1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        self.process.wait(timeout=60)
        self.reader.join(timeout=10)
        self.process.stdout.close()


@pytest.fixture
def running(tmp_path):
    running = Preview(make_project(tmp_path / "book"))
    try:
        yield running
    finally:
        running.stop()
        print("".join(running.lines))  # shown when the test fails


@pytest.fixture
def preview(running):
    base = running.base()
    assert state(base) == {"generation": 1, "error": ""}, "".join(running.lines)  # the first build succeeded
    return running.project, base


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


def test_a_prose_save_takes_the_warm_path_and_editor_temp_files_start_nothing(running):
    base, chapters = running.base(), running.project.chapters_dir
    page = base + "chapters/02_codes.html"
    scripts = get(page).count("<script")

    set_markdown(chapters / "02_codes.md", "# Codes\n\nA sentence for the warm path.")
    wait_for(lambda: "A sentence for the warm path." in get(page), "the prose save to be served")
    # The page as the whole build writes it: no script a theme added to another page, or to an earlier build.
    assert get(page).count("<script") == scripts
    wait_for(lambda: running.printed(r"prose save -> page served in [\d.]+ s \(warm Sphinx"), "the warm rebuild line")
    assert not running.printed(r"\(whole build\)"), "".join(running.lines)
    generation = state(base)["generation"]
    changed_lines = len(running.printed(r"\[preview\] changed:"))

    for name in (".02_codes.md.swp", "4913", "02_codes.md~", ".#02_codes.md", ".goutputstream-Q1W2E3"):
        (chapters / name).write_text("an editor's temporary file")
        (chapters / name).unlink()
    time.sleep(3)  # ten times the watcher's step: a batch would have been reported by now
    assert len(running.printed(r"\[preview\] changed:")) == changed_lines, "".join(running.lines)
    assert state(base)["generation"] == generation

    write_chapter(chapters / "02_codes.md", "codes", extra="\nanswer = 42")  # code: the whole build runs
    wait_for(lambda: running.printed(r"whole build: 02_codes.md: its code"), "the code edit's whole build")
    wait_for(lambda: state(base)["generation"] == generation + 1, "the rebuild after a code edit")

    workers = [
        p for p in psutil.Process(running.process.pid).children(recursive=True) if "warm" in " ".join(p.cmdline())
    ]
    assert workers, "no warm worker runs after a successful build"
    running.stop()
    gone, alive = psutil.wait_procs(workers, timeout=30)
    assert not alive, f"the preview left its warm worker running: {alive}"


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
