"""The PDF edition (``make pdf``): the whole book in reading order, printed offline, never blank.

The PDF is built once per session into a temporary folder (the staging caches
in ``_build`` are shared with the HTML build) and read back with pypdf. Every
expectation comes from the book's sources: chapter titles and sentences from
the notebooks, figure titles from the Vega-Lite specs in their outputs,
references from the release's ``references.bib``.
"""

from __future__ import annotations

import re
import shutil
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest
import yaml
from playwright.sync_api import sync_playwright
from pybtex.database import parse_string
from pybtex.richtext import Text
from pypdf import PdfReader
from support.browser import link_problems, toc_files

from analysis import claims, paths
from analysis.book import citation
from analysis.book.charts import specs_in_notebook
from analysis.build import Project, build_book, html_inputs_key, pdf
from analysis.build.site import HTML_KEY_FILE
from analysis.data.release import load_release

ROOT = paths.ROOT
PRINT_CSS = "treadmill-print.css"
A4_POINTS = (595.3, 841.9)  # 210 x 297 mm
# Sphinx's smart quotes and dashes, and the PDF's ligatures, read as plain text.
_PLAIN = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).translate(_PLAIN).split()).lower()


# --- what the book's sources say the PDF must hold -----------------------------------------


@dataclass(frozen=True)
class Chapter:
    name: str
    title: str
    sentence: str  # a sentence of plain prose from the chapter's own text


# Prose of plain words only: no roles, glue, code, links, emphasis or numbers to be pasted in.
_SENTENCE = re.compile(r"[A-Z][A-Za-z ,;:'()\u2019-]{38,200}\.")
# Blocks the print leaves out (screen-only links).
_SCREEN_ONLY = re.compile(r":::\{container\} treadmill-screen-only.*?:::", re.S)


def first_sentence(markdown: list[str]) -> str:
    for text in markdown:
        for candidate in re.split(r"(?<=[.!?])\s+", _SCREEN_ONLY.sub(" ", text)):
            candidate = " ".join(candidate.split())
            if _SENTENCE.fullmatch(candidate) and "--" not in candidate:
                return candidate
    raise AssertionError("no sentence of plain prose found")


def chapters_from_sources() -> list[Chapter]:
    """Every page of ``_toc.yml`` in reading order: its title and one sentence, from its source."""
    found = []
    for name in toc_files():
        notebook = ROOT / f"{name}.ipynb"
        if notebook.exists():
            cells = [c.source for c in nbformat.read(notebook, as_version=4).cells if c.cell_type == "markdown"]
        else:
            cells = [(ROOT / f"{name}.md").read_text(encoding="utf-8")]
        title, _, rest = cells[0].partition("\n")
        assert title.startswith("# "), name
        found.append(Chapter(name, title[2:].strip(), first_sentence([rest, *cells[1:]])))
    return found


def figure_titles() -> list[str]:
    titles = []
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        for spec in specs_in_notebook(nbformat.read(notebook, as_version=4)).values():
            title = spec.get("title", "")
            title = title.get("text", "") if isinstance(title, dict) else title
            titles.append(" ".join(title) if isinstance(title, list) else title)
    return titles


# --- the book, printed once ------------------------------------------------------------------


@dataclass
class Book:
    path: Path
    printed: pdf.Printed
    reader: PdfReader
    pages: list[str]  # each page's text without the running header and the page number

    def start_of(self, title: str, after: int = 2) -> int | None:
        """Index of the first page from ``after`` on (past the front matter) that begins with ``title``.

        The bibliography's numeric labels ([1], [2], ...) are extracted before its heading.
        """
        wanted = plain(title)
        return next(
            (
                i
                for i, text in enumerate(self.pages)
                if i >= after and re.sub(r"^(\[\d+\] )+", "", text).startswith(wanted)
            ),
            None,
        )

    def starts(self, chapters: list) -> list[int | None]:
        """Each chapter's first page, searched in reading order: a page of an earlier chapter may begin
        with a later chapter's title (the Sources appendix prints the article's own "References")."""
        found: list[int | None] = []
        after = 2
        for chapter in chapters:
            page = self.start_of(chapter.title, after)
            found.append(page)
            after = after if page is None else page + 1
        return found


@pytest.fixture(scope="session")
def book(tmp_path_factory) -> Book:
    target = tmp_path_factory.mktemp("pdf") / pdf.PDF_NAME
    # As `make book` leaves the project: the PDF is printed from fresh executions of both releases.
    build_book(Project(ROOT), echo=lambda *_: None)
    printed = pdf.build_pdf(Project(ROOT), target=target, echo=lambda *_: None)
    reader = PdfReader(target)
    header = plain(yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"])
    total = len(reader.pages)
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        text = plain(page.extract_text())
        assert f"{number} / {total}" in text and header in text, f"page {number} lacks its header or number"
        # The margins print after the body: the last occurrence of the title is the header.
        body, _, margins = text.rpartition(header)
        pages.append(plain(body + " " + margins.replace(f"{number} / {total}", " ")))
    return Book(target, printed, reader, pages)


def test_the_pdf_is_a4_with_a_sane_page_count(book):
    chapters = chapters_from_sources()
    for page in book.reader.pages:  # Chromium rounds the size to whole pixels: within a point or two
        size = (float(page.mediabox.width), float(page.mediabox.height))
        assert abs(size[0] - A4_POINTS[0]) < 2 and abs(size[1] - A4_POINTS[1]) < 2, size
    # A title page, the contents, then each chapter on pages of its own ...
    assert len(book.pages) >= 2 + len(chapters)
    # ... and pages that are full, on average: not one page per paragraph or table row.
    assert sum(len(text) for text in book.pages) / len(book.pages) > 1000


def test_the_title_page_and_contents_come_first(book):
    title = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))["title"]
    assert book.reader.metadata.title == title
    assert book.pages[0].startswith(plain(title))
    assert plain(citation.BOOK_AUTHOR) in book.pages[0]
    assert book.pages[1].startswith("contents")
    for chapter in chapters_from_sources():
        assert plain(chapter.title) in book.pages[1], chapter.name


def test_each_chapter_starts_a_new_page_in_reading_order(book):
    chapters = chapters_from_sources()
    starts = dict(zip([c.name for c in chapters], book.starts(chapters), strict=True))
    assert [name for name, page in starts.items() if page is None] == []
    assert list(starts.values()) == sorted(starts.values())


def test_a_sentence_of_each_chapter_is_printed_within_it(book):
    chapters = chapters_from_sources()
    starts = [*book.starts(chapters), len(book.pages)]
    missing = []
    for chapter, start, end in zip(chapters, starts, starts[1:], strict=False):
        if plain(chapter.sentence) not in " ".join(book.pages[start:end]):
            missing.append((chapter.name, chapter.sentence))
    assert missing == []


def test_the_contents_list_gives_the_page_each_chapter_starts_on(book):
    chapters = chapters_from_sources()
    for chapter, start in zip(chapters, book.starts(chapters), strict=True):
        match = re.search(re.escape(plain(chapter.title)) + r" (\d+)", book.pages[1])
        assert match and start is not None, chapter.name
        assert int(match[1]) == start + 1, chapter.name


def test_every_figure_was_drawn_its_title_printed(book):
    titles = figure_titles()
    assert titles, "the chapters show no figure"
    text = " ".join(book.pages)
    assert [t for t in titles if plain(t) not in text] == []


def test_figures_are_vector_graphics(book):
    """Vega's SVG prints as paths and text: a rasterised chart would be an image on the page."""
    assert [i + 1 for i, page in enumerate(book.reader.pages) if len(page.images)] == []


def test_the_appendices_and_the_bibliography_are_in_it(book):
    entries = parse_string(
        (ROOT / "data" / Project(ROOT).default_release() / "references.bib").read_text(encoding="utf-8"), "bibtex"
    ).entries
    start = book.starts(chapters_from_sources())[-1]
    bibliography = " ".join(book.pages[start:])
    missing = [
        key
        for key, entry in entries.items()
        if plain(Text.from_latex(entry.fields["title"]).render_as("text")) not in bibliography
    ]
    assert missing == []


def test_no_page_is_blank(book):
    assert [i + 1 for i, text in enumerate(book.pages) if len(text.strip()) < 20] == []


def test_no_request_left_localhost_while_it_was_printed(book):
    assert (book.printed.external, book.printed.failed, book.printed.errors) == ([], [], [])


# --- failures -------------------------------------------------------------------------------


def _tiny_site(folder: Path, body: str) -> Path:
    """One chapter in the book's page structure, with the book's print stylesheet."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "_static" / PRINT_CSS, folder / PRINT_CSS)
    (folder / pdf.PRINT_PAGE).write_text(
        f'<!doctype html><html><head><link rel="stylesheet" href="{PRINT_CSS}"></head><body>'
        f'<article class="bd-article"><section id="only"><h1>Only chapter</h1>'
        f"<p>Some text.</p>{body}</section></article></body></html>",
        encoding="utf-8",
    )
    return folder


def test_a_page_that_reaches_out_is_not_printed_and_the_previous_pdf_stays(tmp_path, monkeypatch):
    site = _tiny_site(tmp_path / "site", '<img alt="remote" src="https://example.invalid/logo.png">')
    chapters = [{"doc": "only", "part": "", "root": True}]
    monkeypatch.setattr(pdf, "build_singlehtml", lambda project, version, stage: (site, chapters))
    target = tmp_path / "out" / pdf.PDF_NAME
    target.parent.mkdir()
    target.write_bytes(b"the previous PDF")
    build_book(Project(ROOT), echo=lambda *_: None)  # fresh executions (a no-op once built)
    with pytest.raises(pdf.PdfError, match="example.invalid"):
        pdf.build_pdf(Project(ROOT), target=target, echo=lambda *_: None)
    assert target.read_bytes() == b"the previous PDF"
    assert [p.name for p in target.parent.iterdir()] == [pdf.PDF_NAME]  # no temporary file left


def test_the_same_tiny_page_without_the_remote_image_prints(tmp_path):
    """The control for the test above: the page itself prints, so the failure was the request."""
    site = _tiny_site(tmp_path / "site", "")
    printed = pdf.print_book(site, [{"doc": "only", "part": "", "root": True}], "Title", ["A line"])
    assert pdf.print_problems(printed) == []
    assert printed.pdf.startswith(b"%PDF") and printed.chapters[0]["page"] == 3


def test_printing_works_while_another_playwright_session_is_open(tmp_path):
    """As in `make test`, where the browser tests keep Chromium open for the whole session.

    The other session is opened in a thread of its own, so the test does not
    depend on whether the browser tests' session is open in this one.
    """
    site = _tiny_site(tmp_path / "site", "")

    def inside_another_session() -> pdf.Printed:
        with sync_playwright():
            return pdf.print_book(site, [{"doc": "only", "part": "", "root": True}], "Title", [])

    with ThreadPoolExecutor(max_workers=1) as pool:
        printed = pool.submit(inside_another_session).result()
    assert pdf.print_problems(printed) == [] and printed.pdf.startswith(b"%PDF")


def test_a_chart_that_did_not_draw_stops_the_print(tmp_path):
    chart = '<div class="treadmill-chart" id="vis-0000000000000000">This chart failed to draw.</div>'
    site = _tiny_site(tmp_path / "site", chart)
    with pytest.raises(pdf.PdfError, match="charts did not draw"):
        pdf.print_book(site, [{"doc": "only", "part": "", "root": True}], "Title", [])


def test_make_pdf_exits_non_zero_when_the_build_fails(monkeypatch):
    def fail(*_args, **_kwargs):
        raise pdf.PdfError("broken on purpose")

    monkeypatch.setattr(pdf, "build_pdf", fail)
    assert pdf.main([]) == 1


# --- publishing -------------------------------------------------------------------------------


def test_the_pdf_is_published_where_the_book_links_it(tmp_path):
    links = set()
    for notebook in sorted((ROOT / "chapters").glob("*.ipynb")):
        for cell in nbformat.read(notebook, as_version=4).cells:
            if cell.cell_type == "markdown" and "Download the book as PDF" in cell.source:
                links |= set(re.findall(r'href="([^"]+)">Download the book as PDF', cell.source))
    assert links == {f"../{pdf.PDF_NAME}"}  # chapter pages live in chapters/: the PDF at the site root
    project = Project(tmp_path / "book")
    (project.data_dir / "1.0.0").mkdir(parents=True)
    (project.data_dir / "DEFAULT_RELEASE").write_text("1.0.0\n", encoding="utf-8")
    project.chapters_dir.mkdir()
    project.static_dir.mkdir()
    source = tmp_path / "book.pdf"
    source.write_bytes(b"%PDF-1.7 test")
    assert pdf.publish_pdf(project, source) is None  # no HTML built: nothing to publish next to
    project.html_dir.mkdir(parents=True)
    marker = project.html_dir / HTML_KEY_FILE
    marker.write_text("built from other inputs", encoding="utf-8")
    assert pdf.publish_pdf(project, source) is None  # the HTML is not the PDF's book: not published beside it
    marker.write_text(html_inputs_key(project, "1.0.0"), encoding="utf-8")
    published = pdf.publish_pdf(project, source)
    assert published == project.html_dir / pdf.PDF_NAME and published.read_bytes() == source.read_bytes()


def test_only_the_pdf_may_be_a_dangling_link_while_it_is_not_built(tmp_path):
    site = tmp_path / "html"
    (site / "chapters").mkdir(parents=True)
    base = "http://127.0.0.1:8000/"
    pdf_link, other = base + pdf.PDF_NAME, base + "missing.pdf"
    assert link_problems(site, base, [pdf_link]) == [f"broken link: {pdf_link}"]
    assert link_problems(site, base, [pdf_link, other], frozenset({pdf.PDF_NAME})) == [f"broken link: {other}"]


# --- the claims register on paper (issue 20, item 3) -------------------------------------------


def test_the_registers_header_is_whole_words_and_repeats_on_each_of_its_pages(book):
    """Every page that prints rows of the register prints its header row, word by word, in order."""
    register = claims.verified_register(load_release(Project(ROOT).default_release()))
    header = " ".join(plain(str(c)) for c in claims.register_table(register).columns)
    chapters = chapters_from_sources()
    at = next(i for i, c in enumerate(chapters) if c.name.endswith("11_claims"))
    start, end = book.starts(chapters)[at : at + 2]
    ids = [plain(str(i)) for i in register["claim_id"]]
    with_rows = [
        i for i in range(start, end) if sum(re.search(rf"\b{c}\b", book.pages[i]) is not None for c in ids) > 2
    ]
    assert len(with_rows) >= 2, "the register fits on one page: nothing to repeat"
    assert [i + 1 for i in with_rows if header not in book.pages[i]] == []
    assert "sort by any column" not in " ".join(book.pages[start:end])  # paper cannot sort
