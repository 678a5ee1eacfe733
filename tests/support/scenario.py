"""The issue's "silenced claim" scenario, on a draft in a scratch copy of data/ (issue 21, items 1 and 2).

A count changed (the 1,518 -> 1,581 kind of slip), its claim's check set to 'none' with a note,
the row's source phrase left as it was. Which row and which claim are found from the data.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from analysis.claims.row_sources import STATED


def rows(path: Path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def write_rows(path: Path, records: list[dict]) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(records)
    path.write_text(out.getvalue(), encoding="utf-8")


def checked_row(folder: Path) -> tuple[str, str, Path, int, str]:
    """(claim id, its table, the table's file, the row number (header = 1), the value column) of the
    first claim whose check reads one row of a table the row check covers and whose row is an exact count."""
    for claim in rows(folder / "claims.csv"):
        kind, _, spec = claim["check"].partition(":")
        table = spec.split("/")[0]
        if kind != "value" or table not in STATED:
            continue
        keys = dict(pair.split("=", 1) for pair in "/".join(spec.split("/")[1:-1]).split("&"))
        records = rows(folder / f"{table}.csv")
        for number, record in enumerate(records, start=2):
            if all(record.get(k) == v for k, v in keys.items()) and record.get("qualifier", "exact") == "exact":
                return claim["claim_id"], table, folder / f"{table}.csv", number, spec.split("/")[-1]
    raise AssertionError("no claim checks an exact row of a table with source phrases")


def change_value(path: Path, number: int, column: str) -> str:
    """Give row ``number`` a value its phrase does not state (the digits 1,518 -> 1,581 kind of slip)."""
    records = rows(path)
    old = records[number - 2][column]
    records[number - 2][column] = str(int(float(old)) + 63)
    write_rows(path, records)
    return old


def silence(folder: Path, claim_id: str) -> None:
    records = rows(folder / "claims.csv")
    for record in records:
        if record["claim_id"] == claim_id:
            record["check"], record["note"] = "none", "Not checked in this release."
    write_rows(folder / "claims.csv", records)
