"""A command that only reads starts quickly because it loads only what it uses: no SQLAlchemy,
Alembic or web stack, no state engine, no clearing — checked in a fresh interpreter, as a user
runs it (the start-up time itself is measured by bench/cli_startup_bench.py)."""

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from krai.entrypoints.cli.main import app

HEAVY = (
    "sqlalchemy",
    "alembic",
    "fastapi",
    "uvicorn",
    "httpx",
    "numpy",
    "openpyxl",
    "pydantic",
    "jinja2",
    "krai.state.engine",
    "krai.app.sequencer",
)
READS = ("log checkpoint --json", "log checkpoint", "parks list --json", "parks show nowhere")
PROBE = """
import sys
from krai.entrypoints.cli.main import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print("loaded:", *(name for name in {heavy!r} if name in sys.modules), file=sys.stderr)
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lazy") / "home"
    assert CliRunner().invoke(app, ["init", "--home", str(path)]).exit_code == 0
    return path


@pytest.mark.parametrize("command", READS)
def test_a_read_loads_no_heavy_package(home: Path, command: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=HEAVY), *command.split(), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stderr.splitlines()[-1] == "loaded:", result.stderr
