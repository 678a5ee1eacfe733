"""docs/updating-data.md, followed end to end on a scratch copy of the project (issue 21, item 5).

The scratch book (tests/support/scratch.py) over a scratch release with a source document of its
own, in a git repository: new draft -> edit -> rehash -> validate -> README and changelog ->
freeze -> the old default's edition -> make it the default -> cite -> make book -> the checks of
make test -> commit. Every command is run as the documentation writes it (with ``$PY`` as this interpreter, and on the
scratch project), and each must appear in the documentation, in this order.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess

from support.chores import describe, quiet
from support.scratch import make_project, run_tool

from analysis import paths
from analysis.data import sources
from analysis.releases import cite
from analysis.releases import registry as rel

DOC = paths.ROOT / "docs" / "updating-data.md"
OLD, NEW = "1.0.0", "1.1.0"


def git(root, *args: str) -> None:
    identity = ["-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run(["git", "-C", str(root), *identity, *args], check=True, capture_output=True)


def documented(text: str) -> list[str]:
    """The commands of the documentation's shell blocks, in order, with the example's versions."""
    blocks = re.findall(r"```sh\n(.*?)```", text, re.DOTALL)
    lines = [line.split("#")[0].strip() for block in blocks for line in block.splitlines()]
    return [line for line in lines if line]


def test_the_documented_release_path_runs_end_to_end(tmp_path):
    root = tmp_path / "book"
    make_project(root)
    data = root / "data"
    for name in ("README.md", "CITATION.cff"):
        shutil.copy(paths.ROOT / name, root / name)
    (data / "sources").mkdir()
    (data / "sources" / "doc.txt").write_text("The first version of the source.\n", encoding="utf-8")
    sources.rehash(data / "sources")
    describe(data, OLD)
    package = data / OLD / "datapackage.json"
    package.write_text(json.dumps({**json.loads(package.read_text()), "version": OLD}, indent=2))
    rel.freeze_release(OLD, data, echo=quiet)
    run_tool(root, "analysis.releases.cite")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"release {OLD}")

    steps = []

    def step(*args: str, module: str = "analysis.releases.registry") -> subprocess.CompletedProcess:
        steps.append(f"$PY -m {module} {' '.join(args)}".strip())
        result = run_tool(root, module, *args, timeout=900)
        assert result.returncode == 0, f"{steps[-1]}:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}"
        return result

    # 1. new draft
    step("new", NEW, "--from", OLD)
    # 2. edit: a corrected label, and a paragraph added to the source document for the new release
    codes = data / NEW / "codes.csv"
    codes.write_text(codes.read_text().replace("Child", "Child (corrected)"))
    document = data / "sources" / "doc.txt"
    document.write_text(document.read_text() + "\nA paragraph for the new release.\n", encoding="utf-8")
    step("rehash", module="analysis.data.sources")
    # 3. rehash, 4. validate
    step("rehash", NEW)
    assert f"release {NEW}: " in (said := step("validate", NEW).stdout) and " files valid (" in said
    # 5. README and changelog: freeze refuses the release until they describe it
    refused = run_tool(root, "analysis.releases.registry", "freeze", NEW)
    assert refused.returncode == 1 and "no entry for release 1.1.0" in refused.stderr
    assert "still describes release 1.0.0" in refused.stderr
    describe(data, NEW)
    # 6. freeze
    step("freeze", NEW)
    created = json.loads((data / NEW / "datapackage.json").read_text())["created"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", created)
    # 7. the old default's edition, from its record as the book built it while it was the default
    assert run_tool(root, "analysis.build", "--no-html", timeout=900).returncode == 0
    step(OLD, module="analysis.build.editions")
    assert sorted(p.name for p in (root / "editions" / OLD).iterdir()) == sorted(
        p.name for p in (root / "chapters").glob("*.ipynb")
    )
    # make it the default; 8. the version people cite
    (data / "DEFAULT_RELEASE").write_text(NEW + "\n")
    steps.append(f"echo {NEW} > data/DEFAULT_RELEASE")
    assert cite.out_of_date(root) != []
    step(module="analysis.releases.cite")
    assert cite.out_of_date(root) == []
    assert f'version: "{NEW}"' in (root / "CITATION.cff").read_text()
    assert f'date-released: "{created[:10]}"' in (root / "CITATION.cff").read_text()
    assert f"Version {NEW}." in (root / "README.md").read_text()
    # 9. make book
    steps.append("make book")
    built = run_tool(root, "analysis.build", timeout=900)
    assert built.returncode == 0, built.stdout[-2000:] + built.stderr[-3000:]
    assert f"[data release {OLD}]" not in built.stdout  # the old release is read from its edition
    changes = (root / "_build" / "html" / "chapters" / "changes.html").read_text(encoding="utf-8")
    assert "those of its edition" in changes
    # 10. what make test checks of a release: frozen releases unchanged, citations current
    step("check")
    step("--check", module="analysis.releases.cite")
    # 11. commit; the releases then match the commits that froze them
    git(root, "add", "-A")
    git(root, "commit", "-qm", f"release {NEW}")
    step("check")
    assert sources.read_source("doc.txt", data / "sources", sources.pinned(OLD, data)).count("\n") == 1

    commands = documented(DOC.read_text(encoding="utf-8"))
    example = [c.replace("1.3.0", NEW).replace("1.2.0", OLD) for c in commands]
    positions = []
    for command in dict.fromkeys(steps):
        assert command in example, f"{command!r} is not in {DOC.name}'s commands"
        positions.append(example.index(command))
    assert positions == sorted(positions), f"{DOC.name} gives the commands in another order"
