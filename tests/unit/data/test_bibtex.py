"""The one BibTeX reader (pybtex): entries in order, errors as BibtexError, surnames as printed."""

import pytest

from analysis.data.bibtex import BibtexError, entry_text, read_bibtex, surnames, unbraced

BIB = """@article{b2001,
  author = {de Vries, J. and {Ministry of Justice}},
  year   = {2001}
}

@book{a2000,  author = {Solo, A.}, year = {2000}}
"""


def test_entries_keep_file_order_and_fields():
    entries = read_bibtex(BIB)
    assert list(entries) == ["b2001", "a2000"]
    assert entries["a2000"].fields["year"] == "2000"


def test_surnames_keep_particles_and_corporate_authors_whole():
    assert surnames(read_bibtex(BIB)["b2001"]) == ["de Vries", "Ministry of Justice"]
    assert surnames(read_bibtex(BIB)["a2000"], role="editor") == []


def test_entry_text_ignores_layout():
    relaid = BIB.replace(
        "@book{a2000,  author = {Solo, A.}, year = {2000}}", "@book{a2000,\n    author={Solo, A.},\n    year={2000}\n}"
    )
    assert relaid != BIB
    assert entry_text("a2000", read_bibtex(relaid)["a2000"]) == entry_text("a2000", read_bibtex(BIB)["a2000"])


def test_unreadable_bibtex_is_a_bibtex_error():
    with pytest.raises(BibtexError):
        read_bibtex("@article{broken, author = {unclosed")


def test_unbraced_drops_protective_braces():
    assert unbraced(" {{HM} Inspectorate} ") == "HM Inspectorate"
