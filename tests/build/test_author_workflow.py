"""Item by item, what an author meets when updating the data (issue 11, item 7).

Each test works on a scratch copy of the project's data folder (the frozen
releases, the registry and the source documents) and checks that a mistake
stops the command with a message that says what and where, instead of being
published or frozen.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.chores import draft_of_default, quiet
from support.scratch import run_tool

from analysis import claims, paths
from analysis.data.errors import DataError
from analysis.data.release import load_release
from analysis.releases import registry as rel
from analysis.releases.registry import ReleaseError


@pytest.fixture
def draft(tmp_path) -> Path:
    """data/ copied to tmp, with a draft 1.2.0 made from the frozen default release."""
    return draft_of_default(tmp_path / "data", "9.0.0")


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@dataclass
class CountClaim:
    """A claim that checks one count of the release's recruitment table, and that count's CSV row."""

    claim_id: str
    row_start: str  # the row's first cells, up to and including the count: "<period>,<kind>,<count>,"
    count: int
    unit: str

    def edited(self, count: int) -> str:
        return self.row_start.rsplit(",", 2)[0] + f",{count},"

    def failure(self, count: int) -> str:
        """What the claims register says when the count is ``count`` and the claim still states the old one."""
        return f"{self.claim_id}: published {self.count:,} {self.unit}, computed {count:,} {self.unit}"


def count_claim(data_dir: Path, version: str) -> CountClaim:
    """The first exact claim on a recruitment count, read from the release (no value of today's data typed here)."""
    release = load_release(version, data_dir)
    recruitment = release.table("recruitment")
    for _, claim in release.table("claims").iterrows():
        match = re.fullmatch(r"value:recruitment/period=([^&]+)&kind=(\w+)/count", str(claim["check"]))
        if match and claim["qualifier"] == "exact":
            period, kind = match.groups()
            rows = recruitment[(recruitment["period"] == period) & (recruitment["kind"] == kind)]
            count = int(rows["count"].iloc[0])
            return CountClaim(str(claim["claim_id"]), f"{period},{kind},{count},", count, str(claim["unit"]))
    raise AssertionError(f"release {version} has no exact claim on a recruitment count")


def test_the_default_release_is_frozen():
    assert paths.default_release() in rel.read_registry(paths.DATA)["frozen"]


def test_a_changed_count_fails_its_claim_and_freeze_refuses_the_release(draft):
    claim = count_claim(draft, "9.0.0")
    replace_in(draft / "9.0.0" / "recruitment.csv", claim.row_start, claim.edited(claim.count + 1))
    rel.rehash_release("9.0.0", draft, echo=quiet)
    with pytest.raises(claims.ClaimsFailed, match=re.escape(claim.failure(claim.count + 1))):
        claims.verified_register(load_release("9.0.0", draft), draft / "sources")
    with pytest.raises(ReleaseError, match=rf"(?s)cannot be frozen.*{claim.claim_id}"):
        rel.freeze_release("9.0.0", draft, echo=quiet)
    assert "9.0.0" not in rel.read_registry(draft)["frozen"]


def test_a_typo_in_a_source_phrase_fails_the_phrase_check_and_freeze(draft):
    folder = draft / "9.0.0"
    replace_in(folder / "recruitment.csv", "we recruited a record 1,007 trainee", "we recruited a recrod 1,007 trainee")
    rel.rehash_release("9.0.0", draft, echo=quiet)
    with pytest.raises(claims.ClaimsFailed, match=r"C089: .*recrod"):
        claims.verified_register(load_release("9.0.0", draft), draft / "sources")
    with pytest.raises(ReleaseError, match=r"(?s)cannot be frozen.*C089"):
        rel.freeze_release("9.0.0", draft, echo=quiet)


def test_a_reference_key_missing_from_the_bibliography_is_caught_by_the_loader(draft):
    folder = draft / "9.0.0"
    # The first data row (row 2) cites malthouse2022; rename its key to one the bibliography lacks.
    text = (folder / "recruitment.csv").read_text(encoding="utf-8")
    (folder / "recruitment.csv").write_text(text.replace(",malthouse2022,", ",malthouse2099,", 1), encoding="utf-8")
    rel.rehash_release("9.0.0", draft, echo=quiet)
    with pytest.raises(
        DataError,
        match=r"file recruitment\.csv, row 2 .*column reference_key: unknown reference.*"
        r"malthouse2099",
    ):
        load_release("9.0.0", draft).table("recruitment")


def test_a_new_draft_carries_its_own_version_in_what_ships(draft):
    folder = draft / "9.0.0"
    assert (folder / "README.md").read_text(encoding="utf-8").startswith("# Data release 9.0.0")
    assert rel.stale_titles("9.0.0", draft) == []
    descriptor = load_release("9.0.0", draft).descriptor
    assert descriptor["description"].startswith("Data release 9.0.0")


def test_an_altered_source_document_stops_the_claims_with_its_name(draft):
    from analysis.data.sources import SourceError

    replace_in(draft / "sources" / "external-figures.md", "1,518 people", "1,581 people")
    with pytest.raises(SourceError, match=r"external-figures\.md: altered; expected sha256"):
        claims.evaluate(load_release("9.0.0", draft), draft / "sources")


def test_a_missing_source_document_stops_the_claims_with_its_name(draft):
    from analysis.data.sources import SourceError

    (draft / "sources" / "webster-2022-on-the-treadmill-summary.txt").unlink()
    with pytest.raises(SourceError, match=r"webster-2022-on-the-treadmill-summary\.txt: missing"):
        claims.evaluate(load_release("9.0.0", draft), draft / "sources")


def test_a_claim_that_does_not_hold_fails_the_build_naming_it(draft, tmp_path):
    """`make book DATA_VERSION=9.0.0` on a draft whose count no longer matches its claim."""
    root = draft.parent
    claim = count_claim(draft, "9.0.0")
    replace_in(draft / "9.0.0" / "recruitment.csv", claim.row_start, claim.edited(claim.count + 1))
    rel.rehash_release("9.0.0", draft, echo=quiet)
    (root / "chapters").mkdir()
    claims_chapter = next(paths.CHAPTERS.glob("*_claims.md"))  # the chapter's text: the build makes its record
    shutil.copy(claims_chapter, root / "chapters" / claims_chapter.name)
    shutil.copy(paths.REQUIREMENTS, root / "requirements.txt")
    result = run_tool(root, "analysis.build", "--data-version", "9.0.0", "--no-html", timeout=600)
    assert result.returncode != 0
    assert f"data release 9.0.0, chapter {claims_chapter.stem}: failed in cell" in result.stderr
    assert "ClaimsFailed" in result.stderr and claim.failure(claim.count + 1) in result.stderr
