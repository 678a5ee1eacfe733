"""Tiny valid data releases for tests, written with correct hashes and sizes.

Shared by the loader's tests and the build's tests; tests break copies of
these, never the project's real ``data/``.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

VERSION = "1.0.0"

FILES = {
    "excerpts.csv": (
        "excerpt_id,year,speaker_age,gender,text,source\n"
        "1,1998,34,female,hello,doc1\n"
        '2,2001,51,male,"world, again",doc2\n'
        "3,2003,,female,NA,doc2\n"
    ),
    "codes.csv": ("code_id,parent_id,label,source\nc1,,Top,doc1\nc2,c1,Child,doc1\n"),
    "coding.csv": (
        "excerpt_id,code_id,confident,weight,coded_on,source\n"
        "1,c1,true,0.5,2024-01-02,doc1\n"
        "2,c2,false,1,2024-02-03,doc2\n"
        "3,c2,,,2024-03-04,doc2\n"
    ),
    "references.bib": "@book{key, title = {A title}, year = {2001}}\n",
}

SCHEMAS = {
    "excerpts": {
        "fields": [
            {"name": "excerpt_id", "type": "integer", "constraints": {"required": True}},
            {"name": "year", "type": "year"},
            {
                "name": "speaker_age",
                "type": "integer",
                "constraints": {"minimum": 0, "maximum": 120},
            },
            {
                "name": "gender",
                "type": "string",
                "constraints": {"enum": ["female", "male"]},
            },
            {"name": "text", "type": "string"},
            {"name": "source", "type": "string", "constraints": {"required": True}},
        ],
        "primaryKey": ["excerpt_id"],
    },
    "codes": {
        "fields": [
            {
                "name": "code_id",
                "type": "string",
                "constraints": {"required": True, "pattern": "c[0-9]+"},
            },
            {"name": "parent_id", "type": "string"},
            {"name": "label", "type": "string", "constraints": {"required": True}},
            {"name": "source", "type": "string", "constraints": {"required": True}},
        ],
        "primaryKey": ["code_id"],
        "foreignKeys": [{"fields": "parent_id", "reference": {"resource": "", "fields": "code_id"}}],
    },
    "coding": {
        "fields": [
            {"name": "excerpt_id", "type": "integer", "constraints": {"required": True}},
            {"name": "code_id", "type": "string", "constraints": {"required": True}},
            {"name": "confident", "type": "boolean"},
            {
                "name": "weight",
                "type": "number",
                "constraints": {"minimum": 0, "maximum": 1},
            },
            {"name": "coded_on", "type": "date"},
            {"name": "source", "type": "string", "constraints": {"required": True}},
        ],
        "primaryKey": ["excerpt_id", "code_id"],
        "foreignKeys": [
            {
                "fields": "excerpt_id",
                "reference": {"resource": "excerpts", "fields": "excerpt_id"},
            },
            {"fields": "code_id", "reference": {"resource": "codes", "fields": "code_id"}},
        ],
    },
}


def write_release(
    data_dir: Path,
    version: str = VERSION,
    files: dict[str, str] | None = None,
    schemas: dict[str, dict] | None = None,
    default: bool = True,
) -> Path:
    """Write a small valid release (or a variant) with correct hashes and sizes."""
    folder = data_dir / version
    folder.mkdir(parents=True)
    contents = {**FILES, **(files or {})}
    resources = []
    for filename, text in contents.items():
        (folder / filename).write_bytes(text.encode("utf-8"))
        name = filename.rsplit(".", 1)[0]
        resource = {"name": "references" if name == "references" else name}
        resource["path"] = filename
        if filename.endswith(".csv"):
            resource.update(format="csv", mediatype="text/csv", encoding="utf-8")
            resource["schema"] = copy.deepcopy({**SCHEMAS, **(schemas or {})}[name])
        else:
            resource.update(format="bib", mediatype="application/x-bibtex")
        resources.append(resource)
    descriptor = {"name": "fixture", "version": version, "resources": resources}
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    rehash(folder)
    if default:
        (data_dir / "DEFAULT_RELEASE").write_text(version + "\n")
    return folder


def rehash(folder: Path) -> None:
    """Record every file's current sha256 and size in the descriptor."""
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text())
    for resource in descriptor["resources"]:
        content = (folder / resource["path"]).read_bytes()
        resource["hash"] = "sha256:" + hashlib.sha256(content).hexdigest()
        resource["bytes"] = len(content)
    path.write_text(json.dumps(descriptor, indent=2))
