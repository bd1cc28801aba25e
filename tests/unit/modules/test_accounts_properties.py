"""Random transfers never overdraw a non-negative account, and the books always balance."""

import contextlib

from hypothesis import given, settings
from hypothesis import strategies as st
from tests.scenarios.harness import found, run_step

from krai.modules.accounts.queries import accounts_of, trial_balance

OWNERS = ["Казначейство", "Резидент А", "Резидент Б"]
ACCOUNTS = {
    "treasury:t": "Казначейство",
    "a:op": "Резидент А",
    "b:op": "Резидент Б",
    "b:earmarked": "Резидент Б",
}

transfers = st.lists(
    st.tuples(
        st.sampled_from(sorted(ACCOUNTS)),
        st.sampled_from(sorted(ACCOUNTS)),
        st.integers(1, 5_000),
        st.booleans(),
    ),
    max_size=40,
)


@settings(max_examples=40, deadline=None)
@given(transfers)
def test_balances_stay_within_their_rules(moves: list[tuple[str, str, int, bool]]) -> None:
    ledger = found(
        {
            "organisations": {
                "Казначейство": {"roles": ["governor", "treasury"]},
                "Резидент А": {"roles": ["resident"]},
                "Резидент Б": {"roles": ["resident"]},
            }
        }
    )
    for account, owner in ACCOUNTS.items():
        kind = "treasury" if account.startswith("treasury") else "operating"
        body = {"account_id": account, "kind": kind, "title": account}
        if account == "b:earmarked":
            body["purpose"] = "grants"
        run_step(ledger, {"by": owner, "do": "accounts.open_account", "with": body})
    for number, (source, target, amount, earmarked) in enumerate(moves):
        body = {
            "from_account": source,
            "to_account": target,
            "amount_kopecks": amount,
            "reference": f"r{number}",
        }
        if earmarked:
            body["purpose"] = "grants"
        step = {
            "by": ACCOUNTS[source],
            "do": "accounts.transfer",
            "with": body,
            "expect": {"accepted": []},
        }
        with contextlib.suppress(AssertionError):  # refused: the invariants hold either way
            run_step(ledger, step)
        assert trial_balance(ledger.state) == 0
        for owner in OWNERS:
            for account in accounts_of(ledger.state, ledger.substitute(f"$inn:{owner}")):
                assert account["kind"] == "treasury" or account["balance_kopecks"] >= 0
