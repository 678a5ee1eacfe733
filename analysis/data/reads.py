"""The read log: every table and source document a chapter reads, so the build knows what it depends on."""

from __future__ import annotations

from pathlib import Path

# The file to which every read is appended: set in a chapter's kernel by the build (:func:`configure`).
_LOG: str | None = None
# configure() writes this first line, so that the build knows the kernel was set up.
CONFIGURED = "# reads of this execution"

# What a chapter may read of a release besides its resources, logged as "<version>/<what>"
# ("@" cannot begin a resource name): its name, its whole descriptor, its list of resources, its files.
VERSION_READ = "@version"
DESCRIPTOR_READ = "@descriptor"
RESOURCES_READ = "@resources"
# The folder's listing (every file, with its size), as the data appendix shows it.
FILES_READ = "@files"

# The notebook metadata key under which the build records an execution (release, parameters, reads, key).
META_KEY = "treadmill"

# (log file, "<version>/<name>") pairs already appended by this process.
_LOGGED: set[tuple[str, str]] = set()


def log_read(version: str, name: str) -> None:
    """Log a read of resource ``name`` (or of one of the ``@`` reads above) of release ``version``."""
    log_input(f"{version}/{name}")


def configure(log: Path | str | None) -> None:
    """Log reads to ``log`` (None: stop logging); the build injects this call into each chapter's kernel."""
    global _LOG
    _LOG = None if log is None else str(log)
    if _LOG is not None:
        with open(_LOG, "a", encoding="utf-8") as fh:
            fh.write(CONFIGURED + "\n")


def recorded(log: Path) -> list[str]:
    """The reads in a log written through :func:`configure` (sorted, each once)."""
    lines = log.read_text(encoding="utf-8").splitlines()
    if CONFIGURED not in lines:
        raise RuntimeError(f"{log}: the kernel never configured its read log, so its reads are unknown")
    return sorted({line for line in lines if line and line != CONFIGURED})


def log_input(line: str) -> None:
    """Append ``line`` (``<version>/<resource>`` or ``sources/<file>``) to the configured read log.

    The build uses the lines to learn which data resources and source files a
    chapter depends on. Each line is written once per process; without a log
    (outside the build's kernels) this does nothing.
    """
    log = _LOG
    if not log or (log, line) in _LOGGED:
        return
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(line + "\n")
    _LOGGED.add((log, line))
