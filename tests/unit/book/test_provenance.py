"""Every glued number says where it comes from, and links to the claim that checks it (issue 12, item 11)."""

from __future__ import annotations

import linecache

from analysis import claims
from analysis.book import provenance, quantities, sourcing, tables
from analysis.book.chapter import Glued, open_chapter
from analysis.words import parse_source


def run_as_cell(source: str, namespace: dict, filename: str = "<treadmill-test-cell-1>") -> None:
    """Execute ``source`` the way IPython runs a cell: its text registered in linecache under its filename."""
    lines = source.splitlines(keepends=True)
    linecache.cache[filename] = (len(source), None, lines, filename)
    try:
        exec(compile(source, filename, "exec"), namespace)
    finally:
        linecache.cache.pop(filename, None)


def test_a_glued_figure_names_its_table_row_function_and_claim():
    ctx = open_chapter("99_test")
    namespace = {"ctx": ctx, "quantities": quantities}
    run_as_cell(
        'figures_table = ctx.table("figures")\n'
        'rise = ctx.glue("rise", quantities.figure_phrase(figures_table, "caseload_rise_pct_hmi2021"), fmt="{}")\n',
        namespace,
    )
    glued = namespace["rise"]
    assert glued.text == quantities.figure_phrase(ctx.table("figures"), "caseload_rise_pct_hmi2021")
    # Human first: the row's source in words, then the claim, then the build's ids last.
    row = ctx.table("figures").set_index("figure_id").loc["caseload_rise_pct_hmi2021"]
    assert glued.provenance.startswith(sourcing.source_words(row["source"]) + ".")
    assert glued.about == glued.provenance[: glued.provenance.index(" Build:")]
    assert f"claim {glued.claim}" in glued.about and "table figures" not in glued.about
    assert glued.provenance.index(f"claim {glued.claim}") < glued.provenance.index(f"data release {ctx.release.label}")
    assert "table figures, row caseload_rise_pct_hmi2021" in glued.provenance
    assert "quantities.figure_phrase(figures, 'caseload_rise_pct_hmi2021')" in glued.provenance
    checking = [
        c.claim_id
        for c in claims.read_claims(ctx.release.table("claims"))
        if c.kind == "figure" and c.args == ("caseload_rise_pct_hmi2021",)
    ]
    assert glued.claim == checking[0]
    assert f'href="{tables.CLAIMS_PAGE}#claim-{glued.claim}"' in glued._repr_html_()


def test_a_variable_is_shown_as_the_call_that_made_it_and_tables_from_later_releases_are_named():
    ctx = open_chapter("99_test")
    namespace = {"ctx": ctx, "quantities": quantities}
    run_as_cell(
        'sample = ctx.table("sample")\n'
        'n = quantities.sample_count(sample, "interviews", "this paper")\n'
        'paper = ctx.glue("paper", quantities.in_words(n), fmt="{}")\n'
        'tr = ctx.glue_from("tr", quantities.tr_end_value, "tr_end", "crcs_reunified")\n',
        namespace,
    )
    paper = namespace["paper"]
    assert "quantities.sample_count(sample, 'interviews', 'this paper')" in paper.provenance
    assert paper.claim is not None and "row interviews/this paper" in paper.provenance
    tr = namespace["tr"]
    assert "table tr_end, row crcs_reunified" in tr.provenance and "quantities.tr_end_value(tr_end" in tr.provenance


def test_a_constant_is_described_as_given_and_renders_quietly_without_a_link():
    ctx = open_chapter("99_test")
    glued = ctx.glue("direct", 3)
    assert glued.provenance.endswith("computed by 3.") and glued.claim is None
    assert "as the test says" in ctx.glue("said", 4, source="as the test says").provenance
    page = glued._repr_html_()
    assert page.startswith('<span class="treadmill-num" tabindex="0"')
    assert 'data-provenance="The book&#x27;s own count' in page  # no table read: the book's own, in words
    assert repr(glued) == repr("3")  # text/plain is the text itself, as myst-nb pastes it


def test_the_html_escapes_text_and_provenance():
    page = Glued(1, "<b>1</b>", 'from "x" & <y>', None)._repr_html_()
    assert "<b>" not in page and "&lt;b&gt;1&lt;/b&gt;" in page and "&quot;x&quot; &amp; &lt;y&gt;" in page


def test_the_claims_index_covers_every_row_check():
    ctx = open_chapter("99_test")
    index = provenance.claims_index(ctx.release)
    for claim in claims.read_claims(ctx.release.table("claims")):
        if claim.kind == "figure":
            assert claim.claim_id in index[("figures", claim.args[0])]
        elif claim.kind == "sample":
            assert claim.claim_id in index[("sample", claim.args[0])]
        elif claim.kind == "value":
            table, keys = provenance._keys_of_row_spec(claim.args[0])
            assert any(claim.claim_id in index[(table, k)] for k in keys)


def test_a_source_cell_reads_as_work_section_and_phrase_and_a_long_phrase_is_cut_at_a_word():
    ctx = open_chapter("99_test")
    cell = ctx.table("figures")["source"].iloc[0]
    part = parse_source(cell)
    words = sourcing.source_words(cell)
    assert words.startswith(sourcing.work(part.file) + ", " + part.section + ", ")
    assert part.file not in words and "§" not in words
    long = f'{part.file} § {part.section}: "{"word " * 60}end"'
    cut = sourcing.source_words(long)
    assert cut.endswith("\u2026\u2019") and len(cut) < len(long) and "wor\u2026" not in cut
    assert sourcing.work("unknown.txt") == "unknown.txt"


def test_a_glued_citation_says_it_is_a_citation_formatted_by_the_book_not_a_count():
    """quantities.cite_text glues an author and year: its hover text must not call it the book's own count."""
    import re

    ctx = open_chapter("99_test")
    key = re.search(r"@\w+\{([^,\s]+),", ctx.release.text("references")).group(1)
    namespace = {"ctx": ctx, "quantities": quantities}
    run_as_cell(
        'bibliography = ctx.release.text("references")\n'
        f'cited = ctx.glue("cited", quantities.cite_text(bibliography, "{key}"), fmt="{{}}")\n',
        namespace,
    )
    cited = namespace["cited"]
    assert cited.text == quantities.cite_text(ctx.release.text("references"), key)
    assert cited.about.startswith(provenance.CITATION_SOURCE) and "own count" not in cited.provenance
    assert "quantities.cite_text(" in cited.provenance  # the build's record still names the call
