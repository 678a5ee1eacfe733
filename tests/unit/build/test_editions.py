"""The committed editions: each a frozen release's chapters as published, executed for that release."""

from __future__ import annotations

import json

from analysis import paths
from analysis.build import Project
from analysis.build.editions import edition_files
from analysis.data.reads import META_KEY


def test_every_committed_edition_is_of_a_frozen_release_and_was_executed_for_it():
    project = Project(paths.ROOT)
    registry = json.loads((project.data_dir / paths.REGISTRY).read_text(encoding="utf-8"))
    frozen = set(registry["frozen"])
    folders = sorted(p for p in project.editions_dir.iterdir() if p.is_dir()) if project.editions_dir.is_dir() else []
    for folder in folders:
        version = folder.name
        assert version in frozen, f"editions/{version}: not a frozen release"
        chapters = edition_files(project, version)
        assert chapters, f"editions/{version} holds no chapter"
        for name, path in chapters.items():
            meta = json.loads(path.read_text(encoding="utf-8"))["metadata"][META_KEY]
            assert meta["data_version"] == version, f"editions/{version}/{name} was executed for {meta['data_version']}"
            assert meta["key"], f"editions/{version}/{name} records no key"
