"""Every read of the CLI answers as the API does: an unknown market, park, entry or payment is
"not found" (exit 3, the API's 404), a bad date a usage error (exit 2, the API's 400), each with
one error line and nothing on standard output; and every read that prints a document takes
``--json``."""

from pathlib import Path
from typing import Any

import pytest
import typer
from typer._click import Context
from typer.testing import CliRunner

from krai.entrypoints.cli.common import EXIT_NOT_FOUND, EXIT_USAGE
from krai.entrypoints.cli.main import app

UNKNOWN = [
    "energy prices nope 2018-06-05",
    "energy curves nope 2018-06-05 1",
    "energy book nope 2018-06-05 1",
    "energy recompute nope 2018-06-05",
    "energy market nope",
    "energy statement nope 2018-06-05 7707083893",
    "energy heat nope 2018-06",
    "parks show nope",
    "parks power nope",
    "parks residents nope",
    "parks fact nope specialisation",
    "payments trace --payment nope",
    "payments trace --programme nope",
    "log entry --index 99",
    "log prove-inclusion --index 99",
    "log prove-consistency --first 1 --second 99",
    f"notary show {'ab' * 32}",
]
BAD_DATES = [
    "energy prices nope 2018-02-30",
    "energy heat nope 2018-13",
    "parks show nope --on yesterday",
    "parks targets --on 20261206",
    "payments audit --as-of 2026-02-30",
]
WITHOUT_DOCUMENT = {
    "export",  # writes a bundle file
    "demo",
    "serve",
    "init",
    "tx build",  # prints the signed transaction itself
    "tx submit",
    "log vkey",  # a verifier key line
    "log entry",  # the entry's exact bytes
    "log witnesses add",
    "log witnesses remove",
    "log witnesses policy",
    "log witnesses policy-file",  # a C2SP policy file
    "log mirrors add",
    "log mirrors remove",
    "receipt get",  # a C2SP tlog-proof file
    "payments export-orders",  # a «Клиент банка» file of payment orders
    "energy export-positions",  # an ATS 80020 file of cleared positions
    "parks template",  # an XLSX template to fill
    "witness init",
    "witness add-log",
    "witness vkey",
    "witness serve",
}


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reads") / "home"
    result = CliRunner().invoke(app, ["init", "--home", str(path)])
    assert result.exit_code == 0, result.output
    return path


def invoke(home: Path, command: str) -> Any:
    return CliRunner().invoke(app, [*command.split(), "--home", str(home)])


@pytest.mark.parametrize("command", UNKNOWN)
def test_an_unknown_id_is_not_found(home: Path, command: str) -> None:
    result = invoke(home, command)
    assert result.exit_code == EXIT_NOT_FOUND, (result.exit_code, result.output)
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", BAD_DATES)
def test_a_bad_date_is_a_usage_error(home: Path, command: str) -> None:
    result = invoke(home, command)
    assert result.exit_code == EXIT_USAGE, (result.exit_code, result.output)
    assert result.stdout == ""
    assert "date" in result.stderr or "month" in result.stderr


def commands(group: Any, path: tuple[str, ...] = ()) -> dict[str, Any]:
    """Every command of the CLI by its full name (loading the lazy groups' commands)."""
    if not hasattr(group, "list_commands"):
        return {" ".join(path): group}
    context = Context(group)
    found: dict[str, Any] = {}
    for name in group.list_commands(context):
        found |= commands(group.get_command(context, name), (*path, name))
    return found


def test_every_read_that_prints_a_document_takes_json() -> None:
    every = commands(typer.main.get_command(app))
    assert set(every) >= WITHOUT_DOCUMENT, sorted(WITHOUT_DOCUMENT - set(every))
    missing = [
        name
        for name, command in every.items()
        if name not in WITHOUT_DOCUMENT
        and "--json" not in {o for p in command.params for o in getattr(p, "opts", [])}
    ]
    assert missing == []
