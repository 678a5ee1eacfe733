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


class UnsafePathError(ValueError):
    """A path a release names, or a file in a release folder, that is not a regular file inside it."""


def safe_file(folder: Path, relative: str | Path) -> Path:
    """``folder / relative``, refused unless it stays inside ``folder`` with no symbolic link on the way.

    The one check of "a regular file inside this folder" for every command that reads,
    hashes, publishes or removes a release's files: an absolute path, a ``..`` or a link
    (to a file or a folder) could make it read, publish or delete a file outside the
    repository. A missing file passes (the caller says it is missing); anything there
    that is not a regular file is refused.
    """
    text = str(relative)
    parts = Path(text).parts
    if not text or Path(text).is_absolute() or ".." in parts or "\\" in text:
        raise UnsafePathError(f"{text!r} is not a relative path inside {folder}")
    path = Path(folder)
    for part in parts:
        path = path / part
        if path.is_symlink():
            raise UnsafePathError(f"{path} is a symbolic link; a release holds only regular files")
    if path.exists() and not path.is_file():
        raise UnsafePathError(f"{path} is not a regular file")
    return path


def regular_files(folder: Path) -> list[str]:
    """Every file under ``folder`` (relative POSIX paths, sorted), refusing any link or special file.

    Hidden names (a ``.partial`` left by an interrupted write) are left out. Links are never
    followed: one is an error naming it, so a link to ``/etc`` cannot be listed, hashed or published.
    """
    found = []
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in sorted(dirs + files):
            path = Path(top) / name
            if path.is_symlink():
                raise UnsafePathError(f"{path} is a symbolic link; a release holds only regular files")
            if name in files and not path.is_file():
                raise UnsafePathError(f"{path} is not a regular file")
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        found += [(Path(top) / f).relative_to(folder).as_posix() for f in files if not f.startswith(".")]
    return sorted(found)
