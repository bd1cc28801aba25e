"""``krai energy``: the in-park exchange — clear a book offline, read and recompute the ledger's.

Each command is imported when it runs: ``clear`` from ``energy_clear`` (the clearing alone),
the others from ``energy_ledger`` (a home's records, reports and words).
"""

import typer

from krai.entrypoints.cli.lazy import lazy_group

_CLEAR = "krai.entrypoints.cli.energy_clear"
_LEDGER = "krai.entrypoints.cli.energy_ledger"
COMMANDS = {
    "clear": f"{_CLEAR}:clear_book",
    "prices": f"{_LEDGER}:prices",
    "curves": f"{_LEDGER}:curves",
    "book": f"{_LEDGER}:period_book",
    "recompute": f"{_LEDGER}:recompute",
    "market": f"{_LEDGER}:market_view",
    "statement": f"{_LEDGER}:statement",
    "heat": f"{_LEDGER}:heat",
    "import-readings": f"{_LEDGER}:import_readings",
    "export-positions": f"{_LEDGER}:export_positions_command",
}
"""Each command's name and the import path of its function."""

app = typer.Typer(
    help="The in-park energy exchange.", no_args_is_help=True, cls=lazy_group(COMMANDS)
)
