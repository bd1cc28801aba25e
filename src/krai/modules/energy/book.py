"""The order book of one delivery period: residents' orders and the grid connection.

An order is one step of a participant's curve: ``side`` buy or sell, a limit price in
kopecks per MWh and a positive energy in kWh. The grid is a priced supply of at most
``import_limit_kwh`` at ``grid_sell_price_kopecks_per_mwh`` (the grid sells to the park) and
a priced demand of at most ``export_limit_kwh`` at ``grid_buy_price_kopecks_per_mwh`` (the
grid buys from the park). Internally the grid is two *legs* that take part in the auction
like orders; :func:`book_steps` lists orders and legs alike as :class:`Step`.

Bounds keep every figure of a clearing exact in JSON (at most 2^53 - 1): each price lies in
±``PRICE_LIMIT_KOPECKS_PER_MWH``, each order in 1..``ORDER_LIMIT_KWH``, and the book's
*gross value* Σ |price| × energy over orders and grid legs, in millikopecks, and its total
energy must not exceed ``MAX_SAFE_INTEGER``.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NamedTuple

from krai.crypto.canonical import MAX_SAFE_INTEGER
from krai.state.messages import Identifier, Max, Min, decode_message
from krai.tx.errors import RejectedError, invalid_body

PRICE_LIMIT_KOPECKS_PER_MWH = 100_000_000
"""1 000 000 RUB/MWh: several hundred times any wholesale price cap."""
ORDER_LIMIT_KWH = 10_000_000
"""10 GWh in one order and period: two hundred times a 200 MW park's 15-minute output."""

Side = Literal["buy", "sell"]
PriceKopecksPerMwh = Annotated[
    int, Min(-PRICE_LIMIT_KOPECKS_PER_MWH), Max(PRICE_LIMIT_KOPECKS_PER_MWH)
]
OrderKwh = Annotated[int, Min(1), Max(ORDER_LIMIT_KWH)]
LimitKwh = Annotated[int, Min(0), Max(MAX_SAFE_INTEGER)]


class InvalidBookError(ValueError):
    """The book cannot be cleared: duplicate ids, values out of range, crossed grid prices."""


@dataclass(frozen=True)
class Order:
    """One step of a participant's curve."""

    id: Identifier
    side: Side
    price_kopecks_per_mwh: PriceKopecksPerMwh
    energy_kwh: OrderKwh


@dataclass(frozen=True)
class Book:
    """Everything one delivery period is cleared from; the order of ``orders`` is irrelevant."""

    import_limit_kwh: LimitKwh
    export_limit_kwh: LimitKwh
    grid_sell_price_kopecks_per_mwh: PriceKopecksPerMwh
    grid_buy_price_kopecks_per_mwh: PriceKopecksPerMwh
    orders: tuple[Order, ...]


GridLeg = Literal["import", "export"]
StepKey = tuple[int, str]
"""(0, order id) for an order, (1, "import" | "export") for a grid leg: legs sort last."""


class Step(NamedTuple):
    """An order or a grid leg as the auction sees it. An import leg sells; an export leg buys.

    A named tuple rather than a frozen dataclass: a book makes one per order, and tuples are
    built several times faster.
    """

    key: StepKey
    side: Side
    price_kopecks_per_mwh: int
    energy_kwh: int

    @property
    def name(self) -> str:
        """The order id, or "grid import" / "grid export"."""
        return self.key[1] if self.key[0] == 0 else f"grid {self.key[1]}"


IMPORT_KEY: StepKey = (1, "import")
EXPORT_KEY: StepKey = (1, "export")


def book_steps(book: Book) -> list[Step]:
    """The book's orders, then the grid legs whose limit is positive."""
    steps = [
        Step((0, order.id), order.side, order.price_kopecks_per_mwh, order.energy_kwh)
        for order in book.orders
    ]
    if book.import_limit_kwh > 0:
        steps.append(
            Step(IMPORT_KEY, "sell", book.grid_sell_price_kopecks_per_mwh, book.import_limit_kwh)
        )
    if book.export_limit_kwh > 0:
        steps.append(
            Step(EXPORT_KEY, "buy", book.grid_buy_price_kopecks_per_mwh, book.export_limit_kwh)
        )
    return steps


def decode_book(document: Mapping[str, Any]) -> Book:
    """Decode a book from parsed JSON, or raise ``RejectedError`` (invalid_body) saying why."""
    try:
        book = decode_message(Book, document)
    except RejectedError as error:  # the decoder names paths from "body"; this is a book
        raise invalid_body(f"book{error.message.removeprefix('body')}") from None
    problems = book_problems(book)
    if problems:
        raise invalid_body("; ".join(problems))
    return book


def book_problems(book: Book) -> list[str]:
    """Why ``book`` cannot be cleared (empty when it can). O(n)."""
    problems = [*_range_problems(book), *_duplicate_ids(book)]
    both_legs = book.import_limit_kwh > 0 and book.export_limit_kwh > 0
    if both_legs and book.grid_buy_price_kopecks_per_mwh >= book.grid_sell_price_kopecks_per_mwh:
        problems.append(
            f"grid_buy_price_kopecks_per_mwh {book.grid_buy_price_kopecks_per_mwh} must be "
            f"below grid_sell_price_kopecks_per_mwh {book.grid_sell_price_kopecks_per_mwh} "
            "when both limits are positive: the connection carries one flow, never an "
            "import and an export at once"
        )
    if not problems:
        problems.extend(_size_problems(book))
    return problems


def _range_problems(book: Book) -> list[str]:
    problems = [
        f"{name} is {value}, it must lie in 0..{MAX_SAFE_INTEGER}"
        for name, value in (
            ("import_limit_kwh", book.import_limit_kwh),
            ("export_limit_kwh", book.export_limit_kwh),
        )
        if not 0 <= value <= MAX_SAFE_INTEGER
    ]
    prices = [
        ("grid_sell_price_kopecks_per_mwh", book.grid_sell_price_kopecks_per_mwh),
        ("grid_buy_price_kopecks_per_mwh", book.grid_buy_price_kopecks_per_mwh),
    ]
    prices += [(f"order {o.id} price", o.price_kopecks_per_mwh) for o in book.orders]
    limit = PRICE_LIMIT_KOPECKS_PER_MWH
    problems += [f"{name} {p} is outside ±{limit}" for name, p in prices if abs(p) > limit]
    problems += [
        f"order {o.id} energy_kwh is {o.energy_kwh}, it must lie in 1..{ORDER_LIMIT_KWH}"
        for o in book.orders
        if not 1 <= o.energy_kwh <= ORDER_LIMIT_KWH
    ]
    problems += [
        f"order {o.id} side {o.side!r} is not buy or sell"
        for o in book.orders
        if o.side not in ("buy", "sell")
    ]
    return problems


def _duplicate_ids(book: Book) -> list[str]:
    seen: set[str] = set()
    duplicates: set[str] = set()
    for order in book.orders:
        (duplicates if order.id in seen else seen).add(order.id)
    return [f"order id {order_id} appears more than once" for order_id in sorted(duplicates)]


def _size_problems(book: Book) -> list[str]:
    legs = [
        (book.grid_sell_price_kopecks_per_mwh, book.import_limit_kwh),
        (book.grid_buy_price_kopecks_per_mwh, book.export_limit_kwh),
    ]
    legs += [(order.price_kopecks_per_mwh, order.energy_kwh) for order in book.orders]
    energy_kwh = sum(kwh for _, kwh in legs)
    value_millikopecks = sum(abs(price) * kwh for price, kwh in legs)
    if max(energy_kwh, value_millikopecks) > MAX_SAFE_INTEGER:
        return [
            f"the book is too large to clear exactly: total energy {energy_kwh} kWh, gross "
            f"value {value_millikopecks} millikopecks; each must be at most {MAX_SAFE_INTEGER}"
        ]
    return []
