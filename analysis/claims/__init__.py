"""The claims register: every number the sources state, checked against the data.

The release's ``claims`` table lists each quantitative statement the article
or the Webster summary makes (and a few the book derives from them), with the
phrase it comes from, the published value and how the source hedges it, and a
``check``: a small expression ``kind:arguments`` naming how the value is
computed from the other tables. :func:`evaluate` runs every check and gives
each claim a verdict:

* ``holds`` -- the value computed from the data satisfies the published
  statement, read with its qualifier (see :func:`accepted`);
* ``fails`` -- it does not; or the source phrase is not in its file; or the
  published value is not among the numbers of that phrase (the values in the
  register are transcribed by us, so they are checked against the source too);
* ``sources disagree`` -- two sources in the release give different values
  for the same quantity (the ``disagreement`` check): the register lists every
  value with its source and chooses none. This is reported, not a failure; the
  claim still fails if its phrase is wrong or its published value is none of
  the sources' values;
* ``not checkable`` -- the release holds no data for the number (``check`` is
  ``none``); the claim's ``note`` says why. Its phrase is still checked.

Computed values are intervals: a figure the data records as "less than 90" is
the interval below 90, an exact count is a single point. A claim holds when
the whole computed interval lies inside the region the published statement
accepts. An unknown check kind or malformed arguments raise
:class:`ClaimsError`: a register that cannot be read is an error, not a verdict.

The package by part: ``vocabulary`` (the register's words and text helpers), ``intervals``
(what a published statement accepts), ``evidence`` (what the checks read, the check registry),
``value_checks``, ``row_checks`` and ``integrity_checks``, ``register`` (evaluation), ``report`` (the appendix).
"""

from analysis.claims.evidence import CHECKS, NOT_CHECKABLE, Claim, Evidence, check, parse_check
from analysis.claims.integrity_checks import printed_excerpts
from analysis.claims.intervals import Interval, accepted, readable
from analysis.claims.register import ClaimsFailed, evaluate, evaluate_claims, read_claims, verified_register
from analysis.claims.report import (
    computed_for,
    disagreeing,
    disagreeing_ids,
    failing,
    kinds_used,
    reading_rules,
    register_table,
    summary_table,
    verdict_counts,
)
from analysis.claims.row_checks import RowSpec, parse_row_spec
from analysis.claims.value_checks import min_speakers
from analysis.claims.vocabulary import (
    ARTICLE,
    DISAGREE,
    NUMBER_VALUES,
    VERDICTS,
    ClaimsError,
    normalise,
    numbers_in,
)

__all__ = [
    "ARTICLE",
    "CHECKS",
    "Claim",
    "ClaimsError",
    "ClaimsFailed",
    "DISAGREE",
    "Evidence",
    "Interval",
    "NOT_CHECKABLE",
    "NUMBER_VALUES",
    "RowSpec",
    "VERDICTS",
    "accepted",
    "check",
    "computed_for",
    "disagreeing",
    "disagreeing_ids",
    "evaluate",
    "evaluate_claims",
    "failing",
    "kinds_used",
    "min_speakers",
    "normalise",
    "numbers_in",
    "parse_check",
    "parse_row_spec",
    "printed_excerpts",
    "read_claims",
    "readable",
    "reading_rules",
    "register_table",
    "summary_table",
    "verdict_counts",
    "verified_register",
]
