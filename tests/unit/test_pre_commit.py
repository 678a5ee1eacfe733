"""The pre-commit configuration is valid and fetches nothing: every hook is a local tool from the venv.

`make lint` runs the hooks themselves (pre-commit run --all-files); this checks the configuration
cheaply, and that no hook would need GitHub (there is no internet but the package index).
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

from analysis import paths

CONFIG = paths.ROOT / ".pre-commit-config.yaml"
VENV_BIN = Path(sys.executable).parent


def test_the_config_is_valid():
    result = subprocess.run(
        [str(VENV_BIN / "pre-commit"), "validate-config", str(CONFIG)], capture_output=True, text=True, cwd=paths.ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_hook_is_a_local_tool_of_the_venv():
    config = yaml.safe_load(CONFIG.read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    assert {repo["repo"] for repo in config["repos"]} == {"local"}
    assert {hook["language"] for hook in hooks} == {"system"}
    for hook in hooks:
        program = hook["entry"].split()[0]
        assert program.startswith(".venv/bin/"), f"{hook['id']}: {program} is not from the project's venv"
        assert (VENV_BIN / Path(program).name).exists(), f"{hook['id']}: {program} is not installed"
    ids = {hook["id"] for hook in hooks}
    assert {"ruff", "ruff-format", "nbqa-ruff", "jupytext-ruff", "mypy", "check-json", "check-yaml"} <= ids


def test_release_data_and_editions_are_never_rewritten_by_a_hook():
    exclude = re.compile(yaml.safe_load(CONFIG.read_text(encoding="utf-8"))["exclude"])
    assert exclude.search("data/1.0.0/codes.csv") and exclude.search("editions/1.2.0/05_treadmill.ipynb")
    assert not exclude.search("chapters/05_treadmill.ipynb") and not exclude.search("analysis/data/release.py")
