"""Every figure of the book, registered where it is defined, with how to build it from a release.

A figure function is decorated with :func:`figure`, naming the release tables it takes (in
order) and, where it takes more, the further arguments of each version the book shows (one
build per variant, e.g. one theme each). The house-rule tests (titled, axes titled, alt text,
caption, palette, inputs named, deterministic offline HTML) iterate :data:`FIGURES`, and a test
checks that every public function of :mod:`analysis.book.figures` is registered, so a new
figure cannot skip the rules.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from analysis.book.charts import Figure

Tables = Callable[[str], pd.DataFrame]


@dataclass(frozen=True)
class Registered:
    """One figure function and the arguments it is built with from a release."""

    function: Callable[..., Figure]
    tables: tuple[str, ...]  # release tables, passed first and in this order
    variants: tuple[tuple[Any, ...], ...]  # further arguments, one build each
    arguments: Callable[[Tables], tuple[Any, ...]] | None  # or: every argument, computed from the tables

    def build(self, table: Tables, variant: int = 0) -> Figure:
        """The figure from a release's tables (``release.table``), in one of its variants."""
        if self.arguments is not None:
            return self.function(*self.arguments(table))
        return self.function(*(table(name) for name in self.tables), *self.variants[variant])


FIGURES: dict[str, Registered] = {}


def figure(
    *tables: str,
    variants: Sequence[tuple[Any, ...]] = ((),),
    arguments: Callable[[Tables], tuple[Any, ...]] | None = None,
) -> Callable:
    """Register a figure function under its name: built from ``tables`` (plus each variant's
    arguments), or, where its arguments are computed, from ``arguments(release.table)``."""

    def register(function: Callable[..., Figure]) -> Callable[..., Figure]:
        if function.__name__ in FIGURES:
            raise ValueError(f"a figure named {function.__name__!r} is registered already")
        FIGURES[function.__name__] = Registered(function, tables, tuple(variants), arguments)
        return function

    return register
