"""Offline, deterministic rendering of Altair charts for the book.

Altair's own HTML output gives each chart a random ``altair-viz-<uuid>`` id
(which breaks nbval) and loads Vega from a CDN (which breaks offline reading).
Here each chart is emitted as plain HTML whose element id is derived from the
chart's Vega-Lite spec, drawn by ``vegaEmbed`` from the site's own
``_static/vega-bundle.js`` (written at build time by :func:`write_vega_bundle`).
The spec travels inside the HTML, so nbval compares every chart exactly.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt

from analysis.data.files import write_atomic

# Sequential blues with strictly increasing lightness: the categories stay
# distinguishable when printed or viewed in greyscale.
PALETTE = ["#08306b", "#2171b5", "#6baed6", "#c6dbef", "#f7fbff"]
# Greys for "not reported" / missing, so absence never looks like a value.
MISSING_COLOUR = "#8c8c8c"  # 3.4:1 on white: meets WCAG AA for graphics
FONT = "sans-serif"
BUNDLE_NAME = "vega-bundle.js"
# Static copies of every figure live in the site's ``figures/`` folder (the
# build writes them, see :func:`export_figure`); chapter pages sit one level
# down, in ``chapters/``, so they link to ``../figures/<id>.<ext>``.
FIGURES_DIR = "figures"
FIGURES_HREF = "../" + FIGURES_DIR
# (file suffix, link text, what the file is) for each static copy, in link order.
DOWNLOADS = (
    (".png", "PNG", "PNG image"),
    (".svg", "SVG", "SVG image"),
    (".vl.json", "spec", "Vega-Lite specification (JSON)"),
    (".csv", "data", "data (CSV)"),
)


@dataclass(frozen=True)
class Figure:
    """One book figure: the chart plus the words a reader needs around it.

    ``inputs`` names the data-release tables the chart was made from, so the
    provenance line can cite their hashes.
    """

    chart: alt.TopLevelMixin
    alt_text: str
    caption: str
    inputs: tuple[str, ...] = field(default_factory=tuple)
    # The rows drawn, table -> values of its first key column: "About this figure" credits only
    # their sources. Empty: the block says what the tables it reads cite, not what the chart uses.
    rows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # What a reviewer may want and a reader need not see: shown in the collapsed
    # "About this figure" block under the chart, with the provenance and the static copies.
    detail: str = ""

    def spec(self) -> dict:
        """The Vega-Lite spec with the house style applied."""
        return styled(self.chart).to_dict()


# The paler palette blues and the grey are below the 3:1 contrast with a white
# page that WCAG 2.1 AA (1.4.11) asks of graphics: filled shapes get a thin
# dark outline by default, so every bar, cell and area stays visible.
OUTLINE = {"stroke": PALETTE[0], "strokeWidth": 1}


def styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply the house style: readable fonts, greyscale-safe category colours, outlined shapes."""
    return (
        chart.configure(font=FONT)
        .configure_range(category=PALETTE)
        .configure_axis(labelFontSize=12, titleFontSize=13)
        .configure_title(fontSize=15, anchor="start")
        .configure_view(stroke=None)
        .configure_bar(**OUTLINE)
        .configure_rect(**OUTLINE)
        .configure_area(**OUTLINE)
        .configure_arc(**OUTLINE)
    )


# A y axis whose title sits above its (long) labels instead of beside them.
TOP_TITLE_AXIS = alt.Axis(labelLimit=420, titleAngle=0, titleAlign="right", titleX=0, titleY=-12)


def band_axis(label_limit: int) -> alt.Axis:
    """A y axis for long category labels: its title sits level, above the labels, never across them."""
    return alt.Axis(
        labelLimit=label_limit,
        titleAngle=0,
        titleAlign="right",
        titleBaseline="bottom",
        titleX=0,
        titleY=-6,
    )


def bar_panels(
    layers: tuple[alt.Chart, ...],
    data,
    panel: str,
    panels: list[str],
    width: int,
    step: int,
    title: str,
    label_limit: int | None = None,
) -> alt.FacetChart:
    """Bars and their labels drawn once per ``panel`` value, stacked, each panel with its own categories.

    The panel names sit above each panel, left-aligned and bold (``label_limit`` widens them).
    """
    header = alt.Header(
        labelAngle=0,
        labelAlign="left",
        labelOrient="top",
        labelFontWeight="bold",
        labelLimit=alt.Undefined if label_limit is None else label_limit,
    )
    return (
        alt.layer(*layers, data=data)
        .properties(width=width, height=alt.Step(step))
        .facet(row=alt.Row(f"{panel}:N", title=None, sort=panels, header=header))
        .resolve_scale(y="independent")
        .properties(title=title)
    )


def bar_listing(labels: Iterable, values: Iterable, unit: str = "") -> str:
    """ "label: value; ..." for a chart's alt text, every bar named with its value."""
    return "; ".join(f"{label}: {value}{unit}" for label, value in zip(labels, values, strict=True))


def spec_id(spec: dict) -> str:
    """A stable element id: the same spec always gets the same id."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return "vis-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _script_json(spec: dict) -> str:
    # No "<" may appear in a <script> element's text: "</script" would close it early, and "<!--<script"
    # makes the HTML parser swallow the drawing script after it. "\u003c" is the same JSON
    # (and ">" and "&" likewise, for any parser that treats them specially).
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


# vegaEmbed is defined by the local bundle, and ``treadmillChart`` by the site's own
# ``_static/treadmill-charts.js``, which draws the chart to fit its column (narrowing the plot,
# wrapping long labels on a phone). The fallback text tells a reader (or a notebook viewer
# without the site's scripts) why nothing is drawn. Vega draws into the inner "-view" element
# and stamps it with its own role and aria-label ("Vega visualization"); the outer element keeps
# role="img" and the figure's alt text, so a screen reader announces the alt text.
_DRAW = """<script>
if (typeof window.treadmillChart === "function") {{ window.treadmillChart("{id}"); }}
else {{ document.getElementById("{id}").textContent = "Chart unavailable: the book's scripts are not loaded."; }}
</script>"""


def figure_html(spec: dict, alt_text: str, caption: str, about: str = "", detail: str = "") -> str:
    """HTML for one figure: chart container, its spec, the draw call, a short caption.

    Under it, a collapsed ``<details>`` block "About this figure" holds what a reviewer
    needs and a reader can skip: ``detail`` (longer notes on reading the chart), ``about``
    (pre-escaped HTML made by :mod:`analysis.book.chapter`: the release, the tables and their
    hash, the notebook) and the links to the figure's static copies.
    """
    vid = spec_id(spec)
    parts = [
        f'<figure class="treadmill-figure" aria-labelledby="{vid}-caption">',
        # The chart is drawn to fit the column; one that still cannot fit scrolls sideways in this
        # box, which can take keyboard focus (so it can be scrolled without a mouse) and then says so.
        f'<div class="treadmill-chart-scroll" tabindex="0" role="group" aria-label="Chart (scrolls sideways if '
        f'wider than the page)"><div class="treadmill-chart" id="{vid}" role="img" '
        f'aria-label="{html.escape(alt_text)}">'
        f'<div class="treadmill-chart-view" id="{vid}-view" aria-hidden="true"></div></div></div>',
        '<p class="treadmill-scroll-cue" aria-hidden="true">Scroll sideways to see the whole chart \u2192</p>',
        f'<script type="application/json" id="{vid}-spec">{_script_json(spec)}</script>',
        _DRAW.format(id=vid),
        f'<figcaption id="{vid}-caption">{html.escape(caption)}</figcaption>',
        "</figure>",
        '<details class="treadmill-about"><summary>About this figure</summary>',
    ]
    if detail:
        parts.append(f"<p>{html.escape(detail)}</p>")
    if about:
        parts.append(f'<p class="treadmill-provenance">{about}</p>')
    parts.append(downloads_html(vid))
    parts.append("</details>")
    return "\n".join(parts)


def downloads_html(vid: str) -> str:
    """The line linking a figure's static copies: PNG · SVG · spec · data."""
    links = " &middot; ".join(
        f'<a href="{FIGURES_HREF}/{vid}{suffix}" title="{what} of this figure">{text}</a>'
        for suffix, text, what in DOWNLOADS
    )
    return f'<p class="treadmill-downloads">Static copies of this figure: {links}</p>'


@dataclass(frozen=True)
class FigureOutput:
    """What a chapter displays: rich HTML for the book, plain text for consoles."""

    figure: Figure
    about: str = ""  # pre-escaped HTML: release, tables and hash, notebook (analysis.book.chapter)

    def _repr_mimebundle_(self, include=None, exclude=None):
        spec = self.figure.spec()
        title = spec.get("title", "")
        if isinstance(title, dict):
            title = title.get("text", "")
        return {
            "text/html": figure_html(spec, self.figure.alt_text, self.figure.caption, self.about, self.figure.detail),
            "text/plain": f"Figure: {title}\n{self.figure.caption}".rstrip(),
        }


# --- static copies -----------------------------------------------------------

_SPEC_SCRIPT = re.compile(
    r'<script type="application/json" id="(?P<id>vis-[0-9a-f]{16})-spec">(?P<json>.*?)</script>', re.DOTALL
)


def specs_in_html(text: str) -> dict[str, dict]:
    """The Vega-Lite spec of every figure in some HTML made by :func:`figure_html`, by element id."""
    found = {}
    for match in _SPEC_SCRIPT.finditer(text):
        # JSON reads the "\u003c" that _script_json wrote as "<".
        found[match["id"]] = json.loads(match["json"])
    return found


def _html_outputs(notebook) -> Iterator[str]:
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []):
            text = output.get("data", {}).get("text/html")
            if text:
                yield text if isinstance(text, str) else "".join(text)


def specs_in_notebook(notebook) -> dict[str, dict]:
    """Every figure spec shown in an executed notebook (a dict or NotebookNode), by element id.

    Raises ``ValueError`` when an id does not match its spec: the HTML was edited
    by hand, or made by an older ``figure_html``.
    """
    found: dict[str, dict] = {}
    for text in _html_outputs(notebook):
        for vid, spec in specs_in_html(text).items():
            if spec_id(spec) != vid:
                raise ValueError(f"figure {vid}: its id does not match its spec (re-execute the chapter)")
            found[vid] = spec
    return found


def _data_values(spec: dict) -> list[tuple[str, list]]:
    """(name, rows) of every inline dataset: named ``datasets`` first, then ``data.values``."""
    found = [(name, rows) for name, rows in sorted(spec.get("datasets", {}).items()) if isinstance(rows, list)]

    def walk(node, where: str) -> None:
        if isinstance(node, dict):
            data = node.get("data")
            if isinstance(data, dict) and isinstance(data.get("values"), list):
                found.append((where or "data", data["values"]))
            for key, value in node.items():
                if key not in ("data", "datasets"):
                    walk(value, f"{where}/{key}" if where else key)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{where}/{i}")

    walk(spec, "")
    return found


def spec_csv(spec: dict) -> str:
    """The figure's inline data as CSV; with several datasets, a first ``dataset`` column names each row's."""
    datasets = _data_values(spec)
    several = len(datasets) > 1
    columns: dict[str, None] = {"dataset": None} if several else {}
    rows = []
    for name, values in datasets:
        for value in values:
            row = value if isinstance(value, dict) else {"value": value}
            row = {k: json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v for k, v in row.items()}
            if several:
                row = {"dataset": name, **row}
            columns.update(dict.fromkeys(row))
            rows.append(row)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def export_figure(spec: dict, out_dir: Path, vid: str | None = None) -> list[Path]:
    """Write the static copies of one figure into ``out_dir``: PNG, SVG, spec and data.

    vl-convert draws them offline (``allowed_base_urls=[]`` forbids any fetch;
    the data are inline and the fonts are the system's).
    """
    import vl_convert as vlc

    vid = vid or spec_id(spec)
    out_dir.mkdir(parents=True, exist_ok=True)
    base = out_dir / vid
    written = {
        ".png": vlc.vegalite_to_png(spec, scale=2, allowed_base_urls=[]),
        ".svg": vlc.vegalite_to_svg(spec, allowed_base_urls=[]).encode("utf-8"),
        ".vl.json": (json.dumps(spec, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode("utf-8"),
        ".csv": spec_csv(spec).encode("utf-8"),
    }
    paths = []
    for suffix, _text, _what in DOWNLOADS:
        path = base.with_name(vid + suffix)
        write_atomic(path, written[suffix])  # a cached copy is never half written
        paths.append(path)
    return paths


def vega_bundle_source() -> str:
    """Vega, Vega-Lite and vega-embed as one classic script with no imports.

    The bundle is wrapped in a function scope so its top-level names cannot
    clash with other scripts on the page; it publishes ``vegaEmbed``, ``vega``
    and ``vegaLite`` on ``window``. ``VEGA_DEBUG`` names the versions, which
    also stops Altair's own HTML (if anyone uses it) from fetching a CDN copy.
    """
    import vl_convert as vlc

    # The stub makes ``snippet`` required; at run time it is optional, and its default (publish the globals) is ours.
    bundle = vlc.javascript_bundle()  # type: ignore[call-arg]
    versions = {
        "vega_version": vlc.get_vega_version(),
        "vega_lite_version": vlc.get_vegalite_versions()[-1],
        "vegaembed_version": vlc.get_vega_embed_version(),
    }
    version = vlc.__version__  # type: ignore[attr-defined]  # vl-convert's stub omits __version__, which the module has
    header = f"/* Generated at build time by analysis.book.charts, vl-convert {version}; not committed. */\n"
    return (
        header
        + "(function () {\n"
        + bundle
        + "\n})();\n"
        + f"window.VEGA_DEBUG = {json.dumps(versions, sort_keys=True)};\n"
    )


def write_vega_bundle(static_dir: Path) -> Path:
    """Write the bundle into ``static_dir`` unless an identical one is there."""
    target = static_dir / BUNDLE_NAME
    source = vega_bundle_source()
    if not target.exists() or target.read_text(encoding="utf-8") != source:
        write_atomic(target, source)
    return target
