"""A Sphinx extension that makes each page load only what it uses (issue 23: a book that opens fast on a phone).

* The table script loads only on pages with an interactive table, and the chart script only on
  pages with a chart. Neither the Vega bundle nor DataTables is any page's own asset: the chart
  script fetches Vega when the first chart nears the viewport (``_static/treadmill-charts.js``), the
  table script DataTables when the first table does (``_static/treadmill-tables.js``).
* Extensions Jupyter Book adds to every page (copy button, syntax colours, toggles, sphinx-design)
  are left off pages without their markup, and the print stylesheet is ``media="print"``: the
  screen waits for none of them.
* The theme's icons: pydata-sphinx-theme loads Font Awesome's whole SVG-with-JS kit
  (``_static/scripts/fontawesome.js``, 1.5 MB, 0.54 MB compressed) for the dozen icons the book shows.
  After the build, each page's ``<i class="fa-...">`` becomes the same icon as inline SVG
  (its path read from that kit, so the icons are the theme's own) and the kit's script tag goes.
  Search, the table of contents, dark mode and the download buttons keep their icons, offline.
  The glyphs the theme's CSS still draws from the icon font (admonition titles, the contents
  caret) come from a subset of its solid font (fontTools), a few KB instead of 156 KB.
* Each page gets a meta description: its opening paragraph, cut to 160 characters.

Registered in ``_config.yml`` under ``sphinx: extra_extensions``.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from docutils import nodes

DESCRIPTION_CHARS = 160
_TABLE_ASSETS = ("treadmill-tables.js",)
# Fetched by treadmill-tables.js when an interactive table nears the viewport: no page's own assets.
DATATABLES = ("datatables.js", "datatables.css")
_CHART_ASSETS = ("treadmill-charts.js",)
VEGA_BUNDLE = "vega-bundle.js"
# Markers that figure_html (analysis/book/charts.py) and the interactive tables
# (analysis/book/tables.py) put in a page's body.
_CHART_MARKER = 'class="treadmill-chart'
_TABLE_MARKER = "treadmill-interactive"

KIT = "fontawesome.js"
_KIT_TAG = re.compile(
    r'\s*<(?:script[^>]*\bsrc|link[^>]*\bhref)="[^"]*' + re.escape(KIT) + r'[^"]*"[^>]*>(?:</script>)?'
)
_ICON_TAG = re.compile(r'<i (?P<attrs>[^>]*\bclass="(?P<cls>[^"]*\bfa-[^"]*)"[^>]*)></i>')
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')
# The solid pack in the kit: ``var p={name:[width,height,[aliases],"unicode","path"],...}``
# then ``d("fas",p)``.
_SOLID_PACK_END = 'd("fas",p)'
_STYLES = {"fa-solid", "fas", "fa-lg", "fa-fw", "theme-switch"}


def _named(filename: str | None, names: tuple[str, ...]) -> bool:
    return (filename or "").split("?")[0].rsplit("/", 1)[-1] in names


def _prune_assets(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    """Keep the table and chart scripts off pages that have no table or chart to drive, and Vega off every page."""
    body = context.get("body") or ""
    # Jupyter Book lists every script in _static on every page; the chart script fetches Vega itself.
    unused: tuple[str, ...] = (VEGA_BUNDLE, *DATATABLES, *_unused_extensions(body))
    if _TABLE_MARKER not in body:
        unused += _TABLE_ASSETS
    if _CHART_MARKER not in body:
        unused += _CHART_ASSETS
    for key in ("script_files", "css_files"):
        assets = context.get(key)
        if assets:
            # The builder restores its own lists after each page; edit this page's in place.
            kept = [a for a in assets if not _named(getattr(a, "filename", str(a)), unused)]
            assets[:] = [_print_only(_deferred(a)) for a in kept]


# Extensions Jupyter Book loads on every page, and the markup their assets act on: a page without
# that markup does not need them (no page of the book shows code, so none needs the copy button).
_EXTENSIONS = (
    (re.compile(r'class="highlight'), ("pygments.css", "copybutton.css", "copybutton.js", "clipboard.min.js")),
    (
        re.compile(r'class="(?:[^"]*\s)?(?:toggle|dropdown|tag_hide[\w-]*)[\s"]'),
        ("togglebutton.css", "togglebutton.js"),
    ),
    (re.compile(r'class="(?:[^"]*\s)?sd-'), ("sphinx-design.min.css", "design-tabs.js")),
)
PRINT_STYLES = "treadmill-print.css"


def _unused_extensions(body: str) -> tuple[str, ...]:
    """The assets of every extension whose markup is not in ``body``."""
    unused: tuple[str, ...] = ()
    for markup, assets in _EXTENSIONS:
        if not markup.search(body):
            unused += assets
    return unused


def _print_only(asset):
    """The print stylesheet with ``media="print"``: the screen never waits for it."""
    if not _is_script(asset) and _named(getattr(asset, "filename", None), (PRINT_STYLES,)):
        attributes = {k: v for k, v in asset.attributes.items() if k not in {"rel", "type"}}
        return type(asset)(asset.filename, priority=asset.priority, **{**attributes, "media": "print"})
    return asset


# Scripts that need nothing at parse time (they wait for DOMContentLoaded themselves, and no inline
# script calls them): deferred, in order, so the text never waits for them. DataTables is 176 KB
# compressed. documentation_options.js (inline scripts set its fields) and treadmill-charts.js
# (each figure calls it) stay as they are.
_DEFER = (
    *_TABLE_ASSETS,
    "doctools.js",
    "sphinx_highlight.js",
    "clipboard.min.js",
    "copybutton.js",
    "sphinx-book-theme.js",
    "togglebutton.js",
    "design-tabs.js",
)
# The theme's template puts the search scripts (searchindex.js is 27 KB compressed) in every head.
_SEARCH_TAG = re.compile(r'<script src="([^"]*(?:searchtools|language_data|searchindex)\.js)"></script>')


def _deferred(asset):
    """A script of ``_DEFER`` with the ``defer`` attribute."""
    if _is_script(asset) and _named(asset.filename, _DEFER):
        return type(asset)(asset.filename, priority=asset.priority, **{**asset.attributes, "defer": "defer"})
    return asset


def _is_script(asset) -> bool:
    return hasattr(asset, "attributes") and str(getattr(asset, "filename", "")).split("?")[0].endswith(".js")


def description(doctree) -> str:
    """The page's opening paragraph as plain text, at most 160 characters, cut at a word."""
    if doctree is None:
        return ""
    for paragraph in doctree.findall(nodes.paragraph):
        text = " ".join(paragraph.astext().split())
        if len(text) < 20:  # a dateline or a label, not the opening sentence
            continue
        if len(text) <= DESCRIPTION_CHARS:
            return text
        sentence = re.match(rf"(.{{20,{DESCRIPTION_CHARS}}}?[.!?])\s", text)
        if sentence:
            return sentence.group(1)
        return text[: DESCRIPTION_CHARS - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return ""


def _meta_description(app, pagename: str, templatename: str, context: dict[str, Any], doctree) -> None:
    text = description(doctree)
    if text:
        tag = f'<meta name="description" content="{html.escape(text, quote=True)}" />\n'
        context["metatags"] = context.get("metatags", "") + tag


def solid_icons(kit: str) -> dict[str, tuple[int, int, str]]:
    """Every icon of the kit's solid pack: name (and alias) -> (width, height, SVG path)."""
    end = kit.find(_SOLID_PACK_END)
    start = kit.rfind("var p={", 0, end)
    if end < 0 or start < 0:
        raise ValueError(f"{KIT}: no solid icon pack ('var p={{...}}' before '{_SOLID_PACK_END}') found")
    icons: dict[str, tuple[int, int, str]] = {}
    entry = re.compile(r'[{,]"?([\w-]+)"?:\[(\d+),(\d+),\[([^\]]*)\],"[^"]*","(M[^"]+)"\]')
    for match in entry.finditer(kit, start, end):
        name, width, height, aliases, path = match.groups()
        icon = (int(width), int(height), path)
        icons[name] = icon
        for alias in re.findall(r'"([\w-]+)"', aliases):
            icons.setdefault(alias, icon)
    return icons


def inline_icon(attrs: str, icons: dict[str, tuple[int, int, str]], where: str) -> str:
    """The inline SVG for one ``<i class="fa-solid fa-NAME">`` with the same attributes."""
    values = dict(_ATTR.findall(attrs))
    classes = values.pop("class", "").split()
    names = [c[3:] for c in classes if c.startswith("fa-") and c not in _STYLES]
    found = [n for n in names if n in icons]
    if not found:
        raise ValueError(f"{where}: icon {' '.join(classes)!r} is not in the theme's solid icon set")
    width, height, path = icons[found[0]]
    extra = "".join(f' {k}="{v}"' for k, v in values.items() if k not in {"aria-hidden", "focusable"})
    cls = " ".join(["svg-inline--fa", *classes])
    return (
        f'<svg class="{cls}"{extra} aria-hidden="true" focusable="false" '
        f'xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}">'
        f'<path fill="currentColor" d="{path}"/></svg>'
    )


def without_icon_kit(page: str, icons: dict[str, tuple[int, int, str]], where: str) -> str:
    """A page with inline SVG icons, no tag loading the icon kit, and its search scripts deferred."""
    page = _ICON_TAG.sub(lambda m: inline_icon(m.group("attrs"), icons, where), page)
    page = _SEARCH_TAG.sub(r'<script defer src="\1"></script>', page)
    return _KIT_TAG.sub("", page)


# A rule of Font Awesome's catalogue (".fa-bars:before,.fa-navicon:before{content:...}"): its
# glyphs are the <i> icons, now inline SVG. Any other rule's glyph is the theme's own use of the font.
_CATALOGUE = re.compile(r"^\.fa-[\w-]+:{1,2}before$")
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_GLYPH = re.compile(r"[\ue000-\uf8ff]|\\(f[0-9a-f]{3})\b", re.IGNORECASE)


def theme_glyphs(css: str) -> set[int]:
    """Code points of the icon font that the theme's CSS shows outside the icon catalogue.

    The theme draws a few glyphs with ``content:`` (admonition titles, the contents toggle, the
    "on this page" caret); these keep working from a subset of the font.
    """
    points: set[int] = set()
    for selectors, body in _RULE.findall(css):
        if all(_CATALOGUE.match(s.strip()) for s in selectors.split(",")):
            continue
        for match in _GLYPH.finditer(body):
            points.add(int(match.group(1), 16) if match.group(1) else ord(match.group(0)))
    return points


def without_catalogue(css: str) -> str:
    """The stylesheet without Font Awesome's catalogue rules (its icons are inline SVG now)."""

    def keep(match: re.Match) -> str:
        selectors = match.group(1)
        catalogue = all(_CATALOGUE.match(s.strip()) for s in selectors.split(","))
        return "" if catalogue else match.group(0)

    return _RULE.sub(keep, css)


def subset_font(font: Path, points: set[int]) -> None:
    """Cut ``font`` (woff2 or ttf) down to ``points``, in place, in the same format."""
    from fontTools import subset  # only after an HTML build

    options = subset.Options()
    options.flavor = "woff2" if font.suffix == ".woff2" else None
    options.layout_features = ["*"]
    loaded = subset.load_font(str(font), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(points))
    subsetter.subset(loaded)
    subset.save_font(loaded, str(font), options)


def _subset_fonts(out: Path) -> None:
    """The solid icon font (156 KB) cut to the glyphs the theme's CSS draws (a few KB), and the
    theme's stylesheet without the catalogue of every icon (none is drawn from it now)."""
    styles = out / "_static" / "styles"
    fonts = out / "_static" / "vendor" / "fontawesome" / "webfonts"
    if not styles.is_dir() or not fonts.is_dir():
        return
    points: set[int] = set()
    for css in sorted(styles.glob("*.css")):
        text = css.read_text(encoding="utf-8")
        points |= theme_glyphs(text)
        css.write_text(without_catalogue(text), encoding="utf-8")
    for font in sorted(fonts.glob("fa-solid-900.*")):
        subset_font(font, points)


_IMPORT = re.compile(r'@import\s+(?:url\()?"([^"]+\.css)"\)?\s*;')
_URL = re.compile(r"url\((['\"]?)(?![a-z]+:|/|#)([^'\")]+)\1\)")


def flattened(css: str, here: Path, root: Path) -> str:
    """``css`` (the file ``here``) with each ``@import`` of a local stylesheet replaced by that sheet.

    The theme's ``theme.css`` is one line importing Sphinx's ``basic.css``: a second round trip
    before the first paint. Relative ``url()``s of the imported sheet are rewritten to stay right.
    """

    def inline(match: re.Match) -> str:
        target = (here.parent / match.group(1)).resolve()
        if not target.is_file() or root.resolve() not in target.parents:
            return match.group(0)
        text = target.read_text(encoding="utf-8")
        prefix = Path(os.path.relpath(target.parent, here.parent)).as_posix()

        def moved(url: re.Match) -> str:
            return f"url({url.group(1)}{prefix}/{url.group(2)}{url.group(1)})"

        return _URL.sub(moved, text)

    return _IMPORT.sub(inline, css)


def _flatten_imports(out: Path) -> None:
    for css in sorted((out / "_static" / "styles").glob("*.css")):
        text = css.read_text(encoding="utf-8")
        flat = flattened(text, css, out)
        if flat != text:
            css.write_text(flat, encoding="utf-8")


def _inline_icons(app, exception) -> None:
    """After an HTML build: every page's icons inline, the 1.5 MB kit loaded by none."""
    if exception is not None or app.builder.format != "html":
        return
    out = Path(app.outdir)
    kit = out / "_static" / "scripts" / KIT
    if not kit.is_file():
        return  # another theme: nothing to slim
    icons = solid_icons(kit.read_text(encoding="utf-8"))
    for page in sorted(out.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        if KIT not in text and "fa-" not in text:
            continue
        slim = without_icon_kit(text, icons, str(page.relative_to(out)))
        if slim != text:
            page.write_text(slim, encoding="utf-8")
    _subset_fonts(out)
    _flatten_imports(out)


def setup(app) -> dict[str, Any]:
    app.connect("html-page-context", _prune_assets, priority=900)
    app.connect("html-page-context", _meta_description, priority=900)
    app.connect("build-finished", _inline_icons)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
