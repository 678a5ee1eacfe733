"""REFI-QDA exports of the codebook and the coded excerpts, for qualitative-analysis tools.

The REFI-QDA standard (version 1.5, qdasoftware.org) is the exchange format of
QualCoder, ATLAS.ti, NVivo, MAXQDA and Taguette. Two exports:

* :func:`codebook_qdc` -- the codebook (``codes.csv``) as a REFI-QDA codebook,
  ``.qdc``: namespace ``urn:QDA-XML:codebook:1.0``, codes nested as in the
  table (themes, their categories, their open codes), the definition as each
  code's ``Description``. Only open codes are applied to text in ``coding.csv``,
  so only they are ``isCodable="true"``; themes and categories are headers.
* :func:`project_qdpx` -- a REFI-QDA project, ``.qdpx`` (a zip of
  ``project.qde`` and ``sources/``): the codebook, each interview excerpt as a
  text source, and each row of ``coding.csv`` as a coded selection of it.

GUIDs are upper-case version-5 UUIDs from a fixed namespace and the item's path
(a code's is ``T1/K01/O01``), as Taguette makes them, so a code keeps its GUID
across exports and releases and re-exports diff cleanly. Output bytes are
deterministic: same data, same file. ``analysis/schemas/refi-qda-codebook.xsd``
is the schema the tests validate the codebook against (see its header for
where it comes from).

Both are reconstructions of the book (see ``data/<version>/README.md``), not
the article author's coding.
"""

from __future__ import annotations

import io
import uuid
import zipfile

import pandas as pd
from lxml import etree

from analysis import paths
from analysis.book.charts import PALETTE
from analysis.words import parse_source

CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
PROJECT_NS = "urn:QDA-XML:project:1.0"
ORIGIN = "treadmill-book"
# Fixed namespace of every GUID this module makes (itself uuid5(NAMESPACE_URL, ...)).
GUID_NAMESPACE = uuid.UUID("59DF1F1F-E1DF-5520-B102-63A957F58A8D")
LEVELS = {3: "theme", 2: "category", 1: "open code"}
# A fixed timestamp inside the zip, so the .qdpx bytes do not depend on the clock.
ZIP_TIME = (2022, 7, 3, 0, 0, 0)


class CodebookError(ValueError):
    """The codes table cannot be written as a nested codebook."""


def guid(path: str) -> str:
    """Upper-case uuid5 of ``path`` in the project's fixed namespace."""
    return str(uuid.uuid5(GUID_NAMESPACE, path)).upper()


def _text_or_empty(value) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def code_paths(codes: pd.DataFrame) -> dict[str, str]:
    """code_id -> path from its theme (``T1/K01/O01``), checking the hierarchy.

    Themes (level 3) have no parent, a category's parent is a theme, an open
    code's parent is a category; anything else raises :class:`CodebookError`.
    """
    rows = {str(r["code_id"]): r for r in codes.to_dict("records")}
    paths: dict[str, str] = {}
    for code_id, row in rows.items():
        level = int(row["level"])
        parent = _text_or_empty(row.get("parent_id"))
        if level not in LEVELS:
            raise CodebookError(f"code {code_id}: level {level} is not one of {sorted(LEVELS)}")
        if level == 3:
            if parent:
                raise CodebookError(f"theme {code_id} has a parent ({parent})")
            continue
        if parent not in rows:
            raise CodebookError(f"code {code_id}: parent {parent!r} is not in the codebook")
        if int(rows[parent]["level"]) != level + 1:
            raise CodebookError(f"code {code_id} (level {level}): parent {parent} is not at level {level + 1}")

    def path(code_id: str) -> str:
        parent = _text_or_empty(rows[code_id].get("parent_id"))
        return f"{path(parent)}/{code_id}" if parent else code_id

    for code_id in rows:
        paths[code_id] = path(code_id)
    return paths


def _colours(codes: pd.DataFrame, paths: dict[str, str]) -> dict[str, str]:
    """Each code gets its theme's colour (themes in table order; darker palette end first)."""
    themes = [str(c) for c in codes.loc[codes["level"] == 3, "code_id"]]
    usable = PALETTE[:-1] or PALETTE  # the palette's last colour is near-white: no use as a highlight
    theme_colour = {t: usable[i % len(usable)] for i, t in enumerate(themes)}
    return {code_id: theme_colour[p.split("/")[0]] for code_id, p in paths.items()}


def _code_elements(codes: pd.DataFrame, ns: str) -> etree._Element:
    """``<Codes>`` with the codes nested by parent, children in table order."""
    paths = code_paths(codes)
    colours = _colours(codes, paths)
    children: dict[str, list[dict]] = {}
    for row in codes.to_dict("records"):
        children.setdefault(_text_or_empty(row.get("parent_id")), []).append(row)
    root = etree.Element(f"{{{ns}}}Codes")

    def add(parent: etree._Element, row: dict) -> None:
        code_id = str(row["code_id"])
        element = etree.SubElement(
            parent,
            f"{{{ns}}}Code",
            guid=guid(paths[code_id]),
            name=f"{code_id} {row['name']}",
            isCodable="true" if int(row["level"]) == 1 else "false",
            color=colours[code_id],
        )
        definition = _text_or_empty(row.get("definition"))
        if definition:
            etree.SubElement(element, f"{{{ns}}}Description").text = definition
        for child in children.get(code_id, []):
            add(element, child)

    for theme in children.get("", []):
        add(root, theme)
    return root


def _serialise(root: etree._Element) -> bytes:
    body = etree.tostring(root, xml_declaration=False, encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


def codebook_qdc(codes: pd.DataFrame, version: str) -> bytes:
    """The codes table as a REFI-QDA codebook (``.qdc``), deterministic bytes."""
    root = etree.Element(f"{{{CODEBOOK_NS}}}CodeBook", nsmap={None: CODEBOOK_NS}, origin=f"{ORIGIN} {version}")  # type: ignore[dict-item]  # lxml takes None as the default namespace's prefix; lxml-stubs does not
    root.append(_code_elements(codes, CODEBOOK_NS))
    return _serialise(root)


def _span(text: str, phrase: str) -> tuple[int, int]:
    """Character offsets of ``phrase`` in ``text``, or the whole text if it is not there."""
    start = text.find(phrase) if phrase else -1
    return (start, start + len(phrase)) if start >= 0 else (0, len(text))


def _phrase(source: str) -> str:
    """The verbatim phrase of a ``source`` cell ("" if the cell is not of the source form)."""
    try:
        return parse_source(source).phrase
    except ValueError:
        return ""


def project_qde(codes: pd.DataFrame, excerpts: pd.DataFrame, coding: pd.DataFrame, version: str) -> tuple[bytes, dict]:
    """``project.qde`` and the text files it points at (``sources/<guid>.txt`` -> bytes).

    One text source per excerpt; one coded selection per row of the coding
    table: the phrase that links the excerpt to the code where it is a phrase
    of the excerpt, else the whole excerpt. Offsets count characters.
    """
    ns = PROJECT_NS
    paths = code_paths(codes)
    # lxml takes None as the default namespace's prefix; lxml-stubs does not.
    root = etree.Element(
        f"{{{ns}}}Project",
        nsmap={None: ns},  # type: ignore[dict-item]
        name=f"Running on the treadmill: coded excerpts ({version})",
    )
    root.set("origin", f"{ORIGIN} {version}")
    codebook = etree.SubElement(root, f"{{{ns}}}CodeBook")
    codebook.append(_code_elements(codes, ns))
    sources = etree.SubElement(root, f"{{{ns}}}Sources")
    files: dict[str, bytes] = {}
    by_excerpt: dict[str, list[dict]] = {}
    for row in coding.to_dict("records"):
        by_excerpt.setdefault(str(row["excerpt_id"]), []).append(row)
    for excerpt in excerpts.to_dict("records"):
        excerpt_id = str(excerpt["excerpt_id"])
        text = _text_or_empty(excerpt["text"])
        source_guid = guid(f"source/{excerpt_id}")
        role = _text_or_empty(excerpt.get("speaker_role"))
        source = etree.SubElement(
            sources,
            f"{{{ns}}}TextSource",
            guid=source_guid,
            name=f"{excerpt_id} ({role})" if role else excerpt_id,
            plainTextPath=f"internal://{source_guid}.txt",
        )
        files[f"sources/{source_guid}.txt"] = text.encode("utf-8")
        for row in by_excerpt.get(excerpt_id, []):
            code_id = str(row["code_id"])
            if code_id not in paths:
                raise CodebookError(f"coding row {excerpt_id}/{code_id}: no such code")
            start, end = _span(text, _phrase(row.get("source", "")))
            selection = etree.SubElement(
                source,
                f"{{{ns}}}PlainTextSelection",
                guid=guid(f"selection/{excerpt_id}/{code_id}"),
                name=f"{excerpt_id} {code_id}",
                startPosition=str(start),
                endPosition=str(end),
            )
            coding_element = etree.SubElement(selection, f"{{{ns}}}Coding", guid=guid(f"coding/{excerpt_id}/{code_id}"))
            etree.SubElement(coding_element, f"{{{ns}}}CodeRef", targetGUID=guid(paths[code_id]))
    return _serialise(root), files


def project_qdpx(release) -> bytes:
    """A REFI-QDA project (``.qdpx``) of a release's codebook, excerpts and coding; deterministic bytes."""
    qde, files = project_qde(
        release.table("codes"), release.table("excerpts"), release.table("coding"), release.version
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in [("project.qde", qde), *sorted(files.items())]:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


CODE_COLUMNS = {"code_id", "level", "parent_id", "name", "definition"}


CODEBOOK_FILE, PROJECT_FILE = paths.QDA_CODEBOOK_FILE, paths.QDA_PROJECT_FILE


def write_exports(release, folder) -> list:
    """Write ``codebook.qdc`` and ``coded-excerpts.qdpx`` of ``release`` into ``folder``; returns the paths.

    A release without a three-level codebook (no ``codes`` table with these
    columns) gets no exports; one without excerpts and coding gets the
    codebook only.
    """
    from pathlib import Path

    names = set(release.resource_names)
    if "codes" not in names or not CODE_COLUMNS <= set(release.table("codes").columns):
        return []
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    qdc = folder / CODEBOOK_FILE
    qdc.write_bytes(codebook_qdc(release.table("codes"), release.version))
    if not {"excerpts", "coding"} <= names:
        return [qdc]
    qdpx = folder / PROJECT_FILE
    qdpx.write_bytes(project_qdpx(release))
    return [qdc, qdpx]
