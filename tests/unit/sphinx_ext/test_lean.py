"""The page-slimming extension (``analysis.sphinx_ext.lean``): descriptions, inline icons, per-page assets.

The built pages are checked in ``tests/browser/test_page_weight.py``.
"""

from __future__ import annotations

import pytest
from docutils import nodes
from sphinx.util.docutils import new_document

from analysis.sphinx_ext import lean

# A made-up kit in the shape of Font Awesome's minified SVG-with-JS file: a regular pack, then
# the solid pack ("var p={...}" ending in d("fas",p)), each icon [width, height, aliases, code, path].
KIT = (
    'var p={file:[384,512,[],"f15b","M0 0REGULAR"]};d("far",p)'
    '}(),function(){var p={file:[384,512,[128196],"f15b","M0 0SOLID"],'
    '"magnifying-glass":[512,512,[128269,"search"],"f002","M1 1Z"]};d("fas",p)'
)


def _doc(*paragraphs: str):
    doc = new_document("test")
    for text in paragraphs:
        doc += nodes.paragraph(text=text)
    return doc


def test_the_description_is_the_opening_paragraph_when_short():
    doc = _doc("Short", "The study asks why probation work changed, and what it cost the officers.")
    assert lean.description(doc) == "The study asks why probation work changed, and what it cost the officers."


def test_a_long_opening_is_cut_at_its_first_sentence_or_a_word_within_160_characters():
    first = "This chapter follows the officers through the reforms of the last decade."
    long_paragraph = first + " " + "They describe their work in their own words, at length. " * 5
    assert lean.description(_doc(long_paragraph)) == first
    no_stop = "word " * 60
    cut = lean.description(_doc(no_stop))
    assert len(cut) <= 160 and cut.endswith("…") and not cut[:-1].endswith(" ")


def test_icons_come_from_the_solid_pack_under_their_names_and_aliases():
    icons = lean.solid_icons(KIT)
    assert icons["file"][2] == "M0 0SOLID"
    assert icons["search"] == icons["magnifying-glass"]


def test_an_icon_tag_becomes_inline_svg_and_the_kit_tag_goes():
    page = (
        '<script defer src="../_static/scripts/fontawesome.js?digest=1"></script>\n'
        '<i class="theme-switch fa-solid fa-magnifying-glass fa-lg" data-mode="light" title="Light"></i>'
    )
    out = lean.without_icon_kit(page, lean.solid_icons(KIT), "page.html")
    assert "fontawesome.js" not in out and "<i " not in out
    assert 'class="svg-inline--fa theme-switch fa-solid fa-magnifying-glass fa-lg"' in out
    assert 'data-mode="light"' in out and 'viewBox="0 0 512 512"' in out and 'd="M1 1Z"' in out


def test_an_icon_the_kit_lacks_is_an_error_naming_the_page():
    with pytest.raises(ValueError, match=r"page\.html: icon 'fa-solid fa-nowhere'"):
        lean.without_icon_kit('<i class="fa-solid fa-nowhere"></i>', lean.solid_icons(KIT), "page.html")


def test_a_kit_without_a_solid_pack_is_refused():
    with pytest.raises(ValueError, match="no solid icon pack"):
        lean.solid_icons('var p={};d("far",p)')


def test_the_search_scripts_are_deferred_in_their_order():
    page = '<script src="../_static/searchtools.js"></script><script src="../searchindex.js"></script>'
    out = lean.without_icon_kit(page, {}, "page.html")
    assert out == page.replace("<script src", "<script defer src")


def test_the_icon_catalogue_goes_and_the_glyphs_the_theme_draws_stay():
    css = (
        '.fa-bars:before,.fa-navicon:before{content:"\\f0c9"}'
        '@media print{.fa-sun:before{content:"\\f185"}}'
        '.admonition-title:after{content:"\\f05a";font:var(--fa-font-solid)}'
        ':root{--pst-icon-angle-left:"\uf104"}'
    )
    slim = lean.without_catalogue(css)
    assert ".fa-bars" not in slim and ".fa-sun" not in slim and "@media print{}" in slim
    assert lean.theme_glyphs(slim) == lean.theme_glyphs(css) == {0xF05A, 0xF104}


def _assets(*names: str) -> list:
    from sphinx.builders.html._assets import _CascadingStyleSheet, _JavaScript

    return [_JavaScript(n) if n.endswith(".js") else _CascadingStyleSheet(n) for n in names]


_EVERY = (
    "pygments.css", "copybutton.css", "togglebutton.css", "sphinx-design.min.css", "datatables.css",
    "treadmill.css", "treadmill-print.css",
    "documentation_options.js", "clipboard.min.js", "copybutton.js", "togglebutton.js", "design-tabs.js",
    "treadmill-charts.js", "datatables.js", "treadmill-tables.js", "vega-bundle.js",
)  # fmt: skip


def _pruned(body: str) -> dict[str, dict[str, str]]:
    context = {"body": body, "css_files": _assets(*[n for n in _EVERY if n.endswith(".css")]),
               "script_files": _assets(*[n for n in _EVERY if n.endswith(".js")])}  # fmt: skip
    lean._prune_assets(None, "page", "page.html", context, None)
    return {a.filename: a.attributes for key in ("css_files", "script_files") for a in context[key]}


def test_a_text_page_keeps_only_the_books_styles_and_the_print_styles_wait_for_print():
    kept = _pruned("<p>Words only.</p>")
    assert set(kept) == {"treadmill.css", "treadmill-print.css", "documentation_options.js"}
    assert kept["treadmill-print.css"]["media"] == "print" and "media" not in kept["treadmill.css"]


def test_each_extension_stays_where_its_markup_is_and_datatables_is_never_a_pages_own():
    body = (
        '<div class="highlight"><pre>x</pre></div><div class="admonition dropdown">y</div>'
        '<div class="sd-card">z</div><div class="treadmill-chart" id="c"></div>'
        '<table class="treadmill-table treadmill-interactive"></table>'
    )
    kept = _pruned(body)
    for name in ("pygments.css", "copybutton.js", "clipboard.min.js", "togglebutton.js", "design-tabs.js",
                 "sphinx-design.min.css", "treadmill-charts.js", "treadmill-tables.js"):  # fmt: skip
        assert name in kept, name
    assert not {"datatables.js", "datatables.css", "vega-bundle.js"} & set(kept)
    assert kept["treadmill-tables.js"].get("defer") == "defer"


def test_a_class_that_merely_contains_toggle_keeps_no_toggle_script():
    assert "togglebutton.js" not in _pruned('<div class="sidebar-toggled-x">a</div><p>toggle</p>')


def test_an_import_of_a_local_stylesheet_is_inlined_with_its_urls_kept_right(tmp_path):
    static = tmp_path / "_static"
    (static / "styles").mkdir(parents=True)
    (static / "basic.css").write_text('div { background: url(file.png) } a { background: url("data:x") }')
    theme = static / "styles" / "theme.css"
    theme.write_text('/* note */\n@import "../basic.css";\n')
    flat = lean.flattened(theme.read_text(), theme, tmp_path)
    assert "@import" not in flat and "url(../file.png)" in flat and 'url("data:x")' in flat
    # Nothing outside the site, nor a missing file, is read: the import stays as it was.
    outside = '@import "../../../etc/x.css";'
    assert lean.flattened(outside, theme, tmp_path) == outside
