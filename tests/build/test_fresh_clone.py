"""A clone in an empty folder builds and verifies itself (issue 11, item 6).

``git clone`` of this repository's committed HEAD into an empty temporary
folder, with nothing beside it (no source folder next to it, no ``_build``). It reuses the
installed environment (the packages of this venv) but imports the clone's own
``analysis`` package, in the build and in every kernel, through PYTHONPATH.
Then the README's build runs there, and nbval re-executes the claims register,
which checks every number against the sources the clone carries.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from analysis import paths


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    empty = tmp_path_factory.mktemp("empty")
    target = empty / "treadmill-book"
    subprocess.run(["git", "clone", "--quiet", str(paths.ROOT), str(target)], check=True, timeout=300)
    assert [p.name for p in empty.iterdir()] == [target.name]  # nothing beside the clone
    env = {k: v for k, v in os.environ.items() if not k.startswith("TREADMILL_")}
    env["PYTHONPATH"] = str(target)  # the clone's analysis package, ahead of the checkout's
    return target, env


def run(clone, *command: str, timeout: int = 900) -> subprocess.CompletedProcess:
    target, env = clone
    return subprocess.run(
        [sys.executable, *command], cwd=target, env=env, capture_output=True, text=True, check=False, timeout=timeout
    )


def test_the_clone_imports_its_own_package(clone):
    target, _ = clone
    result = run(clone, "-c", "import analysis.paths as p; print(p.ROOT); print(p.SOURCES)")
    root, sources = result.stdout.split()
    assert root == str(target.resolve())
    assert sources == str(target.resolve() / "data" / "sources")


def test_the_clone_builds_without_executing_the_committed_record(clone):
    target, _ = clone
    result = run(clone, "-m", "analysis.build")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    summaries = re.findall(
        r"^data release [\d.]+: (\d+) executed, (\d+) reused, (\d+) failed$", result.stdout, flags=re.MULTILINE
    )
    executed, reused, failed = summaries[0]  # the default release's chapters
    assert (executed, failed) == ("0", "0") and int(reused) == len(list((target / "chapters").glob("*.ipynb")))
    assert "failed" not in result.stdout.replace("0 failed", "")
    assert (target / "_build" / "html" / "index.html").is_file()


def test_nbval_reproduces_the_claims_register_in_the_clone(clone):
    chapter = next(p.relative_to(clone[0]).as_posix() for p in (clone[0] / "chapters").glob("*_claims.ipynb"))
    result = run(clone, "-m", "pytest", "--nbval", "-p", "no:cacheprovider", "-o", "addopts=", "-q", chapter)
    assert result.returncode == 0, result.stdout[-3000:]
    assert re.search(r"\b\d+ passed\b", result.stdout)
