"""A command that only reads starts quickly because it loads only what it uses: no SQLAlchemy,
Alembic or web stack, no state engine, no clearing — checked in a fresh interpreter, as a user
runs it (the start-up time itself is measured by bench/cli_startup_bench.py)."""

import json
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


UNUSED = {
    "log checkpoint --json": (
        "rich",
        "gostcrypto",
        "tomllib",
        "krai.app.cosigning",
        "krai.app.proofs",
        "krai.app.receipts",
        "krai.app.tiles_mirror",
    ),
    "parks list --json": ("rich", "gostcrypto", "krai.adapters.keystore", "krai.log.note"),
    "parks list": ("rich", "gostcrypto", "krai.adapters.keystore", "krai.log.note"),
    "parks show nowhere": (
        "gostcrypto",
        "krai.adapters.keystore",
        "krai.log.note",
        "secrets",
        "babel",
    ),
}
"""What else a read does without: Rich when it prints JSON or a park's tables (plain text),
the cosigning, proofs and receipts when it reads the checkpoint of a log without witnesses,
keys and GOST when it checks no signature, the slow TOML parser always, Babel's locale data
(words/formats.py writes its formats)."""


def loaded(home: Path, command: str, modules: tuple[str, ...]) -> str:
    """The last line the probe prints: ``loaded:`` and those of ``modules`` it imported."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=modules), *command.split(), "--home", str(home)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stderr.splitlines()[-1]


@pytest.mark.parametrize("command", READS)
def test_a_read_loads_no_heavy_package(home: Path, command: str) -> None:
    assert loaded(home, command, HEAVY) == "loaded:"


@pytest.mark.parametrize("command", UNUSED)
def test_a_read_loads_nothing_it_does_not_use(home: Path, command: str) -> None:
    assert loaded(home, command, UNUSED[command]) == "loaded:"


HELPS = ("--help", *(f"{group} --help" for group in ("parks", "log", "payments", "witness")))


@pytest.mark.parametrize("command", HELPS)
def test_listing_the_commands_imports_none_of_them(command: str) -> None:
    """``--help`` lists each command from the stored listing (ADR 0051)."""
    listed = (
        "krai.entrypoints.cli.parks",
        "krai.entrypoints.cli.log",
        "krai.app.publication",
        "typer.rich_utils",  # drawn by help_text: no Markdown, no tracebacks
        "markdown_it",
        "pygments",
    )
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=(*HEAVY, *listed)), *command.split()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "Commands" in result.stdout
    assert result.stderr.splitlines()[-1] == "loaded:"


@pytest.mark.parametrize(
    "module", ["accounts", "energy", "identity", "notary", "parks", "payments"]
)
def test_a_modules_queries_load_none_of_its_messages_or_rules(module: str) -> None:
    probe = (
        f"import sys, krai.modules.{module}.queries\n"
        f"print(*sorted(m for m in sys.modules if m.startswith('krai.modules.')"
        f" and m.split('.')[3:4] in (['messages'], ['rules'], ['machine'])))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == ""


CLEARING_UNUSED = (
    *(name for name in HEAVY if name != "numpy"),
    "babel",
    "rich",
    "krai.modules.energy.queries",
    "krai.modules.energy.machine",
    "krai.app.energy_recompute",
    "krai.bootstrap",
    "krai.config.settings",
    "krai.adapters.sql.storage",
    "krai.tx.envelope",
    "nacl",
    "sqlite3",
    "msgspec",
)
"""What ``krai energy clear --json`` does without: it needs numpy, no home, no ledger, no
keys or signatures, no words and no tables; nor msgspec for a book laid out as programs
write it (ADR 0047)."""


def test_clearing_a_book_loads_the_clearing_alone(tmp_path: Path) -> None:
    book = tmp_path / "book.json"
    order = {"id": "a", "side": "buy", "price_kopecks_per_mwh": 1, "energy_kwh": 1}
    grid = ("import_limit_kwh", "export_limit_kwh", "grid_sell_price_kopecks_per_mwh")
    book.write_text(
        json.dumps(
            {**dict.fromkeys(grid, 0), "grid_buy_price_kopecks_per_mwh": 0, "orders": [order]}
        )
    )
    command = ["energy", "clear", "--orders", str(book), "--json"]
    result = subprocess.run(
        [sys.executable, "-c", PROBE.format(heavy=CLEARING_UNUSED), *command],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert json.loads(result.stdout)["accepted"] == [{"id": "a", "energy_kwh": 0}]
    assert result.stderr.splitlines()[-1] == "loaded:"
