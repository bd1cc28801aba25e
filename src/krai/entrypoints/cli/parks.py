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
from krai.entrypoints.words.i18n import Words

app = typer.Typer(help="Industrial parks, clusters, sites, capacity and residents.")
WORDS = Words("ru")
"""Figures read as the dashboard reads them in Russian: «более 120 МВт», «3,5 млрд ₽»."""

OnOption = Annotated[
    str | None,
    typer.Option(
        "--on",
        help="The date to read as of (YYYY-MM-DD; default: the ledger's today).",
        callback=checked_day,
    ),
]
ParkArgument = Annotated[str, typer.Argument(help="The park's id, e.g. krasnoyarsk-digital.")]


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
) -> None:
    """Every park with its kind, status, operator and occupancy."""
    with services_for(home) as services:
        found = park_registry.park_cards(services.storage, region)
    if json_output:
        print_json(found)
        return
    _table(
        ["park", "region", "kind", "status", "area", "held"],
        [
            [
                p["park_id"],
                p["region_id"],
                p["kind"],
                p["status"],
                WORDS.area(p["total_area_m2"]),
                _held(p["occupancy"]["held_of_park_basis_points"]),
            ]
            for p in found
        ],
    )


@app.command()
def show(
    park_id: ParkArgument,
    on: OnOption = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """A park's card: status, facts with their provenance, infrastructure, power, residents."""
    with services_for(home) as services:
        day = _on(on, services.storage)
        card = park_registry.park_card(services.storage, park_id, day)
    if card is None:
        fail(f"park {park_id} is not registered", EXIT_NOT_FOUND)
    found = card["park"]
    if json_output:
        print_json(card)
        return
    print_line(f"{found['name_ru']} ({found['name_en']}), {found['status']}")
    _table(
        ["fact", "value", "as of", "source", "signed by", "entry", "stale"],
        [
            [
                f["name"],
                WORDS.fact(f),
                f["as_of"],
                f["source"],
                f["by"],
                str(f["index"]),
                "yes" if f["stale"] else "",
            ]
            for f in card["facts"]
        ],
    )
    _table(
        ["object", "kind", "capacity", "in service", "owner", "grid"],
        [
            [
                o["object_id"],
                o["kind"],
                WORDS.capacity(o),
                WORDS.commissioned(o),
                o.get("owner_inn", ""),
                "yes" if o["feeds_grid"] else "no",
            ]
            for o in card["infrastructure"]
        ],
    )
    power = card["power"]
    print_line(
        f"guaranteed grid power on {day}: {WORDS.power(power['capacity_kw'])}, "
        f"{WORDS.power(power['allocated_kw'])} allocated, {WORDS.power(power['free_kw'])} free"
    )


@app.command()
def fact(
    park_id: ParkArgument,
    name: Annotated[str, typer.Argument(help="The fact's name, e.g. distance_to_airport_m.")],
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """A fact's current value, its history, and the proof of the entry that stated it."""
    with services_for(home) as services:
        document = park_registry.proven_fact(services.storage, park_id, name)
    if document is None:
        fail(f"park {park_id} has no stated fact {name}", EXIT_NOT_FOUND)
    if json_output:
        print_json(document)
        return
    current, root = document["fact"], document["inclusion"]["root_hash"]
    print_line(
        f"{name} = {WORDS.fact(current)} as of {current['as_of']} ({current['source']}), signed by "
        f"{current['by']} at entry {current['index']}; proof against root {root}"
    )


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
) -> None:
    """Search plots as an investor would."""
    with services_for(home) as services:
        found = park_registry.sites(services.storage, park, status, min_area_m2, max_price_kopecks)
    if json_output:
        print_json(found)
        return
    _table(
        ["cadastral number", "park", "area", "status", "price", "permitted use"],
        [
            [
                s["cadastral_number"],
                s["park_id"],
                WORDS.area(s["area_m2"]),
                s["status"],
                WORDS.money(s["price_kopecks"]) if "price_kopecks" in s else "",
                s["permitted_use"],
            ]
            for s in found
        ],
    )


@app.command()
def power(park_id: ParkArgument, home: HomeOption = None, json_output: JsonOption = False) -> None:
    """Capacity, allocated and free power (kW) from each date on which one of them changes."""
    with services_for(home) as services, refusals():
        require_park(services.storage, park_id)
        rows = park_registry.power_timeline(services.storage, park_id)
    if json_output:
        print_json(rows)
        return
    _table(
        ["from", "capacity", "allocated", "free"],
        [
            [
                r["from"],
                *(WORDS.power(r[f"{name}_kw"]) for name in ("capacity", "allocated", "free")),
            ]
            for r in rows
        ],
    )


@app.command()
def residents(
    park_id: ParkArgument,
    on: OnOption = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Residents with their commitments against actuals, and breach flags."""
    with services_for(home) as services, refusals():
        require_park(services.storage, park_id)
        found = park_registry.residents_with_commitments(
            services.storage, park_id, _on(on, services.storage)
        )
    if json_output:
        print_json(found)
        return
    _table(
        ["organisation", "status", "milestone", "committed", "actual", "jobs", "assessment"],
        [
            [
                r["inn"],
                r["status"],
                c["due"],
                WORDS.money(c["committed_investment_kopecks"]),
                WORDS.money(c["actual_investment_kopecks"]),
                f"{c['actual_jobs']}/{c['committed_jobs']}",
                c["status"],
            ]
            for r in found
            for c in r["commitments"]
        ],
    )


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
) -> None:
    """Agreements with their parties and signatures."""
    with services_for(home) as services:
        found = park_registry.agreements(services.storage, party)
    if json_output:
        print_json(found)
        return
    _table(
        ["agreement", "title", "status", "signed", "signatories"],
        [
            [
                a["agreement_id"],
                a["title"],
                a["status"],
                f"{len(a['signatures'])}/{len(a['parties'])}",
                "; ".join(f"{s['position']} {s['name']}" for s in a.get("signatories", [])),
            ]
            for a in found
        ],
    )


@app.command()
def targets(
    region: Annotated[str | None, typer.Option(help="Only this region's targets.")] = None,
    on: OnOption = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Regional targets with their progress and whether they are on track."""
    with services_for(home) as services:
        found = park_registry.targets(services.storage, region, _on(on, services.storage))
    if json_output:
        print_json(found)
        return
    _table(
        ["target", "by", "progress", "expected", "on track"],
        [
            [
                t["title"],
                t["by_date"],
                WORDS.percent(t["progress_basis_points"])
                + ("" if t["baseline_known"] else " of target (baseline unknown)"),
                "—"
                if t["expected_basis_points"] is None
                else WORDS.percent(t["expected_basis_points"]),
                {True: "yes", False: "no", None: "— (no baseline)"}[t["on_track"]],
            ]
            for t in found
        ],
    )


@app.command()
def support(
    park: Annotated[str | None, typer.Option("--park", help="Only this park's measures.")] = None,
    home: HomeOption = None,
    json_output: JsonOption = False,
) -> None:
    """Support measures granted: what, to whom, by whom, until when, how much, on what legal
    basis, and the other authorities' measures each overlaps."""
    with services_for(home) as services:
        found = park_registry.support_measures(services.storage, park)
    if json_output:
        print_json(found)
        return
    _table(
        ["measure", "kind", "recipient", "granted by", "from", "until", "amount", "overlaps"],
        [
            [
                m["measure_id"],
                m["kind"],
                m["recipient_name"] or m["recipient_inn"],
                m["by_name"] or m["by"],
                m["from"],
                m.get("until") or "—",
                WORDS.money(m["amount_kopecks"]) if "amount_kopecks" in m else "—",
                ", ".join(
                    f"{o['measure_id']} ({o['by_name'] or o['by']})" for o in m["overlapping"]
                )
                or "—",
            ]
            for m in found
        ],
    )


def _held(basis_points: int | None) -> str:
    return "unknown: no plots registered" if basis_points is None else WORDS.percent(basis_points)


def _table(columns: list[str], rows: list[list[str]]) -> None:
    print_text_table(columns, rows)  # plain text: Rich's import and layout cost more (ADR 0045)


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
