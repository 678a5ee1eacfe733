"""What the checks read (a release and its source texts), the claim and check types, the check registry."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import paths
from analysis.claims.intervals import Interval
from analysis.claims.vocabulary import ClaimsError, normalise
from analysis.data import sources
from analysis.data.release import Release
from analysis.words import SOURCE_FORM, parse_source


class Evidence:
    """The tables and source texts that claims are checked against."""

    def __init__(
        self,
        tables: Callable[[str], pd.DataFrame],
        table_names: Sequence[str],
        sources_dir: Path = paths.SOURCES,
        pins: dict[str, str] | None = None,
    ) -> None:
        self._tables = tables
        self.table_names = list(table_names)
        self.sources_dir = Path(sources_dir)
        self.pins = pins  # the versions of the source documents a frozen release reads (None: the working copies)
        self._texts: dict[str, str | None] = {}

    @classmethod
    def from_release(cls, release: Release, sources_dir: Path = paths.SOURCES) -> Evidence:
        names = [n for n in release.resource_names if release.is_table(n)]
        # The folder's name, not release.version: the pins are not a read of the release's name.
        return cls(release.table, names, sources_dir, sources.pinned(release.path.name, release.path.parent))

    def table(self, name: str) -> pd.DataFrame:
        return self._tables(name)

    def source_text(self, file: str) -> str | None:
        """Normalised text of a source file; None if ``file`` is not a source document.

        A listed source that is missing or altered raises
        :class:`analysis.data.sources.SourceError`: never a quiet "not found" verdict.
        """
        if file not in self._texts:
            known = sources.known(file, self.sources_dir, self.pins)
            self._texts[file] = normalise(self.raw_source(file)) if known else None
        return self._texts[file]

    def raw_source(self, file: str) -> str:
        return sources.read_source(file, self.sources_dir, self.pins)

    def phrase_problem(self, source: str) -> str | None:
        """Why a ``source`` cell does not point at a real phrase (None if it does)."""
        try:
            file, _, phrase = parse_source(source)
        except ValueError:
            return f"source {source!r} is not of the form {SOURCE_FORM}"
        text = self.source_text(file)
        if text is None:
            return f"no source file {file!r}"
        if normalise(phrase) not in text:
            return f"phrase {phrase!r} not found in {file}"
        return None


@dataclass(frozen=True)
class Claim:
    claim_id: str
    statement: str
    source: str
    value: float | None
    high: float | None
    qualifier: str | None
    unit: str | None
    kind: str
    args: tuple[str, ...]
    tolerance: float
    note: str | None


@dataclass(frozen=True)
class Computed:
    """What a check found: an interval (None for integrity checks), its text, problems.

    ``disagreement`` is set (to the reason) when the sources of the value
    disagree; the claim's verdict is then ``sources disagree``.
    """

    interval: Interval | None
    text: str
    problems: tuple[str, ...] = ()
    disagreement: str | None = None


@dataclass(frozen=True)
class Check:
    kind: str
    run: Callable[[Evidence, Claim], Computed]
    nargs: int | None  # None: no arguments; else exactly this many
    needs_value: bool  # compares a number (else an integrity check)
    category: str  # "value", "consistency" or "integrity"


CHECKS: dict[str, Check] = {}
NOT_CHECKABLE = "none"


def check(kind: str, nargs: int | None, category: str) -> Callable:
    """Register a check function under ``kind``."""

    def register(fn: Callable[[Evidence, Claim], Computed]) -> Callable[[Evidence, Claim], Computed]:
        CHECKS[kind] = Check(kind, fn, nargs, category != "integrity", category)
        return fn

    return register


def parse_check(expression: str) -> tuple[str, tuple[str, ...]]:
    """``kind:arg1,arg2`` -> (kind, args); raises ClaimsError on an unknown kind."""
    kind, _, rest = expression.partition(":")
    if kind == NOT_CHECKABLE and not rest:
        return kind, ()
    if kind not in CHECKS:
        raise ClaimsError(f"unknown check kind {kind!r} in {expression!r}; known: {sorted(CHECKS)} and 'none'")
    spec = CHECKS[kind]
    args = tuple(a.strip() for a in rest.split(",")) if rest else ()
    if spec.nargs is None and args:
        raise ClaimsError(f"check {kind!r} takes no arguments, got {expression!r}")
    if spec.nargs is not None and (len(args) != spec.nargs or not all(args)):
        raise ClaimsError(f"check {kind!r} takes {spec.nargs} argument(s), got {expression!r}")
    return kind, args
