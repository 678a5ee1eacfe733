"""Writing files so that an interrupted build never leaves half a file behind.

Every file the build, the release tooling or the figure cache writes goes
through :func:`write_atomic`: the content goes to a temporary file in the same
folder, which is flushed to disk and then renamed over the target. A rename
within one file system is atomic, so after a crash (Ctrl-C, or SIGKILL when
memory runs out) the target holds either its old or its new content.
"""

from __future__ import annotations

import os
import signal
import tempfile
from pathlib import Path

# Temporary files are hidden and end with this, so a recovery pass can find them.
TMP_SUFFIX = ".partial"
# Fault injection for tests/build/test_interruptions.py: when this names a point the
# build reaches, the build's whole process group is killed there with SIGKILL,
# as the kernel's out-of-memory killer (or Ctrl-C) would stop it.
KILL_AT_ENV = "TREADMILL_KILL_AT"


def checkpoint(name: str) -> None:
    """Die here, with every process of the build, if the tests asked for it."""
    if os.environ.get(KILL_AT_ENV) == name:
        os.killpg(os.getpgid(0), signal.SIGKILL)


def write_atomic(target: Path, content: bytes | str) -> Path:
    """Replace ``target`` with ``content`` in one step (text is written as UTF-8)."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=TMP_SUFFIX, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these files are read by others (a web server)
        checkpoint("write")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def remove_partials(folder: Path) -> list[Path]:
    """Delete temporary files an interrupted :func:`write_atomic` left in ``folder``."""
    found = sorted(Path(folder).glob(f".*{TMP_SUFFIX}")) if Path(folder).is_dir() else []
    for path in found:
        path.unlink(missing_ok=True)
    return found
