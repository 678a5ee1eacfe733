"""What a reader sees in the main text carries no apparatus (issue 12, item 7).

The visible text of each chapter of the study (the root page and the chapters of _toc.yml's
first part) is its markdown, with every glued name replaced by the text it pastes, and the
outputs a reader sees: the HTML of cells not removed from the page, without scripts and
without the collapsed ``<details>`` blocks ("About this figure", "About this page"), where
the provenance lives. That text must contain no hash, no notebook path or name, no mention of
papermill, of a Vega-Lite "spec" or of "a value set for this run", no internal identifier of
the data (excerpt E01, theme T4, category K06, open code O22, ...), and no table or column
name in code font. Provenance stays one click away: every figure has its collapsed block.
"""

from __future__ import annotations

import ast
import html
import re

import nbformat
import pytest
import yaml

from analysis import paths

ROOT = paths.CHAPTERS.parent

# Identifiers of the data release: excerpts, themes, categories, open codes, documentary
# quotes, reader comments, claims, policy measures, appointment models, phrases.
INTERNAL_ID = re.compile(r"\b(?:E\d{2}|T[1-4]|K\d{2}|O\d{2}|D\d{2}|R\d{2}|C\d{3}|M[1-3]|A[1-3]|P\d{2})\b")
APPARATUS = {
    "a hash": re.compile(r"sha256|\b[0-9a-f]{12,64}\b"),
    "a notebook": re.compile(r"\.ipynb|\bchapters/"),
    "papermill": re.compile(r"papermill", re.I),
    "a spec": re.compile(r"\bspec\b", re.I),
    "a run's setting": re.compile(r"set for this run", re.I),
    "an internal id": INTERNAL_ID,
    "a table or column name in code font": re.compile(r"`[a-z0-9]+_[a-z0-9_]+`"),
}


def main_text_chapters() -> list:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for c in toc["parts"][0]["chapters"]]
    return [ROOT / f"{f}.ipynb" for f in files]


def glued_texts(nb) -> dict[str, str]:
    found = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            record = output.get("metadata", {}).get("scrapbook")
            if record:
                text = output["data"][record["mime_prefix"] + "text/plain"]
                try:
                    text = str(ast.literal_eval(text))
                except (SyntaxError, ValueError):
                    pass
                found[record["name"]] = text
    return found


def strip_details(text: str) -> str:
    return re.sub(r"<details\b.*?</details>", " ", text, flags=re.S)


def visible_text(nb) -> str:
    glued = glued_texts(nb)
    parts = []
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            text = re.sub(r"\{glue(?::\w+)?\}`([\w-]+)`", lambda m: glued.get(m[1], ""), cell.source)
            text = re.sub(r"\{ref\}`([^<`]*)<[^>`]+>`", r"\1", text)  # a labelled link shows its text
            text = re.sub(r"\{(?:cite:\w+|doc|ref|term)\}`[^`]*`", " ", text)  # rendered as titles and citations
            text = re.sub(r"^\([\w-]+\)=\s*$", " ", text, flags=re.M)  # link targets
            parts.append(text)
        elif "remove-cell" not in tags and "remove-output" not in tags:
            for output in cell.get("outputs", []):
                data = output.get("data", {})
                if "text/html" in data:
                    page = strip_details(data["text/html"])
                    page = re.sub(r"<script\b.*?</script>", " ", page, flags=re.S)
                    parts.append(html.unescape(re.sub(r"<[^>]+>", " ", page)))
                elif "text/plain" in data:
                    parts.append(data["text/plain"])
    return "\n".join(parts)


def problems_in(text: str) -> list[str]:
    found = []
    for name, pattern in APPARATUS.items():
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            found.append(f"{name}: …{' '.join(text[start : match.end() + 40].split())}…")
    return found


def test_the_filter_finds_apparatus_and_spares_prose():
    assert problems_in("made by chapters/01_methods.ipynb (sha256 0123456789ab)")
    assert problems_in("as excerpt E01 shows") and problems_in("theme T4") and problems_in("code O22")
    assert problems_in("run with papermill") and problems_in("the `mapping_basis` column")
    assert not problems_in("Nine interviews in one CRC office (Cracknell, 2022), over 74% of them.")
    page = "<figure>chart</figure><details><summary>About</summary>sha256 0123456789ab E01</details>"
    assert "sha256" not in strip_details(page)


@pytest.mark.parametrize("path", main_text_chapters(), ids=lambda p: p.stem)
def test_no_apparatus_in_what_a_reader_sees(path):
    assert problems_in(visible_text(nbformat.read(path, as_version=4))) == []


@pytest.mark.parametrize("path", main_text_chapters(), ids=lambda p: p.stem)
def test_provenance_stays_one_click_away(path):
    """Every figure has its collapsed "About this figure" block; the page has "About this page"."""
    nb = nbformat.read(path, as_version=4)
    pages = ["".join(o.get("data", {}).get("text/html", "")) for c in nb.cells for o in c.get("outputs", [])]
    figures = [p for p in pages if '<figure class="treadmill-figure"' in p]
    for page in figures:
        block = re.search(
            r'<details class="treadmill-about"><summary>About this figure</summary>(.*?)</details>', page, re.S
        )
        assert block and "Data release" in block[1] and "sha256" in block[1] and ".ipynb" in block[1]
        # Sources in words come before any hash: the figure's own rows' ("Sources: "), or, where a figure
        # declares no rows, what the tables it reads cite.
        found = re.search(r"Sources: |The tables it reads cite: ", block[1])
        assert found and found.start() < block[1].find("sha256")
    assert any("<summary>About this page</summary>" in p for p in pages)


def test_chapters_are_numbered_in_reading_order_and_later_evidence_follows_the_discussion():
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [c["file"] for part in toc["parts"] for c in part["chapters"]]
    numbered = [f.split("/")[-1] for f in files if re.match(r"\d\d_", f.split("/")[-1])]
    assert [int(n[:2]) for n in numbered] == list(range(len(numbered)))
    assert numbered[numbered.index("06_discussion") + 1] == "07_later_evidence"
    assert sorted(p.stem for p in paths.CHAPTERS.glob("*.ipynb")) == numbered
    # The discussion keeps to the article: the later evidence and the what-if live in their own chapter.
    # Its cells (sources and outputs), not its record, which lists every module its kernel loaded.
    cells = nbformat.read(paths.CHAPTERS / "06_discussion.ipynb", as_version=4).cells
    discussion = nbformat.writes(nbformat.v4.new_notebook(cells=cells))
    assert "After the article" not in discussion and "whatif" not in discussion
