"""The discussion's policy measures and the codebook appendix (with its literature labels)."""

from __future__ import annotations

import pandas as pd

from analysis.book.quantities.coding import _theme_of
from analysis.book.quantities.references import author_label
from analysis.data.bibtex import read_bibtex


def measures_table(policy_measures: pd.DataFrame, codes: pd.DataFrame) -> pd.DataFrame:
    """The Target Operating Model measures for readers, with the theme each is read as addressing.

    The theme is the book's reading, not the article's; ``mapping_basis`` says what it rests on.
    """
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    rows = policy_measures.sort_values("measure_id")
    return pd.DataFrame(
        {
            "measure": [str(n) for n in rows["name"]],
            "what it does (our words)": [str(d) for d in rows["description"]],
            "findings theme it is read as addressing (the book's reading)": [
                str(names[t]) for t in rows["addresses_theme"]
            ],
        }
    ).astype("string")


def themes_without_measure(policy_measures: pd.DataFrame, codes: pd.DataFrame) -> list[str]:
    """Names of the themes (level 3) that no measure is read as addressing, in code order."""
    themes = codes[codes["level"] == 3].sort_values("code_id")
    addressed = set(policy_measures["addresses_theme"])
    return [str(n) for c, n in zip(themes["code_id"], themes["name"], strict=True) if c not in addressed]


def level_count(codes: pd.DataFrame, level: int) -> int:
    """How many codes the codebook has at one level (3 themes, 2 categories, 1 open codes)."""
    return int((codes["level"] == level).sum())


def literature_labels(bib_text: str) -> dict[str, str]:
    """Each BibTeX key as an author-year label, e.g. ``mcneill2018`` -> "McNeill (2018)".

    One author: surname; two: both surnames; more: first surname "et al.". A corporate author
    in double braces is kept whole.
    """
    entries = read_bibtex(bib_text).items()
    return {key: f"{author_label(entry)} ({entry.fields.get('year', 'n.d.')})" for key, entry in entries}


def codebook_table(codes: pd.DataFrame, theme_id: str, bib_text: str) -> pd.DataFrame:
    """One theme's categories, each followed by its open codes, with definitions and literature.

    ``literature`` is the author-year label of ``literature_key`` (empty where the code does not
    come from literature the article cites for it).
    """
    labels = literature_labels(bib_text)

    def literature(key) -> str:
        return "" if pd.isna(key) else labels.get(str(key), str(key))

    records = []
    categories = codes[(codes["level"] == 2) & (codes["parent_id"] == theme_id)].sort_values("code_id")
    for category in categories.itertuples():
        records.append(
            {
                "level": "category",
                "code": str(category.code_id),
                "name": str(category.name),
                "definition (our words)": str(category.definition),
                "literature": literature(category.literature_key),
            }
        )
        children = codes[(codes["level"] == 1) & (codes["parent_id"] == category.code_id)].sort_values("code_id")
        for child in children.itertuples():
            records.append(
                {
                    "level": "open code",
                    "code": str(child.code_id),
                    "name": str(child.name),
                    "definition (our words)": str(child.definition),
                    "literature": literature(child.literature_key),
                }
            )
    columns = ["level", "code", "name", "definition (our words)", "literature"]
    return pd.DataFrame.from_records(records, columns=columns).astype("string")


def cross_theme_codings(codes: pd.DataFrame, coding: pd.DataFrame, excerpts: pd.DataFrame) -> pd.DataFrame:
    """Codings whose open code sits under a theme other than the excerpt's own section."""
    themes = _theme_of(codes)
    names = dict(zip(codes["code_id"], codes["name"], strict=True))
    excerpt_theme = dict(zip(excerpts["excerpt_id"], excerpts["theme_id"], strict=True))
    records = [
        {
            "excerpt": str(e),
            "excerpt's theme": str(excerpt_theme[e]),
            "open code": f"{c} {names[c]}",
            "code's theme": str(themes[c]),
        }
        for e, c in zip(coding["excerpt_id"], coding["code_id"], strict=True)
        if themes[c] != excerpt_theme[e]
    ]
    columns = ["excerpt", "excerpt's theme", "open code", "code's theme"]
    table = pd.DataFrame.from_records(records, columns=columns)
    return table.sort_values(["excerpt", "open code"]).reset_index(drop=True).astype("string")


def literature_code_count(codes: pd.DataFrame) -> int:
    """Codes (any level) that name the literature they come from."""
    return int(codes["literature_key"].notna().sum())
