"""Chapters as text: the author edits ``chapters/NN_name.md``, the build writes ``chapters/NN_name.ipynb``.

A chapter's source is a MyST Markdown notebook (jupytext's ``md:myst``
format, as in QuantEcon's lectures): prose as Markdown, code in
``{code-cell}`` blocks with their tags. A prose edit is a text edit, and a
review diff reads as text. The build reads the notebook jupytext makes from
it (:func:`read_source`), keys and executes that (papermill still fills the
``parameters`` cell), and writes the executed notebook beside it: the
committed record that nbval compares and Jupyter Book renders. Only the
record is staged for Sphinx, so a chapter is one document.

The record remembers the text it was made from (a digest of its cells,
:data:`SOURCE_KEY`), so the build can tell an edited text (the record is
stale: execute it, or merge the prose) from a record edited by hand (refused,
naming the file and the first differing cell: the edit belongs in the text).
"""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from importlib import metadata
from pathlib import Path

import nbformat

from analysis import paths
from analysis.build.keys import INJECTED_TAG
from analysis.build.project import ERROR_NOTE_TAG, TEXT_NAME, BuildError, Project
from analysis.data.files import write_atomic
from analysis.data.reads import META_KEY

FORMAT = "md:myst"
SUFFIX = ".md"
SOURCE_KEY = "source"  # in the record's build metadata: the digest of the text it was made from
KEPT = 256  # notebooks made from texts, kept in _build/texts/ (about 30 KB each)
KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}


def is_source(path: Path) -> bool:
    """Whether ``path`` is a chapter's text (``chapters/NN_name.md``)."""
    return bool(TEXT_NAME.match(path.name))


def source_of(chapter: Path) -> Path:
    """The text the author edits for the record ``chapter`` (``05_treadmill.ipynb`` -> ``05_treadmill.md``)."""
    return chapter.with_suffix(SUFFIX)


def read_source(path: Path) -> nbformat.NotebookNode:
    """The notebook jupytext makes from a chapter's text, read once per version of the file (never mutate it).

    Cell ids come from the cells themselves (jupytext stores none), so the
    same text always makes the same notebook, and an execution the same record.
    """
    try:
        stat = path.stat()
    except FileNotFoundError:
        raise BuildError(f"{path} is missing: a chapter is edited as text, beside its record") from None
    return _read_source(str(path), stat.st_mtime_ns, stat.st_size)


@cache
def _read_source(path: str, mtime_ns: int, size: int) -> nbformat.NotebookNode:
    """Parsed by jupytext, or taken from the notebook it made last time of the same bytes.

    Importing jupytext and parsing every text costs about a second, which a
    no-op build or a preview save would pay; the notebooks are kept by the
    text's sha256 (and jupytext's version) in ``_build/texts/``, at most
    :data:`KEPT` of them, so a build reads only the texts that changed.
    """
    content = Path(path).read_bytes()
    key = hashlib.sha256(content + f"\0{metadata.version('jupytext')}".encode()).hexdigest()
    kept = Path(path).parent.parent / paths.BUILD.relative_to(paths.ROOT) / "texts" / f"{key}.ipynb"
    if kept.is_file():
        return nbformat.v4.reads(kept.read_text(encoding="utf-8"))  # written by nbformat below: valid
    nb = _parse(path, content.decode("utf-8"))
    write_atomic(kept, nbformat.writes(nb))
    for old in sorted(kept.parent.glob("*.ipynb"), key=lambda p: p.stat().st_mtime_ns)[:-KEPT]:
        old.unlink(missing_ok=True)
    return nb


def _parse(path: str, content: str) -> nbformat.NotebookNode:
    import jupytext

    try:
        nb = jupytext.reads(content, fmt=FORMAT)
    except Exception as err:  # jupytext's errors have no common base; the file is named either way
        raise BuildError(f"{path}: not a MyST Markdown notebook that jupytext can read: {err}") from err
    nb.metadata.pop("jupytext", None)  # how the text is laid out: not the record's business
    nb.metadata.setdefault("kernelspec", dict(KERNELSPEC))
    nb.nbformat, nb.nbformat_minor = 4, max(5, nb.get("nbformat_minor", 0))
    seen: dict[str, int] = {}
    for cell in nb.cells:
        digest = hashlib.sha256(f"{cell.cell_type}\0{cell.source}".encode()).hexdigest()[:8]
        seen[digest] = seen.get(digest, 0) + 1
        cell.id = digest if seen[digest] == 1 else f"{digest}-{seen[digest]}"
    return nb


def editable(path: Path) -> nbformat.NotebookNode:
    """:func:`read_source`, as a copy the caller may change."""
    return copy.deepcopy(read_source(path))


def write_source(nb: nbformat.NotebookNode, path: Path) -> None:
    """Write a chapter's own cells (no outputs, no build metadata) as its text."""
    import jupytext

    text = nbformat.v4.new_notebook(metadata={"kernelspec": nb.metadata.get("kernelspec", KERNELSPEC)})
    for cell in own_cells(nb):
        fields = {"source": cell.source, "metadata": dict(cell.metadata)}
        if cell.cell_type == "code":
            text.cells.append(nbformat.v4.new_code_cell(**fields))
        else:
            text.cells.append(getattr(nbformat.v4, f"new_{cell.cell_type}_cell")(**fields))
    write_atomic(path, jupytext.writes(text, fmt=FORMAT))


def own_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    """The chapter's cells: all but papermill's injected parameters cell (an execution's, not the author's)."""
    return [c for c in nb.cells if INJECTED_TAG not in c.get("metadata", {}).get("tags", [])]


def cells(nb: nbformat.NotebookNode) -> list[tuple[str, str, str]]:
    """What the text and its record must agree on: each own cell's type, source and metadata (tags)."""
    found = []
    for cell in own_cells(nb):
        meta = {k: v for k, v in cell.get("metadata", {}).items() if not (k == "tags" and not v)}
        found.append((cell.cell_type, cell.source, json.dumps(meta, sort_keys=True)))
    return found


def digest(nb: nbformat.NotebookNode) -> str:
    return hashlib.sha256(json.dumps(cells(nb)).encode("utf-8")).hexdigest()


def record_source(nb: nbformat.NotebookNode, text: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``nb`` (an execution whose cells are ``text``'s) recording the text it was made from."""
    nb.metadata[META_KEY] = {**nb.metadata.get(META_KEY, {}), SOURCE_KEY: digest(text)}
    return nb


def merge_prose(source: nbformat.NotebookNode, stored: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """``stored`` (an execution) with the markdown cells of ``source``, outputs kept.

    The keys of both are equal, so their code cells are the same in the same
    order: walk ``source``, taking each code cell from ``stored`` with its
    outputs (and papermill's injected cell where it stands), each markdown
    cell from ``source``.
    """
    # Each stored code cell, with papermill's injected cell when it follows it (after `parameters`).
    groups: list[list] = []
    for cell in (c for c in stored.cells if c.cell_type == "code"):
        if INJECTED_TAG in cell.get("metadata", {}).get("tags", []) and groups:
            groups[-1].append(cell)
        else:
            groups.append([cell])
    executed = iter(groups)
    cells: list[nbformat.NotebookNode] = []
    for cell in own_cells(source):  # the chapter's own cells: its injected one, if any, is in a group
        if cell.cell_type != "code":
            cells.append(cell)
            continue
        group = next(executed)
        if "id" in cell:
            group[0].id = cell.id  # the text decides the ids (an execution kept from before may differ)
        cells += group
    merged = nbformat.from_dict(stored)
    merged.cells = cells
    return merged


def first_difference(text: nbformat.NotebookNode, record: nbformat.NotebookNode) -> str | None:
    """Where ``record`` first differs from ``text``, in words (None when they agree)."""
    mine, theirs = cells(text), cells(record)
    for i, (a, b) in enumerate(zip(mine, theirs, strict=False)):
        if a == b:
            continue
        if a[0] != b[0]:
            return f"cell {i + 1} is a {a[0]} cell in the text, a {b[0]} cell in the record"
        if a[1] != b[1]:
            ours, recorded = a[1].split("\n"), b[1].split("\n")
            j = next((n for n, (x, y) in enumerate(zip(ours, recorded, strict=False)) if x != y), None)
            j = min(len(ours), len(recorded)) if j is None else j
            x, y = (lines[j][:80] if j < len(lines) else "(the end of the cell)" for lines in (ours, recorded))
            return f"cell {i + 1} ({a[0]}), line {j + 1}: the text has {x!r}, the record {y!r}"
        return f"cell {i + 1} ({a[0]}): tags or metadata differ (text {a[2]}, record {b[2]})"
    if len(mine) != len(theirs):
        shorter = min(len(mine), len(theirs))
        return f"the text has {len(mine)} cells, the record {len(theirs)} (they differ from cell {shorter + 1})"
    return None


def _where(project: Project, path: Path) -> str:
    return path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else str(path)


def check_records(project: Project) -> None:
    """Refuse a record with no text, or a record edited by hand (it no longer matches what it was made from).

    Either way the build would lose work: the record is only ever written by the
    build from the text. The error names the file and the first differing cell.
    """
    from analysis.build.keys import read_notebook

    sources = {source_of(c) for c in project.chapters()}
    for record in sorted(project.chapters_dir.glob("*.ipynb")):
        text_path = source_of(record)
        if text_path not in sources:
            raise BuildError(
                f"{_where(project, record)} has no text: a chapter is edited as {_where(project, text_path)} "
                "(a MyST Markdown notebook), and the build writes the record from it. A record left by a "
                "removed or renamed chapter is deleted with it; otherwise restore the text from git"
            )
        nb = read_notebook(record)
        made_from = (nb.metadata.get(META_KEY) or {}).get(SOURCE_KEY)
        if made_from and made_from != digest(nb):
            where = first_difference(read_source(text_path), nb) or "its cells differ from the text it was built from"
            raise BuildError(
                f"{_where(project, record)} was edited by hand: it no longer matches the text it was built from "
                f"({where}). The record is written by the build: make the edit in {_where(project, text_path)}, "
                f"and restore the record with `git checkout -- {_where(project, record)}`"
            )


def disagreement(project: Project, chapter: Path, store: Path) -> str | None:
    """Why the execution in ``store`` does not show ``chapter``'s text as it stands (None if it does)."""
    from analysis.build.keys import read_notebook

    if not store.is_file():
        return f"{_where(project, store)} is missing"
    found = first_difference(read_source(source_of(chapter)), read_notebook(store))
    return f"{_where(project, source_of(chapter))} changed: {found}" if found else None


def cell_in_chapter(root: Path, chapter: Path, executed: Path, index: int) -> str:
    """Where a failed cell is in the text the author edits: "cell 5 of chapters/x.md (line 23; …)".

    ``index`` counts the cells papermill ran, with its injected parameters
    cell; the cell is found in the text by its id (or its source), counted
    from 1 from the top, with the line of the text it starts on.
    """
    from jupytext.myst import myst_to_notebook

    text_path = source_of(chapter)
    where = text_path.relative_to(root) if text_path.is_relative_to(root) else text_path
    own = read_source(text_path).cells
    ran = nbformat.read(executed, as_version=4).cells if executed.exists() else []
    # Papermill puts a note on the error at the top of the notebook it saves; ``index`` counts without it.
    ran = [c for c in ran if ERROR_NOTE_TAG not in c.get("metadata", {}).get("tags", [])]
    failed = ran[index] if 0 <= index < len(ran) else None
    found = None
    if failed is not None:
        found = next((i for i, c in enumerate(own) if c.get("id") and c.get("id") == failed.get("id")), None)
        if found is None:
            found = next((i for i, c in enumerate(own) if c.source == failed.source), None)
    if found is None:
        return f"a cell of {where}"
    first = next((line.strip() for line in own[found].source.splitlines() if line.strip()), "")
    lines = text_path.read_text(encoding="utf-8").splitlines()
    starts = myst_to_notebook("\n".join(lines), add_source_map=True).metadata["source_map"]
    start = starts[found] if found < len(starts) else None
    while start is not None and start < len(lines) and not lines[start].strip():
        start += 1  # a markdown cell's region starts with the blank lines before its text
    line = f"line {start + 1}; " if start is not None else ""
    return f"cell {found + 1} of {where} ({line}counted from 1, from the top; it begins {first[:60]!r})"
