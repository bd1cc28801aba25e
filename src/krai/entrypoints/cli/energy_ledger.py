"""``krai energy`` on a home's ledger: prices, curves, books, recomputation, statements, heat,
meter readings in and positions out (the group is ``energy.py``)."""

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from krai.app.energy_recompute import recompute_day
from krai.app.lookups import found, require_market
from krai.entrypoints.cli.common import (
    EXIT_REJECTED,
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    checked_day,
    checked_month,
    console,
    fail,
    new_table,
    print_json,
    read_bounded,
    refusals,
    services_for,
    show,
)
from krai.entrypoints.reports.energy_statement import KWH_COLUMNS, statement_csv, statement_xlsx
from krai.entrypoints.words.i18n import Words
from krai.modules.energy import queries

WORDS = Words("en")
"""The CLI's words: its tables and files are in English, money in roubles («1,234.56»)."""


MarketArgument = Annotated[str, typer.Argument(help="The market's id.")]
DayArgument = Annotated[
    str, typer.Argument(help="The delivery day, YYYY-MM-DD.", callback=checked_day)
]
PeriodArgument = Annotated[int, typer.Argument(help="The period, from 1.")]


def prices(
    market_id: MarketArgument,
    day: DayArgument,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Each cleared period's price, volumes and whether the connection limit bound."""
    with services_for(home) as services, refusals():
        require_market(services.storage, market_id)
        rows = queries.day_prices(services.storage, market_id, day)
    if json_output:
        print_json(rows)
        return
    table = new_table(
        "period", "price, RUB/MWh", "traded, kWh", "import, kWh", "export, kWh", "congested"
    )
    for row in rows:
        table.add_row(
            str(row["period"]),
            WORDS.amount(row["price_kopecks_per_mwh"]),
            *(WORDS.number(row[f"{name}_kwh"]) for name in ("traded", "import", "export")),
            "yes" if row["congested"] else "",
        )
    console.print(table)


def curves(
    market_id: MarketArgument,
    day: DayArgument,
    period: PeriodArgument,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """A period's supply and demand step curves and the clearing point."""
    with services_for(home) as services, refusals():
        require_market(services.storage, market_id)
        document = found(
            queries.curves(services.storage, market_id, day, period),
            f"period {period} of {day} in market {market_id} is not cleared",
        )
    show(document, json_output)


def period_book(
    market_id: MarketArgument,
    day: DayArgument,
    period: PeriodArgument,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """A period's book as the ledger clears it: feed `--json` to `krai energy clear --orders`."""
    with services_for(home) as services, refusals():
        opened = require_market(services.storage, market_id)
        document = queries.period_document(services.storage, opened, market_id, day, period)
    show(document, json_output)


def recompute(
    market_id: MarketArgument,
    day: DayArgument,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Recompute every cleared period of a day from the ledger and check its certificate."""
    with services_for(home) as services, refusals():
        checks = found(
            recompute_day(services.storage, market_id, day), f"market {market_id} is not open"
        )
    if json_output:
        print_json(checks)
    else:
        for check in checks:
            verdict = "agrees, optimal" if check["sound"] else "; ".join(check["problems"])
            console.print(f"period {check['period']}: {verdict}", highlight=False)
    if not checks or not all(check["sound"] for check in checks):
        raise typer.Exit(EXIT_REJECTED)


def market_view(
    market_id: MarketArgument, home: HomeOption = None, json_output: JsonOption = False
) -> None:
    """A market with its settlement account's and the grid company's balances."""
    with services_for(home) as services, refusals():
        document = found(
            queries.market_document(services.storage, market_id), f"market {market_id} is not open"
        )
    show(document, json_output)


StatementFormat = Annotated[
    str,
    typer.Option(
        "--format", help="With --out: the file's format, json, csv or xlsx.", case_sensitive=False
    ),
]


def statement(
    market_id: MarketArgument,
    day: DayArgument,
    inn: Annotated[str, typer.Argument(help="The participant's INN.")],
    home: HomeOption = None,
    json_output: JsonOption = False,
    file_format: StatementFormat = "json",
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the statement to this file.")
    ] = None,
) -> None:
    """A participant's statement for a day: hour by hour (local time), the day's totals and
    the balances; --json prints the document, --out FILE --format csv|xlsx|json writes it."""
    if file_format not in STATEMENT_FORMATS:
        fail(f"--format must be one of {', '.join(STATEMENT_FORMATS)}", EXIT_USAGE)
    with services_for(home) as services, refusals():
        require_market(services.storage, market_id)
        document = found(
            queries.statement(services.storage, market_id, day, inn),
            f"{day} has no settled invoice of {inn} in market {market_id}",
        )
    if out is not None:
        _write_statement(document, file_format, out)
    elif json_output:
        print_json(document)
    else:
        _print_statement(document)


STATEMENT_FORMATS = ("json", "csv", "xlsx")


def _write_statement(found: dict[str, Any], file_format: str, out: Path) -> None:
    if file_format == "csv":
        data = statement_csv(found, WORDS)
    elif file_format == "xlsx":
        data = statement_xlsx(found, WORDS)
    else:
        data = (json.dumps(found, ensure_ascii=False, indent=1) + "\n").encode()
    try:
        out.write_bytes(data)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror or error}", EXIT_USAGE)


def _print_statement(found: dict[str, Any]) -> None:
    """Each hour on one line (kWh, the price, the hour's amount), then the day's lines and
    the balances, in roubles."""
    table = new_table(
        f"{found['zone']}",
        "bought",
        "sold",
        "metered in",
        "metered out",
        "imbal.",
        "RUB/MWh",
        "RUB",
        title="kWh per hour (from HH:MM local time) and what it cost",
        simple=True,
        pad_edge=False,
    )
    for hour in found["hours"]:
        amount = sum(hour[f"{name}_kopecks"] for name in ("energy", "grid_fee", "imbalance"))
        table.add_row(
            hour["from"] + ("*" if hour["estimate_replaced"] else ""),
            *(str(hour[name]) for name in KWH_COLUMNS),
            WORDS.amount(hour["price_kopecks_per_mwh"]),
            WORDS.amount(amount),
        )
    console.print(table)
    for name, kopecks in _statement_lines(found):
        console.print(f"{name:<34} {WORDS.amount(kopecks):>16} RUB", highlight=False)
    previous = found.get("previous_revision")
    if previous is not None:
        console.print(
            f"revision {found['revision']} replaces revision {previous['revision']} "
            f"(invoiced {WORDS.amount(previous['invoiced_kopecks'])} RUB, change "
            f"{WORDS.amount(previous['change_kopecks'])} RUB); * an estimate replaced by a reading",
            highlight=False,
        )


def _statement_lines(found: dict[str, Any]) -> list[tuple[str, int]]:
    totals = found["day_totals"]
    lines = [
        ("energy", totals["energy_kopecks"]),
        ("grid fee", totals["grid_fee_kopecks"]),
        ("imbalance", totals["imbalance_kopecks"]),
        ("invoiced (+ owed by, - owed to it)", totals["total_kopecks"]),
    ]
    if "outstanding_kopecks" in found:
        lines += [
            ("paid (+ by, - to the participant)", found["paid_kopecks"]),
            ("written off", found["written_off_kopecks"]),
            ("outstanding", found["outstanding_kopecks"]),
        ]
    return lines


def heat(
    market_id: MarketArgument,
    month: Annotated[str, typer.Argument(help="The month, YYYY-MM.", callback=checked_month)],
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Heat delivered per micro-district and resident, what it paid and the fuel it avoided."""
    with services_for(home) as services, refusals():
        require_market(services.storage, market_id)
        document = queries.heat_report(services.storage, market_id, month)
    show(document, json_output)


def import_readings(
    source: Annotated[Path, typer.Argument(help="An ATS 80020 (or 80040) XML file.")],
    market_id: Annotated[str, typer.Option("--market", help="The market's id.")],
    signer: Annotated[str, typer.Option(help="The meter operator's key name.")],
    points: Annotated[
        Path | None,
        typer.Option(
            help='JSON {"measuring point code": "participant INN"}; without it each point\'s '
            "code is its participant's INN."
        ),
    ] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a day's meter data from an 80020 file: the file's SHA-256 anchored by the
    notary, then its readings in as many energy.submit_readings as they need."""
    # Imported here: reading XML is this command's alone (start-up of the others).
    from krai.app.ats_80020 import MAX_FILE_BYTES  # noqa: PLC0415
    from krai.app.meter_readings import (  # noqa: PLC0415
        MAX_POINTS_BYTES,
        MeterFileError,
        points_from_json,
        read_meter_file,
        readings_to_sign,
        strangers,
    )
    from krai.app.ports import KeystoreError  # noqa: PLC0415
    from krai.app.statements import Signer, record_statement, signed_parts  # noqa: PLC0415

    data = read_bounded(source, MAX_FILE_BYTES)
    try:
        given = None if points is None else points_from_json(read_bounded(points, MAX_POINTS_BYTES))
    except MeterFileError as error:
        fail(f"{points}: {error}", EXIT_USAGE)
    with services_for(home) as services, refusals():
        market = require_market(services.storage, market_id)
        try:
            meter_file = read_meter_file(data, market, given)
        except MeterFileError as error:
            fail(f"{source}: {error}", EXIT_USAGE)
        unknown = strangers(services.storage, market_id, meter_file)
        if unknown:
            fail(f"{source}: not participants of market {market_id}: {', '.join(unknown)}")
        try:
            stored = services.keystore.load(signer)
        except KeystoreError as error:
            fail(str(error), EXIT_USAGE)
        key = Signer(stored.organisation or "", stored.key_id, stored.private_key)
        transactions = signed_parts(services.origin, key, readings_to_sign(market_id, meter_file))
        recorded = record_statement(services.sequencer, transactions)
    if recorded.refusal is not None:
        done = f"{len(recorded.receipts)} of {recorded.parts} transactions recorded"
        fail(f"transaction {recorded.refused_part} refused ({done}): {recorded.refusal}")
    estimated = sum(1 for reading in meter_file.readings if reading.get("estimated"))
    summary = {
        "sha256": meter_file.sha256,
        "delivery_date": meter_file.day,
        "readings": len(meter_file.readings),
        "estimated": estimated,
        "receipts": [receipt.to_json() for receipt in recorded.receipts],
    }
    if json_output:
        print_json(summary)
        return
    console.print(
        f"{len(meter_file.readings)} readings of {meter_file.day} ({estimated} estimated) "
        f"recorded in {recorded.parts - 1} transactions; the file's SHA-256 "
        f"{meter_file.sha256} anchored",
        highlight=False,
    )


def export_positions_command(
    market_id: Annotated[str, typer.Option("--market", help="The market's id.")],
    day: Annotated[str, typer.Option(help="The delivery day, YYYY-MM-DD.", callback=checked_day)],
    file_format: Annotated[
        str, typer.Option("--format", metavar="80020", help="The file format.")
    ] = "80020",
    points: Annotated[
        Path | None,
        typer.Option(
            help='JSON {"measuring point code": "participant INN"}, one point a participant; '
            "without it each point's code is the participant's INN."
        ),
    ] = None,
    out: Annotated[Path | None, typer.Option(help="Write here (default: standard output).")] = None,
    home: HomeOption = None,
) -> None:
    """The exchange's cleared positions of a day as an ATS 80020 file: a measuring point per
    participant, channel 01 the kWh it bought and 02 the kWh it sold in each period."""
    from krai.app.meter_readings import (  # noqa: PLC0415
        MAX_POINTS_BYTES,
        MeterFileError,
        export_positions,
        points_from_json,
    )

    if file_format != "80020":
        fail(f"{file_format!r} is not one of 80020", EXIT_USAGE)
    try:
        given = None if points is None else points_from_json(read_bounded(points, MAX_POINTS_BYTES))
    except MeterFileError as error:
        fail(f"{points}: {error}", EXIT_USAGE)
    with services_for(home) as services, refusals():
        try:
            data, message = export_positions(services.storage, market_id, str(day), given)
        except MeterFileError as error:
            fail(str(error), EXIT_USAGE)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    try:
        out.write_bytes(data)
    except OSError as error:
        fail(f"cannot write {out}: {error.strerror or error}", EXIT_USAGE)
    console.print(f"{len(message.points)} measuring points written to {out}", highlight=False)
