"""The interview sample and the excerpts: counts by role, attribute and theme."""

from __future__ import annotations

import pandas as pd


def sample_count(sample: pd.DataFrame, dimension: str, category: str) -> int:
    """The count of one category of one sample dimension (e.g. role, Probation officer)."""
    rows = sample[(sample["dimension"] == dimension) & (sample["category"] == category)]
    if len(rows) != 1:
        raise KeyError(f"sample has no row ({dimension!r}, {category!r})")
    return int(rows.iloc[0]["count"])


def sample_total(sample: pd.DataFrame, dimension: str) -> int:
    """The sum of the counts of one dimension (a marginal total over the participants)."""
    rows = sample[sample["dimension"] == dimension]
    if rows.empty:
        raise KeyError(f"sample has no dimension {dimension!r}")
    return int(rows["count"].sum())


def excerpt_ids(excerpts: pd.DataFrame, theme_id: str | None = None) -> list[str]:
    """Excerpt ids in article order, optionally only those of one theme."""
    rows = excerpts if theme_id is None else excerpts[excerpts["theme_id"] == theme_id]
    return [str(e) for e in rows.sort_values("position")["excerpt_id"]]


def excerpt_count(excerpts: pd.DataFrame, theme_id: str | None = None) -> int:
    """How many interview excerpts the article prints (in one theme, or in all)."""
    return len(excerpt_ids(excerpts, theme_id))


def excerpt_count_by_role(excerpts: pd.DataFrame, speaker_role: str) -> int:
    """How many excerpts the article attributes to one published speaker role."""
    return int((excerpts["speaker_role"] == speaker_role).sum())


def excerpt_attribute_count(excerpts: pd.DataFrame, column: str, value: str | None = None) -> int:
    """Excerpts whose ``column`` (e.g. gender, experience) is stated, or equals ``value``."""
    stated = excerpts[column].notna()
    if value is None:
        return int(stated.sum())
    return int((stated & (excerpts[column] == value)).sum())


# The sample's role groups for each speaker role printed after an excerpt. The two manager
# roles are an ASSUMPTION of this book: the article says two interviewees had middle
# management responsibilities for the CRC, and quotes a "CRC business manager" and a
# "CRC partnership manager", but never says that these are those two people.
SPEAKER_ROLE_GROUPS = {
    "Probation officer": "Probation officer",
    "Probation service officer": "Probation service officer",
    "CRC business manager": "Middle manager",
    "CRC partnership manager": "Middle manager",
}
ASSUMED_ROLE_GROUPS = frozenset({"CRC business manager", "CRC partnership manager"})


def role_group(speaker_role: str) -> str:
    """The sample role group of a published speaker role (see ``SPEAKER_ROLE_GROUPS``)."""
    if speaker_role not in SPEAKER_ROLE_GROUPS:
        raise KeyError(f"no sample role group for speaker role {speaker_role!r}")
    return SPEAKER_ROLE_GROUPS[speaker_role]


def quoted_vs_interviewed_counts(sample: pd.DataFrame, excerpts: pd.DataFrame) -> pd.DataFrame:
    """Per sample role group: participants interviewed and excerpts quoted.

    Columns ``role_group``, ``interviewed``, ``excerpts_quoted`` and ``assumed`` (True where
    the group's excerpts rest on the manager-role assumption), in the sample's role order.
    Excerpts are not people: several excerpts may come from one participant.
    """
    roles = sample[sample["dimension"] == "role"]
    groups = excerpts["speaker_role"].map(role_group)
    unknown = set(groups) - set(roles["category"])
    if unknown:
        raise KeyError(f"speaker roles map to groups missing from the sample: {sorted(unknown)}")
    assumed = {role_group(r) for r in ASSUMED_ROLE_GROUPS if r in set(excerpts["speaker_role"])}
    return pd.DataFrame(
        {
            "role_group": [str(c) for c in roles["category"]],
            "interviewed": [int(n) for n in roles["count"]],
            "excerpts_quoted": [int((groups == c).sum()) for c in roles["category"]],
            "assumed": [str(c) in assumed for c in roles["category"]],
        }
    )


def roles_not_quoted(sample: pd.DataFrame, excerpts: pd.DataFrame) -> list[str]:
    """Sample role groups from which the article quotes no excerpt."""
    table = quoted_vs_interviewed_counts(sample, excerpts)
    return list(table.loc[table["excerpts_quoted"] == 0, "role_group"])
