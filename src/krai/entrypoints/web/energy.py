"""The energy exchange: markets, a day's prices and volumes, the supply and demand curves of
any period with its clearing point, a participant's statement, and heat per micro-district."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from krai.app.meter_preview import METER_FILE
from krai.app.ports import Storage
from krai.entrypoints.reports import energy_statement as statement_file
from krai.entrypoints.web import charts
from krai.entrypoints.web.language import language_of
from krai.entrypoints.web.parks import names_of
from krai.entrypoints.web.render import not_found, page, respond, services_of
from krai.entrypoints.web.uploads import upload_pages
from krai.entrypoints.words.i18n import Words
from krai.modules.energy import queries as energy
from krai.modules.energy.records import Invoice, MarketView
from krai.modules.parks import queries as parks
from krai.state.records import record_json, records_json

router = APIRouter()
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Before "/energy/{market_id}/{day}", which would take "upload" for a day.
upload_pages(router, "/energy/{market_id}/upload", METER_FILE, "energy_upload.j2", "meter.title")


@page(router, "/energy")
def index(request: Request) -> Response:
    """Every market with its cleared days, settled days and heat months."""
    storage = services_of(request).storage
    markets = [
        {
            **_market_card(found),
            **_market_title(storage, found, language_of(request)),
            "park_name": _park_name(storage, found.park_id, language_of(request)),
            "operator_name": names_of(storage, {found.operator}).get(found.operator),
            **energy.market_accounts(storage, found),
            **_calendar(storage, found.market_id),
        }
        for found in energy.markets(storage)
    ]
    owners = {m[f"{a}_owner"] for m in markets for a in ("settlement", "grid") if m[f"{a}_owner"]}
    data = {"markets": markets, "names": names_of(storage, owners)}
    return respond(request, "energy.j2", data, "energy.title")


@page(router, "/energy/{market_id}/heat/{month}")
def heat(request: Request, market_id: str, month: str) -> Response:
    """Heat delivered in a month per micro-district and resident (Гкал), what each part of the
    tariff paid, and the fuel it saved."""
    storage = services_of(request).storage
    opened = energy.market(storage, market_id)
    if opened is None:
        return not_found(request, f"market {market_id}")
    report = energy.heat_report(storage, market_id, month)
    data = {
        "market_id": market_id,
        **_market_title(storage, opened, language_of(request)),
        **report,
    }
    data["names"] = names_of(storage, {line["resident_inn"] for line in report["lines"]})
    words = Words(language_of(request))
    rows = [(d["micro_district"], d["heat_mcal"]) for d in report["micro_districts"]]
    chart = charts.horizontal_bars(rows, words("heat.chart"), words.gcal)
    return respond(request, "heat.j2", data, "heat.title", heat_chart=chart)


@router.get("/energy/{market_id}/{day}/statement/{inn}.csv", include_in_schema=False)
def statement_csv(request: Request, market_id: str, day: str, inn: str) -> Response:
    """The statement's table as CSV (UTF-8, a header row, roubles with two decimals)."""
    return _download(request, market_id, day, inn, "csv")


@router.get("/energy/{market_id}/{day}/statement/{inn}.xlsx", include_in_schema=False)
def statement_xlsx(request: Request, market_id: str, day: str, inn: str) -> Response:
    """The statement's table as an XLSX workbook with number formats."""
    return _download(request, market_id, day, inn, "xlsx")


def _download(request: Request, market_id: str, day: str, inn: str, kind: str) -> Response:
    found = energy.statement(services_of(request).storage, market_id, day, inn)
    if found is None:
        return not_found(request, f"statement {market_id} {day} {inn}")
    words = Words(language_of(request))
    body, media = (
        (statement_file.statement_csv(found, words), "text/csv; charset=utf-8")
        if kind == "csv"
        else (statement_file.statement_xlsx(found, words), XLSX)
    )
    name = f"{market_id}-{day}-{inn}.{kind}"
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@page(router, "/energy/{market_id}/{day}/statement/{inn}")
def statement(request: Request, market_id: str, day: str, inn: str) -> Response:
    """One participant's statement for a day: hour by hour, the day's totals, the balances."""
    storage = services_of(request).storage
    found = energy.statement(storage, market_id, day, inn)
    opened = energy.market(storage, market_id)
    if found is None or opened is None:
        return not_found(request, f"statement {market_id} {day} {inn}")
    data = {
        "market_id": market_id,
        **_market_title(storage, opened, language_of(request)),
        "day": day,
        **found,
        "names": names_of(storage, {inn}),
    }
    return respond(request, "statement.j2", data, "statement.title")


@page(router, "/energy/{market_id}/{day}/{period}")
def period(request: Request, market_id: str, day: str, period: int) -> Response:
    """A period's supply and demand step curves and their clearing point."""
    storage = services_of(request).storage
    found = energy.curves(storage, market_id, day, period)
    opened = energy.market(storage, market_id)
    if found is None or opened is None:
        return not_found(request, f"clearing {market_id} {day} {period}")
    data = {
        "market_id": market_id,
        **_market_title(storage, opened, language_of(request)),
        "day": day,
        "period": period,
        **_clock(opened, period),
        **found,
    }
    words = Words(language_of(request))
    chart = charts.curves_chart(
        _curve(words("curves.supply"), found["supply"]),
        _curve(words("curves.demand"), found["demand"]),
        (found["price_kopecks_per_mwh"], found["traded_kwh"]),
        words("curves.chart"),
        fmt_price=words.roubles_short,
        fmt_quantity=words.mwh,
    )
    return respond(request, "curves.j2", data, "curves.title", curves_chart=chart)


@page(router, "/energy/{market_id}/{day}")
def day(request: Request, market_id: str, day: str) -> Response:
    """A day's price and volumes per period, block orders and settled statements."""
    storage = services_of(request).storage
    opened = energy.market(storage, market_id)
    if opened is None:
        return not_found(request, f"market {market_id}")
    settled = energy.settlement(storage, market_id, day)
    blocks = energy.blocks(storage, market_id, day)
    invoices = settled.invoices if settled else {}
    data: dict[str, Any] = {
        "market_id": market_id,
        **_market_title(storage, opened, language_of(request)),
        "zone": energy.utc_zone(opened.utc_offset_minutes),
        "day": day,
        "periods": energy.day_prices(storage, market_id, day),
        "blocks": blocks,
        "statements": [_day_statement(inn, invoices[inn]) for inn in sorted(invoices)],
        "names": names_of(
            storage, set(invoices) | _block_owners(energy.blocks(storage, market_id, day))
        ),
    }
    words = Words(language_of(request))
    return respond(request, "day.j2", data, "day.title", **_day_charts(data["periods"], words))


def _day_charts(periods: list[dict[str, Any]], words: Words) -> dict[str, Any]:
    labels = [p["from"] for p in periods]
    prices = charts.bar_chart(
        labels,
        [charts.Series(words("day.price"), [p["price_kopecks_per_mwh"] for p in periods])],
        words("day.price_chart"),
        words.whole_roubles,
    )
    volumes = charts.bar_chart(
        labels,
        [
            charts.Series(words(f"day.{name}"), [p[f"{name}_kwh"] for p in periods])
            for name in ("traded", "import", "export")
        ],
        words("day.volume_chart"),
        words.mwh,
    )
    return {"price_chart": prices, "volume_chart": volumes}


def _day_statement(inn: str, invoice: Invoice) -> dict[str, Any]:
    """A participant's line of the day: its invoice, and what it still owes (version 2)."""
    line = {"participant": inn, **record_json(invoice)}
    if invoice.balance is not None:
        line["outstanding_kopecks"] = invoice.outstanding()
    return line


def _clock(opened: MarketView, period: int) -> dict[str, str]:
    start = (period - 1) * opened.period_minutes
    return {
        "from": energy.clock(start),
        "to": energy.clock(start + opened.period_minutes),
        "zone": energy.utc_zone(opened.utc_offset_minutes),
    }


def _block_owners(blocks: dict[str, Any] | None) -> set[str]:
    if blocks is None:
        return set()
    return {b["participant"] for b in (*blocks["accepted"], *blocks["dropped"])}


def _curve(name: str, points: list[dict[str, int]]) -> charts.Curve:
    return charts.Curve(name, [(p["price_kopecks_per_mwh"], p["cumulative_kwh"]) for p in points])


def _market_card(found: MarketView) -> dict[str, Any]:
    return {
        "market_id": found.market_id,
        "park_id": found.park_id,
        "operator": found.operator,
        "period_minutes": found.period_minutes,
        "gate_closure": found.gate_closure,
        "price_cap_kopecks_per_mwh": found.price_cap_kopecks_per_mwh,
        "zone": energy.utc_zone(found.utc_offset_minutes),
        "limits": records_json(found.limits),
    }


def _market_title(storage: Storage, found: MarketView, language: str) -> dict[str, str]:
    """The market's title in the reader's language (``market_title``) and the language it is
    in (``market_title_lang``): the ledger states one title, in Russian; an English page
    names the market by its park's English name, or shows the Russian title marked as such."""
    park = parks.park_record(storage, found.park_id) if language == "en" else None
    if park is None:
        return {"market_title": found.title, "market_title_lang": "ru"}
    english = Words(language)("energy.market_of", park=park.name_en)
    return {"market_title": english, "market_title_lang": "en"}


def _park_name(storage: Storage, park_id: str, language: str) -> str:
    found = parks.park_record(storage, park_id)
    if found is None:
        return park_id
    return found.name_en if language == "en" else found.name_ru


def _calendar(storage: Storage, market_id: str) -> dict[str, Any]:
    return {
        "metered_days": energy.metered_days(storage, market_id),
        "cleared_days": energy.cleared_days(storage, market_id),
        "settled_days": energy.settled_days(storage, market_id),
        "heat_months": energy.heat_months(storage, market_id),
    }
