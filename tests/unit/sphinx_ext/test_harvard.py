"""The reference list in SAGE Harvard (analysis.sphinx_ext.harvard) and the in-text forms (citations).

Entries are written here, in the forms of the house style's examples; the rendered pages are
checked in tests/build/test_citation_forms.py.
"""

from __future__ import annotations

import pybtex.database
import pybtex.plugin
import yaml

from analysis import paths
from analysis.data.release import load_release
from analysis.sphinx_ext import citations, harvard

ENTRIES = """
@article{aebi2015, author = {Aebi, M. F. and Delgrande, N. and Marguet, Y.},
  title = {Have community sanctions and measures widened the net?}, journal = {Punishment and Society},
  year = {2015}, volume = {17}, number = {5}, pages = {575--597}, note = {Plain-text copy: aebi.txt}}
@book{canton2018, author = {Canton, R. and Dominey, J.}, title = {Probation}, edition = {2nd},
  publisher = {Routledge}, address = {Abingdon}, year = {2018}}
@incollection{cracknell2020b, author = {Cracknell, M. and Trebilcock, J.}, title = {A failed experiment},
  editor = {Birch, P. and Sicard, L.}, booktitle = {Prisons}, publisher = {Routledge}, address = {Abingdon},
  pages = {246--259}, year = {2020}}
@misc{moj2014b, author = {{Ministry of Justice}}, title = {New Law Will See Support Extended},
  howpublished = {London: Ministry of Justice}, year = {2014b}, url = {https://www.gov.uk/x}, urldate = {2021-08-05}}
@misc{moj2014a, author = {{Ministry of Justice}}, title = {Charities in Front Seat}, year = {2014a},
  url = {javascript:alert(1)}}
@techreport{hoc2021, author = {{House of Commons Justice Committee}}, title = {The Future of the Probation Service},
  type = {Eighteenth Report of Session 2019--21}, number = {HC 285}, institution = {House of Commons},
  address = {London}, year = {2021}}
@article{cracknell2018, author = {Cracknell, Matthew}, title = {Post-release reforms}, journal = {PJ}, year = {2018}}
"""


def _formatted() -> dict[str, str]:
    style = harvard.SageHarvardStyle()
    entries = pybtex.database.parse_string(ENTRIES, "bibtex").entries
    return {e.key: style.format_entry("", e).text.render_as("text") for e in style.sort(entries.values())}


def test_each_kind_of_work_prints_as_sage_harvard():
    out = _formatted()
    assert out["aebi2015"] == (
        "Aebi MF, Delgrande N and Marguet Y (2015) Have community sanctions and measures widened the net? "
        "Punishment and Society 17(5): 575\u2013597."
    )
    assert out["canton2018"] == "Canton R and Dominey J (2018) Probation. 2nd edition. Abingdon: Routledge."
    assert out["cracknell2020b"] == (
        "Cracknell M and Trebilcock J (2020) A failed experiment. In: Birch P and Sicard L (eds) Prisons. "
        "Abingdon: Routledge, pp. 246\u2013259."
    )
    assert out["moj2014b"] == (
        "Ministry of Justice (2014b) New Law Will See Support Extended. London: Ministry of Justice. "
        "Available at: https://www.gov.uk/x (accessed 5 August 2021)."
    )
    assert out["hoc2021"] == (
        "House of Commons Justice Committee (2021) The Future of the Probation Service. "
        "Eighteenth Report of Session 2019\u201321 HC 285. London: House of Commons."
    )


def test_nothing_internal_and_no_address_but_http():
    out = _formatted()
    assert "aebi.txt" not in out["aebi2015"] and "Plain-text" not in out["aebi2015"]
    assert "javascript" not in out["moj2014a"] and "Available at" not in out["moj2014a"]
    assert not any(key in text for text in out.values() for key in out)


def test_sorted_by_author_corporate_authors_in_place_then_year_and_letter():
    assert list(_formatted()) == [
        "aebi2015",
        "canton2018",
        "cracknell2018",
        "cracknell2020b",
        "hoc2021",
        "moj2014a",
        "moj2014b",
    ]


def test_the_style_is_registered_and_chosen_and_the_release_formats_whole():
    assert pybtex.plugin.find_plugin("pybtex.style.formatting", harvard.STYLE_NAME) is harvard.SageHarvardStyle
    config = yaml.safe_load((paths.ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert config["sphinx"]["config"]["bibtex_default_style"] == harvard.STYLE_NAME
    entries = pybtex.database.parse_string(load_release().text("references"), "bibtex").entries
    citations.disambiguate_years(entries)
    style = harvard.SageHarvardStyle()
    texts = [style.format_entry("", e).text.render_as("text") for e in style.sort(entries.values())]
    assert len(texts) == len(entries)
    for text in texts:
        assert "(" in text and ".txt" not in text and ".md" not in text and "Cited from" not in text
        assert "((" not in text
