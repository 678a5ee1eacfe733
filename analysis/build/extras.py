"""What the staged book carries besides its pages: the release's files, the draft banner, the PDF, DataTables.

Kept apart from :mod:`analysis.build.site` so that ``make pdf`` can find the PDF's paths
without the whole site module, and each stays short.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.book.citation import PDF_NAME
from analysis.build.project import BuildError, Project
from analysis.data.files import UnsafePathError, regular_files, safe_file

DRAFT_BANNER = (
    "Draft release {version}, not for citation: its data may still change. Cite a book built from a frozen release."
)


def draft_banner(project: Project, version: str, config_file: Path) -> bool:
    """On a draft release, the staged book shows a banner on every page (the theme's ``announcement``).

    Set among ``sphinx.config.html_theme_options``: those replace what Jupyter Book makes of ``html:``.
    """
    import yaml

    from analysis.releases.registry import read_registry

    if version in read_registry(project.data_dir)["frozen"]:
        return False
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    options = config.setdefault("sphinx", {}).setdefault("config", {}).setdefault("html_theme_options", {})
    options["announcement"] = DRAFT_BANNER.format(version=version)
    config_file.write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return True


def pdf_path(project: Project) -> Path:
    """Where ``make pdf`` writes the book (``_build/pdf/treadmill-book.pdf``)."""
    return project.build_dir / "pdf" / PDF_NAME


def pdf_key_path(pdf: Path) -> Path:
    """Where the inputs key of a printed PDF is kept (beside it)."""
    return pdf.with_name(pdf.name + ".key")


def _pdf_beside(project: Project, key: str, site: Path) -> bool:
    """Put ``make pdf``'s PDF in the site when it was printed from the same inputs; whether it was."""
    pdf = pdf_path(project)
    if pdf.is_file() and pdf_key_path(pdf).is_file() and pdf_key_path(pdf).read_text(encoding="utf-8") == key:
        shutil.copyfile(pdf, site / PDF_NAME)
        return True
    return False


def _static_libraries(static: Path) -> None:
    """The scripts the pages load that the repository does not hold: DataTables, from itables (offline)."""
    from analysis.book.tables import write_datatables_bundle

    write_datatables_bundle(static)


def _stage_release_files(project: Project, version: str, stage: Path) -> None:
    """The release's bibliography, and its files for download: only regular files inside it, never a link.

    The loader refuses a link, a path outside the folder, a file the descriptor does not
    list and a bibliography link that is not http(s) or doi:, so nothing else is published.
    """
    from analysis.data.release import DataError, available_releases, load_release
    from analysis.data.validation import BIBLIOGRAPHY

    try:
        release = load_release(version, project.data_dir)
        stage.joinpath("references.bib").write_text(release.text(BIBLIOGRAPHY), encoding="utf-8")
        files = regular_files(release.path)
    except (DataError, UnsafePathError) as err:
        raise BuildError(str(err)) from err
    for rel in files:
        target = stage / "downloads" / "data" / version / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(release.path / rel, target, follow_symlinks=False)
    # A release's README links to the READMEs of the releases it builds on (../1.0.0/README.md):
    # publish every other release's README beside it (a regular file inside its folder only).
    for other in available_releases(project.data_dir):
        if other == version:
            continue
        try:
            readme = safe_file(project.data_dir / other, "README.md")
        except UnsafePathError as err:
            raise BuildError(str(err)) from err
        if readme.is_file():
            target = stage / "downloads" / "data" / other / "README.md"
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(readme, target, follow_symlinks=False)
