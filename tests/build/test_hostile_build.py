"""Hostile data and OS errors end the build with one ``BUILD FAILED:`` line; messages name what the author edits.

Issue 21, items 6 and 7. Every test works on a scratch project in tmp_path
(tests/support/scratch.py); the ones that run ``python -m analysis.build`` fail
before any chapter is executed, so they are quick.
"""

from __future__ import annotations

import errno
import http.client
import importlib
import re
import threading
from pathlib import Path

import nbformat
import pytest
from support.chores import describe, quiet
from support.releases import VERSION, rehash, write_release
from support.scratch import make_project, run_tool, write_chapter

from analysis.build import BuildError, Project, cli, site
from analysis.build.browser import serve
from analysis.build.text import cell_in_chapter, editable, read_source

execute = importlib.import_module("analysis.build.execute")  # the package's name `execute` is the function


@pytest.fixture
def project(tmp_path) -> Project:
    return make_project(tmp_path / "book")


def failed_line(stderr: str) -> str:
    """The build's last word: exactly one ``BUILD FAILED:`` line, and no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("BUILD FAILED:")]
    assert len(lines) == 1, stderr
    return lines[0]


# --- links, stray files and names refuse the build -------------------------------------------


@pytest.mark.parametrize("to_folder", [False, True])
def test_a_link_in_the_release_fails_the_build_naming_it_and_publishes_nothing(project, tmp_path, to_folder):
    secret = tmp_path / "outside" / "passwd.txt"
    secret.parent.mkdir()
    secret.write_text("root:x:0:0\n")
    link = project.data_dir / VERSION / ("etc" if to_folder else "passwd.txt")
    link.symlink_to(secret.parent if to_folder else secret, target_is_directory=to_folder)
    result = run_tool(project.root, "analysis.build")
    assert result.returncode != 0
    assert f"{link} is a symbolic link" in failed_line(result.stderr)
    assert not project.html_dir.exists()


def test_the_site_copy_of_the_release_never_follows_a_link(project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0\n")
    (project.data_dir / VERSION / "passwd.txt").symlink_to(secret)
    stage = tmp_path / "stage"
    stage.mkdir()
    with pytest.raises(BuildError, match="passwd.txt is a symbolic link"):
        site._stage_release_files(project, VERSION, stage)
    assert not list(stage.rglob("passwd.txt"))


def test_the_site_copy_publishes_exactly_the_release_files(project, tmp_path):
    (project.data_dir / VERSION / "README.md").write_text("# Data release 1.0.0\n")
    stage = tmp_path / "stage"
    stage.mkdir()
    site._stage_release_files(project, VERSION, stage)
    published = sorted(p.name for p in (stage / "downloads" / "data" / VERSION).rglob("*") if p.is_file())
    assert published == sorted(p.name for p in (project.data_dir / VERSION).iterdir())
    assert (stage / "references.bib").read_bytes() == (project.data_dir / VERSION / "references.bib").read_bytes()


def test_a_stray_file_fails_the_build_naming_it(project):
    (project.data_dir / VERSION / "stray.csv").write_text("a\n1\n")
    result = run_tool(project.root, "analysis.build")
    assert result.returncode != 0
    assert "file stray.csv: a file the descriptor does not list" in failed_line(result.stderr)


@pytest.mark.parametrize("how", ["folder", "data-version", "default"])
def test_a_release_name_with_markup_fails_the_build(project, how):
    name = "9.9.9<img src=x onerror=alert(1)>"
    if how == "folder":
        write_release(project.data_dir, name, default=False)
        args: tuple[str, ...] = ()
    elif how == "data-version":
        args = ("--data-version", name)
    else:
        (project.data_dir / "DEFAULT_RELEASE").write_text(name + "\n")
        args = ()
    result = run_tool(project.root, "analysis.build", *args)
    assert result.returncode != 0
    line = failed_line(result.stderr)
    assert "MAJOR.MINOR.PATCH" in line and name in line
    assert not project.html_dir.exists()


def test_a_javascript_link_in_the_bibliography_is_never_staged(project):
    bib = project.data_dir / VERSION / "references.bib"
    bib.write_text(bib.read_text() + "@misc{evil, title = {T}, url = {javascript:alert(1)}}\n")
    rehash(project.data_dir / VERSION)
    stage = project.build_dir / "stage"
    stage.mkdir(parents=True)
    with pytest.raises(BuildError, match=r"references.bib: .*entry 'evil', field 'url'"):
        site._stage_release_files(project, VERSION, stage)


# --- OS errors ------------------------------------------------------------------------------


def test_a_build_folder_that_cannot_be_made_ends_in_one_line_naming_it(project):
    (project.root / "_build").write_text("not a folder\n")  # as a read-only or full file system would refuse it
    result = run_tool(project.root, "analysis.build")
    assert result.returncode == 1
    assert str(project.root / "_build") in failed_line(result.stderr)


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.ENOSPC, "No space left on device", "/book/_build/sites/site-1/index.html"),
        OSError(errno.EROFS, "Read-only file system", "/book/_build/.lock"),
        OSError(errno.EXDEV, "Invalid cross-device link", "/book/_build/stage-x/site", "/book/_build/sites/site-1"),
    ],
)
def test_os_errors_end_in_one_build_failed_line_naming_the_path(monkeypatch, capsys, error):
    def build_book(*_args, **_kwargs):
        raise error

    monkeypatch.setattr(cli, "build_book", build_book)
    assert cli.main([]) == 1
    line = failed_line(capsys.readouterr().err)
    assert error.strerror in line and error.filename in line
    if error.filename2:
        assert error.filename2 in line


def test_the_failed_folder_is_cleared_at_the_start_of_each_build(project, monkeypatch):
    old = project.build_dir / "failed" / "02_codes.ipynb"
    old.parent.mkdir(parents=True)
    old.write_text("{}")
    monkeypatch.setattr(execute, "is_fresh", lambda job: True)  # nothing to execute: only the start matters
    monkeypatch.setattr(execute, "update_prose", lambda job: False)
    execute.execute_chapters(project, echo=quiet)
    assert not old.exists()


# --- messages ---------------------------------------------------------------------------------


def test_the_summary_counts_every_execution_per_release():
    chapter = Path("01_people.ipynb")
    outcomes = [
        execute.Outcome(chapter, "reused", version="1.2.0"),
        execute.Outcome(chapter, "executed", 1.0, version="1.1.0"),
        execute.Outcome(Path("02_x.ipynb"), "executed", 1.0, version="1.1.0"),
    ]
    text = cli.summary(outcomes, "1.2.0")
    assert "data release 1.2.0: 0 executed, 1 reused, 0 failed" in text
    assert "data release 1.1.0: 2 executed, 0 reused, 0 failed" in text


def test_failures_of_a_comparison_carry_no_book_trailer(project):
    failed = execute.Outcome(
        project.chapters()[0], "failed", error="data release 1.0.0, chapter x: failed", version="1"
    )
    with pytest.raises(BuildError) as raised:
        execute.raise_failures([failed], project, book=False)
    assert "previous book" not in str(raised.value) and "failed notebooks" not in str(raised.value)
    with pytest.raises(BuildError, match="previous book .* is untouched"):
        execute.raise_failures([failed], project)


def test_a_failed_cell_is_counted_as_in_the_text_the_author_edits(tmp_path):
    """Papermill's count includes its injected cell, which the text never holds: the number is the text's."""
    text = tmp_path / "chapters" / "02_codes.md"
    text.parent.mkdir()
    write_chapter(text, "codes", extra="\nraise RuntimeError('x')")
    executed = editable(text)
    injected_cell = nbformat.v4.new_code_cell("data_version = '1.0.0'", metadata={"tags": ["injected-parameters"]})
    injected_cell.id = "injected-parameters"
    executed.cells.insert(3, injected_cell)  # papermill puts it after the parameters cell
    ran = tmp_path / "executed.ipynb"
    nbformat.write(executed, ran)
    failing = next(i for i, c in enumerate(executed.cells) if "RuntimeError" in c.source)
    where = cell_in_chapter(tmp_path, text.with_suffix(".ipynb"), ran, failing)
    own = read_source(text).cells
    position = next(i for i, c in enumerate(own) if "RuntimeError" in c.source) + 1
    assert position == failing  # one before papermill's count
    line = int(re.match(rf"cell {position} of chapters/02_codes\.md \(line (\d+);", where)[1])  # type: ignore[index]
    assert text.read_text().splitlines()[line - 1] == own[position - 1].source.splitlines()[0]


def test_sphinx_messages_name_the_chapter_cell_without_colour_codes_or_a_look_above_trailer(tmp_path):
    staged = tmp_path / "_build" / "work" / "book"
    log = (
        f"\x1b[91m{staged}/chapters/05_treadmill.ipynb:70002: WARNING: undefined label: 'nowhere'\x1b[39;49;00m\n"
        "===============================================================================\n"
        "There was an error in building your book. Look above for the cause.\n"
        "===============================================================================\n"
    )
    text = site.author_messages(log, staged)
    assert text == (
        "chapters/05_treadmill.ipynb, cell 7 (counted from 1, from the top), line 2: "
        "WARNING: undefined label: 'nowhere'"
    )
    assert "\x1b" not in text and "_build" not in text


# --- the servers ------------------------------------------------------------------------------


def _get(port: int, path: str, host: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("GET", path, headers={"Host": host})
    status = connection.getresponse().status
    connection.close()
    return status


def _check_server(port: int) -> None:
    for host in ("127.0.0.1", f"127.0.0.1:{port}", "localhost", f"localhost:{port}", f"LOCALHOST:{port}"):
        assert _get(port, "/index.html", host) == 200, host
    for host in ("evil.example", f"evil.example:{port}", f"127.0.0.1.evil.example:{port}", ""):
        assert _get(port, "/index.html", host) == 403, host
    assert _get(port, "/folder/", f"127.0.0.1:{port}") == 404  # no listing of what the folder holds


def test_the_static_server_checks_host_and_lists_no_folder(tmp_path):
    (tmp_path / "index.html").write_text("<p>book</p>")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "secret.txt").write_text("x")
    with serve(tmp_path) as url:
        _check_server(int(url.rsplit(":", 1)[1].strip("/")))


def test_the_preview_server_checks_host_and_lists_no_folder(tmp_path):
    import functools
    import http.server

    from analysis.build import preview

    (tmp_path / "index.html").write_text("<html><body><p>book</p></body></html>")
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "secret.txt").write_text("x")
    handler = functools.partial(preview.Handler, state=preview.State(), html=tmp_path)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        _check_server(server.server_address[1])
        assert _get(server.server_address[1], "/__preview/state", "evil.example") == 403
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def test_a_link_in_another_frozen_release_fails_the_build_in_one_line(project, tmp_path):
    from analysis.releases import registry as rel

    describe(project.data_dir, VERSION)
    rel.freeze_release(VERSION, project.data_dir, echo=quiet)
    write_release(project.data_dir, "1.1.0")  # the default now; 1.0.0 is only checked as frozen
    describe(project.data_dir, "1.1.0")
    rel.freeze_release("1.1.0", project.data_dir, echo=quiet)
    link = project.data_dir / VERSION / "passwd.txt"
    link.symlink_to(tmp_path)
    result = run_tool(project.root, "analysis.build")
    assert result.returncode == 1
    assert f"{link} is a symbolic link" in failed_line(result.stderr)


def test_a_chapter_listing_the_release_files_re_executes_when_one_is_added(project):
    write_chapter(project.chapters_dir / "03_nothing.md", None, extra="\nrelease.files()")
    first = {o.chapter.stem: o.status for o in execute.execute_chapters(project, echo=quiet)}
    assert first == dict.fromkeys(first, "executed")
    (project.data_dir / VERSION / "README.md").write_text("# Data release 1.0.0\n")  # the one file beside the resources
    again = {o.chapter.stem: o.status for o in execute.execute_chapters(project, echo=quiet)}
    assert again == {"01_excerpts": "reused", "02_codes": "reused", "03_nothing": "executed"}
