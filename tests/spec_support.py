"""Helpers for reading Vega-Lite specs in the figure tests (shared by both figure test files)."""

from __future__ import annotations

import re

HEX = re.compile(r"^#[0-9a-fA-F]{3}(?:[0-9a-fA-F]{3})?$")
COLOUR_KEYS = {"color", "fill", "stroke"}


def walk(node):
    """Every dict in a nested spec."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def colours(spec: dict) -> set[str]:
    """Colour literals in the spec: hex strings anywhere, and values of colour properties."""
    found = set()
    for node in walk({k: v for k, v in spec.items() if k != "datasets"}):
        for key, value in node.items():
            if isinstance(value, str) and (HEX.match(value) or key in COLOUR_KEYS):
                found.add(value.lower())
            elif isinstance(value, list):
                found |= {v.lower() for v in value if isinstance(v, str) and HEX.match(v)}
    return found


def records(spec: dict) -> list[dict]:
    return [row for rows in spec.get("datasets", {}).values() for row in rows]
