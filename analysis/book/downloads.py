"""Download links, descriptions and source parsing for the data appendix.

The build copies the whole release folder into the site at ``data/<version>/``
(see ``analysis.build``: the release is staged under ``downloads/``, Sphinx's
``html_extra_path``). Chapter pages live in ``chapters/``, so from a chapter the
files are at ``../data/<version>/<file>``. Everything here is escaped HTML made by
this package, never raw data.
"""

from __future__ import annotations

import html
from urllib.parse import quote

import pandas as pd

from analysis import paths
from analysis.book import tables as interactive
from analysis.book.chapter import HtmlBlock
from analysis.data.release import Release
from analysis.words import SourceCell, parse_source

SITE_DATA_DIR = "data"
# Resources that the data appendix (chapters/08_data) describes in sections of their own;
# any other resource of a release is shown by :func:`other_resources`.
APPENDIX_SECTIONS = (
    "excerpts",
    "documentary_quotes",
    "sample",
    "figures",
    "cohorts",
    "appointment_models",
    "codes",
    "coding",
    "policy_measures",
    "claims",
    "references",
)


def href(release: Release, filename: str) -> str:
    """The relative URL of one release file, from a chapter page."""
    return f"../{SITE_DATA_DIR}/{quote(release.label)}/{quote(filename)}"


def _resource(release: Release, name: str) -> dict:
    if not release.has(name):
        raise KeyError(f"resource {name!r} is not in release {release.label}")
    return release.entry(name)


def title(release: Release, name: str) -> str:
    """The resource's title from the datapackage (its name if it has none)."""
    return str(_resource(release, name).get("title") or name)


def description(release: Release, name: str) -> str:
    """The resource's one-paragraph description from the datapackage."""
    return str(_resource(release, name).get("description", "")).strip()


def table_names(release: Release) -> list[str]:
    """Names of the tabular resources, in datapackage order."""
    return [name for name in release.resource_names if release.is_table(name)]


def tables(release: Release) -> dict[str, pd.DataFrame]:
    """Every table of the release by name (each one read, so each counts as read)."""
    return {name: release.table(name) for name in table_names(release)}


def licence(release: Release) -> str:
    """The licence title(s) the datapackage declares."""
    licences = release.descriptor.get("licenses", [])
    return "; ".join(str(item.get("title") or item.get("name")) for item in licences) or "not stated"


def _size(path) -> str:
    return f"{path.stat().st_size:,} bytes"


def about(release: Release, name: str) -> HtmlBlock:
    """A resource's title, description and download link, as one escaped paragraph."""
    path = release.file_path(name)
    filename = path.name
    link = (
        f'<a class="treadmill-download" href="{html.escape(href(release, filename))}" download>'
        f"Download {html.escape(filename)}</a>"
    )
    return HtmlBlock(
        f'<p class="treadmill-resource"><strong>{html.escape(title(release, name))}</strong>. '
        f"{html.escape(description(release, name))} {link} "
        f"({html.escape(_size(path))}, sha256 {html.escape(release.sha256(name)[:12])}…).</p>"
    )


def _source_files(frame: pd.DataFrame) -> str:
    """Which source files a table's rows cite, with how many rows cite each."""
    if "source" not in frame.columns:
        return "no source column"
    files = source_parts(frame["source"])["file"].value_counts(sort=False)
    return "; ".join(f"{f} ({n} row{'s' if n != 1 else ''})" for f, n in files.items())


def _schema_table(release: Release, name: str) -> str:
    fields = _resource(release, name).get("schema", {}).get("fields", [])
    frame = pd.DataFrame(
        {
            "column": [f["name"] for f in fields],
            "type": [f.get("type", "") for f in fields],
            "required": ["yes" if f.get("constraints", {}).get("required") else "" for f in fields],
            "meaning": [f.get("description", "") for f in fields],
        }
    )
    body = frame.to_html(index=False, escape=True, border=0, classes="treadmill-table treadmill-schema", justify="left")
    return body


def table_card(release: Release, name: str, heading: bool = False) -> HtmlBlock:
    """One table for a reviewer: what it holds, rows, sources, download; schema and rows collapsed.

    The rows are a sortable, filterable table (``analysis.book.tables``) inside a closed
    ``<details>``, so the page stays short and nothing is left out.
    """
    frame = release.table(name)
    path = release.file_path(name)
    schema = _resource(release, name).get("schema", {})
    key = ", ".join(schema.get("primaryKey", [])) or "none"
    link = (
        f'<a class="treadmill-download" href="{html.escape(href(release, path.name))}" download>'
        f"{html.escape(path.name)}</a>"
    )
    parts = [f'<div class="treadmill-table-card" id="card-{html.escape(name)}">']
    if heading:
        parts.append(f"<h4>{html.escape(title(release, name))}</h4>")
    parts += [
        f"<p>{html.escape(description(release, name))}</p>",
        '<ul class="treadmill-table-facts">',
        f"<li><strong>Rows</strong>: {len(frame):,}; <strong>columns</strong>: {len(frame.columns)}; "
        f"<strong>key</strong>: {html.escape(key)}</li>",
        f"<li><strong>Sources cited</strong>: {html.escape(_source_files(frame))}</li>",
        f"<li><strong>Download</strong>: {link} ({html.escape(_size(path))}, sha256 "
        f"{html.escape(release.sha256(name)[:12])}…)</li>",
        "</ul>",
        f'<details class="treadmill-rows"><summary>Schema: {len(schema.get("fields", []))} columns</summary>',
        _schema_table(release, name),
        "</details>",
        f'<details class="treadmill-rows"><summary>Show the {len(frame):,} rows (sortable, filterable)</summary>',
        interactive.interactive_table(frame, f"rows {name}", caption(release, name)),
        "</details>",
        "</div>",
    ]
    return HtmlBlock("\n".join(parts))


def file_links(release: Release) -> HtmlBlock:
    """Every file of the release folder as a download link with its size (sorted by name)."""
    items = []
    for rel, size in release.files():  # logged as read: a file added or resized re-executes the chapter
        items.append(
            f'<li><a class="treadmill-download" href="{html.escape(href(release, rel))}" download>'
            f"{html.escape(rel)}</a> ({size:,} bytes)</li>"
        )
    return HtmlBlock('<ul class="treadmill-release-files">\n' + "\n".join(items) + "\n</ul>")


def caption(release: Release, name: str) -> str:
    """A table caption: the resource's title and file name."""
    return f"{title(release, name)} ({release.file_path(name).name}, release {release.label})"


def source_parts(sources: pd.Series) -> pd.DataFrame:
    """Split ``source`` cells into file, section and verbatim phrase; a malformed cell is an error."""
    rows = [parse_source(text) for text in sources]
    return pd.DataFrame(rows, columns=list(SourceCell._fields)).astype("string")


def source_examples(release: Release, names: tuple[str, ...]) -> pd.DataFrame:
    """The first row's source of each named table, split into its parts."""
    parts = source_parts(pd.Series([release.table(name)["source"].iloc[0] for name in names]))
    parts.insert(0, "table", pd.Series(list(names), dtype="string"))
    return parts


def source_cell_count(tables: dict[str, pd.DataFrame]) -> int:
    """How many ``source`` cells the given tables hold, after checking that every one parses."""
    return sum(len(source_parts(frame["source"])) for frame in tables.values())


def other_resources(release: Release, described: tuple[str, ...] = APPENDIX_SECTIONS) -> HtmlBlock:
    """Every resource the appendix has no section for: a table's card, or a file's description and link."""
    parts = []
    for name in release.resource_names:
        if name in described:
            continue
        if release.is_table(name):
            parts.append(table_card(release, name, heading=True).html)
        else:
            parts.append(f"<h4>{html.escape(title(release, name))} ({html.escape(name)})</h4>")
            parts.append(about(release, name).html)
    if not parts:
        return HtmlBlock(f"<p>Release {html.escape(release.label)} has no resources beyond those described above.</p>")
    return HtmlBlock("\n".join(parts))


def qda_links(release: Release) -> HtmlBlock:
    """Links to the REFI-QDA exports the build writes beside the release's files."""
    items = [
        (
            paths.QDA_CODEBOOK_FILE,
            "REFI-QDA codebook: the codes nested by level, for QualCoder, ATLAS.ti, NVivo, MAXQDA",
        ),
        (paths.QDA_PROJECT_FILE, "REFI-QDA project: the excerpts as text sources with the codings applied"),
    ]
    return HtmlBlock(
        '<ul class="treadmill-release-files">\n'
        + "\n".join(
            f'<li><a class="treadmill-download" href="{html.escape(href(release, name))}" download>'
            f"{html.escape(name)}</a>: {html.escape(text)}</li>"
            for name, text in items
        )
        + "\n</ul>"
    )
