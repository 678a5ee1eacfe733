"""Frozen means frozen, against history (issue 21, item 3).

A tiny project in a git repository in tmp_path: release 1.0.0 frozen and committed, then
re-stamped by hand (a file edited, its hashes updated in datapackage.json and RELEASES.json,
committed). The registry's own hashes agree with the re-stamped files; the commit that froze
the release does not.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.chores import quiet
from support.releases import rehash, write_release

from analysis import paths
from analysis.releases import history
from analysis.releases import registry as rel

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org", "GIT_COMMITTER_NAME": "t"}


def git(repo: Path, *args: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(repo), **GIT_ENV, "GIT_COMMITTER_EMAIL": "t@example.org"}
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, env=env).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository whose data/1.0.0 was frozen and committed, then built on by one more commit."""
    root = tmp_path / "project"
    data = root / "data"
    write_release(data, "1.0.0")
    (data / "1.0.0" / "README.md").write_text("# Data release 1.0.0\n\nThe fixture.\n")
    (data / "CHANGELOG.md").write_text("# Changelog\n\n## 1.0.0\n\nThe first release of the fixture.\n")
    package = data / "1.0.0" / "datapackage.json"
    package.write_text(json.dumps({**json.loads(package.read_text()), "version": "1.0.0"}, indent=2))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "draft 1.0.0")
    rel.freeze_release("1.0.0", data, echo=quiet)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "freeze 1.0.0")
    (root / "notes.txt").write_text("later work\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "later")
    return root


def restamp(root: Path) -> None:
    """What the issue did by hand: edit a frozen file, update every hash that pins it, commit."""
    data = root / "data"
    folder = data / "1.0.0"
    bib = folder / "references.bib"
    bib.write_text(bib.read_text().replace("A title", "A better title"))
    rehash(folder)
    registry = json.loads((data / "RELEASES.json").read_text())
    entry = registry["frozen"]["1.0.0"]
    entry["datapackage_sha256"] = hashlib.sha256((folder / "datapackage.json").read_bytes()).hexdigest()
    entry["files"]["references.bib"] = hashlib.sha256(bib.read_bytes()).hexdigest()
    (data / "RELEASES.json").write_text(json.dumps(registry, indent=2))
    git(root, "commit", "-qam", "re-stamp 1.0.0")


def test_an_unchanged_frozen_release_matches_the_commit_that_froze_it(repo):
    assert rel.check_frozen(repo / "data") == []


def test_a_release_restamped_by_hand_and_committed_is_refused(repo):
    restamp(repo)
    problems = rel.check_frozen(repo / "data")
    freezing = git(repo, "log", "--format=%H", "--grep", "freeze 1.0.0").strip()
    assert any(
        p.startswith("frozen release 1.0.0: references.bib changed since the commit that froze it")
        and freezing[:12] in p
        for p in problems
    ), problems
    assert any("datapackage.json changed since the commit that froze it" in p for p in problems)
    command = [sys.executable, "-m", "analysis.releases.registry", "--data-dir", str(repo / "data"), "check"]
    result = subprocess.run(command, capture_output=True, text=True, check=False, cwd=paths.PACKAGE_ROOT)
    assert result.returncode == 1 and "Frozen releases unchanged" not in result.stdout
    assert "references.bib changed since the commit that froze it" in result.stderr


def test_a_shallow_clone_says_the_check_could_not_run_and_fails_in_ci(repo, tmp_path, monkeypatch, capsys):
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", repo.as_uri(), str(clone)], check=True)
    monkeypatch.delenv("CI", raising=False)
    assert history.history_problems(clone / "data") == []
    assert "could not be compared with the commits that froze them: this is a shallow clone" in capsys.readouterr().err
    monkeypatch.setenv("CI", "true")
    assert any("shallow clone" in p and "fetch-depth: 0" in p for p in history.history_problems(clone / "data"))


def test_outside_a_git_checkout_there_is_no_history_to_compare_with(repo, tmp_path):
    copy = tmp_path / "copy"
    subprocess.run(["cp", "-r", str(repo / "data"), str(copy)], check=True)
    assert history.history_problems(copy) == []


def test_ci_checks_out_the_full_history():
    workflow = yaml.safe_load((paths.ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    checkouts = [s for s in workflow["jobs"]["test"]["steps"] if str(s.get("uses", "")).startswith("actions/checkout")]
    assert checkouts and all(s.get("with", {}).get("fetch-depth") == 0 for s in checkouts)


def test_the_project_frozen_releases_match_the_commits_that_froze_them():
    """One git log, one cat-file and one ls-tree per frozen release, cached: cheap enough for every build."""
    assert history.history_problems(paths.DATA) == []


def test_a_changed_record_of_source_versions_is_refused(repo):
    """The record pin-sources writes into RELEASES.json for an old release cannot be re-stamped either."""
    data = repo / "data"
    registry = json.loads((data / "RELEASES.json").read_text())
    registry["frozen"]["1.0.0"]["source_documents"] = {"doc.txt": "a" * 64}
    (data / "RELEASES.json").write_text(json.dumps(registry, indent=2))
    git(repo, "commit", "-qam", "record the sources of 1.0.0")
    assert history.history_problems(data) == []
    registry["frozen"]["1.0.0"]["source_documents"] = {"doc.txt": "b" * 64}
    (data / "RELEASES.json").write_text(json.dumps(registry, indent=2))
    git(repo, "commit", "-qam", "re-stamp the sources of 1.0.0")
    assert any("record of source versions" in p for p in history.history_problems(data))
