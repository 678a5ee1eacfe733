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


def assert_described(figure, release) -> None:
    """Titled, with alt text and caption, made from tables the release has."""
    spec = figure.spec()
    title = spec.get("title")
    title = title.get("text") if isinstance(title, dict) else title
    assert isinstance(title, str) and title.strip()
    assert len(figure.alt_text.strip()) > 40
    assert len(figure.caption.strip()) > 40
    assert figure.inputs and set(figure.inputs) <= set(release.resource_names)
    assert all(release.is_table(name) for name in figure.inputs)


def assert_positions_titled(spec: dict) -> None:
    """Every x/y channel that encodes a field has an axis title."""
    channels = [
        enc[ch]
        for enc in (n["encoding"] for n in walk(spec) if "encoding" in n)
        for ch in ("x", "y")
        if ch in enc and "field" in enc[ch]
    ]
    assert channels, "no positional encodings found"
    for channel in channels:
        assert isinstance(channel.get("title"), str) and channel["title"].strip(), channel


def assert_palette_only(spec: dict, allowed: set[str]) -> None:
    """The figure states its colours, all from the house palette."""
    used = colours(spec)
    assert used, "a figure should state its colours explicitly"
    assert used <= allowed, used - allowed
