"""The book's figures: one function per figure, each returning a ``charts.Figure``.

Every figure is titled, has labelled axes, alt text and a caption, names the
tables it was made from, and uses the greyscale-safe house palette.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from analysis.charts import MISSING_COLOUR, PALETTE, Figure
