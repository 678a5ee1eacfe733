"""How the project's commands end: a problem the user can fix is one line on stderr and exit status 1.

Every ``python -m analysis...`` command (the source documents, the release registry, the build,
``make diff``, the PDF) parses its arguments, then hands its work to :func:`run_command`, so that
each prints its expected errors the same way and none prints a traceback for them. It lives in
the lowest layer that has a command (``analysis.data.sources``) so that every layer can use it.
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def run_command(
    action: Callable[[], object], errors: type[Exception] | tuple[type[Exception], ...], prefix: str
) -> int:
    """Exit status 0 once ``action()`` returns (what it returns is not a status); 1 after printing
    ``<prefix><error>`` on stderr when it raises one of ``errors``. Any other exception propagates: it is a bug."""
    try:
        action()
    except errors as err:
        print(f"{prefix}{err}", file=sys.stderr)
        return 1
    return 0
