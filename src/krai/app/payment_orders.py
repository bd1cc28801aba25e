"""A paying agent's payments of a day as «Клиент банка» payment orders for its bank
(docs/modules/payments.md, "Formats"). Bank details are not on the ledger: the agent's own
account and each payout account's are given as requisites."""

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from krai.app.client_bank import (
    ACCOUNT,
    BIC,
    Document,
    Party,
    order_purpose,
    write_client_bank,
)
from krai.modules.payments import queries
from krai.modules.payments.records import PaymentView
from krai.state.store import StateView

PARTY_FIELDS = ("account", "inn", "name", "bic", "bank", "correspondent")


class RequisitesError(ValueError):
    """Requisites refused, or a payment without them; the message says which."""


@dataclass(frozen=True)
class Requisites:
    """The paying agent's bank account (its INN is the agent's) and, by ledger payout
    account id, the account each payment goes to."""

    payer: Party
    payees: Mapping[str, Party]


def requisites_from_json(data: bytes) -> Requisites:
    """``{"payer": PARTY, "payees": {payout_account: PARTY}}``, a PARTY naming ``account``,
    ``inn``, ``name``, ``bic`` and optionally ``bank`` and ``correspondent``."""
    try:
        found = json.loads(data)
    except ValueError as error:
        raise RequisitesError(f"not JSON: {error}") from error
    if not isinstance(found, dict) or not isinstance(found.get("payees"), dict):
        raise RequisitesError('requisites are {"payer": {...}, "payees": {account_id: {...}}}')
    payees = {key: _party(f"payees.{key}", value) for key, value in found["payees"].items()}
    return Requisites(_party("payer", found.get("payer")), payees)


def _party(where: str, value: Any) -> Party:
    if not isinstance(value, dict) or set(value) - set(PARTY_FIELDS):
        raise RequisitesError(f"{where}: an object with {', '.join(PARTY_FIELDS)}")
    if not all(isinstance(text, str) and text == text.strip() for text in value.values()):
        raise RequisitesError(f"{where}: every value is text without surrounding spaces")
    party = Party(**value)
    checks = ((ACCOUNT, "account", party.account), (BIC, "bic", party.bic))
    for pattern, name, text in checks:
        if pattern.fullmatch(text) is None:
            raise RequisitesError(f"{where}.{name} {text!r} is not the right number of digits")
    if not party.inn.isdigit() or len(party.inn) not in (10, 12) or not party.name:
        raise RequisitesError(f"{where}: inn of 10 or 12 digits and a name are required")
    return party


def payment_orders(
    view: StateView, day: str, requisites: Requisites, first_number: int = 1
) -> list[Document]:
    """The payments the agent (``requisites.payer.inn``) made on ``day``, as payment orders
    numbered from ``first_number``, each purpose naming its payment id after ``krai:``."""
    paid = [
        payment
        for payment in queries.payments(view)
        if payment.paid_on == day and payment.by == requisites.payer.inn
    ]
    return [
        _order(payment, requisites, number) for number, payment in enumerate(paid, first_number)
    ]


def _order(payment: PaymentView, requisites: Requisites, number: int) -> Document:
    payee = requisites.payees.get(payment.payout_account)
    if payee is None:
        message = f"payment {payment.payment_id}: no requisites for {payment.payout_account}"
        raise RequisitesError(message)
    purpose = order_purpose(payment.payment_id)
    return Document(
        str(number), payment.paid_on, payment.amount_kopecks, requisites.payer, payee, purpose
    )


def export_orders(
    view: StateView, day: str, requisites: Requisites, codec: str = "cp1251"
) -> tuple[bytes, Sequence[Document]]:
    """The day's payment orders as a «Клиент банка» file in ``codec``, and the orders."""
    orders = payment_orders(view, day, requisites)
    return write_client_bank(requisites.payer.account, day, orders, codec), orders
