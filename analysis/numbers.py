"""Numbers the chapters state, computed from the data release's tables.

Small pure functions: DataFrames in, plain Python values out.
"""

from __future__ import annotations

import pandas as pd
