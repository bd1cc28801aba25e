"""A module's handlers may allow only roles the identity module can grant: a misspelt role
would make a transaction type that nobody can ever submit, so the engine refuses to build."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest

from krai.bootstrap import new_engine
from krai.modules.identity.queries import IdentityAuthority
from krai.state.engine import Context, Engine, Handler


@dataclass(frozen=True)
class Ping:
    TYPE: ClassVar[str] = "probe.ping"
    VERSION: ClassVar[int] = 1


class ProbeModule:
    name = "probe"

    def __init__(self, roles: frozenset[str]) -> None:
        self.roles = roles

    def handlers(self) -> Sequence[Handler[Any]]:
        return [Handler(Ping, self.roles, apply=_nothing, summary="Ping")]


def _nothing(ctx: Context, message: Ping) -> None:
    del ctx, message


def test_a_handler_allowing_a_role_nobody_can_hold_stops_the_engine_being_built() -> None:
    with pytest.raises(ValueError, match=r"probe\.ping.*park_operatr"):
        Engine([ProbeModule(frozenset({"park_operatr"}))], IdentityAuthority())


def test_known_roles_and_any_organisation_are_accepted() -> None:
    Engine([ProbeModule(frozenset({"park_operator", "*"}))], IdentityAuthority())


def test_every_module_of_this_release_allows_only_grantable_roles() -> None:
    types = new_engine().describe()
    assert types
    for described in types:
        assert set(described["roles"]) <= IdentityAuthority.role_names | {"*"}
