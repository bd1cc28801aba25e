"""``krai --help`` and each group's help, now listed without importing the commands, read
exactly as they did on ``main`` d6b8aeb, when every command was imported to list it
(tests/fixtures/cli_help/d6b8aeb.json: standard output, error output and exit code of
``python -m krai [group] [--help]`` at 100 columns)."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BEFORE: dict[str, dict[str, Any]] = json.loads(
    (Path(__file__).parents[1] / "fixtures" / "cli_help" / "d6b8aeb.json").read_text("utf-8")
)


@pytest.mark.parametrize("command", BEFORE)
def test_the_help_reads_as_before_the_listing_was_stored(command: str) -> None:
    environment = {**os.environ, "COLUMNS": "100", "TERM": "dumb"}
    environment.pop("FORCE_COLOR", None)
    result = subprocess.run(
        [sys.executable, "-m", "krai", *command.split()[1:]],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )
    assert {"exit": result.returncode, "stdout": result.stdout, "stderr": result.stderr} == (
        BEFORE[command]
    )


def test_a_mistyped_command_of_a_group_not_yet_imported_is_still_suggested() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "krai", "parks", "shwo"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "100"},
        check=False,
    )
    assert result.returncode == 2
    assert "No such command 'shwo'. Did you mean 'show'?" in result.stderr
