"""The energy exchange: markets, a day's prices and volumes, the supply and demand curves of
any period with its clearing point, a participant's statement, and heat per micro-district."""

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from krai.app.ports import Storage
from krai.entrypoints.web import charts
from krai.entrypoints.web.i18n import Words, language_of
from krai.entrypoints.web.parks import names_of
from krai.entrypoints.web.render import not_found, page, respond, services_of
from krai.modules.energy import queries as energy
from krai.modules.energy.records import MarketView
from krai.state.records import record_json, records_json

router = APIRouter()


@page(router, "/energy")
def index(request: Request) -> Response:
    """Every market with its cleared days, settled days and heat months."""
    storage = services_of(request).storage
    markets = [
        {
            **_market_card(found),
            **energy.market_accounts(storage, found),
            **_calendar(storage, found.market_id),
        }
        for found in energy.markets(storage)
    ]
    return respond(request, "energy.j2", {"markets": markets}, "energy.title")


@page(router, "/energy/{market_id}/heat/{month}")
def heat(request: Request, market_id: str, month: str) -> Response:
    """Heat delivered in a month per micro-district and resident, and the fuel it saved."""
    storage = services_of(request).storage
    if energy.market(storage, market_id) is None:
        return not_found(request, f"market {market_id}")
    report = energy.heat_report(storage, market_id, month)
    data = {"market_id": market_id, **report}
    data["names"] = names_of(storage, {line["resident_inn"] for line in report["lines"]})
    words = Words(language_of(request))
    rows = [(d["micro_district"], d["heat_mcal"]) for d in report["micro_districts"]]
    chart = charts.horizontal_bars(
        rows, words("heat.chart"), lambda mcal: words.quantity(mcal, "mcal")
    )
    return respond(request, "heat.j2", data, "heat.title", heat_chart=chart)


@page(router, "/energy/{market_id}/{day}/statement/{inn}")
def statement(request: Request, market_id: str, day: str, inn: str) -> Response:
    """One participant's invoice for a day."""
    storage = services_of(request).storage
    found = energy.statement(storage, market_id, day, inn)
    if found is None:
        return not_found(request, f"statement {market_id} {day} {inn}")
    data = {"market_id": market_id, "day": day, **found, "names": names_of(storage, {inn})}
    return respond(request, "statement.j2", data, "statement.title")


@page(router, "/energy/{market_id}/{day}/{period}")
def period(request: Request, market_id: str, day: str, period: int) -> Response:
    """A period's supply and demand step curves and their clearing point."""
    found = energy.curves(services_of(request).storage, market_id, day, period)
    if found is None:
        return not_found(request, f"clearing {market_id} {day} {period}")
    data = {"market_id": market_id, "day": day, "period": period, **found}
    words = Words(language_of(request))
    chart = charts.curves_chart(
        _curve(words("curves.supply"), found["supply"]),
        _curve(words("curves.demand"), found["demand"]),
        (found["price_kopecks_per_mwh"], found["traded_kwh"]),
        words("curves.chart"),
        fmt_price=words.whole_roubles,
        fmt_quantity=lambda kwh: words.quantity(kwh // 1000, "mwh"),
    )
    return respond(request, "curves.j2", data, "curves.title", curves_chart=chart)


@page(router, "/energy/{market_id}/{day}")
def day(request: Request, market_id: str, day: str) -> Response:
    """A day's price and volumes per period, block orders and settled statements."""
    storage = services_of(request).storage
    if energy.market(storage, market_id) is None:
        return not_found(request, f"market {market_id}")
    settled = energy.settlement(storage, market_id, day)
    invoices = settled.invoices if settled else {}
    data: dict[str, Any] = {
        "market_id": market_id,
        "day": day,
        "periods": energy.day_prices(storage, market_id, day),
        "blocks": energy.blocks(storage, market_id, day),
        "statements": [
            {"participant": inn, **record_json(invoices[inn])} for inn in sorted(invoices)
        ],
        "names": names_of(storage, set(invoices)),
    }
    words = Words(language_of(request))
    return respond(request, "day.j2", data, "day.title", **_day_charts(data["periods"], words))


def _day_charts(periods: list[dict[str, Any]], words: Words) -> dict[str, Any]:
    labels = [str(p["period"]) for p in periods]
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
        lambda kwh: words.quantity(kwh // 1000, "mwh"),
    )
    return {"price_chart": prices, "volume_chart": volumes}


def _curve(name: str, points: list[dict[str, int]]) -> charts.Curve:
    return charts.Curve(name, [(p["price_kopecks_per_mwh"], p["cumulative_kwh"]) for p in points])


def _market_card(found: MarketView) -> dict[str, Any]:
    return {
        "market_id": found.market_id,
        "title": found.title,
        "park_id": found.park_id,
        "operator": found.operator,
        "period_minutes": found.period_minutes,
        "gate_closure": found.gate_closure,
        "price_cap_kopecks_per_mwh": found.price_cap_kopecks_per_mwh,
        "limits": records_json(found.limits),
    }


def _calendar(storage: Storage, market_id: str) -> dict[str, list[str]]:
    return {
        "cleared_days": energy.cleared_days(storage, market_id),
        "settled_days": energy.settled_days(storage, market_id),
        "heat_months": energy.heat_months(storage, market_id),
    }
