"""Offline, deterministic rendering of Altair charts for the book.

Altair's own HTML output gives each chart a random ``altair-viz-<uuid>`` id
(which breaks nbval) and loads Vega from a CDN (which breaks offline reading).
Here each chart is emitted as plain HTML whose element id is derived from the
chart's Vega-Lite spec, drawn by ``vegaEmbed`` from the site's own
``_static/vega-bundle.js`` (written at build time by :func:`write_vega_bundle`).
The spec travels inside the HTML, so nbval compares every chart exactly.
"""

from __future__ import annotations

import hashlib
import html
import json
from dataclasses import dataclass, field
from pathlib import Path

import altair as alt

# Sequential blues with strictly increasing lightness: the categories stay
# distinguishable when printed or viewed in greyscale.
PALETTE = ["#08306b", "#2171b5", "#6baed6", "#c6dbef", "#f7fbff"]
# Greys for "not reported" / missing, so absence never looks like a value.
MISSING_COLOUR = "#bdbdbd"
FONT = "sans-serif"
BUNDLE_NAME = "vega-bundle.js"


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

    def spec(self) -> dict:
        """The Vega-Lite spec with the house style applied."""
        return styled(self.chart).to_dict()


def styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Apply the house style: readable fonts, greyscale-safe category colours."""
    return (
        chart.configure(font=FONT)
        .configure_range(category=PALETTE)
        .configure_axis(labelFontSize=12, titleFontSize=13)
        .configure_title(fontSize=15, anchor="start")
        .configure_view(stroke=None)
    )


def spec_id(spec: dict) -> str:
    """A stable element id: the same spec always gets the same id."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"))
    return "vis-" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _script_json(spec: dict) -> str:
    # "</" would close the <script> element early; "<\/" is the same JSON.
    text = json.dumps(spec, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/")


# vegaEmbed is defined by the local bundle; the fallback text tells a reader
# (or a notebook viewer without the bundle) why nothing is drawn.
_DRAW = """<script>
(function () {{
  var el = document.getElementById("{id}");
  var spec = JSON.parse(document.getElementById("{id}-spec").textContent);
  if (typeof window.vegaEmbed !== "function") {{
    el.textContent = "Interactive chart unavailable: the book's local Vega bundle is not loaded.";
    return;
  }}
  window.vegaEmbed(el, spec, {{renderer: "svg", actions: false}}).catch(function (err) {{
    el.textContent = "This chart failed to draw.";
    console.error(err);
  }});
}})();
</script>"""


def figure_html(spec: dict, alt_text: str, caption: str, provenance: str = "") -> str:
    """HTML for one figure: chart container, its spec, the draw call, caption."""
    vid = spec_id(spec)
    parts = [
        f'<figure class="treadmill-figure" aria-labelledby="{vid}-caption">',
        f'<div class="treadmill-chart" id="{vid}" role="img" aria-label="{html.escape(alt_text)}"></div>',
        f'<script type="application/json" id="{vid}-spec">{_script_json(spec)}</script>',
        _DRAW.format(id=vid),
        f'<figcaption id="{vid}-caption">{html.escape(caption)}',
    ]
    if provenance:
        parts.append(f'<br><span class="treadmill-provenance">{html.escape(provenance)}</span>')
    parts.append("</figcaption>")
    parts.append("</figure>")
    return "\n".join(parts)


@dataclass(frozen=True)
class FigureOutput:
    """What a chapter displays: rich HTML for the book, plain text for consoles."""

    figure: Figure
    provenance: str = ""

    def _repr_mimebundle_(self, include=None, exclude=None):
        spec = self.figure.spec()
        title = spec.get("title", "")
        if isinstance(title, dict):
            title = title.get("text", "")
        return {
            "text/html": figure_html(spec, self.figure.alt_text, self.figure.caption, self.provenance),
            "text/plain": f"Figure: {title}\n{self.figure.caption}\n{self.provenance}".rstrip(),
        }


def vega_bundle_source() -> str:
    """Vega, Vega-Lite and vega-embed as one classic script with no imports.

    The bundle is wrapped in a function scope so its top-level names cannot
    clash with other scripts on the page; it publishes ``vegaEmbed``, ``vega``
    and ``vegaLite`` on ``window``. ``VEGA_DEBUG`` names the versions, which
    also stops Altair's own HTML (if anyone uses it) from fetching a CDN copy.
    """
    import vl_convert as vlc

    bundle = vlc.javascript_bundle()
    versions = {
        "vega_version": vlc.get_vega_version(),
        "vega_lite_version": vlc.get_vegalite_versions()[-1],
        "vegaembed_version": vlc.get_vega_embed_version(),
    }
    header = f"/* Generated at build time by analysis.charts from vl-convert {vlc.__version__}; not committed. */\n"
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
        static_dir.mkdir(parents=True, exist_ok=True)
        target.write_text(source, encoding="utf-8")
    return target
