"""The codebook's codes and their coding of excerpts, by theme and role."""

from __future__ import annotations

import pandas as pd


def _theme_of(codes: pd.DataFrame) -> dict[str, str]:
    """Each code's theme (level 3 ancestor)."""
    parent = dict(zip(codes["code_id"], codes["parent_id"], strict=True))
    themes = {}
    for code in parent:
        node = code
        while not pd.isna(parent.get(node)):
            node = parent[node]
        themes[code] = node
    return themes


def open_codes(codes: pd.DataFrame, theme_id: str | None = None) -> pd.DataFrame:
    """Open codes (level 1) with their category, optionally only those under one theme."""
    themes = _theme_of(codes)
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    rows = codes[codes["level"] == 1].copy()
    rows["category_id"] = rows["parent_id"].astype("string")
    rows["category_name"] = rows["category_id"].map(names).astype("string")
    rows["theme_id"] = rows["code_id"].map(themes).astype("string")
    if theme_id is not None:
        rows = rows[rows["theme_id"] == theme_id]
    return rows.sort_values(["category_id", "code_id"]).reset_index(drop=True)


def open_code_count(codes: pd.DataFrame, theme_id: str | None = None) -> int:
    """How many open codes the reconstructed codebook has (under one theme, or in all)."""
    return len(open_codes(codes, theme_id))


def category_count(codes: pd.DataFrame, theme_id: str | None = None) -> int:
    """How many categories (level 2) sit under one theme (or in the codebook)."""
    rows = codes[codes["level"] == 2]
    if theme_id is not None:
        rows = rows[rows["parent_id"] == theme_id]
    return len(rows)


def theme_code_counts(codes: pd.DataFrame, coding: pd.DataFrame, theme_id: str) -> pd.DataFrame:
    """Codings per open code of one theme, whichever theme the coded excerpt is in.

    Columns ``code_id``, ``code_name``, ``category_id``, ``category_name``, ``codings`` and
    ``excerpts`` (the coded excerpt ids, comma separated), by category then code.
    """
    table = open_codes(codes, theme_id)
    coded = coding.groupby("code_id")["excerpt_id"].agg(lambda ids: ", ".join(sorted(str(i) for i in ids)))
    counts = coding.groupby("code_id").size()
    return pd.DataFrame(
        {
            "code_id": [str(c) for c in table["code_id"]],
            "code_name": [str(n) for n in table["name"]],
            "category_id": [str(c) for c in table["category_id"]],
            "category_name": [str(n) for n in table["category_name"]],
            "codings": [int(counts.get(c, 0)) for c in table["code_id"]],
            "excerpts": [str(coded.get(c, "")) for c in table["code_id"]],
        }
    )


def theme_code_table(codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame, theme_id: str) -> pd.DataFrame:
    """A theme's open codes for readers: name, category, times applied, and whose excerpts (by published role).

    The same counts as :func:`theme_code_counts`, without the codebook's identifiers (those are for the
    appendices); each coded excerpt is named by the role the article prints after it.
    """
    counts = theme_code_counts(codes, coding, theme_id)
    role_of = dict(zip(excerpts["excerpt_id"], excerpts["speaker_role"], strict=True))
    speakers = []
    for ids in counts["excerpts"]:
        roles = [role_of[i.strip()] for i in ids.split(",") if i.strip()]
        tally = {r: roles.count(r) for r in dict.fromkeys(roles)}
        speakers.append("; ".join(f"{r} ({n})" if n > 1 else r for r, n in tally.items()))
    return pd.DataFrame(
        {
            "open code": list(counts["code_name"]),
            "category": list(counts["category_name"]),
            "times applied": list(counts["codings"]),
            "in excerpts from": speakers,
        }
    )


def coding_count(codes: pd.DataFrame, coding: pd.DataFrame, theme_id: str | None = None) -> int:
    """How many codings use the open codes of one theme (or any open code)."""
    wanted = set(open_codes(codes, theme_id)["code_id"])
    return int(coding["code_id"].isin(wanted).sum())


def cross_theme_coding_count(codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame, theme_id: str) -> int:
    """Codings with a code of ``theme_id`` applied to an excerpt printed under another theme."""
    wanted = set(open_codes(codes, theme_id)["code_id"])
    excerpt_theme = dict(zip(excerpts["excerpt_id"], excerpts["theme_id"], strict=True))
    rows = coding[coding["code_id"].isin(wanted)]
    return int(sum(excerpt_theme[e] != theme_id for e in rows["excerpt_id"]))


def codes_by_role_counts(
    codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame, theme_id: str | None = None
) -> pd.DataFrame:
    """Codings per (published speaker role, category), zeros included.

    Columns ``speaker_role``, ``theme_id``, ``category_id``, ``category_name``, ``codings``;
    roles in the order they first speak in the article, categories in codebook order.
    A category counts under ``theme_id`` when its codes belong to that theme.
    """
    table = open_codes(codes, theme_id)
    category_of = dict(zip(table["code_id"], table["category_id"], strict=True))
    role_of = dict(zip(excerpts["excerpt_id"], excerpts["speaker_role"], strict=True))
    rows = coding[coding["code_id"].isin(category_of)]
    pairs = pd.Series(list(zip(rows["excerpt_id"].map(role_of), rows["code_id"].map(category_of), strict=True)))
    counts = pairs.value_counts()
    roles = list(dict.fromkeys(str(r) for r in excerpts.sort_values("position")["speaker_role"]))
    categories = table.drop_duplicates("category_id")
    records = [
        {
            "speaker_role": role,
            "theme_id": str(cat["theme_id"]),
            "category_id": str(cat["category_id"]),
            "category_name": str(cat["category_name"]),
            "codings": int(counts.get((role, cat["category_id"]), 0)),
        }
        for role in roles
        for _, cat in categories.iterrows()
    ]
    return pd.DataFrame.from_records(
        records, columns=["speaker_role", "theme_id", "category_id", "category_name", "codings"]
    )
