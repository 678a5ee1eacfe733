"""What a release must satisfy before it is frozen or published, beyond validating.

* every data row agrees with its own source phrase (:mod:`analysis.claims.row_sources`);
* no claim that was checked in the release it was made from is checked less now
  (:mod:`analysis.claims.silenced`), unless its changelog entry names the claim and says why;
* (at freeze) it has a changelog entry, and a README of its own, not its base's with a new title.

``make book`` refuses a release that breaks the first two (:func:`publishable_problems`), and
``registry freeze`` all of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from analysis import claims, paths
from analysis.claims.row_sources import row_problems
from analysis.claims.silenced import weakened
from analysis.data.errors import DataError
from analysis.data.release import load_release
from analysis.data.sources import SourceError
from analysis.releases.record import base_of

CHANGELOG = "CHANGELOG.md"
# A changelog sentence that names a weakened claim must say why in at least this many words.
_WHY_WORDS = 6


def changelog_entry(version: str, data_dir: Path = paths.DATA) -> str | None:
    """The section of ``data/CHANGELOG.md`` headed ``## <version>`` (its text; None if there is none)."""
    path = Path(data_dir) / CHANGELOG
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    match = re.search(rf"(?m)^## {re.escape(version)}(?![\d.])[^\n]*\n(.*?)(?=^## |\Z)", text, re.DOTALL)
    return match.group(1) if match else None


def _explained(claim_id: str, entry: str) -> bool:
    """Whether a sentence of the changelog entry names ``claim_id`` and says something about it."""
    for sentence in re.split(r"(?<=\.)\s+|\n", entry):
        if re.search(rf"\b{re.escape(claim_id)}\b", sentence):
            if len(re.findall(r"[A-Za-z]{2,}", sentence.replace(claim_id, ""))) >= _WHY_WORDS:
                return True
    return False


def silenced_problems(version: str, data_dir: Path = paths.DATA) -> list[str]:
    """Claims checked in the base release and checked less in ``version``, which the changelog does not explain."""
    data_dir = Path(data_dir)
    base = base_of(version, data_dir)
    if base is None or not (data_dir / base).is_dir():
        return []
    old, new = load_release(base, data_dir), load_release(version, data_dir)
    if "claims" not in old.resource_names:
        return []
    after = new.table("claims") if "claims" in new.resource_names else old.table("claims").iloc[0:0]
    entry = changelog_entry(version, data_dir) or ""
    return [
        f"claim {claim_id}: {how} since release {base}; if that is deliberate, say why in the "
        f"'## {version}' entry of {data_dir / CHANGELOG}, naming {claim_id}"
        for claim_id, how in sorted(weakened(old.table("claims"), after).items())
        if not _explained(claim_id, entry)
    ]


def publishable_problems(version: str, data_dir: Path = paths.DATA) -> list[str]:
    """Why release ``version`` must not be published: rows its sources contradict, claims silenced."""
    data_dir = Path(data_dir)
    try:
        release = load_release(version, data_dir)
        problems = row_problems(release, data_dir / "sources")
        problems += silenced_problems(version, data_dir)
    except (DataError, SourceError, claims.ClaimsError) as exc:
        return [f"data release {version}: {exc}"]
    return problems


def readme_problems(version: str, data_dir: Path = paths.DATA) -> list[str]:
    """A README that is still its base's (apart from the title line ``new`` rewrites) describes another release."""
    data_dir = Path(data_dir)
    readme = data_dir / version / "README.md"
    if not readme.is_file():
        return [f"{readme}: missing; describe release {version} in it"]
    base = base_of(version, data_dir)
    old = data_dir / str(base) / "README.md"
    body = readme.read_text(encoding="utf-8").partition("\n")[2]
    if base and old.is_file() and body.strip() == old.read_text(encoding="utf-8").partition("\n")[2].strip():
        return [f"{readme}: still describes release {base} (only its title was changed); say what {version} changes"]
    return []


def chore_problems(version: str, data_dir: Path = paths.DATA) -> list[str]:
    """What ``freeze`` requires besides valid data: a changelog entry and a README of the release's own."""
    problems = readme_problems(version, data_dir)
    entry = changelog_entry(version, data_dir)
    if entry is None or not entry.strip():
        problems.append(
            f"{Path(data_dir) / CHANGELOG}: no entry for release {version}; add a section '## {version}' "
            "saying what it changed and why"
        )
    return problems
