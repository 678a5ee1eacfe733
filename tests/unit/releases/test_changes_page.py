"""The "What changed" page tells the truth about itself: no code paths, a draft named a draft,
and a release's own name not counted as a changed number (issue 20, item 5)."""

from __future__ import annotations

import re

from analysis.releases import changes_page
from analysis.releases.diff import ReleaseDiff, ValueChange


def _diff(old: str = "2.0.0", new: str = "2.1.0") -> ReleaseDiff:
    glued = [
        ValueChange("07_later", "note", f"not in data release {old} (added in {new})", f"in data release {new}"),
        ValueChange("00_intro", "label", f"data release {old}", f"data release {new}"),  # only the name
        ValueChange("00_intro", "count", "12", "13"),
    ]
    return ReleaseDiff(old=old, new=new, glued=glued, claims=[])


def test_the_page_names_no_code_path():
    page = changes_page.render_markdown(_diff())
    assert re.search(r"`?analysis/|\.py\b", page) is None


def test_a_draft_is_named_a_draft_and_a_frozen_release_is_not():
    frozen = changes_page.render_markdown(_diff())
    draft = changes_page.render_markdown(_diff(), draft=True)
    assert "draft" not in frozen.lower() and "not for citation" not in frozen
    assert "**draft** release" in draft and "not for citation" in draft


def test_a_value_that_differs_only_by_the_release_name_is_not_counted():
    page = changes_page.render_markdown(_diff())
    assert "Glued numbers whose value differs: 2." in page
    assert "differ only by naming their own release (not counted): 1." in page
    section = page[page.index("## Glued numbers") :]
    assert "`label`" not in section and "`count`" in section and "`note`" in section
    assert changes_page.only_the_name(ValueChange("a", "b", "release 2.0.0", "release 2.1.0"), "2.0.0", "2.1.0")
    assert not changes_page.only_the_name(
        ValueChange("a", "b", "release 2.0.0: 4", "release 2.1.0: 5"), "2.0.0", "2.1.0"
    )
    assert not changes_page.only_the_name(ValueChange("a", "b", None, "release 2.1.0"), "2.0.0", "2.1.0")
