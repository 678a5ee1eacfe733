"""The book's version where people cite it, from the registry: ``python -m analysis.releases.cite``.

The book's version is its default data release (``data/DEFAULT_RELEASE``). ``CITATION.cff``
(``version``, and ``date-released`` from the release's ``created`` date) and the README's
"How to cite" reference are written from it by this command, never by hand; ``--check``
(run by the tests) lists what is out of date and names this command as the fix.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from analysis import paths
from analysis.book.citation import BOOK_AUTHOR, BOOK_TITLE, book_reference, release_date
from analysis.data.command import run_command
from analysis.data.files import write_atomic
from analysis.releases.record import ReleaseError

COMMAND = "python -m analysis.releases.cite"
_README_REFERENCE = re.compile(
    re.escape(BOOK_AUTHOR) + r" \([^)]*\) " + re.escape(f"{BOOK_TITLE}. Version ") + r"[^\s]+\."
)


def _cff(text: str, version: str, date: str | None) -> str:
    text = re.sub(r"(?m)^version: .*$", f'version: "{version}"', text)
    text = re.sub(r"(?m)^date-released: .*\n", "", text)
    if date:
        text = re.sub(r"(?m)^(version: .*\n)", rf'\g<1>date-released: "{date}"\n', text)
    return text


def updated(root: Path = paths.ROOT) -> dict[Path, str]:
    """Each file that cites the book, with its text as it should read for the default release."""
    root = Path(root)
    version = (root / "data" / "DEFAULT_RELEASE").read_text(encoding="utf-8").strip()
    descriptor = json.loads((root / "data" / version / "datapackage.json").read_text(encoding="utf-8"))
    cff, readme = root / "CITATION.cff", root / "README.md"
    texts = {cff: cff.read_text(encoding="utf-8"), readme: readme.read_text(encoding="utf-8")}
    if not re.search(r"(?m)^version: ", texts[cff]) or not _README_REFERENCE.search(texts[readme]):
        raise ReleaseError(f"{cff} needs a 'version:' line and {readme} the book's reference ({book_reference('X')})")
    return {
        cff: _cff(texts[cff], version, release_date(descriptor)),
        readme: _README_REFERENCE.sub(lambda _: book_reference(version, descriptor.get("created")), texts[readme]),
    }


def out_of_date(root: Path = paths.ROOT) -> list[str]:
    """The files whose citation does not name the default release (with the command that fixes them)."""
    stale = [p for p, text in updated(root).items() if p.read_text(encoding="utf-8") != text]
    return [f"{p}: does not cite the book at its default release; run `{COMMAND}`" for p in stale]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report files that are out of date")
    args = parser.parse_args(argv)
    return run_command(lambda: _cite(args.check), ReleaseError, "cite: ")


def _cite(check: bool) -> None:
    if check:
        problems = out_of_date()
        if problems:
            raise ReleaseError("\n".join(problems))
        print("CITATION.cff and README.md cite the book at its default release")
        return
    for path, text in updated().items():
        if path.read_text(encoding="utf-8") != text:
            write_atomic(path, text)
            print(f"  updated   {path}")


if __name__ == "__main__":
    sys.exit(main())
