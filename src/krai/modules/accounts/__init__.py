"""accounts: rouble accounts in kopecks with double entry and earmarked funds."""

from collections.abc import Sequence
from typing import Any

from krai.modules.accounts import messages as m
from krai.modules.accounts import rules
from krai.modules.accounts.model import account_key
from krai.state.engine import ANY_ORGANISATION, Handler


class AccountsModule:
    """The accounts state machine."""

    name = "accounts"

    def handlers(self) -> Sequence[Handler[Any]]:
        """Open, transfer, close."""
        return [
            Handler(
                m.OpenAccount,
                ANY_ORGANISATION,
                rules.apply_open,
                summary="Open an account",
                reads=lambda body: [account_key(str(body["account_id"]))],
            ),
            Handler(
                m.Transfer,
                ANY_ORGANISATION,
                rules.apply_transfer,
                summary="Pay from an own account",
                reads=lambda body: [
                    account_key(str(body[side])) for side in ("from_account", "to_account")
                ],
            ),
            Handler(
                m.CloseAccount,
                ANY_ORGANISATION,
                rules.apply_close,
                summary="Close an empty account",
            ),
        ]
