"""The book's address in its "how to cite" reference, from ``_config.yml`` at build time.

The how-to-cite page is executed once and its output kept, but the address belongs to the
project's configuration, not to a data release: the page leaves a mark
(:data:`analysis.book.citation.ADDRESS_MARK`) where the address goes, and this extension fills
it with "Available at: <address>." when ``_config.yml`` names the book's site (``html: baseurl``)
or repository (``repository: url``), and removes it when it names neither. A placeholder address
stops the build (:func:`analysis.book.citation.book_address`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from docutils import nodes

from analysis.book.citation import ADDRESS_MARK, address_html, book_address


def configured_address(srcdir: Path) -> str | None:
    """The address ``_config.yml`` (beside the book's sources) names, or None."""
    config = srcdir / "_config.yml"
    if not config.is_file():
        return None
    return book_address(yaml.safe_load(config.read_text(encoding="utf-8")) or {})


def _fill(app, doctree, docname) -> None:
    marked = [n for n in doctree.findall(nodes.raw) if ADDRESS_MARK in n.astext()]
    if not marked:
        return
    filled = address_html(configured_address(Path(app.srcdir)))
    for node in marked:
        node.parent.replace(node, nodes.raw("", node.astext().replace(ADDRESS_MARK, filled), format="html"))


def setup(app) -> dict[str, Any]:
    app.connect("doctree-resolved", _fill)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
