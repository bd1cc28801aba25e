"""``accounts.rules.move`` as another module calls it, and the strict decoding of amounts."""

import pytest
from tests.scenarios.harness import Ledger, Organisation, synthetic_inn, synthetic_ogrn

from krai.modules.accounts.messages import Transfer
from krai.modules.accounts.model import BALANCE_LIMIT_KOPECKS
from krai.modules.accounts.queries import balance, posting_records, trial_balance
from krai.modules.accounts.rules import move
from krai.state.engine import Context
from krai.state.messages import decode_message
from krai.state.store import Overlay
from krai.tx.errors import Code, RejectedError

TREASURY, PARK = "Казначейство", "Парк"


@pytest.fixture
def ledger() -> Ledger:
    organisations = [
        Organisation(TREASURY, synthetic_inn(TREASURY), synthetic_ogrn(TREASURY), ("treasury",)),
        Organisation(PARK, synthetic_inn(PARK), synthetic_ogrn(PARK), ("governor",)),
    ]
    founded = Ledger.found(organisations)
    for owner, account_id, kind, purpose in [
        (TREASURY, "treasury:krai", "treasury", None),
        (PARK, "park:operating", "operating", None),
        (PARK, "park:roads", "budget", "roads"),
    ]:
        body = {"account_id": account_id, "kind": kind, "title": account_id}
        if purpose:
            body["purpose"] = purpose
        assert founded.submit(owner, "accounts.open_account", body).accepted
    return founded


def _context(ledger: Ledger) -> Context:
    """What a rule of another module sees, in a transaction signed by the park."""
    return Context(Overlay(ledger.state), synthetic_inn(PARK), "ab" * 32, 99, 1_000)


def test_moves_within_one_transaction_are_posted_apart(ledger: Ledger) -> None:
    ctx = _context(ledger)
    move(ctx, "treasury:krai", "park:roads", 700, purpose="roads", reference="subsidy")
    move(
        ctx,
        "park:roads",
        "park:operating",
        300,
        purpose="roads",
        reference="contractor",
        memo="asphalt",
    )
    ledger.state.apply_writes(ctx.state.writes)
    assert [event.NAME for event in ctx.events] == ["accounts.Transferred"] * 2
    assert balance(ledger.state, "park:roads") == 400
    assert [
        (p.side, p.balance_after_kopecks) for p in posting_records(ledger.state, "park:roads")
    ] == [
        ("credit", 700),
        ("debit", 400),
    ]
    assert posting_records(ledger.state, "park:operating")[0].memo == "asphalt"
    assert trial_balance(ledger.state) == 0


LIMIT = BALANCE_LIMIT_KOPECKS


@pytest.mark.parametrize(
    ("accounts", "amount", "refusal"),
    [
        (("park:operating", "park:roads"), 1, "rule_violation: balance 0 kopecks, transfer 1"),
        (("park:roads", "park:operating"), 1, "rule_violation: earmarked for 'roads'"),
        (("park:operating", "park:operating"), 1, "rule_violation: cannot pay itself"),
        (("treasury:krai", "park:roads"), 0, "rule_violation: must be positive"),
        (("treasury:krai", "park:roads"), -5, "rule_violation: must be positive"),
        (("treasury:krai", "park:roads"), True, "invalid_body: whole number"),
        (("treasury:krai", "nowhere"), 1, "not_found: no account nowhere"),
        (("treasury:krai", "park:roads"), LIMIT + 1, "rule_violation: would reach"),
    ],
)
def test_move_refuses_what_breaks_an_invariant(
    ledger: Ledger, accounts: tuple[str, str], amount: int, refusal: str
) -> None:
    ctx = _context(ledger)
    with pytest.raises(RejectedError) as refused:
        move(ctx, *accounts, amount, purpose=None, reference="ref")
    code, _, fragment = refusal.partition(": ")
    assert refused.value.code == code
    assert fragment in refused.value.message
    assert ctx.state.writes == {}
    assert ctx.events == []


def test_no_balance_passes_the_limit_of_exact_json_numbers(ledger: Ledger) -> None:
    ctx = _context(ledger)
    move(ctx, "treasury:krai", "park:operating", LIMIT, purpose=None, reference="all of it")
    with pytest.raises(RejectedError, match="park:operating would reach"):
        move(ctx, "treasury:krai", "park:operating", 1, purpose=None, reference="one more")
    with pytest.raises(RejectedError, match="treasury:krai would reach"):
        move(ctx, "treasury:krai", "park:roads", 1, purpose="roads", reference="one more")


def test_the_strict_decoder_refuses_a_python_float_amount() -> None:
    body = {"from_account": "a", "to_account": "b", "amount_kopecks": 10.5, "reference": "r"}
    with pytest.raises(RejectedError) as refused:
        decode_message(Transfer, body)
    assert refused.value.code == Code.INVALID_BODY
    assert "amount_kopecks must be an integer" in refused.value.message


def test_the_strict_decoder_refuses_a_boolean_amount() -> None:
    body = {"from_account": "a", "to_account": "b", "amount_kopecks": True, "reference": "r"}
    with pytest.raises(RejectedError, match="must be an integer"):
        decode_message(Transfer, body)
