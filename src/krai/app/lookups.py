"""What a read names must exist: one check for every surface, so an unknown market or park is
``not_found`` alike — the API's 404, the CLI's exit 3, the dashboard's 404 page."""

from typing import TypeVar

from krai.app.ports import Storage
from krai.modules.energy.records import MarketView
from krai.modules.parks import queries as parks
from krai.tx.errors import not_found

T = TypeVar("T")


def require_market(storage: Storage, market_id: str) -> MarketView:
    """The open market ``market_id``; ``not_found`` when there is none."""
    # Imported here: energy's queries load the clearing (numpy), which a park's read never needs.
    from krai.modules.energy import queries as energy  # noqa: PLC0415

    found = energy.market(storage, market_id)
    if found is None:
        raise not_found(f"market {market_id} is not open")
    return found


def require_park(storage: Storage, park_id: str) -> None:
    """``not_found`` unless the park is registered."""
    if parks.park_record(storage, park_id) is None:
        raise not_found(f"park {park_id} is not registered")


def found(value: T | None, message: str) -> T:
    """``value``, or ``not_found`` with ``message`` when there is none."""
    if value is None:
        raise not_found(message)
    return value
