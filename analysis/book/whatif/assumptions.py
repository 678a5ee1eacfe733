"""The model's units, the figures and appointment model it reads, and how each input's status reads."""

from __future__ import annotations

WEEKS_PER_YEAR = 52
MONTHS_PER_YEAR = 12
WEEKS_PER_MONTH = WEEKS_PER_YEAR / MONTHS_PER_YEAR
MINUTES_PER_HOUR = 60

# Rows of the data release the what-if takes its published inputs from.
GROWTH_FIGURE = "postrelease_rise_pct"
MONTHS_FIGURE = "ora_supervision_months"
CHECK_IN_MODEL = "A3"

# Why each assumed input has the value the chapter gives it (our words).
ASSUMPTION_NOTES = {
    "staff_hours_per_week": "ASSUMPTION: one full-time working week; no source here gives practitioners' hours.",
    "contact_share": (
        "ASSUMPTION: the share of working time left for meeting the people supervised; the rest goes on "
        "recording, assessments, other agencies, travel and training. No source here gives this share."
    ),
    "starts_per_month": (
        "ASSUMPTION: new post-release cases allocated to one practitioner each month; an illustration, "
        "not a published figure."
    ),
}
# The growth input is a national figure applied to one practitioner: an assumption built on it ({source}).
GROWTH_NOTE = (
    "ASSUMPTION built on a national figure: that one practitioner's caseload grew as the national post-release "
    "caseload did, with staffing unchanged. The national rise is published ({source}); no source gives any "
    "practitioner's caseload or staffing."
)
DEFINITION_NOTE = "Definition: a year's 52 weeks spread evenly over its 12 months."

PUBLISHED = "published"
ASSUMED = "assumption"
SET_FOR_RUN = "set for this run"
STATUS_PHRASES = {
    PUBLISHED: "the published figure",
    ASSUMED: "an assumption",
    SET_FOR_RUN: "a value set for this run in place of the published figure",
}
