"""``krai vault``: enrol people in the operator's personal-data vault, show, erase, report.

Personal data is read from standard input (or a file), never from the command line, where it
would stay in the shell's history and the process list. Every command needs the vault's
master key file in the home: without it (or when others may read it) the command refuses.
"""

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from krai.app.vault import Person, Vault, VaultError, access_report, enrolment, erase
from krai.bootstrap import home_vault
from krai.config.settings import load_settings
from krai.entrypoints.cli.common import (
    EXIT_NOT_FOUND,
    EXIT_REJECTED,
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    console,
    fail,
    new_table,
    print_json,
    services_for,
)
from krai.entrypoints.words.i18n import Words

WORDS = Words("ru")
"""Amounts in the access report read as the dashboard reads them: «8 500,00 ₽»."""

app = typer.Typer(
    help="The off-ledger vault of personal data: people appear on the ledger only as pseudonyms.",
    no_args_is_help=True,
)

SnilsOption = Annotated[
    str | None,
    typer.Option("--snils", help="The person's SNILS; default: read one line from standard input."),
]
PERSON_FIELDS = ("snils", "full_name", "birth_date", "address")


@contextmanager
def vault_for(home: Path | None, *, create: bool = False) -> Iterator[Vault]:
    """Open the home's vault, or exit with the vault's message (a missing key, say)."""
    try:
        with home_vault(load_settings(home), create=create) as vault:
            yield vault
    except VaultError as error:
        fail(str(error), EXIT_REJECTED)


@app.command("enrol")
def enrol_person(
    programme: Annotated[str, typer.Option(help="The programme id, e.g. kld.child-benefit.")],
    source: Annotated[
        str, typer.Option("--file", help="A JSON person document, or - for standard input.")
    ] = "-",
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Enrol a person (JSON: snils, full_name, birth_date YYYY-MM-DD, address) in a programme
    and print their pseudonym and dedup key; enrolling again prints the same."""
    person = _read_person(source)
    with vault_for(home, create=True) as vault:
        enrolled = enrolment(vault, person, programme)
    if json_output:
        print_json(enrolled)
    else:
        console.print(f"{programme}: {enrolled['pseudonym']}", highlight=False)
        console.print(f"dedup key: {enrolled['dedup_key']}", highlight=False)


@app.command()
def show(
    snils: SnilsOption = None, home: HomeOption = None, json_output: JsonOption = False
) -> None:
    """The person's personal data (decrypted), pseudonyms and status."""
    with vault_for(home) as vault:
        subject = vault.read(_snils(snils)).to_json()
    if json_output:
        print_json(subject)
        return
    for name, value in _flatten(subject):
        console.print(f"{name}: {value}", highlight=False, markup=False)


@app.command("erase")
def erase_person(
    snils: SnilsOption = None, home: HomeOption = None, json_output: JsonOption = False
) -> None:
    """Destroy the person's data key and personal data (crypto-shredding) and print the
    ``payments.record_erasure`` bodies the operator must submit, one per programme."""
    with vault_for(home) as vault:
        bodies = erase(vault, _snils(snils))
    if json_output:
        print_json(bodies)
        return
    console.print("Erased. Submit one payments.record_erasure per programme:", highlight=False)
    for body in bodies:
        console.print(json.dumps(body), highlight=False, markup=False, soft_wrap=True)


@app.command()
def access(
    snils: SnilsOption = None, home: HomeOption = None, json_output: JsonOption = False
) -> None:
    """A subject access report (152-FZ art. 14): the personal data held, the pseudonyms, and
    every ledger entry that mentions them."""
    number = _snils(snils)
    with services_for(home) as services, vault_for(home) as vault:
        report = access_report(services.storage, vault, number)
    if report is None:
        fail("no person with this SNILS is enrolled in the vault", EXIT_NOT_FOUND)
    if json_output:
        print_json(report)
        return
    subject, ledger = report["subject"], report["ledger"]
    for name, value in _flatten(subject):
        console.print(f"{name}: {value}", highlight=False, markup=False)
    table = new_table("entry", "what", "amount", "signer", "events")
    for item in ledger:
        events = ", ".join(str(event.get("event", "?")) for event in item["events"])
        kopecks = item["amount_kopecks"]
        amount = "" if kopecks is None else WORDS.roubles(kopecks)
        table.add_row(str(item["index"]), item["what"], amount, item["signer"] or "", events)
    console.print(table)


def _read_person(source: str) -> Person:
    try:
        handle = sys.stdin if source == "-" else Path(source).open(encoding="utf-8")  # noqa: SIM115
        with handle:
            document = json.load(handle)
    except (OSError, json.JSONDecodeError) as error:
        fail(f"cannot read a JSON person document from {source}: {error}", EXIT_USAGE)
    if not isinstance(document, dict) or set(document) - set(PERSON_FIELDS):
        fail(f"a person is a JSON object with the fields {', '.join(PERSON_FIELDS)}", EXIT_USAGE)
    if not all(isinstance(document.get(name, ""), str) for name in PERSON_FIELDS):
        fail("every field of a person is a string", EXIT_USAGE)
    missing = [name for name in PERSON_FIELDS[:3] if name not in document]
    if missing:
        fail(f"the person document lacks {', '.join(missing)}", EXIT_USAGE)
    return Person(**document)


def _snils(snils: str | None) -> str:
    if snils is not None:
        return snils
    line = sys.stdin.readline().strip()
    if not line:
        fail("give the SNILS with --snils or on standard input", EXIT_USAGE)
    return line


def _flatten(subject: dict[str, Any]) -> Iterator[tuple[str, str]]:
    person = subject.get("person") or {}
    for name in ("status", "enrolled_on", "erased_on", "dedup_key"):
        if subject.get(name) is not None:
            yield name, str(subject[name])
    for name in PERSON_FIELDS:
        if name in person:
            yield name, person[name]
    for programme, pseudonym in subject["pseudonyms"].items():
        yield f"pseudonym in {programme}", pseudonym
