"""A stylesheet or script changed alone still reaches the published site (Sphinx copies static files only
when it rebuilds a page, so the build must notice such a change itself)."""

from __future__ import annotations

from analysis.build.site import _static_changed


def _static(root, files: dict[str, str]):
    folder = root / "_static"
    folder.mkdir(parents=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return root


def test_a_changed_added_or_removed_static_file_is_noticed_and_an_identical_folder_is_not(tmp_path):
    old = _static(tmp_path / "old", {"a.css": "a", "b.js": "b"})
    assert _static_changed(_static(tmp_path / "same", {"a.css": "a", "b.js": "b"}), old) is False
    assert _static_changed(_static(tmp_path / "edited", {"a.css": "A", "b.js": "b"}), old) is True
    assert _static_changed(_static(tmp_path / "added", {"a.css": "a", "b.js": "b", "c.js": "c"}), old) is True
    assert _static_changed(_static(tmp_path / "removed", {"a.css": "a"}), old) is True
    assert _static_changed(_static(tmp_path / "first", {"a.css": "a"}), tmp_path / "never-built") is True
