"""The register as the claims appendix shows it: tables, counts, the reading rules."""

from __future__ import annotations

import pandas as pd

from analysis.claims.evidence import CHECKS, NOT_CHECKABLE
from analysis.claims.vocabulary import (
    ABOUT_RELATIVE,
    ARTICLE,
    CATEGORIES,
    DISAGREE,
    JUST_UNDER_MARGIN,
    VERDICTS,
)
from analysis.words import parse_source


def short_source(source: str) -> str:
    """``article § Methods: "…"`` instead of the full file name."""
    cell = parse_source(source)
    name = {
        ARTICLE: "article",
        "webster-2022-on-the-treadmill-summary.txt": "summary",
        "README.md": "sources README",
    }.get(cell.file, cell.file)
    return str(cell._replace(file=name))


def register_table(register: pd.DataFrame) -> pd.DataFrame:
    """The register as readers see it."""
    return pd.DataFrame(
        {
            "claim": register["claim_id"],
            "statement": register["statement"],
            "source": register["source"].map(short_source),
            "check": register["kind"],
            "published": register["published"],
            "computed": register["computed"],
            "verdict": register["verdict"],
            "why": register["reason"],
        }
    )


def verdict_counts(register: pd.DataFrame) -> dict[str, int]:
    """Claims per verdict (every verdict present, zero if none) and the total."""
    counts = {v: int((register["verdict"] == v).sum()) for v in VERDICTS}
    counts["total"] = len(register)
    return counts


def category_of(kind: str) -> str:
    return "not checkable" if kind == NOT_CHECKABLE else CHECKS[kind].category


def summary_table(register: pd.DataFrame) -> pd.DataFrame:
    """Claims by kind of check and verdict, for the appendix."""
    frame = pd.DataFrame({"kind": register["kind"], "verdict": register["verdict"]})
    frame["category"] = frame["kind"].map(category_of)
    table = pd.crosstab([frame["category"], frame["kind"]], frame["verdict"])
    table = table.reindex(columns=list(VERDICTS), fill_value=0).reset_index()
    table.columns.name = None
    table["claims"] = table[list(VERDICTS)].sum(axis=1)
    order = table["category"].map({c: i for i, c in enumerate(CATEGORIES)})
    table = table.assign(_order=order).sort_values(["_order", "kind"], kind="stable")
    return table[["category", "kind", "claims", *VERDICTS]].reset_index(drop=True)


def failing(register: pd.DataFrame) -> pd.DataFrame:
    return register[register["verdict"] == "fails"]


def disagreeing(register: pd.DataFrame) -> pd.DataFrame:
    """Claims whose sources disagree (reported on the register page, never a failure)."""
    return register[register["verdict"] == DISAGREE]


def disagreeing_ids(register: pd.DataFrame) -> str:
    """The ids of the claims whose sources disagree, for prose ("none" if there are none)."""
    ids = list(disagreeing(register)["claim_id"])
    return ", ".join(ids) if ids else "none"


def reading_rules() -> dict[str, float]:
    """The allowances behind the qualifiers, in percent, for the appendix prose."""
    return {"about_pct": ABOUT_RELATIVE * 100, "just_under_pct": (1 - JUST_UNDER_MARGIN) * 100}


def computed_for(register: pd.DataFrame, kind: str) -> str:
    """The computed value of the first claim checked by ``kind``, without its working (for prose)."""
    rows = register[register["kind"] == kind]
    if rows.empty:
        raise KeyError(f"no claim in the register is checked by {kind!r}")
    return str(rows.iloc[0]["computed"]).split(" (", 1)[0]


def kinds_used(register: pd.DataFrame) -> int:
    """How many different check kinds the register uses (``none`` excluded)."""
    return int(register.loc[register["kind"] != NOT_CHECKABLE, "kind"].nunique())
