"""Pinpoint citations into the article, linked to the paragraph on the Sources page.

Our copy of the article has no page breaks, so a place in it is cited by section and paragraph,
never by an invented page. In MyST prose::

    {pinpoint}`Findings, 'Running on the treadmill', para. 2`
        -> (Cracknell, 2022: Findings, ‘Running on the treadmill’, para. 2)
    {pinpoint-t}`Introduction, para. 3`
        -> Cracknell (2022: Introduction, para. 3)
    {pinpoint}`note 2`
        -> (Cracknell, 2022: note 2)

Each links to that paragraph of the Sources appendix. The section names and paragraph numbers
are those the Sources page prints beside each paragraph (:mod:`analysis.book.source_paragraphs`);
a pinpoint naming no paragraph of the article is a build error (a warning, and the build runs
with ``-W``), so a pinpoint cannot point nowhere.
"""

from __future__ import annotations

from typing import Any

from docutils import nodes

from analysis.book.source_paragraphs import (
    ARTICLE_AUTHOR,
    ARTICLE_YEAR,
    SOURCES_DOC,
    SourceParagraphError,
    find_pinpoint,
    pinpoint,
)

# The reference nodes this module makes carry the paragraph's id here until the page's address is known.
ANCHOR_ATTRIBUTE = "treadmill_pinpoint"


def citation_text(where: str, textual: bool) -> str:
    """ "(Cracknell, 2022: <where>)", or for a narrative citation "Cracknell (2022: <where>)"."""
    if textual:
        return f"{ARTICLE_AUTHOR} ({ARTICLE_YEAR}: {where})"
    return f"({ARTICLE_AUTHOR}, {ARTICLE_YEAR}: {where})"


def pinpoint_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{pinpoint}`Section, para. N``` (parenthetical) and ``{pinpoint-t}`...``` (narrative)."""
    try:
        paragraph = find_pinpoint(text)
    except SourceParagraphError as error:
        message = inliner.reporter.error(str(error), line=lineno)
        return [inliner.problematic(rawtext, rawtext, message)], [message]
    label = citation_text(pinpoint(paragraph), textual=name.endswith("-t"))
    node = nodes.reference(rawtext, label, refuri="#", internal=True, classes=["treadmill-pinpoint"])
    node[ANCHOR_ATTRIBUTE] = paragraph.anchor
    return [node], []


def _sources_doc(app) -> str:
    """The Sources appendix's document name (``chapters/13_sources``), as the table of contents has it."""
    for docname in app.env.found_docs:
        if docname.rsplit("/", 1)[-1] == SOURCES_DOC:
            return docname
    raise SourceParagraphError(f"no page {SOURCES_DOC!r} in the book, so a pinpoint has nothing to link to")


def _on_doctree_resolved(app, doctree, docname) -> None:
    """Point each pinpoint at its paragraph, by the builder's own address of the Sources page."""
    pinpoints = [n for n in doctree.findall(nodes.reference) if ANCHOR_ATTRIBUTE in n]
    if not pinpoints:
        return
    page = app.builder.get_relative_uri(docname, _sources_doc(app)).split("#", 1)[0]
    for node in pinpoints:
        node["refuri"] = f"{page}#{node[ANCHOR_ATTRIBUTE]}"
        del node[ANCHOR_ATTRIBUTE]


def setup(app) -> dict[str, Any]:
    app.add_role("pinpoint", pinpoint_role)
    app.add_role("pinpoint-t", pinpoint_role)
    app.connect("doctree-resolved", _on_doctree_resolved)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
