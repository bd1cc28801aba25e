"""``krai parks``: what an investor, an operator or a ministry reads from the park registry.

Every figure comes with its source, date and signer; ``krai parks fact`` adds the inclusion
proof of the entry that stated it and the signed checkpoint it verifies against.
"""

from pathlib import Path
from typing import Annotated

import typer

from krai.app import park_registry
from krai.app.lookups import require_park
from krai.app.ports import KeystoreError, Storage
from krai.app.today import ledger_today
from krai.entrypoints.cli import parks_text as text
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
    read_bounded,
    refusals,
    services_for,
)
from krai.entrypoints.cli.text_table import print_line, print_text_table
from krai.entrypoints.words.i18n import DEFAULT_LANGUAGE, LANGUAGES, Words

app = typer.Typer(help="Industrial parks, clusters, sites, capacity and residents.")


def _language(value: str) -> Words:
    """The words of ``--lang``; another language is a usage error."""
    if value not in LANGUAGES:
        fail(f"--lang {value!r} is not one of {', '.join(LANGUAGES)}", EXIT_USAGE)
    return Words(value)


OnOption = Annotated[
    str | None,
    typer.Option(
        "--on",
        help="The date to read as of (YYYY-MM-DD; default: the ledger's today).",
        callback=checked_day,
    ),
]
ParkArgument = Annotated[str, typer.Argument(help="The park's id, e.g. krasnoyarsk-digital.")]
LangOption = Annotated[
    str,
    typer.Option("--lang", help="The tables' language: ru or en (--json is the same in both)."),
]


def _on(value: str | None, storage: Storage) -> str:
    """``--on``, or the ledger's today (the newest entry's day, docs/api.md)."""
    return ledger_today(storage) if value is None else value


@app.command("list")
def list_parks(
    region: Annotated[
        str | None, typer.Option(help="Only parks of this region, e.g. RU-24.")
    ] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Every park with its kind, status, operator and occupancy."""
    words = _language(lang)
    with services_for(home) as services:
        found = park_registry.park_cards(services.storage, region)
        regions = _region_names(services.storage, words)
    if json_output:
        print_json(found)
        return
    _table(text.park_list(words, found, regions))


@app.command()
def show(
    park_id: ParkArgument,
    on: OnOption = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """A park's card: status, facts with their provenance, infrastructure, power, residents."""
    words = _language(lang)
    with services_for(home) as services:
        day = _on(on, services.storage)
        card = park_registry.park_card(services.storage, park_id, day)
    if card is None:
        fail(f"park {park_id} is not registered", EXIT_NOT_FOUND)
    if json_output:
        print_json(card)
        return
    for line in text.park_heading(words, card["park"], day):
        print_line(line)
    _section(words, "park.facts", text.facts_table(words, card["facts"]))
    _section(words, "park.infrastructure", text.infrastructure_table(words, card["infrastructure"]))
    print_line("")
    print_line(text.power_line(words, card["power"], day))


@app.command()
def fact(
    park_id: ParkArgument,
    name: Annotated[str, typer.Argument(help="The fact's name, e.g. distance_to_airport_m.")],
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """A fact's current value, its history, and the proof of the entry that stated it."""
    words = _language(lang)
    with services_for(home) as services:
        document = park_registry.proven_fact(services.storage, park_id, name)
    if document is None:
        fail(f"park {park_id} has no stated fact {name}", EXIT_NOT_FOUND)
    if json_output:
        print_json(document)
        return
    print_line(text.fact_line(words, document))


@app.command()
def sites(
    park: Annotated[str | None, typer.Option(help="Only this park's sites.")] = None,
    status: Annotated[
        str | None, typer.Option(help="free, reserved, leased, sold, withdrawn.")
    ] = None,
    min_area_m2: Annotated[int, typer.Option(help="At least this many m².")] = 0,
    max_price_kopecks: Annotated[int | None, typer.Option(help="At most this price.")] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Search plots as an investor would."""
    words = _language(lang)
    with services_for(home) as services:
        found = park_registry.sites(services.storage, park, status, min_area_m2, max_price_kopecks)
        names = {p["park_id"]: p[f"name_{lang}"] for p in park_registry.parks(services.storage)}
    if json_output:
        print_json(found)
        return
    _table(text.sites_table(words, found, names))


@app.command()
def power(
    park_id: ParkArgument,
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Capacity, allocated and free power (kW) from each date on which one of them changes."""
    words = _language(lang)
    with services_for(home) as services, refusals():
        require_park(services.storage, park_id)
        rows = park_registry.power_timeline(services.storage, park_id)
    if json_output:
        print_json(rows)
        return
    _table(text.power_table(words, rows))


@app.command()
def residents(
    park_id: ParkArgument,
    on: OnOption = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Residents with their commitments against actuals, and breach flags."""
    words = _language(lang)
    with services_for(home) as services, refusals():
        require_park(services.storage, park_id)
        day = _on(on, services.storage)
        found = park_registry.residents_with_commitments(services.storage, park_id, day)
    if json_output:
        print_json(found)
        return
    print_line(words("cli.as_of_utc", date=words.date(day)))
    _table(text.residents_table(words, found), fixed=0)  # named by long names: they wrap


@app.command()
def agreements(
    party: Annotated[
        str | None,
        typer.Option(
            help="Only agreements this organisation (INN or <scheme>:<value>) is party to."
        ),
    ] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Agreements with their parties and signatures."""
    words = _language(lang)
    with services_for(home) as services:
        found = park_registry.agreements(services.storage, party)
    if json_output:
        print_json(found)
        return
    _table(text.agreements_table(words, found))


@app.command()
def targets(
    region: Annotated[str | None, typer.Option(help="Only this region's targets.")] = None,
    on: OnOption = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Regional targets with their progress and whether they are on track."""
    words = _language(lang)
    with services_for(home) as services:
        day = _on(on, services.storage)
        found = park_registry.targets(services.storage, region, day)
        regions = _region_names(services.storage, words)
    if json_output:
        print_json(found)
        return
    print_line(words("cli.as_of_utc", date=words.date(day)))
    _table(text.targets_table(words, found, regions))


@app.command()
def support(
    park: Annotated[str | None, typer.Option("--park", help="Only this park's measures.")] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
    lang: LangOption = DEFAULT_LANGUAGE,
) -> None:
    """Support measures granted: what, to whom, by whom, until when, how much, on what legal
    basis, and the other authorities' measures each overlaps."""
    words = _language(lang)
    with services_for(home) as services:
        found = park_registry.support_measures(services.storage, park)
    if json_output:
        print_json(found)
        return
    _table(text.support_table(words, found))


def _region_names(storage: Storage, words: Words) -> dict[str, str]:
    return {r["region_id"]: r[f"name_{words.language}"] for r in park_registry.regions(storage)}


def _table(table: text.Table, fixed: int = 1) -> None:
    print_text_table(*table, fixed)  # plain text: Rich's import and layout cost more (ADR 0045)


def _section(words: Words, title: str, table: text.Table) -> None:
    """A blank line, the section's title, and its table (or «Нет записей.»)."""
    print_line("")
    print_line(words(title))
    if table[1]:
        _table(table)
    else:
        print_line(words("parks.none"))


@app.command()
def template(
    park: Annotated[str, typer.Option(help="The park's id.")],
    out: Annotated[Path, typer.Option(help="The XLSX file to write.")],
    quarter: Annotated[
        str | None, typer.Option(help="The quarter residents report, e.g. 2026-Q2 (or 2026Q2).")
    ] = None,
    resident: Annotated[
        str | None, typer.Option(help="Only this resident's sheet (its INN).")
    ] = None,
    facts: Annotated[
        bool, typer.Option("--facts", help="The park facts template instead.")
    ] = False,
    home: HomeOption = None,
) -> None:
    """Write an XLSX template to fill: a sheet per resident for a quarter's actuals
    (``--quarter``), or the park's facts (``--facts``); import it with ``import-report``."""
    from krai.app import park_templates  # noqa: PLC0415 - openpyxl is slow to load

    if facts == (quarter is not None) or (facts and resident is not None):
        fail("give either --quarter [--resident INN] or --facts", EXIT_USAGE)
    with services_for(home) as services, refusals():
        if quarter is not None:
            found = park_templates.actuals_template(services.storage, park, quarter, resident)
            data = park_templates.write_actuals(found)
            what = f"{len(found.residents)} resident sheet(s) for {found.quarter}"
        else:
            data = park_templates.write_facts(park_templates.facts_template(services.storage, park))
            what = "the park facts sheet"
    try:
        out.write_bytes(data)
    except OSError as error:
        fail(f"cannot write {out}: {error}", EXIT_USAGE)
    console.print(f"{what} of {park} written to {out}", highlight=False)


@app.command("import-report")
def import_report(
    source: Annotated[Path, typer.Argument(help="A filled template of `krai parks template`.")],
    signer: Annotated[
        str,
        typer.Option(
            help="The key that signs: the resident's (actuals), the operator's or "
            "an attestor's (facts)."
        ),
    ],
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Read a filled template and record it: ``parks.report_actuals`` for each filled
    resident sheet (the signer's own), or ``parks.state_park_facts``. Any wrong cell refuses
    the whole file, listing each ``sheet!cell: reason``; nothing is then recorded."""
    from krai.app import park_reports  # noqa: PLC0415 - openpyxl is slow to load
    from krai.app.statements import Signer  # noqa: PLC0415

    data = read_bounded(source, park_reports.MAX_FILE_BYTES)
    with services_for(home) as services:
        try:
            stored = services.keystore.load(signer)
        except KeystoreError as error:
            fail(str(error), EXIT_USAGE)
        key = Signer(stored.organisation or "", stored.key_id, stored.private_key)
        try:
            report = park_reports.read_report(data)
            transactions = park_reports.signed_report(services.origin, key, report)
        except park_reports.ReportFileError as error:
            fail(f"{source} refused:\n" + "\n".join(error.errors), EXIT_USAGE)
        outcomes = services.sequencer.submit(transactions)
    done = [
        {"sheet": t.sheet, "type": t.type, **o.to_json()}
        if not isinstance(o, Exception)
        else {"sheet": t.sheet, "type": t.type, "error": f"{o.code.value}: {o.message}"}
        for t, o in zip(report.transactions, outcomes, strict=True)
    ]
    if json_output:
        print_json(done)
    else:
        for row in done:
            verdict = f"entry {row['index']}" if "index" in row else f"REFUSED: {row['error']}"
            console.print(f"{row['sheet']}: {row['type']} — {verdict}", highlight=False)
    if any("error" in row for row in done):
        raise typer.Exit(EXIT_REJECTED)
