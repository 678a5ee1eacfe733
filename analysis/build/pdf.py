"""The whole book as one PDF (``make pdf``): Sphinx's singlehtml, printed by Debian's Chromium.

Why this way: LaTeX is not installed, and Jupyter Book's ``pdfhtml`` downloads a
Chromium of its own, which an offline machine cannot. So the book is staged
exactly as for the HTML (:func:`analysis.build.site._stage`), rendered once more by
Sphinx's ``singlehtml`` builder (every page in reading order, nothing executed),
and printed by the offline Chromium of :mod:`analysis.build.browser` with
Playwright's ``page.pdf``. The charts stay vector graphics: vegaEmbed draws them
as SVG, and the page is printed only once every chart has drawn (a chart that
does not draw fails the build instead of leaving a blank box).

Chromium cannot number the contents list in CSS (no ``target-counter``), so the
book is printed twice: the first print's link destinations say where each
chapter starts, and the second carries those page numbers.

A failure exits non-zero and leaves the previous PDF untouched: the PDF is
written to a temporary file and moved into place with ``os.replace``.
"""

from __future__ import annotations

import argparse
import html
import io
import re
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from analysis import paths
from analysis.book import citation
from analysis.book.charts import write_vega_bundle
from analysis.build.browser import chart_problems, launch, offline_context, serve
from analysis.build.execute import check_release, default_version
from analysis.build.extras import pdf_key_path, pdf_path
from analysis.build.project import BuildError, Project
from analysis.build.site import HTML_KEY_FILE, _stage, html_inputs_key, require_fresh
from analysis.data.command import run_command
from analysis.data.files import write_atomic

PDF_NAME = citation.PDF_NAME
PRINT_PAGE = "print.html"
# A4 with room for the running header and the page numbers.
PAGE = {"format": "A4", "margin": {"top": "22mm", "bottom": "20mm", "left": "20mm", "right": "20mm"}}
_MARGIN_BOX = "font-family: sans-serif; font-size: 8pt; color: #444; width: 100%; padding: 0 20mm;"
FOOTER = (
    f'<div style="{_MARGIN_BOX} text-align: center;">'
    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>'
)


class PdfError(BuildError):
    """The PDF could not be made; the message says why. The previous PDF is untouched."""


@dataclass
class Printed:
    """One printed book and what happened while it was printed."""

    pdf: bytes
    chapters: list[dict]  # {"id", "title", "part", "page"} in reading order
    external: list[str] = field(default_factory=list)  # requests to other hosts (aborted)
    failed: list[str] = field(default_factory=list)  # local resources that did not load
    errors: list[str] = field(default_factory=list)  # uncaught script errors


def header(title: str) -> str:
    return f'<div style="{_MARGIN_BOX} text-align: right;">{html.escape(title)}</div>'


def toc_chapters(toc: dict) -> list[dict]:
    """The staged table of contents in reading order: ``{"doc", "part", "root"}`` per chapter."""
    found = [{"doc": toc["root"], "part": "", "root": True}]
    for part in toc.get("parts", [{"caption": "", "chapters": toc.get("chapters", [])}]):
        found += [{"doc": c["file"], "part": part.get("caption", ""), "root": False} for c in part.get("chapters", [])]
    return found


_SEARCH_INDEX = re.compile(r'<script (?:defer(?:="defer")? )?src="searchindex\.js"></script>')


def build_singlehtml(project: Project, version: str, stage: Path) -> tuple[Path, list[dict]]:
    """Stage the book as :mod:`analysis.build` does, then render it as one HTML page.

    Returns the site folder (its ``print.html`` is the book) and the staged
    chapters. Sphinx writes the single page at the root document's path
    (``chapters/00_introduction.html``) but with links relative to the site
    root, so it is printed from a copy at the root.
    """
    write_vega_bundle(project.static_dir)
    _stage(project, version, stage)
    out = stage / "out"
    command = [
        str(Path(sys.executable).parent / "jupyter-book"),
        "build",
        str(stage),
        "--builder",
        "singlehtml",
        "--path-output",
        str(out),
        "--warningiserror",
        "--nitpick",
        "--keep-going",
        "--quiet",
    ]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    toc = yaml.safe_load((stage / "_toc.yml").read_text(encoding="utf-8"))
    site = out / "_build" / "singlehtml"
    page = site / f"{toc['root']}.html"
    if result.returncode != 0 or not page.exists():
        tail = "\n".join((result.stdout + result.stderr).strip().splitlines()[-25:])
        raise PdfError(f"the single-page HTML build failed:\n{tail}")
    # The theme links searchindex.js on every page, but singlehtml writes none
    # (and paper needs no search): the link would be a failed request.
    # (analysis.sphinx_ext.lean may have deferred it).
    text = _SEARCH_INDEX.sub("", page.read_text(encoding="utf-8"))
    (site / PRINT_PAGE).write_text(text, encoding="utf-8")
    return site, toc_chapters(toc)


# Title page and contents, put in front of the book; chapters get a class that
# starts each one on a new page, and Sphinx's anchor for each chapter (links to
# it stay valid) moves inside it. Returns the chapters found, in order.
_FRONT_MATTER = """(data) => {
  const article = document.querySelector("article.bd-article");
  const chapters = data.chapters.map(entry => {
    const anchor = entry.root ? null : document.getElementById("document-" + entry.doc);
    const section = entry.root ? article.querySelector(":scope > section") : anchor && anchor.nextElementSibling;
    if (!section || !section.id) throw new Error("chapter not on the page: " + entry.doc);
    if (anchor) section.prepend(anchor);  // between two chapters, the empty anchor prints a blank page
    section.classList.add("treadmill-pdf-chapter");
    const heading = section.querySelector("h1, h2").cloneNode(true);
    heading.querySelectorAll(".headerlink").forEach(a => a.remove());
    return {id: section.id, title: heading.textContent.trim(), part: entry.part};
  });
  document.title = data.title;  // the PDF's title
  const front = document.createElement("section");
  front.className = "treadmill-pdf-front";
  const add = (parent, tag, text, cls) => {
    const el = document.createElement(tag); if (text) el.textContent = text; if (cls) el.className = cls;
    parent.appendChild(el); return el; };
  const title = add(front, "div", "", "treadmill-pdf-title-page");
  add(title, "h1", data.title);
  for (const line of data.lines) add(title, "p", line);
  const nav = add(front, "nav", "", "treadmill-pdf-contents");
  nav.setAttribute("aria-label", "Contents");
  add(nav, "h2", "Contents");
  let list = null, part = null;
  for (const chapter of chapters) {
    if (!list || chapter.part !== part) {
      part = chapter.part;
      if (part) add(nav, "p", part, "treadmill-pdf-part");
      list = add(nav, "ol");
    }
    const item = add(list, "li");
    const link = add(item, "a", chapter.title);
    link.href = "#" + chapter.id;
    add(item, "span", "000", "treadmill-pdf-page").dataset.chapter = chapter.id;
  }
  article.prepend(front);
  return chapters;
}"""

_PAGE_NUMBERS = """(pages) => { for (const span of document.querySelectorAll("span.treadmill-pdf-page"))
  span.textContent = String(pages[span.dataset.chapter]); }"""


def anchor_pages(pdf: bytes) -> dict[str, int]:
    """Element id -> page (1-based) it is printed on, from the PDF's named destinations.

    Chromium names a destination after the id of every element a link points to,
    so the contents list's links say where each chapter starts.
    """
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages = {
        str(name).lstrip("/"): reader.get_destination_page_number(dest)
        for name, dest in reader.named_destinations.items()
    }
    return {name: page + 1 for name, page in pages.items() if page is not None}  # None: on no page


def print_book(site: Path, chapters: list[dict], title: str, lines: list[str], page: str = PRINT_PAGE) -> Printed:
    """Print ``site/page`` in the offline Chromium: charts drawn, front matter added, printed twice.

    In a thread of its own: Playwright's sync API refuses to start where an event
    loop already runs (another Playwright session in the same process, a notebook).
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(_print_book, site, chapters, title, lines, page).result()


def _print_book(site: Path, chapters: list[dict], title: str, lines: list[str], page: str) -> Printed:
    from playwright.sync_api import sync_playwright

    options = {
        **PAGE,
        "print_background": True,
        "display_header_footer": True,
        "header_template": header(title),
        "footer_template": FOOTER,
        "tagged": True,
    }
    with serve(site) as url, sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            context, network = offline_context(browser)
            tab = context.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda e: errors.append(str(e)))
            tab.goto(url + page, wait_until="load")
            problems = chart_problems(tab)  # waits until vegaEmbed has drawn every chart
            if problems:
                raise PdfError("charts did not draw, so the book was not printed:\n" + "\n".join(problems))
            found = tab.evaluate(_FRONT_MATTER, {"title": title, "lines": lines, "chapters": chapters})
            starts = anchor_pages(tab.pdf(**options))
            missing = [c["title"] for c in found if c["id"] not in starts]
            if missing:
                raise PdfError(f"chapters the contents list cannot find in the PDF: {missing}")
            for chapter in found:
                chapter["page"] = starts[chapter["id"]]
            tab.evaluate(_PAGE_NUMBERS, {c["id"]: c["page"] for c in found})
            pdf = tab.pdf(**options)
            context.close()
        finally:
            browser.close()
    return Printed(pdf, found, list(network.external), list(network.failed), errors)


def print_problems(printed: Printed) -> list[str]:
    """Whatever went wrong while printing: a request that left localhost, a file that failed, a script error."""
    return (
        [f"request left localhost: {u}" for u in printed.external]
        + [f"did not load: {u}" for u in printed.failed]
        + [f"script error: {e}" for e in printed.errors]
    )


def title_lines(project: Project, version: str) -> list[str]:
    """What the title page says under the title: authors, source, release, licences."""
    source = citation.article((project.data_dir / version / "references.bib").read_text(encoding="utf-8"))
    descriptor = yaml.safe_load((project.data_dir / version / paths.DESCRIPTOR).read_text(encoding="utf-8"))
    created = citation.release_date(descriptor)
    return [
        citation.BOOK_AUTHOR,
        f"A reproducible reconstruction of {source.reference()}",
        f"Built from data release {version}. Cite as: {citation.book_reference(version, created)}",
        f"Code: {citation.CODE_LICENCE} licence. Text and data: {citation.CONTENT_LICENCE}, "
        "with attribution to the article.",
    ]


def build_pdf(project: Project, version: str | None = None, target: Path | None = None, echo=print) -> Printed:
    """Build the PDF into ``target`` (default ``_build/pdf/treadmill-book.pdf``) and check what printing did.

    Any request that left localhost, local file that failed to load or script
    error fails the build; so does a chart that did not draw.
    """
    version = version or default_version(project)
    target = target or pdf_path(project)
    start = time.perf_counter()
    check_release(project, version)
    require_fresh(project, version)  # printed from fresh executions only, as the HTML is
    config = yaml.safe_load((project.root / "_config.yml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="pdf-stage-") as tmp:
        site, chapters = build_singlehtml(project, version, Path(tmp))
        html_seconds = time.perf_counter() - start
        printed = print_book(site, chapters, config["title"], title_lines(project, version))
    problems = print_problems(printed)
    if problems:
        raise PdfError("the book printed with problems, so no PDF was written:\n" + "\n".join(problems))
    write_atomic(target, printed.pdf)
    # The inputs it was printed from: ``make book`` puts this PDF beside HTML built from the same ones.
    write_atomic(pdf_key_path(target), html_inputs_key(project, version))
    seconds = time.perf_counter() - start
    echo(
        f"  built     PDF ({seconds:.1f} s: staging and singlehtml {html_seconds:.1f} s, printing "
        f"{seconds - html_seconds:.1f} s; {len(printed.pdf) / 1e6:.1f} MB) -> {target}"
    )
    return printed


def publish_pdf(project: Project, pdf: Path, version: str | None = None) -> Path | None:
    """Copy the PDF next to the HTML (``_build/html/treadmill-book.pdf``).

    Only when that HTML was built from the inputs the PDF was (the key
    :func:`analysis.build.build_html` records), so the two editions never disagree.
    """
    marker = project.html_dir / HTML_KEY_FILE
    version = version or project.default_release()
    if not marker.exists() or marker.read_text(encoding="utf-8") != html_inputs_key(project, version):
        return None
    target = project.html_dir / PDF_NAME
    write_atomic(target, pdf.read_bytes())
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.build.pdf", description=__doc__.splitlines()[0])
    parser.add_argument("--data-version", default="", help="data release to build from (default: data/DEFAULT_RELEASE)")
    args = parser.parse_args(argv)
    project = Project(paths.ROOT)
    if run_command(lambda: build_pdf(project, args.data_version or None), BuildError, "\nPDF FAILED: "):
        return 1
    published = publish_pdf(project, pdf_path(project), args.data_version or None)
    print(
        f"  published {published}"
        if published
        else f"  not published: {project.html_dir} is missing or was built from other inputs (run `make html`)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
