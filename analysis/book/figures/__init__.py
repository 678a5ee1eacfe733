"""The book's figures, by subject: one function per figure, each returning a ``charts.Figure``.

Every figure is titled, has labelled axes, alt text and a caption, names the
tables it was made from, and uses the greyscale-safe house palette. Chapters
import the package (``figures.sample_composition(...)``). Each figure function is
registered in :data:`FIGURES` (``@figure(...)`` where it is defined, see ``registry``),
which the house-rule tests iterate.
"""

from analysis.book.figures.codebook import codebook_overview, measures_vs_harms
from analysis.book.figures.codes import codes_by_role, theme_codes
from analysis.book.figures.cohorts import appointment_models, cohort_model
from analysis.book.figures.later_evidence import community_sentences, reception_stances
from analysis.book.figures.registry import FIGURES
from analysis.book.figures.sample import national_context, quoted_vs_interviewed, sample_composition
from analysis.book.figures.treadmill import postrelease_caseload, whatif_minutes

__all__ = [
    "FIGURES",
    "appointment_models",
    "codebook_overview",
    "codes_by_role",
    "cohort_model",
    "community_sentences",
    "measures_vs_harms",
    "national_context",
    "postrelease_caseload",
    "quoted_vs_interviewed",
    "reception_stances",
    "sample_composition",
    "theme_codes",
    "whatif_minutes",
]
