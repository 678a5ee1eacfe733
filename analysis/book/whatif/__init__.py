"""The treadmill chapter's arithmetic: the published caseload rise, and a what-if.

Two separate things live here, both pure functions (data in, frozen dataclass out):

1. **The national post-release supervision caseload** (:func:`postrelease`). The Webster
   summary gives the 31 March 2020 count exactly, the 31 March 2015 count only as
   "just under" a round number (a bound, not a value), and the rise as a whole
   percentage. :func:`implied_start` works back from the 2020 count and the rise to
   the 2015 count the rise implies, with the range that rounding the percentage to a
   whole number leaves open. That range is *derived* by the book; no source states it.

2. **A what-if model of one practitioner's month** (:class:`Scenario` in,
   :class:`Projection` out, :func:`run`). It is an illustration, not an estimate:

   - caseload = new cases per month x months each case is supervised (a steady state:
     every case stays for the whole period, none ends early);
   - staff minutes per month = hours per week x 60 x weeks per month (52 / 12);
   - minutes for contact = staff minutes x the share of time left for meeting people;
   - minutes per person per month = minutes for contact / caseload;
   - at the same staffing, a caseload ``(1 + growth)`` times larger leaves each person
     ``1 / (1 + growth)`` of the minutes.

   :func:`resolve` fills the published inputs from the data release (when the
   chapter's parameter is ``None``) and records, for every input, whether it is
   published (with its source), an assumption, or a value set for the run.

The package by part: ``assumptions`` (units, notes, how each input's status reads), ``caseload``
(the published rise), ``model`` (the what-if run and its curve), ``inputs`` (published, assumed or set).
"""

from analysis.book.whatif.assumptions import ASSUMED, CHECK_IN_MODEL, PUBLISHED, SET_FOR_RUN, STATUS_PHRASES
from analysis.book.whatif.caseload import implied_start, postrelease
from analysis.book.whatif.inputs import resolve
from analysis.book.whatif.model import MEETING_MODELS, Projection, Scenario, appointment_lengths, curve, run

__all__ = [
    "ASSUMED",
    "CHECK_IN_MODEL",
    "MEETING_MODELS",
    "Projection",
    "PUBLISHED",
    "SET_FOR_RUN",
    "STATUS_PHRASES",
    "Scenario",
    "appointment_lengths",
    "curve",
    "implied_start",
    "postrelease",
    "resolve",
    "run",
]
