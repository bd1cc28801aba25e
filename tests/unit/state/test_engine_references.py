"""A module names another module's record only through the engine: ``ctx.require_reference``
resolves a kind of reference (``park``) among the modules the engine was built with."""

from collections.abc import Callable, Mapping
from typing import Any

import pytest

from krai.modules.energy.machine import EnergyModule
from krai.modules.identity.queries import IdentityAuthority
from krai.modules.parks.machine import ParksModule
from krai.modules.parks.model import park_key
from krai.state.engine import Context, Engine, Handler
from krai.state.store import MemoryState, Overlay
from krai.tx.errors import Code, RejectedError


def _context(references: dict[str, object]) -> Context:
    ctx = Context(Overlay(MemoryState()), "7734250208", "00" * 32, 5, 1_000)
    ctx.references = references  # type: ignore[assignment]
    return ctx


def test_a_missing_park_is_not_found_and_a_registered_one_is_returned() -> None:
    ctx = _context({"park": park_key})
    with pytest.raises(RejectedError) as refused:
        ctx.require_reference("park", "krasnoyarsk-digital")
    assert refused.value.code is Code.NOT_FOUND
    assert refused.value.message == "park krasnoyarsk-digital is not registered"
    ctx.state.put_bytes(park_key("krasnoyarsk-digital"), b"{}")
    assert ctx.require_reference("park", "krasnoyarsk-digital") == {}


def test_a_reference_no_module_of_the_engine_provides_is_refused_by_name() -> None:
    with pytest.raises(RejectedError) as refused:
        _context({}).require_reference("park", "krasnoyarsk-digital")
    assert refused.value.code is Code.RULE_VIOLATION
    assert "no module of this ledger keeps park records" in refused.value.message


class ParkProvider:
    name = "provider"

    def handlers(self) -> list[Handler[Any]]:
        return []

    def references(self) -> Mapping[str, Callable[[str], str]]:
        return {"park": park_key}


def test_two_modules_may_not_provide_the_same_kind_of_reference() -> None:
    Engine([ParksModule(), EnergyModule()], IdentityAuthority())
    with pytest.raises(ValueError, match=r"'park'.*twice"):
        Engine([ParksModule(), ParkProvider()], IdentityAuthority())
