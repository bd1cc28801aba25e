"""A bank statement of any length recorded in parts, for every edge that submits one (the
CLI's ``import-statement``, the demo): the parts split by the payments module, each signed
with the nonce derived from the statement id and the part's number, submitted in order."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from krai.app.sequencer import Receipt, Sequencer
from krai.crypto.canonical import JSONValue
from krai.crypto.keys import PrivateKey
from krai.modules.payments.messages import ReconcileStatementPart
from krai.modules.payments.statements import split_statement
from krai.tx.envelope import Transaction, sign
from krai.tx.errors import RejectedError
from krai.tx.nonces import derived_nonce

NONCE_PURPOSE = "statement"


class Signer(NamedTuple):
    """Who signs: the organisation's INN, its key's id and the private key."""

    signer: str
    key_id: str
    private_key: PrivateKey


@dataclass(frozen=True)
class StatementImport:
    """The receipts of the parts accepted, in order, and the refusal that stopped the rest."""

    parts: int
    receipts: list[Receipt]
    refusal: RejectedError | None = None

    @property
    def refused_part(self) -> int | None:
        """The number of the part refused, if one was."""
        return None if self.refusal is None else len(self.receipts) + 1


def statement_transactions(
    origin: str, key: Signer, statement_id: str, lines: Sequence[Mapping[str, JSONValue]]
) -> list[Transaction]:
    """Every part of the statement as a signed ``payments.reconcile_statement`` version 2.

    Raises ``RejectedError`` naming the part when a part cannot be a transaction (a line too
    long for any part: ``oversize``).
    """
    return signed_parts(origin, key, statement_to_sign(statement_id, lines))


def signed_parts(origin: str, key: Signer, parts: Sequence["PartToSign"]) -> list[Transaction]:
    """Each part signed by ``key``, in order; ``RejectedError`` names a part that cannot be
    a transaction."""
    transactions = []
    for number, part in enumerate(parts, start=1):
        unsigned = Transaction(
            origin, part.type, part.version, key.signer, key.key_id, part.nonce, part.body
        )
        try:
            transactions.append(sign(unsigned, key.private_key))
        except RejectedError as error:
            where = f"part {number} of {len(parts)}"
            raise RejectedError(error.code, f"{where}: {error.message}") from error
    return transactions


class PartToSign(NamedTuple):
    """What a signer puts in one part's envelope: type, version, nonce and body."""

    type: str
    version: int
    nonce: str
    body: dict[str, Any]


def statement_to_sign(
    statement_id: str, lines: Sequence[Mapping[str, JSONValue]]
) -> list[PartToSign]:
    """The parts recording the statement, unsigned: each nonce derived from the statement id
    and the part's number, so that whoever signs them signs the same transactions."""
    return [
        PartToSign(
            ReconcileStatementPart.TYPE,
            ReconcileStatementPart.VERSION,
            derived_nonce(NONCE_PURPOSE, statement_id, body["part"]),
            body,
        )
        for body in split_statement(statement_id, lines)
    ]


def record_statement(sequencer: Sequencer, transactions: Sequence[Transaction]) -> StatementImport:
    """Submit the parts one at a time, in order, stopping at the first refused: a later part
    could only be refused as out of order."""
    receipts: list[Receipt] = []
    for transaction in transactions:
        [outcome] = sequencer.submit([transaction])
        if isinstance(outcome, RejectedError):
            return StatementImport(len(transactions), receipts, outcome)
        receipts.append(outcome)
    return StatementImport(len(transactions), receipts)
