"""``krai energy clear``: clear one delivery period's book offline, from a JSON file.

It loads the clearing and the book's decoders, not the ledger's reads, rules or reports: the
command's own start-up is part of what a participant waits for (ADR 0031).
"""

import sys
from pathlib import Path
from typing import Annotated

import typer

from krai.entrypoints.cli.common import JsonOption, console, fail, new_table
from krai.entrypoints.cli.energy_book import BookNotClearedError, cleared_json, read_book
from krai.modules.energy.book import BookColumns
from krai.modules.energy.clearing import clear_columns
from krai.modules.energy.result import ClearedColumns


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
    if json_output:  # the bytes print_json writes, without one Python object per order
        try:
            output = cleared_json(orders, certificate=certificate)
        except BookNotClearedError as error:
            fail(error.message, error.code)
        sys.stdout.flush()
        sys.stdout.buffer.write(output)
        return
    book = _read_book(orders)
    _print_table(book, clear_columns(book), certificate=certificate)


def _read_book(path: Path) -> BookColumns:
    """The book's columns, or exit with why it cannot be read or cleared."""
    try:
        return read_book(path)
    except BookNotClearedError as error:
        fail(error.message, error.code)


def _print_table(book: BookColumns, cleared: ClearedColumns, *, certificate: bool) -> None:
    table = new_table("order", "side", "price, kop/MWh", "offered, kWh", "accepted, kWh")
    rows = zip(
        book.ids,
        book.buy.tolist(),
        book.price_kopecks_per_mwh.tolist(),
        book.energy_kwh.tolist(),
        cleared.accepted_kwh.tolist(),
        strict=True,
    )
    for order_id, buy, price, offered, accepted in rows:
        table.add_row(order_id, "buy" if buy else "sell", str(price), str(offered), str(accepted))
    table.add_row(
        "grid import",
        "sell",
        str(book.grid_sell_price_kopecks_per_mwh),
        str(book.import_limit_kwh),
        str(cleared.import_kwh),
    )
    table.add_row(
        "grid export",
        "buy",
        str(book.grid_buy_price_kopecks_per_mwh),
        str(book.export_limit_kwh),
        str(cleared.export_kwh),
    )
    console.print(table)
    console.print(
        f"price {cleared.price_kopecks_per_mwh} kop/MWh, welfare "
        f"{cleared.welfare_millikopecks} millikopecks",
        highlight=False,
    )
    if certificate:
        bounds = cleared.certificate
        low = bounds.price_low_kopecks_per_mwh
        high = bounds.price_high_kopecks_per_mwh
        console.print(
            f"supporting prices [{'-∞' if low is None else low}, {'+∞' if high is None else high}]"
            f", traded {bounds.traded_kwh} kWh",
            highlight=False,
        )
