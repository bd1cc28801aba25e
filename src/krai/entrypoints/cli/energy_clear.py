"""``krai energy clear``: clear one delivery period's book offline, from a JSON file.

It loads the clearing and the book's decoders, not the ledger's reads, rules or reports: the
command's own start-up is part of what a participant waits for (ADR 0031).
"""

import ctypes
import sys
from pathlib import Path
from typing import Annotated

import typer

from krai.entrypoints.cli.common import (
    EXIT_REJECTED,
    EXIT_USAGE,
    JsonOption,
    console,
    fail,
    new_table,
)
from krai.modules.energy.book import BookColumns, book_columns, compiled_book_columns, decode_book
from krai.modules.energy.clearing import clear_columns
from krai.modules.energy.result import ClearedColumns, encoded_result_json
from krai.tx.errors import RejectedError
from krai.tx.strict_json import parse_strict_json


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
    cleared = clear_columns(book)
    if json_output:  # the bytes print_json writes, without one Python object per order
        sys.stdout.flush()
        sys.stdout.buffer.write(encoded_result_json(cleared, certificate=certificate) + b"\n")
        return
    _print_table(book, cleared, certificate=certificate)


_M_TRIM_THRESHOLD, _M_TOP_PAD, _M_MMAP_THRESHOLD = -1, -2, -3  # glibc's malloc.h
_KEPT_BYTES = 1 << 30
_LARGE_BOOK_BYTES = 32 << 20
"""A book from this size on (some 350,000 orders) is cleared with ``_keep_freed_memory``."""


def _keep_freed_memory() -> None:
    """Ask glibc's malloc to serve arrays under 1 GiB from its heap and keep what is freed
    for the next ones, instead of mapping fresh zeroed pages for each and returning them:
    a book's passes make arrays of 8-100 MB one after another (at 10^6 orders two thirds of
    the command's page faults and of its system time, ADR 0045). Only for a large book: the
    process then ends with the command, so nothing is held for long (a smaller one gains
    nothing measurable); elsewhere than glibc nothing changes."""
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, _KEPT_BYTES)
    mallopt(_M_TRIM_THRESHOLD, _KEPT_BYTES)
    mallopt(_M_TOP_PAD, 64 << 20)


def _read_book(path: Path) -> BookColumns:
    """The book's columns: msgspec's when it accepts the bytes, else the strict decoder's,
    which refuses with the message naming the first offending member (ADR 0030)."""
    try:
        data = path.read_bytes()
    except OSError as error:
        fail(f"cannot read {path}: {error.strerror or error}", EXIT_USAGE)
    if len(data) >= _LARGE_BOOK_BYTES:
        _keep_freed_memory()
    try:
        compiled = compiled_book_columns(data)
        if compiled is not None:
            return compiled
        document = parse_strict_json(data)
        if not isinstance(document, dict):
            fail(f"{path}: the book must be a JSON object", EXIT_REJECTED)
        return book_columns(decode_book(document))
    except RejectedError as error:
        fail(f"{path}: {error}", EXIT_REJECTED)


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
