"""Supervision cohorts and appointment models: sizes, shares and bounds."""

from __future__ import annotations

import pandas as pd

from analysis.book.quantities.reported import figure_value, qualifier_words, row_by_id
from analysis.book.quantities.words import _UNIT_WORDS, _plain_number, number_text


def cohort_count(cohorts: pd.DataFrame) -> int:
    """How many cohorts the case study CRC's model has."""
    return len(cohorts)


def unreported_cohort_count(cohorts: pd.DataFrame) -> int:
    """Cohorts whose size the article does not report."""
    return int((~cohorts["size_reported"].astype("boolean").fillna(False)).sum())


def cohort_size_phrase(cohorts: pd.DataFrame, cohort_id: str) -> str:
    """A reported cohort size in words, e.g. "about 70% of all service users"."""
    rows = cohorts[cohorts["cohort_id"] == cohort_id]
    if len(rows) != 1:
        raise KeyError(f"cohort {cohort_id!r} is not in the cohorts table")
    row = rows.iloc[0]
    if not bool(row["size_reported"]) or pd.isna(row["size_value"]):
        return "not reported"
    unit = "people" if row["size_unit"] == "people" else "percent"
    number = number_text(row["size_value"])
    if unit == "percent":
        text = f"{number}% of all service users"
    else:
        text = f"{number} {_UNIT_WORDS['people'][0 if _plain_number(row['size_value']) == 1 else 1]}"
    words = "" if pd.isna(row["size_qualifier"]) else qualifier_words(str(row["size_qualifier"]), unit)
    return f"{words} {text}".strip()


def share_upper_bound_pct(figures: pd.DataFrame, part_id: str, whole_id: str) -> float:
    """Percentage ``part`` makes of ``whole`` when ``part`` is an upper bound ("less than 90").

    A derived bound, not a reported figure: the share is below this value if the two figures
    describe the same population. When ``whole`` is itself approximate, so is the bound.
    """
    part, whole = row_by_id(figures, part_id), row_by_id(figures, whole_id)
    if str(part["qualifier"]) not in ("less than", "just under", "exact"):
        raise ValueError(f"figure {part_id!r} is not bounded above (qualifier {part['qualifier']!r})")
    if str(part["unit"]) != str(whole["unit"]):
        raise ValueError(f"figures {part_id!r} and {whole_id!r} have different units")
    return 100 * float(part["value"]) / float(whole["value"])


def appointment_minutes(appointment_models: pd.DataFrame, model_id: str) -> int:
    """Minutes of one appointment model."""
    rows = appointment_models[appointment_models["model_id"] == model_id]
    if len(rows) != 1:
        raise KeyError(f"appointment model {model_id!r} is not in the table")
    return int(rows.iloc[0]["minutes"])


def appointments_per(appointment_models: pd.DataFrame, long_id: str, short_id: str) -> int:
    """How many whole ``short_id`` appointments fit in one ``long_id`` appointment (our arithmetic)."""
    return appointment_minutes(appointment_models, long_id) // appointment_minutes(appointment_models, short_id)


def cohort_shares(
    cohorts: pd.DataFrame, figures: pd.DataFrame, caseload_id: str = "caseload_case_study"
) -> pd.DataFrame:
    """Each cohort's reported size as a share of the area's caseload, where one can be given.

    Columns ``cohort_id``, ``label`` (name with age range), ``size_text`` (the reported size in
    words, or "not reported"), ``share_pct`` and ``share_kind``:

    * a size reported as a percentage is used as published (``reported estimate``);
    * a size reported in people with an upper bound ("less than 90") becomes a
      ``derived upper bound`` on the share: value / caseload. This assumes that the size
      and the caseload count the same population, and inherits the caseload's "about";
    * a size that is not reported stays missing (``not reported``): nothing is estimated.
    """
    caseload = figure_value(figures, caseload_id)
    records = []
    for _, row in cohorts.sort_values("position").iterrows():
        label = str(row["name"]) if pd.isna(row["age_range"]) else f"{row['name']} ({row['age_range']})"
        share: float | pd.api.typing.NAType
        share, kind = pd.NA, "not reported"
        if bool(row["size_reported"]) and not pd.isna(row["size_value"]):
            if str(row["size_unit"]).startswith("percent"):
                share, kind = float(row["size_value"]), "reported estimate"
            elif str(row["size_qualifier"]) in ("less than", "just under"):
                share, kind = 100 * float(row["size_value"]) / caseload, "derived upper bound"
            else:
                raise ValueError(f"cohort {row['cohort_id']!r}: no rule for a size in {row['size_unit']!r}")
        records.append(
            {
                "cohort_id": str(row["cohort_id"]),
                "label": label,
                "size_text": cohort_size_phrase(cohorts, str(row["cohort_id"])),
                "share_pct": share,
                "share_kind": kind,
            }
        )
    table = pd.DataFrame.from_records(records)
    table["share_pct"] = table["share_pct"].astype("Float64")
    return table
