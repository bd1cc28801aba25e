"""``krai payments``: the audit anyone holding the ledger runs, the trace of any payment or
dispensing with its proofs, bank statements imported from «Клиент банка» files or CSV, and
the day's payment orders exported for the bank."""

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, cast

import typer

from krai.app.client_bank import MAX_FILE_BYTES
from krai.app.payment_orders import RequisitesError, export_orders, requisites_from_json
from krai.app.payments_audit import audit_report
from krai.app.ports import KeystoreError
from krai.app.statement_files import (
    CSV_COLUMNS,
    StatementFileError,
    StatementFormat,
    read_statement,
)
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
    new_table,
    print_json,
    read_bounded,
    services_for,
    show,
)
from krai.entrypoints.words.findings import describe
from krai.entrypoints.words.i18n import Words
from krai.modules.payments import queries, trace
from krai.modules.payments.records import StatementInParts
from krai.state.calendar import CalendarDayError
from krai.state.records import record_json
from krai.tx.errors import RejectedError

app = typer.Typer(help="Social payments and drug provision.", no_args_is_help=True)


def _one_of(*choices: str) -> Callable[[str], str]:
    """A Typer callback: the option's value is one of ``choices`` (else exit 2)."""

    def checked(value: str) -> str:
        if value not in choices:
            fail(f"{value!r} is not one of {', '.join(choices)}", EXIT_USAGE)
        return value

    return checked


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
    if html is not None or xlsx is not None:
        _write_reports(report, titles, html, xlsx)
    if json_output:
        print_json(report)
        return
    _print_findings(report, titles)


def _print_findings(report: dict[str, Any], titles: dict[str, str]) -> None:
    """Each finding in words with its sum at stake, then the total."""
    words = Words("ru")
    table = new_table("Вид", "Что найдено", "Сумма под риском", "Записи журнала")
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


def _write_reports(
    report: dict[str, Any], titles: dict[str, str], html: Path | None, xlsx: Path | None
) -> None:
    """The audit as an HTML page and a workbook (Jinja2 and openpyxl load only for these)."""
    from krai.entrypoints.reports.audit import render_html, write_xlsx  # noqa: PLC0415

    if html is not None:
        html.write_text(render_html(report, titles), encoding="utf-8")
    if xlsx is not None:
        write_xlsx(report, titles, xlsx)


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
    source: Annotated[
        Path,
        typer.Argument(
            help=f"A «Клиент банка» file (1CClientBankExchange) or a CSV with columns "
            f"{', '.join(CSV_COLUMNS)}."
        ),
    ],
    statement_id: Annotated[str, typer.Option(help="The statement's id, e.g. veb-2026-03-21.")],
    signer: Annotated[str, typer.Option(help="The payment agent's key name.")],
    file_format: Annotated[
        str,
        typer.Option(
            "--format",
            callback=_one_of("auto", "csv", "1c"),
            metavar="auto|csv|1c",
            help="The file's format; auto: 1c if it begins 1CClientBankExchange, else csv.",
        ),
    ] = "auto",
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Record a bank statement, in as many parts as one transaction's size requires, and
    print how each line matched the ledger's payments."""
    try:
        lines = read_statement(
            read_bounded(source, MAX_FILE_BYTES), cast(StatementFormat, file_format)
        )
    except StatementFileError as error:
        fail(f"{source}: {error}", EXIT_USAGE)
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


@app.command("export-orders")
def export_orders_command(
    day: Annotated[
        str, typer.Option(help="The day the payments were made, YYYY-MM-DD.", callback=checked_day)
    ],
    requisites: Annotated[
        Path,
        typer.Option(
            help='JSON: {"payer": {account, inn, name, bic, bank?, correspondent?}, '
            "\"payees\": {payout_account: {...}}}; the payer's inn is the paying agent's."
        ),
    ],
    file_format: Annotated[
        str,
        typer.Option("--format", callback=_one_of("1c"), metavar="1c", help="The file format."),
    ] = "1c",
    out: Annotated[Path | None, typer.Option(help="Write here (default: standard output).")] = None,
    encoding: Annotated[
        str,
        typer.Option(
            callback=_one_of("windows-1251", "utf-8"),
            metavar="windows-1251|utf-8",
            help="The file's encoding.",
        ),
    ] = "windows-1251",
    home: HomeOption = None,
) -> None:
    """The paying agent's payments of a day as «Клиент банка» payment orders for its bank."""
    try:
        given = requisites_from_json(read_bounded(requisites, MAX_FILE_BYTES))
    except RequisitesError as error:
        fail(f"{requisites}: {error}", EXIT_USAGE)
    with services_for(home) as services:
        try:
            data, orders = export_orders(services.storage, str(day), given, _CODECS[encoding])
        except (RequisitesError, ValueError) as error:
            fail(str(error), EXIT_USAGE)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    out.write_bytes(data)
    console.print(f"{len(orders)} payment orders written to {out}", highlight=False)


_CODECS = {"windows-1251": "cp1251", "utf-8": "utf-8"}
