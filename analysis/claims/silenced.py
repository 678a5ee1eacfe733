"""Claims a new release checks less than the release it was made from.

A claim that was checked cannot be silenced quietly: setting its check to ``none``, to a kind
that compares no value or that never fails on one (``disagreement``), widening its tolerance,
loosening its qualifier or removing it would let a changed number through with every claim
"passing". :func:`weakened` lists each such claim with what changed; the release tools refuse
them unless the release's changelog entry names the claim and says why.
"""

from __future__ import annotations

import pandas as pd

from analysis.claims.evidence import CHECKS, NOT_CHECKABLE, Claim
from analysis.claims.intervals import accepted
from analysis.claims.register import read_claims
from analysis.claims.vocabulary import fmt

_DISAGREEMENT = "disagreement"


def _checks_a_value(claim: Claim) -> bool:
    return claim.kind != NOT_CHECKABLE and CHECKS[claim.kind].needs_value and claim.kind != _DISAGREEMENT


def _how(old: Claim, new: Claim) -> str | None:
    """What about ``new`` checks less than ``old`` (None if nothing)."""
    if old.kind == NOT_CHECKABLE:
        return None  # nothing was checked, so nothing can be silenced
    if new.kind == NOT_CHECKABLE:
        return f"its check {old.kind!r} was set to 'none'"
    if _checks_a_value(old) and not _checks_a_value(new):
        return f"its check {old.kind!r} was changed to {new.kind!r}, which does not fail on the value"
    if old.value is None or new.value is None or not old.qualifier or not new.qualifier:
        return None
    before = accepted(old.qualifier, old.value, old.high, old.tolerance, old.unit)
    after = accepted(new.qualifier, old.value, old.high, new.tolerance, old.unit)
    if not after.within(before):
        return (
            f"it now accepts {after.text(old.unit)} for the published {fmt(old.value)}, "
            f"where it accepted {before.text(old.unit)} (qualifier {old.qualifier!r} -> {new.qualifier!r}, "
            f"tolerance {fmt(old.tolerance)} -> {fmt(new.tolerance)})"
        )
    return None


def weakened(old: pd.DataFrame, new: pd.DataFrame) -> dict[str, str]:
    """Claim id -> how the claims table ``new`` checks it less than ``old`` (removed claims included)."""
    before = {c.claim_id: c for c in read_claims(old)}
    after = {c.claim_id: c for c in read_claims(new)}
    found = {}
    for claim_id, claim in before.items():
        if claim_id not in after:
            if claim.kind != NOT_CHECKABLE:
                found[claim_id] = "it was removed"
            continue
        how = _how(claim, after[claim_id])
        if how:
            found[claim_id] = how
    return found
