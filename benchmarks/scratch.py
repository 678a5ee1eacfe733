"""Scratch projects: the stripped template, the Jupyter Book copy, and the edits each case makes.

Nothing here touches the checkout's chapters/, data/ or _build/: every function works on a copy.
"""

from __future__ import annotations

import ast
import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import nbformat
import yaml

from analysis.build.text import is_source
from benchmarks.harness import PYTHON, REPO, BenchError, clean_env

# What a scratch book needs; analysis/ is copied too (the kernels import that snapshot).
BOOK_SOURCES = ("chapters", "data", "analysis", "_static", "_config.yml", "_toc.yml", "requirements.txt")
# What a scratch copy for `make test` leaves out (the venv is symlinked instead).
# The copy keeps .git: the fresh-clone test clones it.
TEST_COPY_IGNORE = (
    ".venv",
    "_build",
    ".ruff_cache",
    ".pytest_cache",
    "__pycache__",
    ".ipynb_checkpoints",
    "vega-bundle.js",
    ".node",  # Lighthouse's node_modules (benchmarks/.node), not in a clone
)
EDIT_MARK = "# benchmark edit: changes the code, not the outputs"
VALUE_EDIT = " (benchmark edit)"
JB_TIMEOUT = 300  # seconds per notebook, as nbval's --nbval-cell-timeout (Jupyter Book's default is 30)
PROSE_MARK = "An added sentence (benchmark prose edit)."


def copy_tree(src: Path, dst: Path) -> None:
    if dst.exists():
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)


def make_template(dst: Path) -> bool:
    """Snapshot of the book's sources with every chapter stripped of outputs and build records."""
    dst.mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints", "vega-bundle.js")
    for name in BOOK_SOURCES:
        src = REPO / name
        if src.is_dir():
            shutil.copytree(src, dst / name, ignore=ignore)
        else:
            shutil.copy2(src, dst / name)
    for path in sorted((dst / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.metadata.pop("treadmill", None)
        nb.metadata.pop("papermill", None)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
                cell.execution_count = None
        nbformat.write(nb, path)
    unfrozen = unfreeze_default_release(dst)
    # Jupyter Book needs the bundle in _static; our build writes it itself (timed).
    code = (
        "from pathlib import Path; from analysis.book.charts import write_vega_bundle; "
        "write_vega_bundle(Path('_static'))"
    )
    subprocess.run([str(PYTHON), "-c", code], cwd=dst, env=clean_env(dst), check=True)
    return unfrozen


def unfreeze_default_release(root: Path) -> bool:
    """Let the scratch copy edit its default release in place (case 3): drop the release registry.

    Our build refuses a frozen release edited in place, and a draft as the default
    (a real correction is a new release); without a registry there are neither, and
    the benchmark can measure the rebuild after one CSV changes.
    """
    registry = root / "data" / "RELEASES.json"
    if not registry.exists():
        return False
    registry.unlink()
    return True


def make_test_copy(dst: Path) -> None:
    """A copy of the whole checkout (as committed, with outputs) for `make test`."""
    shutil.copytree(REPO, dst, symlinks=True, ignore=shutil.ignore_patterns(*TEST_COPY_IGNORE))
    (dst / ".venv").symlink_to(REPO / ".venv")


def default_release(root: Path) -> str:
    return (root / "data" / "DEFAULT_RELEASE").read_text(encoding="utf-8").strip()


def stage_for_jupyter_book(root: Path, mode: str) -> None:
    """Make ``root`` buildable by `jupyter-book build` as analysis.build._stage does, executing in ``mode``."""
    version = default_release(root)
    release = root / "data" / version
    shutil.copy(release / "references.bib", root / "references.bib")
    # A Jupyter Book author's chapters are the notebooks: our texts beside them would make a second
    # document for each page. Its edits (benchmarks.scratch.chapter_source) go to the notebooks.
    for text in sorted((root / "chapters").glob("*.md")):
        if is_source(text):
            text.unlink()
    shutil.copytree(release, root / "downloads" / "data" / version, dirs_exist_ok=True)
    set_jb_mode(root, mode)


def set_jb_mode(root: Path, mode: str) -> None:
    config_path = root / "_config.yml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    config.setdefault("execute", {})
    config["execute"]["execute_notebooks"] = mode
    config["execute"]["timeout"] = JB_TIMEOUT
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


def chapter_reads(root: Path) -> dict[str, list[str]]:
    """stem -> the resources the chapter read when our build last executed it."""
    reads = {}
    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        reads[path.stem] = list(nb.metadata.get("treadmill", {}).get("reads", []))
    return reads


def csv_tables(root: Path) -> list[str]:
    descriptor = json.loads((root / "data" / default_release(root) / "datapackage.json").read_text("utf-8"))
    return [r["name"] for r in descriptor["resources"] if str(r.get("path", "")).endswith(".csv")]


def choose_table(root: Path, reads: dict[str, list[str]], wanted: str | None) -> tuple[str, list[str]]:
    """The CSV to change and the chapters that read it (the fewest readers, but at least one)."""
    version = default_release(root)
    tables = csv_tables(root)
    readers = {t: sorted(s for s, r in reads.items() if f"{version}/{t}" in r) for t in tables}
    if wanted:
        if wanted not in readers:
            raise BenchError(f"--table {wanted!r} is not a CSV table of release {version}: {', '.join(tables)}")
        return wanted, readers[wanted]
    some = [t for t in tables if 0 < len(readers[t]) < len(reads)] or [t for t in tables if readers[t]] or tables
    table = min(some, key=lambda t: (len(readers[t]), t))
    return table, readers[table]


def rehash_resource(folder: Path, name: str) -> None:
    """Record the file's new sha256 and size in datapackage.json (as tests/support/releases.py does)."""
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == name:
            content = (folder / resource["path"]).read_bytes()
            resource["hash"] = "sha256:" + hashlib.sha256(content).hexdigest()
            resource["bytes"] = len(content)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


NEW_RELEASE = "99.0.0"  # case 6: sorts after every real release, so the default becomes its predecessor


def make_new_release(root: Path, table: str, mode: str) -> str:
    """Case 6: copy the default release as :data:`NEW_RELEASE`, make it the default, change one table."""
    old = default_release(root)
    shutil.copytree(root / "data" / old, root / "data" / NEW_RELEASE)
    (root / "data" / "DEFAULT_RELEASE").write_text(NEW_RELEASE + "\n", encoding="utf-8")
    return f"release {NEW_RELEASE}, a copy of {old} made the default, in which we " + change_table(root, table, mode)


def change_table(root: Path, table: str, mode: str) -> str:
    """Change one CSV of the default release in ``root`` and rehash it; say what changed."""
    folder = root / "data" / default_release(root)
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    resource = next(r for r in descriptor["resources"] if r["name"] == table)
    path = folder / resource["path"]
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    buffer = io.StringIO()
    if mode == "value":
        column = free_text_column(resource)
        index = rows[0].index(column)
        rows[-1][index] += VALUE_EDIT
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        what = f"appended {VALUE_EDIT.strip()!r} to column `{column}` of the last row of `{resource['path']}`"
    else:
        csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL).writerows(rows)
        what = f"re-quoted every field of `{resource['path']}` (same values, different bytes)"
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    rehash_resource(folder, table)
    return what


def free_text_column(resource: dict) -> str:
    """A string column outside every key and without constraints beyond `required`."""
    schema = resource.get("schema", {})
    keys = set(
        schema.get("primaryKey", []) if isinstance(schema.get("primaryKey"), list) else [schema.get("primaryKey")]
    )
    for fk in schema.get("foreignKeys", []):
        fields = fk.get("fields")
        keys.update(fields if isinstance(fields, list) else [fields])
    for column in schema.get("fields", []):
        extra = set(column.get("constraints", {})) - {"required"}
        if column.get("type") == "string" and column["name"] not in keys and not extra:
            return column["name"]
    raise BenchError(f"table {resource['name']} has no free text column")


def pick_change_mode(template: Path, probe: Path, table: str) -> str:
    """'value' when a realistic value edit still loads and validates, else 'quoting'."""
    check = f"from analysis.data.release import load_release; load_release().table({table!r})"
    for mode in ("value", "quoting"):
        copy_tree(template / "data", probe / "data")
        try:
            change_table(probe, table, mode)
        except (BenchError, IndexError, ValueError):
            continue
        env = clean_env(template)
        env["TREADMILL_ROOT"] = str(probe)
        if subprocess.run([str(PYTHON), "-c", check], cwd=probe, env=env, capture_output=True).returncode == 0:
            return mode
    raise BenchError(f"could not change table {table} and keep the release valid")


def resolve_chapter(root: Path, wanted: str) -> str:
    stems = [p.stem for p in sorted((root / "chapters").glob("*.ipynb"))]
    for stem in stems:
        if wanted in (stem, re.sub(r"^\d+_", "", stem)):
            return stem
    return stems[-1]


def chapter_source(root: Path, stem: str) -> Path:
    """The file an author edits: the MyST Markdown source ``chapters/<stem>.md`` if there is one, else the notebook."""
    text = root / "chapters" / f"{stem}.md"
    return text if text.is_file() else root / "chapters" / f"{stem}.ipynb"


# A MyST Markdown notebook's code cell: its opening fence line, its body, its closing fence.
MYST_CODE_CELL = re.compile(r"^(?P<fence>`{3,})\{code-cell\}[^\n]*\n(?P<body>.*?)^(?P=fence)[ \t]*$", re.M | re.S)


def edit_chapter(root: Path, stem: str, rep: int) -> None:
    """Append a comment to the chapter's open_chapter cell (its first code cell otherwise): code, not outputs."""
    path = chapter_source(root, stem)
    line = f"{EDIT_MARK} ({rep})"
    if path.suffix == ".md":
        text = path.read_text(encoding="utf-8")
        cells = list(MYST_CODE_CELL.finditer(text))
        if not cells:
            raise BenchError(f"{path}: no code cell to edit")
        cell = next((c for c in cells if "open_chapter(" in c["body"]), cells[0])
        at = cell.end("body")
        path.write_text(text[:at] + line + "\n" + text[at:], encoding="utf-8")
        return
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    cell = next((c for c in code if "open_chapter(" in c.source), code[0])
    cell.source = cell.source.rstrip("\n") + "\n" + line
    nbformat.write(nb, path)


def edit_prose(root: Path, stem: str, rep: int) -> None:
    """Append a sentence to the chapter's last markdown cell (the end of the text source): the commonest edit."""
    path = chapter_source(root, stem)
    sentence = f"{PROSE_MARK} ({rep})"
    if path.suffix == ".md":
        path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")
        return
    nb = nbformat.read(path, as_version=4)
    cell = [c for c in nb.cells if c.cell_type == "markdown"][-1]
    cell.source = cell.source.rstrip("\n") + f"\n\n{sentence}"
    nbformat.write(nb, path)


FIGURE_EDIT = "benchmark_edit = 1  # a figure function edited (changes its code, not its figure)"


def figure_function(root: Path, stem: str) -> tuple[Path, str]:
    """The first ``@figure`` function of the figures module named after the chapter (else of any figures module)."""
    modules = sorted((root / "analysis" / "book" / "figures").glob("*.py"))
    named = [m for m in modules if m.stem == re.sub(r"^\d+_", "", stem)]
    for module in named + modules:
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and any(_is_figure(d) for d in node.decorator_list):
                return module, node.name
    raise BenchError(f"no @figure function in {root / 'analysis' / 'book' / 'figures'}")


def _is_figure(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "figure"


def figure_users(root: Path, function: str) -> list[str]:
    """The chapters whose code (in the notebook, which has the source's code cells) names ``function``."""
    word = re.compile(rf"\b{re.escape(function)}\b")
    users = []
    for path in sorted((root / "chapters").glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        if word.search(" ".join(c.source for c in nb.cells if c.cell_type == "code")):
            users.append(path.stem)
    return users


def edit_figure_function(module: Path, function: str) -> None:
    """Add a statement at the top of ``function``'s body (after its docstring): its syntax tree changes."""
    lines = module.read_text(encoding="utf-8").splitlines(keepends=True)
    node = next(n for n in ast.parse("".join(lines)).body if isinstance(n, ast.FunctionDef) and n.name == function)
    first = node.body[0]
    has_doc = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and len(node.body) > 1
    anchor = node.body[1] if has_doc else first
    indent = " " * anchor.col_offset
    lines.insert(anchor.lineno - 1, f"{indent}{FIGURE_EDIT}\n")
    module.write_text("".join(lines), encoding="utf-8")


REFORMAT_LINE_LENGTH = 88  # ruff's default, narrower than the project's 120: many lines re-wrap


def reformat_package(root: Path) -> int:
    """Re-wrap every module of ``root/analysis`` with ruff format at another line length (same syntax trees).

    Returns how many files changed.
    """
    before = {p: p.read_bytes() for p in (root / "analysis").rglob("*.py")}
    subprocess.run(
        [
            str(PYTHON.parent / "ruff"),
            "format",
            "--no-cache",
            "--isolated",
            "--line-length",
            str(REFORMAT_LINE_LENGTH),
            "analysis",
        ],
        cwd=root,
        check=True,
        capture_output=True,
    )
    return sum(1 for p, content in before.items() if p.read_bytes() != content)


def provenance(page: Path) -> list[str] | None:
    """The page's provenance lines (they name the sha256 of the tables read); None without any."""
    if not page.exists():
        return None
    found = re.findall(r'class="treadmill-provenance">(.*?)</p>', page.read_text(encoding="utf-8"), re.S)
    return [re.sub(r"\s+", " ", line).strip() for line in found] or None
