"""Random transfers, signed and sequenced for real, against a model of the rules.

Whatever the sequence: each transfer is accepted exactly when the rules allow it, no
account that may not go negative does, every balance equals credits less debits over its
postings, and the balances of all accounts sum to zero.
"""

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.scenarios.harness import Ledger, Organisation, synthetic_inn, synthetic_ogrn

from krai.modules.accounts.model import BALANCE_LIMIT_KOPECKS
from krai.modules.accounts.queries import accounts, posted_balance, trial_balance


@dataclass(frozen=True)
class Spec:
    owner: str
    kind: str
    purpose: str | None = None


OWNERS = ("Казначейство", "Резидент А", "Резидент Б")
ACCOUNTS = {
    "treasury:t": Spec("Казначейство", "treasury"),
    "a:operating": Spec("Резидент А", "operating"),
    "a:grants": Spec("Резидент А", "clearing", "grants"),
    "b:operating": Spec("Резидент Б", "operating"),
    "b:grants": Spec("Резидент Б", "budget", "grants"),
}
ROLES = {"Казначейство": ("governor", "treasury"), "Резидент А": ("resident",)}

# Weighted towards transfers the rules allow, so that balances build up and move on.
moves = st.lists(
    st.tuples(
        st.sampled_from(["treasury:t", "treasury:t", *sorted(ACCOUNTS)]),
        st.sampled_from(sorted(ACCOUNTS)),
        st.sampled_from([1, 50, 100, 1_000, BALANCE_LIMIT_KOPECKS]) | st.integers(1, 5_000),
        st.sampled_from([None, "grants", "grants", "other"]),
        st.sampled_from([True, True, True, False]),
    ),
    min_size=4,
    max_size=40,
)


def _ledger() -> Ledger:
    organisations = [
        Organisation(
            name, synthetic_inn(name), synthetic_ogrn(name), ROLES.get(name, ("resident",))
        )
        for name in OWNERS
    ]
    ledger = Ledger.found(organisations)
    for account_id, spec in ACCOUNTS.items():
        body = {"account_id": account_id, "kind": spec.kind, "title": account_id}
        if spec.purpose:
            body["purpose"] = spec.purpose
        assert ledger.submit(spec.owner, "accounts.open_account", body).accepted
    return ledger


def _refusal(balances: dict[str, int], move: tuple[str, str, int, str | None, bool]) -> str | None:
    """The code the rules give this transfer, or None when they allow it."""
    source, target, amount, purpose, by_owner = move
    paying, receiving = ACCOUNTS[source], ACCOUNTS[target]
    earmark_kept = paying.purpose in (None, purpose, receiving.purpose)
    may_go_negative = paying.kind == "treasury"
    if source == target:
        return "invalid_body"
    refused = (
        not by_owner
        or not earmark_kept
        or (balances[source] < amount and not may_go_negative)
        or abs(balances[source] - amount) > BALANCE_LIMIT_KOPECKS
        or balances[target] + amount > BALANCE_LIMIT_KOPECKS
    )
    return "rule_violation" if refused else None


@settings(max_examples=150, deadline=None)
@given(moves)
def test_transfers_follow_the_rules_and_the_books_balance(
    sequence: list[tuple[str, str, int, str | None, bool]],
) -> None:
    ledger = _ledger()
    balances = dict.fromkeys(ACCOUNTS, 0)
    for number, move in enumerate(sequence):
        source, target, amount, purpose, by_owner = move
        owner = ACCOUNTS[source].owner
        signer = owner if by_owner else OWNERS[(OWNERS.index(owner) + 1) % len(OWNERS)]
        body = {
            "from_account": source,
            "to_account": target,
            "amount_kopecks": amount,
            "reference": f"r{number}",
        }
        if purpose:
            body["purpose"] = purpose
        result = ledger.submit(signer, "accounts.transfer", body)
        expected = _refusal(balances, move)
        assert (result.error.code.value if result.error else None) == expected, result.error
        if expected is None:
            balances[source] -= amount
            balances[target] += amount
        _assert_books(ledger, balances)


def _assert_books(ledger: Ledger, balances: dict[str, int]) -> None:
    held = {found.account_id: found for found in accounts(ledger.state)}
    assert {key: value.balance_kopecks for key, value in held.items()} == balances
    assert trial_balance(ledger.state) == 0
    for account_id, found in held.items():
        assert found.kind == "treasury" or found.balance_kopecks >= 0
        assert posted_balance(ledger.state, account_id) == found.balance_kopecks
