"""How the book is cited and licensed: CITATION.cff, the licence files, the "How to cite" appendix.

``CITATION.cff`` is validated against the Citation File Format 1.2.0 JSON
schema vendored by check-jsonschema (nothing is fetched), and checked
against what the project itself says: the title in ``_config.yml``, the default
data release, the article's entry in the release's ``references.bib``.
"""

from __future__ import annotations

import ast
import copy
import json
import re
from importlib.resources import files

import jsonschema
import nbformat
import pytest
import yaml

from analysis import paths
from analysis.book import citation
from analysis.data.release import available_releases, fill_release_name, load_release

ROOT = paths.ROOT
SCHEMA_DIR = files("check_jsonschema.builtin_schemas.vendor")
CHAPTER = ROOT / "chapters" / "12_how_to_cite.ipynb"


def cff() -> dict:
    return yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))


def cff_errors(document: dict) -> list[str]:
    schema = json.loads((SCHEMA_DIR / "citation-file-format.json").read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return sorted(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(document))


def default_release() -> str:
    return (ROOT / "data" / "DEFAULT_RELEASE").read_text(encoding="utf-8").strip()


def article() -> citation.Article:
    return citation.article(load_release(default_release()).text("references"))


# --- CITATION.cff -------------------------------------------------------------------------


def test_the_schema_is_citation_file_format_1_2_0():
    schema = json.loads((SCHEMA_DIR / "citation-file-format.json").read_text(encoding="utf-8"))
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema"


def test_citation_cff_is_valid():
    document = cff()
    assert document["cff-version"] == "1.2.0"
    assert cff_errors(document) == []


@pytest.mark.parametrize("breakage", ["no authors", "a malformed DOI", "an unknown key", "a person as a string"])
def test_the_validation_rejects_a_broken_file(breakage):
    document = copy.deepcopy(cff())
    if breakage == "no authors":
        del document["authors"]
    elif breakage == "a malformed DOI":
        document["references"][0]["doi"] = "doi.org/not-a-doi"
    elif breakage == "an unknown key":
        document["editions"] = ["pdf"]
    else:
        document["authors"] = ["The Treadmill book team"]
    assert cff_errors(document) != []


def test_citation_cff_names_the_book_as_the_project_does():
    document, config = cff(), yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert document["title"] == citation.BOOK_TITLE == config["title"]
    assert document["authors"] == [{"name": citation.BOOK_AUTHOR}] and config["author"] == citation.BOOK_AUTHOR
    assert document["version"] == default_release()
    assert document["license"] == [citation.CODE_LICENCE, citation.CONTENT_LICENCE]
    assert document["type"] in ("software", "dataset")


def test_citation_cff_references_the_article_as_the_release_records_it():
    source = article()
    (reference,) = [r for r in cff()["references"] if r.get("doi") == source.doi]
    first, last = source.pages.split("\u2013")
    assert reference["type"] == "article"
    assert (reference["title"], reference["journal"]) == (source.title, source.journal)
    assert (str(reference["year"]), str(reference["volume"]), str(reference["issue"])) == (
        source.year,
        source.volume,
        source.number,
    )
    assert (str(reference["start"]), str(reference["end"])) == (first, last)
    surname, initials = source.authors[0].split(" ")
    assert reference["authors"][0]["family-names"] == surname
    assert reference["authors"][0]["given-names"].startswith(initials)


# --- licences -------------------------------------------------------------------------------


def test_every_release_declares_the_licence_the_notice_names():
    notice = " ".join((ROOT / "LICENSE-CC-BY-4.0.md").read_text(encoding="utf-8").split())
    for version in available_releases(ROOT / "data"):
        descriptor = json.loads((ROOT / "data" / version / "datapackage.json").read_text(encoding="utf-8"))
        assert [lic["name"] for lic in descriptor["licenses"]] == [citation.CONTENT_LICENCE], version
        assert citation.licence_titles(descriptor) in notice, version
    assert article().doi in notice and article().title in notice  # attribution to the article


def test_the_code_licence_is_mit_and_the_readme_says_what_each_covers():
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith(f"{citation.CODE_LICENCE} License")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "`LICENSE`" in readme and "`LICENSE-CC-BY-4.0.md`" in readme and "CITATION.cff" in readme
    created = citation.release_date(load_release(default_release()).descriptor)
    assert citation.book_reference(default_release(), created) in readme  # names the current version and year


# --- the references the appendix prints -------------------------------------------------------


def test_the_article_reference_is_made_from_its_bibtex_entry():
    bib = load_release(default_release()).text("references")
    entry = re.search(r"@article\{" + citation.ARTICLE_KEY + r",(.*?)\n\}", bib, re.S)[1]
    fields = dict(re.findall(r"(\w+)\s*=\s*\{(.*)\},?\n", entry + "\n"))
    reference = article().reference()
    for name in ("year", "journal", "volume", "doi"):
        assert fields[name] in reference, name
    assert f"{fields['volume']}({fields['number']}): {fields['pages'].replace('--', chr(0x2013))}" in reference
    assert re.sub(r"[{}]", "", fields["title"]) in reference
    assert reference.startswith(fields["author"].split(",")[0] + " ")


def test_a_release_date_is_read_from_created_or_said_to_be_missing():
    assert citation.release_date({"created": "2024-05-01T10:00:00Z"}) == "2024-05-01"
    assert citation.release_date({}) is None
    assert citation.release_date_phrase({"created": "2024-05-01"}).startswith("1 May 2024")
    assert citation.release_date_phrase({}).startswith("not recorded")
    assert citation.book_reference("9.9.9", "2024-05-01T10:00:00Z").startswith(f"{citation.BOOK_AUTHOR} (2024) ")
    assert f"{citation.BOOK_AUTHOR} (n.d.) " in citation.book_reference("9.9.9")
    assert "year    = {2024}" in citation.book_bibtex("9.9.9", article(), "2024-05-01")


@pytest.mark.parametrize(
    "config",
    [
        {"repository": {"url": "https://github.com/executablebooks/jupyter-book"}},  # Jupyter Book's default
        {"html": {"baseurl": "https://example.com/book/"}},
        {"repository": {"url": "https://github.com/<your-name>/treadmill"}},
        {"html": {"baseurl": "not an address"}},
    ],
)
def test_a_placeholder_address_is_refused(config):
    with pytest.raises(ValueError, match="_config.yml"):
        citation.book_address(config)


def test_the_address_is_the_site_else_the_repository_else_none():
    site, repo = "https://treadmill.example-press.org/book/", "https://github.com/treadmill-team/treadmill"
    assert citation.book_address({"html": {"baseurl": site}, "repository": {"url": repo}}) == site
    assert citation.book_address({"html": {"baseurl": ""}, "repository": {"url": repo}}) == repo
    assert citation.book_address({}) is None and citation.address_html(None) == ""
    assert f'<a href="{repo}">' in citation.address_html(repo)
    # The project's own configuration: the address the page will print (None when it names none).
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    named = (config.get("html") or {}).get("baseurl") or (config.get("repository") or {}).get("url") or None
    assert citation.book_address(config) == named


def glued(notebook) -> dict[str, str]:
    values = {}
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                values[name] = ast.literal_eval(output["data"]["application/papermill.record/text/plain"])
    return values


def test_the_how_to_cite_page_gives_the_release_the_book_and_the_article():
    notebook = nbformat.read(CHAPTER, as_version=4)
    release = load_release(default_release())
    values = {name: fill_release_name(value, release.version) for name, value in glued(notebook).items()}
    assert values["release_version"] == release.version  # as the page shows it
    assert values["release_date"] == citation.release_date_phrase(release.descriptor)
    assert values["data_licence"] == citation.licence_titles(release.descriptor)
    shown = fill_release_name(
        "".join(o["data"].get("text/html", "") for c in notebook.cells for o in c.get("outputs", []) if "data" in o),
        release.version,
    )
    assert f'href="{article().doi_url}"' in shown
    assert citation.book_reference(release.version, release.descriptor.get("created")) in shown
    assert "{{" + citation.BOOK_AUTHOR + "}}" in shown  # braced in BibTeX: one corporate author, not four names
