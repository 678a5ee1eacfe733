"""The citation extensions on a scratch Sphinx project: the forms, whatever the chapters happen to cite.

A tiny project (its own .bib, one page, an empty Sources page) is built with the book's
extensions; the page must print the house forms, and a pinpoint naming no paragraph of the
article must fail the build.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bs4 import BeautifulSoup

from analysis.book.source_paragraphs import SOURCES_DOC

CONF = """
extensions = ["sphinxcontrib.bibtex", "analysis.sphinx_ext.citations", "analysis.sphinx_ext.pinpoints"]
bibtex_bibfiles = ["refs.bib"]
bibtex_reference_style = "author_year_round"
bibtex_default_style = "sage_harvard"
"""
BIB = """
@book{greif2016, author = {Greif, Mark}, title = {Against Everything}, publisher = {Pantheon},
  address = {New York}, year = {2016}}
@article{c21, author = {Cracknell, M.}, title = {Later}, journal = {J}, year = {2021}}
@article{c18, author = {Cracknell, M.}, title = {Earlier}, journal = {J}, year = {2018}}
@article{a15, author = {Aebi, M. and Delgrande, N. and Marguet, Y.}, title = {Net}, journal = {J}, year = {2015}}
@misc{m1, author = {{Ministry of Justice}}, title = {First}, year = {2014}}
@misc{m2, author = {{Ministry of Justice}}, title = {Second}, year = {2014}}
"""


def _build(tmp_path: Path, body: str) -> subprocess.CompletedProcess:
    (tmp_path / "conf.py").write_text(CONF, encoding="utf-8")
    (tmp_path / "refs.bib").write_text(BIB, encoding="utf-8")
    (tmp_path / "index.rst").write_text(
        f"Test\n====\n\n.. toctree::\n\n   {SOURCES_DOC}\n\n{body}\n\n.. bibliography::\n", encoding="utf-8"
    )
    (tmp_path / f"{SOURCES_DOC}.rst").write_text("Sources\n=======\n", encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "sphinx", "-q", "-W", "-n", "-b", "html", str(tmp_path), str(tmp_path / "_out")],
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_house_forms(tmp_path):
    body = (
        "A :cite:p:`greif2016{360}`. B :cite:p:`c21,a15,c18`. C :cite:t:`c21,c18`. D :cite:p:`m2,m1`. "
        "E :pinpoint:`Findings, 'Running on the treadmill', para. 2`. F :pinpoint-t:`note 2`."
    )
    done = _build(tmp_path, body)
    assert done.returncode == 0, done.stderr
    soup = BeautifulSoup((tmp_path / "_out" / "index.html").read_text(encoding="utf-8"), "html.parser")
    text = " ".join(soup.find("p").get_text().split())
    assert "A (Greif, 2016: 360)." in text
    assert "B (Aebi et al., 2015; Cracknell, 2018, 2021)." in text
    assert "C Cracknell (2018, 2021)." in text
    assert "D (Ministry of Justice, 2014a, 2014b)." in text
    assert "E (Cracknell, 2022: Findings, ‘Running on the treadmill’, para. 2)." in text
    assert "F Cracknell (2022: note 2)." in text
    pinpoint = soup.select_one("a.treadmill-pinpoint")
    assert pinpoint["href"].startswith(f"{SOURCES_DOC}.html#src-cracknell-")
    entries = [" ".join(c.get_text(" ", strip=True).split()) for c in soup.select(".citation")]
    assert [e.split(" (")[0] for e in entries] == [
        "Aebi M, Delgrande N and Marguet Y",
        "Cracknell M",
        "Cracknell M",
        "Greif M",
        "Ministry of Justice",
        "Ministry of Justice",
    ]
    assert not soup.select(".citation .label")  # unnumbered


def test_a_pinpoint_to_no_paragraph_fails_the_build(tmp_path):
    done = _build(tmp_path, "X :pinpoint:`Methods, para. 999`.")
    assert done.returncode != 0
    assert "no such paragraph" in done.stderr
