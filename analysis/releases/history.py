"""Frozen means frozen, against history: each frozen release as the commit that froze it holds it.

The hashes in ``data/RELEASES.json`` catch an edit in place, but not a release *re-stamped* by
hand (a file edited, its hashes updated in ``datapackage.json`` and ``RELEASES.json``, all
committed). So every frozen release is also compared, file by file, with the commit that
first listed it under ``frozen`` in ``RELEASES.json``: one ``git log`` and one ``git cat-file``
for the registry's history, one ``git ls-tree`` per frozen release, cached per process.

Outside a git checkout (a scratch copy, an unpacked archive) there is no history to compare
with and the check is skipped. In a shallow clone the freezing commits may be missing: the check
says it could not run, and fails where ``CI`` is set (CI checks out the full history).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from analysis import paths
from analysis.data.release import REGISTRY
from analysis.data.sources import PINS
from analysis.releases.record import read_registry, release_files

_COULD_NOT = "the frozen releases could not be compared with the commits that froze them:"
_SHALLOW = f"{_COULD_NOT} this is a shallow clone (fetch the history with `git fetch --unshallow`)"


def _git(repo: Path | str, *args: str, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(["git", "-C", str(repo), *args], input=stdin, capture_output=True, check=False, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def _checkout(data_dir: Path) -> tuple[Path, bool, str] | str | None:
    """(the repository's top folder, whether it is shallow, HEAD) for ``data_dir``.

    None outside a git checkout; the error's text when git cannot read a checkout that is there.
    """
    try:
        answer = _git(data_dir, "rev-parse", "--show-toplevel", "--is-shallow-repository", "HEAD").decode()
        top, shallow, head = answer.split()
    except (RuntimeError, ValueError, OSError) as exc:
        inside = any((folder / ".git").exists() for folder in [data_dir, *data_dir.parents])
        return str(exc) if inside else None
    return Path(top), shallow == "true", head


@functools.lru_cache(maxsize=16)
def freezing_commits(top: Path, head: str, registry: str) -> dict[str, tuple[str, str | None]]:
    """Version -> (the first commit up to ``head`` whose ``registry`` lists it as frozen, and the first
    record of its source versions there, as JSON: the releases frozen before they recorded them)."""
    commits = _git(top, "log", "--reverse", "--format=%H", head, "--", registry).decode().split()
    batch = _git(top, "cat-file", "--batch", stdin="".join(f"{c}:{registry}\n" for c in commits).encode())
    found: dict[str, tuple[str, str | None]] = {}
    position = 0
    for commit in commits:  # each answer: "<id> blob <size>\n<content>\n", or "<name> missing\n"
        header_end = batch.index(b"\n", position)
        header = batch[position:header_end].split()
        position = header_end + 1
        if header[-1] == b"missing":
            continue
        content = batch[position : position + int(header[2])]
        position += int(header[2]) + 1
        try:
            frozen = json.loads(content).get("frozen", {})
        except (json.JSONDecodeError, UnicodeDecodeError, AttributeError):
            continue
        for version, entry in frozen.items() if isinstance(frozen, dict) else ():
            pins = entry.get(PINS) if isinstance(entry, dict) else None
            first, recorded = found.setdefault(version, (commit, None))
            if recorded is None and pins is not None:
                found[version] = (first, json.dumps(pins, sort_keys=True))
    return found


@functools.lru_cache(maxsize=64)
def committed_blobs(top: Path, commit: str, folder: str) -> dict[str, str]:
    """Path (relative to ``folder``) -> git blob id of every file under ``folder`` at ``commit``."""
    blobs = {}
    for line in _git(top, "ls-tree", "-r", "-z", commit, "--", folder + "/").decode().split("\0"):
        if not line:
            continue
        meta, _, path = line.partition("\t")
        blobs[path.removeprefix(folder + "/")] = meta.split()[2]
    return blobs


def blob_id(path: Path) -> str:
    """The git blob id of a file's bytes (what ``git hash-object`` prints)."""
    data = Path(path).read_bytes()
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def history_problems(data_dir: Path = paths.DATA) -> list[str]:
    """Frozen releases that differ from the commit that froze them (or why they could not be compared)."""
    data_dir = Path(data_dir).resolve()
    frozen = read_registry(data_dir)["frozen"]
    checkout = _checkout(data_dir) if frozen else None
    if checkout is None:
        return []
    if isinstance(checkout, str) or checkout[1]:
        reason = _SHALLOW if not isinstance(checkout, str) else f"{_COULD_NOT} git could not read them ({checkout})"
        if os.environ.get("CI"):
            return [reason + "; CI must check out the full history (fetch-depth: 0)"]
        print(f"note: {reason}.", file=sys.stderr)
        return []
    top, _, head = checkout
    data = data_dir.relative_to(top).as_posix()
    commits = freezing_commits(top, head, f"{data}/{REGISTRY}")
    problems: list[str] = []
    for version in sorted(frozen):
        if version not in commits:
            continue  # frozen but not yet committed: the registry's hashes are all there is to compare with
        commit, pins = commits[version]
        if pins is not None and json.dumps(frozen[version].get(PINS), sort_keys=True) != pins:
            problems.append(
                f"frozen release {version}: its record of source versions in {REGISTRY} changed since it was "
                "first committed; restore it (the versions a frozen release reads never change)"
            )
        folder = data_dir / version
        then = committed_blobs(top, commit, f"{data}/{version}")
        present = [rel for rel in [*release_files(folder), "datapackage.json"] if (folder / rel).is_file()]
        now = {rel: blob_id(folder / rel) for rel in present}
        for rel in sorted(set(then) | set(now)):
            if then.get(rel) != now.get(rel):
                what = "added" if rel not in then else "removed" if rel not in now else "changed"
                problems.append(
                    f"frozen release {version}: {rel} {what} since the commit that froze it ({commit[:12]}), "
                    f"even if its hashes were updated to match; restore it: git checkout {commit[:12]} -- "
                    f"{data}/{version}/ and put the change in a new release"
                )
    return problems
