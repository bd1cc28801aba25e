"""The accounts state machine: its handlers, who may submit each, and what each reads."""

from collections.abc import Mapping, Sequence
from typing import Any

from krai.modules.accounts import messages as m
from krai.modules.accounts import rules
from krai.modules.accounts.model import account_key
from krai.state.engine import ANY_ORGANISATION, Handler


class AccountsModule:
    """The accounts state machine."""

    name = "accounts"

    def handlers(self) -> Sequence[Handler[Any]]:
        """Open, transfer, close: each by any member, on its own accounts."""
        return [
            Handler(
                m.OpenAccount,
                ANY_ORGANISATION,
                rules.apply_open,
                validate=rules.validate_open,
                summary="Open an own account (a treasury account needs the treasury role)",
                reads=lambda body: _accounts(body, "account_id"),
            ),
            Handler(
                m.Transfer,
                ANY_ORGANISATION,
                rules.apply_transfer,
                check=rules.check_transfer,
                validate=rules.validate_transfer,
                summary="Pay from an own account",
                reads=lambda body: _accounts(body, "from_account", "to_account"),
            ),
            Handler(
                m.CloseAccount,
                ANY_ORGANISATION,
                rules.apply_close,
                validate=rules.validate_close,
                summary="Close an own account whose balance is zero",
                reads=lambda body: _accounts(body, "account_id"),
            ),
        ]


def _accounts(body: Mapping[str, Any], *fields: str) -> list[str]:
    """The state keys of the accounts a body names: a prefetch hint."""
    return [account_key(str(body[name])) for name in fields]
