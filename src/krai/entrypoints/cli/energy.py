"""``krai energy``: the in-park energy exchange; for now, clear one period's book offline."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from krai.entrypoints.cli.common import (
    EXIT_REJECTED,
    EXIT_USAGE,
    JsonOption,
    console,
    fail,
    print_json,
)
from krai.modules.energy.book import Book, decode_book
from krai.modules.energy.clearing import clear
from krai.modules.energy.result import ClearingResult, result_json
from krai.tx.codec import parse_strict_json
from krai.tx.errors import RejectedError

app = typer.Typer(help="The in-park energy exchange.", no_args_is_help=True)


@app.command("clear")
def clear_book(
    orders: Annotated[
        Path,
        typer.Option("--orders", help="The book as JSON: grid limits and prices, and the orders."),
    ],
    json_output: JsonOption = False,
    certificate: Annotated[
        bool, typer.Option("--certificate", help="Also print the optimality certificate.")
    ] = False,
) -> None:
    """Clear one delivery period: the uniform price, accepted energy, grid flows, welfare."""
    book = _read_book(orders)
    result = clear(book)
    if json_output:
        print_json(result_json(result, certificate=certificate))
        return
    _print_table(book, result, certificate=certificate)


def _read_book(path: Path) -> Book:
    try:
        data = path.read_bytes()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}", EXIT_USAGE)
    try:
        document = parse_strict_json(data)
        if not isinstance(document, dict):
            fail(f"{path}: the book must be a JSON object", EXIT_REJECTED)
        return decode_book(document)
    except RejectedError as error:
        fail(f"{path}: {error}", EXIT_REJECTED)


def _print_table(book: Book, result: ClearingResult, *, certificate: bool) -> None:
    orders = {order.id: order for order in book.orders}
    table = Table("order", "side", "price, kop/MWh", "offered, kWh", "accepted, kWh")
    for acceptance in result.accepted:
        order = orders[acceptance.id]
        table.add_row(
            order.id,
            order.side,
            str(order.price_kopecks_per_mwh),
            str(order.energy_kwh),
            str(acceptance.energy_kwh),
        )
    table.add_row(
        "grid import",
        "sell",
        str(book.grid_sell_price_kopecks_per_mwh),
        str(book.import_limit_kwh),
        str(result.import_kwh),
    )
    table.add_row(
        "grid export",
        "buy",
        str(book.grid_buy_price_kopecks_per_mwh),
        str(book.export_limit_kwh),
        str(result.export_kwh),
    )
    console.print(table)
    console.print(
        f"price {result.price_kopecks_per_mwh} kop/MWh, welfare "
        f"{result.welfare_millikopecks} millikopecks",
        highlight=False,
    )
    if certificate:
        bounds = result.certificate
        low = bounds.price_low_kopecks_per_mwh
        high = bounds.price_high_kopecks_per_mwh
        console.print(
            f"supporting prices [{'-∞' if low is None else low}, {'+∞' if high is None else high}]"
            f", traded {bounds.traded_kwh} kWh",
            highlight=False,
        )
