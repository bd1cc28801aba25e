"""``krai payments``: the audit anyone holding the ledger runs, the trace of any payment or
dispensing with its proofs, and bank statements imported from CSV."""

import csv
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from krai.app.payments_audit import audit_report
from krai.app.ports import KeystoreError
from krai.app.statements import Signer, StatementImport, record_statement, statement_transactions
from krai.app.trace import flagged_trace, with_proofs
from krai.bootstrap import new_engine
from krai.entrypoints.cli.common import (
    EXIT_NOT_FOUND,
    EXIT_REJECTED,
    EXIT_USAGE,
    HomeOption,
    JsonOption,
    checked_day,
    console,
    fail,
    print_json,
    services_for,
    show,
)
from krai.entrypoints.reports.audit import render_html, write_xlsx
from krai.entrypoints.words.findings import describe
from krai.entrypoints.words.i18n import Words
from krai.modules.payments import queries, trace
from krai.modules.payments.records import StatementInParts
from krai.state.calendar import CalendarDayError
from krai.state.records import record_json
from krai.tx.errors import RejectedError

app = typer.Typer(help="Social payments and drug provision.", no_args_is_help=True)
AMOUNT = re.compile(r"(-?)([0-9]{1,15})(?:[.,]([0-9]{1,2}))?")
CSV_COLUMNS = ("line_id", "booked_on", "direction", "amount_rub", "reference")


@app.command()
def audit(
    as_of: Annotated[
        str | None,
        typer.Option(
            help="Audit as of this day, YYYY-MM-DD (default: the newest payment's).",
            callback=checked_day,
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write the report as an HTML page.")
    ] = None,
    xlsx: Annotated[
        Path | None, typer.Option(help="Also write the report as an XLSX workbook.")
    ] = None,
    parts: Annotated[
        int | None,
        typer.Option(min=1, help="Processes that share the work (default: one per core)."),
    ] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Every finding: illegitimate, duplicate, late and missing accruals, broken links."""
    with services_for(home) as services:
        try:
            report = audit_report(
                services.storage, services.origin, as_of, new_engine=new_engine, parts=parts
            )
        except CalendarDayError as error:
            fail(str(error), EXIT_USAGE)
        titles = {p.programme_id: p.title for p in queries.programmes(services.storage)}
    if html is not None:
        html.write_text(render_html(report, titles), encoding="utf-8")
    if xlsx is not None:
        write_xlsx(report, titles, xlsx)
    if json_output:
        print_json(report)
        return
    _print_findings(report, titles)


def _print_findings(report: dict[str, Any], titles: dict[str, str]) -> None:
    """Each finding in words with its sum at stake, then the total."""
    words = Words("ru")
    table = Table("Вид", "Что найдено", "Сумма под риском", "Записи журнала")
    for finding in report["findings"]:
        entries = ", ".join(str(t["index"]) for t in finding["transactions"])
        table.add_row(
            words.label("finding", finding["kind"]),
            describe(finding, words, titles),
            words.roubles(finding["at_stake_kopecks"]),
            entries,
        )
    console.print(table)
    total = words.roubles(report["at_stake"]["total_kopecks"])
    console.print(f"Находок: {len(report['findings'])}; под риском {total}", highlight=False)


@app.command("trace")
def trace_command(
    payment: Annotated[str | None, typer.Option(help="Trace back from this payment.")] = None,
    dispensing: Annotated[str | None, typer.Option(help="Trace back from this dispensing.")] = None,
    programme: Annotated[
        str | None, typer.Option(help="Trace a programme's money forwards.")
    ] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """The chain between budget and service, each step with its inclusion proof."""
    if [payment, dispensing, programme].count(None) != 2:
        fail("name exactly one of --payment, --dispensing, --programme", EXIT_USAGE)
    with services_for(home) as services:
        view = services.storage
        if programme is not None:
            flows = trace.forwards_from_programme(view, programme)
            if not flows:
                fail(f"programme {programme} is not registered", EXIT_NOT_FOUND)
            show({**flows, **with_proofs(services.storage, flows["funding"])}, json_output)
            return
        steps = (
            trace.backwards_from_payment(view, str(payment))
            if payment is not None
            else trace.backwards_from_dispensing(view, str(dispensing))
        )
        if not steps:
            fail(
                f"{'payment' if payment else 'dispensing'} {payment or dispensing} is not recorded",
                EXIT_NOT_FOUND,
            )
        show(flagged_trace(services.storage, steps), json_output)


@app.command("import-statement")
def import_statement(
    source: Annotated[Path, typer.Argument(help=f"CSV with columns {', '.join(CSV_COLUMNS)}.")],
    statement_id: Annotated[str, typer.Option(help="The statement's id, e.g. veb-2026-03-21.")],
    signer: Annotated[str, typer.Option(help="The payment agent's key name.")],
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a bank statement, in as many parts as one transaction's size requires, and
    print how each line matched the ledger's payments."""
    lines = _read_statement(source)
    with services_for(home) as services:
        try:
            stored = services.keystore.load(signer)
        except KeystoreError as error:
            fail(str(error), EXIT_USAGE)
        key = Signer(stored.organisation or "", stored.key_id, stored.private_key)
        try:
            transactions = statement_transactions(services.origin, key, statement_id, lines)
        except RejectedError as error:
            fail(str(error), EXIT_REJECTED)
        recorded = record_statement(services.sequencer, transactions)
        if recorded.refusal is not None:
            done = f"{len(recorded.receipts)} of {recorded.parts} parts recorded"
            fail(f"part {recorded.refused_part} refused ({done}): {recorded.refusal}")
        statement = queries.statement(services.storage, statement_id)
    assert statement is not None, "every part was accepted"
    _print_statement(statement, recorded, json_output)


def _print_statement(
    statement: StatementInParts, recorded: StatementImport, json_output: bool
) -> None:
    if json_output:
        stored = record_json(statement)
        summary = {k: stored[k] for k in ("parts", "statement_sha256", "complete", "lines")}
        print_json({**summary, "receipts": [r.to_json() for r in recorded.receipts]})
        return
    for line in statement.lines:
        verdict = line.matched or f"UNMATCHED: {line.unmatched}"
        console.print(f"{line.line_id}: {line.reference} — {verdict}", highlight=False)
    console.print(f"{len(statement.lines)} lines in {recorded.parts} parts", highlight=False)


def _read_statement(source: Path) -> list[dict[str, Any]]:
    try:
        with source.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        fail(f"cannot read {source}: {error}", EXIT_USAGE)
    if not rows or set(CSV_COLUMNS) - set(rows[0]):
        fail(f"{source}: the header must name {', '.join(CSV_COLUMNS)}", EXIT_USAGE)
    lines = [_line(row, number) for number, row in enumerate(rows, start=2)]
    _refuse_repeated_ids(lines)
    return lines


def _refuse_repeated_ids(lines: list[dict[str, Any]]) -> None:
    """A line id twice would have the ledger refuse a later part after the earlier ones are
    recorded: say so before anything is submitted."""
    first: dict[str, int] = {}
    for number, line in enumerate(lines, start=2):
        earlier = first.setdefault(line["line_id"], number)
        if earlier != number:
            repeated = f"line {number}: line_id {line['line_id']!r} is also on line {earlier}"
            fail(repeated, EXIT_USAGE)


def _line(row: dict[str, str], number: int) -> dict[str, Any]:
    match = AMOUNT.fullmatch(row["amount_rub"].strip().replace(" ", ""))
    if match is None or match.group(1):
        fail(
            f"line {number}: amount_rub {row['amount_rub']!r} is not a positive rouble amount",
            EXIT_USAGE,
        )
    kopecks = int(match.group(2)) * 100 + int((match.group(3) or "0").ljust(2, "0"))
    return {
        "line_id": row["line_id"].strip(),
        "booked_on": row["booked_on"].strip(),
        "direction": row["direction"].strip().lower(),
        "amount_kopecks": kopecks,
        "reference": row["reference"].strip(),
    }
