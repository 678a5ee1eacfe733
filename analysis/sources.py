"""``python -m analysis.sources``: the command the sources README of releases 1.0.0–1.2.0 names.

That README is kept verbatim (``data/sources/versions/``, pinned by those releases, so it cannot be
edited); the module has since moved to :mod:`analysis.data.sources`, which this runs.
"""

from __future__ import annotations

import sys

from analysis.data.sources import main

if __name__ == "__main__":
    sys.exit(main())
