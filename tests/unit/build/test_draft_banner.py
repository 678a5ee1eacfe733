"""A book built from a draft release says so on every page; one from a frozen release does not (issue 20, item 5)."""

from __future__ import annotations

import json

import yaml

from analysis.build.extras import draft_banner
from analysis.build.project import Project
from analysis.releases.registry import REGISTRY


def _project(tmp_path) -> Project:
    project = Project(tmp_path / "book")
    project.data_dir.mkdir(parents=True)
    registry = {"frozen": {"1.0.0": {"datapackage_sha256": "0" * 64, "files": {}}}, "drafts": {"1.1.0": {}}}
    (project.data_dir / REGISTRY).write_text(json.dumps(registry), encoding="utf-8")
    return project


def _config(tmp_path):
    path = tmp_path / "_config.yml"
    config = {
        "title": "T",
        "html": {"use_download_button": True},
        "sphinx": {"config": {"html_theme_options": {"a": 1}}},
    }
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_a_draft_release_gets_the_banner_on_every_page(tmp_path):
    config = _config(tmp_path)
    assert draft_banner(_project(tmp_path), "1.1.0", config) is True
    staged = yaml.safe_load(config.read_text(encoding="utf-8"))
    banner = staged["sphinx"]["config"]["html_theme_options"]["announcement"]
    assert "Draft release 1.1.0" in banner and "not for citation" in banner
    assert staged["sphinx"]["config"]["html_theme_options"]["a"] == 1 and staged["title"] == "T"  # the rest is kept


def test_a_frozen_release_gets_none(tmp_path):
    config = _config(tmp_path)
    before = config.read_text(encoding="utf-8")
    assert draft_banner(_project(tmp_path), "1.0.0", config) is False
    assert config.read_text(encoding="utf-8") == before
