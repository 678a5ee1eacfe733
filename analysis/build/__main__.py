"""``python -m analysis.build``: see :mod:`analysis.build.cli`."""

import sys

from analysis.build.cli import main

sys.exit(main())
