"""The read log: every table and source document a chapter reads, so the build knows what it depends on."""

from __future__ import annotations

import os

# Environment variable naming a file to which every resource read is appended.
READS_LOG_ENV = "TREADMILL_READS_LOG"

# What a chapter may read of a release besides its resources, logged as "<version>/<what>"
# ("@" cannot begin a resource name): its name, its whole descriptor, its list of resources.
VERSION_READ = "@version"
DESCRIPTOR_READ = "@descriptor"
RESOURCES_READ = "@resources"

# The notebook metadata key under which the build records an execution (release, parameters, reads, key).
META_KEY = "treadmill"

# (log file, "<version>/<name>") pairs already appended by this process.
_LOGGED: set[tuple[str, str]] = set()


def log_read(version: str, name: str) -> None:
    """Log a read of resource ``name`` (or of one of the ``@`` reads above) of release ``version``."""
    log_input(f"{version}/{name}")


def log_input(line: str) -> None:
    """Append ``line`` (``<version>/<resource>`` or ``sources/<file>``) to $TREADMILL_READS_LOG.

    The build sets the variable while executing a chapter and uses the lines
    to learn which data resources and source files the chapter depends on.
    Each line is written once per process; without the variable this does nothing.
    """
    log = os.environ.get(READS_LOG_ENV)
    if not log or (log, line) in _LOGGED:
        return
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    _LOGGED.add((log, line))
