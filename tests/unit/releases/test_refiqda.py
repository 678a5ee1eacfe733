"""Tests of the REFI-QDA exports (analysis/refiqda.py) against our codebook XSD.

The schema is analysis/schemas/refi-qda-codebook.xsd, written from
analysis/schemas/refi-qda-codebook.md (REFI-QDA 1.5; the official XSD was not
reachable). The broken-document tests show the schema can reject a file, so
the validation test can fail.
"""

from __future__ import annotations

import io
import uuid
import zipfile

import pandas as pd
import pytest
from lxml import etree

from analysis import paths
from analysis.data.release import load_release
from analysis.releases import refiqda

XSD = paths.ANALYSIS / "schemas" / "refi-qda-codebook.xsd"
CB = "{urn:QDA-XML:codebook:1.0}"
PR = "{urn:QDA-XML:project:1.0}"


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def release():
    return load_release()  # the project's default release, read-only


@pytest.fixture(scope="module")
def codes(release) -> pd.DataFrame:
    return release.table("codes")


@pytest.fixture(scope="module")
def qdc(codes, release) -> bytes:
    return refiqda.codebook_qdc(codes, release.version)


def valid(schema: etree.XMLSchema, document: bytes) -> bool:
    return schema.validate(etree.fromstring(document))


def code_id(element) -> str:
    return element.get("name").split(" ", 1)[0]


def test_the_schema_names_its_source():
    header = XSD.read_text(encoding="utf-8")[:2000]
    assert "refi-qda-codebook.md beside this file" in header
    assert (XSD.parent / "refi-qda-codebook.md").is_file()  # the format facts travel with the schema
    assert "1.5" in header and "not reachable" in header


def test_the_codebook_export_validates_against_the_xsd(schema, qdc, release):
    document = etree.fromstring(qdc)
    assert schema.validate(document), schema.error_log
    assert document.tag == f"{CB}CodeBook"
    assert document.get("origin") == f"treadmill-book {release.version}"
    assert qdc.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (b"urn:QDA-XML:codebook:1.0", b"urn:QDA-XML:codebook:1:0"),  # the namespace slip one tool shipped
        (b'guid="', b'guid="X'),  # a GUID that is not 8-4-4-4-12 hex
        (b' isCodable="false"', b""),  # a Code without isCodable
        (b' isCodable="false"', b' isCodable="no"'),  # not a boolean
        (b'color="#', b'color="'),  # not an RGB colour
    ],
)
def test_the_xsd_rejects_a_broken_codebook(schema, qdc, old, new):
    assert old in qdc
    assert not valid(schema, qdc.replace(old, new, 1))


def test_the_xsd_accepts_braced_guids_and_sets_but_not_dangling_members(schema, qdc):
    first = etree.fromstring(qdc).find(f".//{CB}Code").get("guid")
    assert valid(schema, qdc.replace(first.encode(), b"{" + first.encode() + b"}"))
    member = (
        f'<Sets><Set guid="{uuid.uuid4()}" name="a set"><MemberCode guid="{first}"/></Set></Sets></CodeBook>'
    ).encode()
    with_set = qdc.replace(b"</CodeBook>", member)
    assert valid(schema, with_set)
    assert not valid(
        schema, with_set.replace(f'MemberCode guid="{first}"'.encode(), f'MemberCode guid="{uuid.uuid4()}"'.encode())
    )
    codes_twice = qdc.replace(b"</Codes>", b"</Codes><Codes/>")
    assert not valid(schema, codes_twice)


def test_nesting_mirrors_the_codes_table(qdc, codes):
    document = etree.fromstring(qdc)
    elements = document.findall(f".//{CB}Code")
    assert sorted(code_id(e) for e in elements) == sorted(codes["code_id"])
    table = codes.set_index("code_id")
    for element in elements:
        cid = code_id(element)
        parent = element.getparent()
        expected_parent = table.loc[cid, "parent_id"]
        if pd.isna(expected_parent):
            assert parent.tag == f"{CB}Codes"
        else:
            assert code_id(parent) == expected_parent
        assert element.get("isCodable") == ("true" if table.loc[cid, "level"] == 1 else "false")
        assert element.findtext(f"{CB}Description") == table.loc[cid, "definition"]
        assert element.get("name") == f"{cid} {table.loc[cid, 'name']}"
    top = [code_id(e) for e in document.find(f"{CB}Codes")]
    assert top == list(codes.loc[codes["level"] == 3, "code_id"])  # themes, in table order


def test_guids_are_unique_version_5_and_stable(qdc, codes, release):
    guids = {code_id(e): e.get("guid") for e in etree.fromstring(qdc).iter(f"{CB}Code")}
    assert len(set(guids.values())) == len(guids)
    assert all(g == g.upper() and uuid.UUID(g).version == 5 for g in guids.values())
    assert refiqda.codebook_qdc(codes, release.version) == qdc  # same data, same bytes
    shuffled = codes.iloc[::-1].reset_index(drop=True)
    again = {code_id(e): e.get("guid") for e in etree.fromstring(refiqda.codebook_qdc(shuffled, "x")).iter(f"{CB}Code")}
    assert again == guids  # a GUID depends on the code's place in the hierarchy, not on row order
    moved = codes.copy()
    open_code = moved.index[moved["level"] == 1][0]
    other_category = moved.loc[
        (moved["level"] == 2) & (moved["code_id"] != moved.loc[open_code, "parent_id"]), "code_id"
    ]
    moved.loc[open_code, "parent_id"] = other_category.iloc[0]
    elsewhere = {
        code_id(e): e.get("guid") for e in etree.fromstring(refiqda.codebook_qdc(moved, "x")).iter(f"{CB}Code")
    }
    assert elsewhere[moved.loc[open_code, "code_id"]] != guids[moved.loc[open_code, "code_id"]]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [("parent_id", "K99", "not in the codebook"), ("level", 2, "not at level 3")],
)
def test_a_broken_hierarchy_is_refused(codes, column, value, message):
    broken = codes.copy()
    row = broken.index[broken["level"] == 1][0]
    broken[column] = broken[column].astype(object)
    broken.loc[row, column] = value
    with pytest.raises(refiqda.CodebookError, match=message):
        refiqda.codebook_qdc(broken, "x")


def test_the_project_export_codes_every_coding_row(release, codes):
    archive = zipfile.ZipFile(io.BytesIO(refiqda.project_qdpx(release)))
    project = etree.fromstring(archive.read("project.qde"))
    assert project.tag == f"{PR}Project" and project.get("name")
    codable = {e.get("guid"): code_id(e) for e in project.iter(f"{PR}Code") if e.get("isCodable") == "true"}
    assert sorted(codable.values()) == sorted(codes.loc[codes["level"] == 1, "code_id"])
    excerpts = release.table("excerpts").set_index("excerpt_id")
    coded = []
    for source in project.iter(f"{PR}TextSource"):
        text = archive.read("sources/" + source.get("plainTextPath").removeprefix("internal://")).decode("utf-8")
        excerpt_id = source.get("name").split(" ", 1)[0]
        assert text == excerpts.loc[excerpt_id, "text"]
        for selection in source.iter(f"{PR}PlainTextSelection"):
            start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
            assert 0 <= start < end <= len(text)
            target = selection.find(f"{PR}Coding/{PR}CodeRef").get("targetGUID")
            coded.append((excerpt_id, codable[target]))
    coding = release.table("coding")
    assert sorted(coded) == sorted(zip(coding["excerpt_id"], coding["code_id"], strict=True))
    assert refiqda.project_qdpx(release) == refiqda.project_qdpx(release)  # deterministic bytes


def test_a_selection_is_the_linking_phrase_when_the_excerpt_contains_it():
    text = "one two three four"
    assert refiqda._span(text, "two three") == (4, 13)
    assert refiqda._span(text, "not there") == (0, len(text))
    assert refiqda._phrase('file § Findings: "two three"') == "two three"
