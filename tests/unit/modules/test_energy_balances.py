"""Settlement as balances (docs/modules/energy.md §Settlement): over random readings (estimated,
then measured), funds that fall short, settlements, true-ups, collections and write-offs, the
market's settlement account always nets to zero, what is paid is exactly the money that moved,
and nothing owed is forgotten. Built once: a market of two delivery days, cleared hour by hour;
every example then plays its transactions on an overlay of that state."""

import functools
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.scenarios.harness import Ledger, time_ms
from tests.scenarios.scenario import Scenario

from krai.modules.accounts.queries import balance
from krai.modules.energy import queries
from krai.modules.energy.model import kopecks
from krai.modules.energy.rules.balances import GRID, day_cash
from krai.state.entry import Entry
from krai.state.store import Overlay, StateView
from krai.tx.envelope import Transaction
from krai.tx.errors import Code, RejectedError

MARKET = "dam"
DAYS = ("2018-06-03", "2018-06-04")
OPERATOR, METER, BANK, GRID_COMPANY = "Биржа", "Сетевая компания (учёт)", "Банк", "Сетевая компания"
BUYERS = {"Ферма": (300_000, 3_000), "ЦОД": (250_000, 2_000)}
SELLER = "Генерация"
PARTICIPANTS = (*BUYERS, SELLER)
ACCOUNTS = {"Ферма": "farm:operating", "ЦОД": "dc:operating", SELLER: "gen:operating"} | {
    GRID: "grid:settlement"
}
AFTER_BOTH_DAYS = time_ms("2018-06-06T09:00:00+07:00")


def _orders(name: str) -> list[dict[str, Any]]:
    if name == SELLER:
        return [
            {
                "order_id": "unit",
                "periods": [1, 24],
                "side": "sell",
                "price_kopecks_per_mwh": 150_000,
                "energy_kwh": 2_500,
            }
        ]
    price, kwh = BUYERS[name]
    return [
        {
            "order_id": "load",
            "periods": [1, 24],
            "side": "buy",
            "price_kopecks_per_mwh": price,
            "energy_kwh": kwh,
        }
    ]


def _market_document() -> dict[str, Any]:
    sealed = {
        f"{name}/{day}": {
            "by": name,
            "market_id": MARKET,
            "delivery_date": day,
            "salt": f"соль {name}",
            "orders": _orders(name),
        }
        for name in PARTICIPANTS
        for day in DAYS
    }
    steps: list[dict[str, Any]] = [
        {
            "by": BANK,
            "do": "accounts.open_account",
            "with": {"account_id": "treasury:bank", "kind": "treasury", "title": "Казна"},
        },
        {
            "by": OPERATOR,
            "do": "accounts.open_account",
            "with": {"account_id": "market:settlement", "kind": "clearing", "title": "Расчёты"},
        },
        {
            "by": GRID_COMPANY,
            "do": "accounts.open_account",
            "with": {"account_id": ACCOUNTS[GRID], "kind": "operating", "title": "Сеть"},
        },
        {
            "by": BANK,
            "do": "parks.register_region",
            "with": {
                "region_id": "RU-24",
                "name_ru": "Красноярский край",
                "name_en": "Krasnoyarsk",
                "time_zone": "Asia/Krasnoyarsk",
                "utc_offset_minutes": 420,
            },
        },
        {
            "by": "Гигабайт",
            "do": "parks.register_park",
            "with": {
                "park_id": "krasnoyarsk-digital",
                "name_ru": "Парк",
                "name_en": "Park",
                "kind": "industrial_park",
                "region_id": "RU-24",
                "total_area_m2": 2,
                "saleable_area_m2": 1,
                "source": "Пресс-релиз",
            },
        },
        {
            "by": OPERATOR,
            "do": "energy.open_market",
            "version": 2,
            "with": {
                "market_id": MARKET,
                "park_id": "krasnoyarsk-digital",
                "title": "Биржа",
                "utc_offset_minutes": 420,
                "period_minutes": 60,
                "gate_closure": "12:00",
                "reveal_minutes": 60,
                "price_floor_kopecks_per_mwh": 0,
                "price_cap_kopecks_per_mwh": 1_000_000,
                "grid_fee_kopecks_per_mwh": 20_000,
                "settlement_account": "market:settlement",
                "grid_account": ACCOUNTS[GRID],
            },
        },
        {
            "by": OPERATOR,
            "do": "energy.set_connection_limits",
            "with": {
                "market_id": MARKET,
                "from_date": DAYS[0],
                "import_limit_kw": 4_000,
                "export_limit_kw": 1_000,
                "source": "Договор",
            },
        },
    ]
    for name in PARTICIPANTS:
        steps.append(
            {
                "by": name,
                "do": "accounts.open_account",
                "with": {"account_id": ACCOUNTS[name], "kind": "operating", "title": "Счёт"},
            }
        )
        steps.append(
            {
                "by": name,
                "do": "energy.join_market",
                "with": {"market_id": MARKET, "account_id": ACCOUNTS[name]},
            }
        )
    for day in DAYS:
        prices = [
            {
                "period": p,
                "grid_sell_price_kopecks_per_mwh": 200_000 + 1_000 * p,
                "grid_buy_price_kopecks_per_mwh": 100_000,
            }
            for p in range(1, 25)
        ]
        steps.append(
            {
                "by": OPERATOR,
                "do": "energy.set_grid_prices",
                "with": {
                    "market_id": MARKET,
                    "delivery_date": day,
                    "prices": prices,
                    "source": "Прогноз",
                },
            }
        )
        for name in PARTICIPANTS:
            steps.append(
                {
                    "by": name,
                    "do": "energy.commit_orders",
                    "with": {
                        "market_id": MARKET,
                        "delivery_date": day,
                        "commitment_sha256": f"$commitment:{name}/{day}",
                    },
                }
            )
    for day in DAYS:
        steps.append(
            {
                "at": f"{day[:-2]}{int(day[-2:]) - 1:02d}T12:30:00+07:00",
                "by": SELLER,
                "do": "energy.reveal_orders",
                "with": f"$reveal:{SELLER}/{day}",
            }
        )
        for name in BUYERS:
            steps.append(
                {"by": name, "do": "energy.reveal_orders", "with": f"$reveal:{name}/{day}"}
            )
        steps.append(
            {
                "at": f"{day[:-2]}{int(day[-2:]) - 1:02d}T13:30:00+07:00",
                "by": OPERATOR,
                "do": "energy.submit_clearing",
                "with": f"$clearing:{MARKET}/{day}/1",
            }
        )
        for period in range(2, 25):
            steps.append(
                {
                    "by": OPERATOR,
                    "do": "energy.submit_clearing",
                    "with": f"$clearing:{MARKET}/{day}/{period}",
                }
            )
    organisations = [
        {"name": BANK, "roles": ["governor", "treasury"]},
        {"name": OPERATOR, "roles": ["market_operator"]},
        {"name": METER, "roles": ["meter_operator"]},
        {"name": GRID_COMPANY, "roles": ["meter_operator"]},
        {"name": "Гигабайт", "roles": ["park_operator"]},
        *({"name": name, "roles": ["market_participant"]} for name in PARTICIPANTS),
    ]
    return {
        "title": "A market of two cleared days",
        "network": {
            "quorum": 1,
            "start": "2018-06-01T10:00:00+07:00",
            "organisations": organisations,
        },
        "sealed": sealed,
        "steps": steps,
    }


@functools.cache
def cleared_market() -> Ledger:
    """The ledger after both days are cleared (built once per test session)."""
    scenario = Scenario(_market_document())
    scenario.run()
    return scenario.ledger


class Play:
    """Transactions played on an overlay of the cleared market, tracking money put in."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger
        self.state = Overlay(ledger.view)
        self.index = len(ledger.entries)
        self.funded = dict.fromkeys(ACCOUNTS, 0)
        self.start = {party: self.balance(party) for party in ACCOUNTS}

    def do(self, signer: str, type_name: str, body: Mapping[str, Any], version: int = 1) -> bool:
        """Apply one transaction; True if accepted, False if refused as it may be."""
        tx = self._tx(signer, type_name, body, version)
        try:
            self.ledger.engine.apply_to(
                self.state, Entry(self.index, AFTER_BOTH_DAYS, tx=tx), authorised=True
            )
        except RejectedError as refused:
            assert refused.code in {Code.CONFLICT, Code.NOT_FOUND}, refused.message
            return False
        self.index += 1
        return True

    def refused(
        self, signer: str, type_name: str, body: Mapping[str, Any], version: int
    ) -> RejectedError:
        """The refusal of a transaction that must be refused."""
        with pytest.raises(RejectedError) as refusal:
            self.ledger.engine.apply_to(
                self.state,
                Entry(self.index, AFTER_BOTH_DAYS, tx=self._tx(signer, type_name, body, version)),
                authorised=True,
            )
        return refusal.value

    def _tx(
        self, signer: str, type_name: str, body: Mapping[str, Any], version: int
    ) -> Transaction:
        return Transaction(
            self.ledger.origin,
            type_name,
            version,
            self.ledger.inn(signer),
            "0" * 16,
            f"p{self.index}",
            dict(body),
        )

    def fund(self, party: str, kopecks: int) -> None:
        body = {
            "from_account": "treasury:bank",
            "to_account": ACCOUNTS[party],
            "amount_kopecks": kopecks,
            "reference": "кредит",
        }
        assert self.do(BANK, "accounts.transfer", body)
        self.funded[party] += kopecks

    def balance(self, party: str) -> int:
        return balance(self.view, ACCOUNTS[party]) or 0

    @property
    def view(self) -> StateView:
        return self.state

    def inn(self, party: str) -> str:
        return GRID if party == GRID else self.ledger.inn(party)


def _outstanding(play: Play, day: str, party: str) -> int:
    """What ``party`` owes the market on ``day`` (−: is owed), as write-off names it."""
    found = queries.settlement(play.view, MARKET, day)
    if found is None or found.grid is None:
        return 0
    if party == GRID:
        return -found.grid.outstanding()
    bill = found.invoices.get(play.inn(party))
    return 0 if bill is None else bill.outstanding()


def _check_balances(play: Play) -> None:
    """The invariants of docs/modules/energy.md §Settlement, after every transaction."""
    assert (balance(play.view, "market:settlement") or 0) == 0
    paid = dict.fromkeys(ACCOUNTS, 0)
    for day in DAYS:
        found = queries.settlement(play.view, MARKET, day)
        if found is None:
            continue
        assert found.grid is not None and day_cash(found) == 0
        for party in PARTICIPANTS:
            bill = found.invoices.get(play.inn(party))
            if bill is not None and bill.balance is not None:
                paid[party] += bill.balance.paid_kopecks
        paid[GRID] -= found.grid.balance.paid_kopecks
    for party in ACCOUNTS:  # what is recorded as paid is exactly the money that moved
        moved = play.start[party] + play.funded[party] - play.balance(party)
        assert moved == paid[party], party


def _check_hours(play: Play) -> None:
    """Every statement's hours, from the readings held when its revision was settled (later
    ones included in the state), sum to its invoice: each amount in millikopecks, rounded
    once; the periods flagged missing and estimated are the invoice's."""
    for day in DAYS:
        found = queries.settlement(play.view, MARKET, day)
        for inn, bill in ({} if found is None else found.invoices).items():
            document = queries.statement(play.view, MARKET, day, inn)
            assert document is not None
            hours = document["hours"]
            assert len(hours) == 24 and hours[0]["from"] == "00:00"
            for line in ("energy", "grid_fee", "imbalance"):
                summed = kopecks(sum(h[f"{line}_millikopecks"] for h in hours))
                assert summed == getattr(bill, f"{line}_kopecks"), (day, inn, line)
            assert document["day_totals"]["total_kopecks"] == bill.total_kopecks
            assert tuple(h["period"] for h in hours if h["reading"] == "estimated") == (
                bill.periods_estimated
            )
            missing = [
                h["period"]
                for h in hours
                if h["reading"] == "missing" and h["bought_kwh"] != h["sold_kwh"]
            ]
            assert tuple(missing) == bill.periods_missing


readings = st.fixed_dictionaries(
    {
        "day": st.sampled_from(DAYS),
        "party": st.sampled_from(PARTICIPANTS),
        "periods": st.lists(st.integers(1, 24), min_size=1, max_size=4, unique=True),
        "consumption_kwh": st.integers(0, 5_000),
        "generation_kwh": st.integers(0, 3_000),
        "estimated": st.booleans(),
    }
)
actions = st.one_of(
    st.tuples(st.just("readings"), readings),
    st.tuples(st.just("fund"), st.sampled_from(list(ACCOUNTS)), st.integers(1, 30_000_000)),
    st.tuples(st.just("settle"), st.sampled_from(DAYS)),
    st.tuples(st.just("collect"), st.sampled_from([*DAYS, None])),
    st.tuples(st.just("write_off"), st.sampled_from(DAYS), st.sampled_from(list(ACCOUNTS))),
)


def _play(play: Play, action: tuple[Any, ...]) -> None:
    kind = action[0]
    if kind == "readings":
        spec = action[1]
        rows = [
            {
                "participant_inn": play.inn(spec["party"]),
                "period": period,
                "consumption_kwh": spec["consumption_kwh"],
                "generation_kwh": spec["generation_kwh"],
                "estimated": spec["estimated"],
            }
            for period in spec["periods"]
        ]
        body = {"market_id": MARKET, "delivery_date": spec["day"], "readings": rows}
        play.do(METER, "energy.submit_readings", body)
    elif kind == "fund":
        play.fund(action[1], action[2])
    elif kind == "settle":
        body = {"market_id": MARKET, "delivery_date": action[1]}
        play.do(OPERATOR, "energy.settle_day", body, version=2)
    elif kind == "collect":
        body = {"market_id": MARKET} | ({} if action[1] is None else {"delivery_date": action[1]})
        play.do(OPERATOR, "energy.collect_outstanding", body)
    else:
        _, day, party = action
        owed = _outstanding(play, day, party)
        body = {
            "market_id": MARKET,
            "delivery_date": day,
            "party": play.inn(party),
            "amount_kopecks": owed,
            "reason": "Банкротство",
            "legal_basis": "ст. 142 ФЗ-127",
        }
        assert play.do(OPERATOR, "energy.write_off", body) == (owed != 0)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(actions, max_size=14))
def test_the_settlement_account_nets_to_zero_and_nothing_owed_is_forgotten(
    steps: list[tuple[Any, ...]],
) -> None:
    play = Play(cleared_market())
    for action in steps:
        _play(play, action)
        _check_balances(play)
        _check_hours(play)
    for party in ACCOUNTS:  # ample funds: every day's debts meet its credits
        play.fund(party, 2_000_000_000)
    play.do(OPERATOR, "energy.collect_outstanding", {"market_id": MARKET})
    _check_balances(play)
    for day in DAYS:
        owed = [_outstanding(play, day, party) for party in ACCOUNTS]
        assert min(sum(o for o in owed if o > 0), sum(-o for o in owed if o < 0)) == 0, owed


def test_an_unpaid_invoice_survives_a_true_up_and_is_collected_when_funds_arrive() -> None:
    """Issue 17: a participant that could not pay revision 1 still owes it in revision 2."""
    play = Play(cleared_market())
    day, buyer, other = DAYS[0], "Ферма", "ЦОД"
    play.fund(other, 1_000_000_000)
    estimate = [
        {
            "participant_inn": play.inn(other),
            "period": 1,
            "consumption_kwh": 2_500,
            "generation_kwh": 0,
            "estimated": True,
        }
    ]
    assert play.do(
        METER,
        "energy.submit_readings",
        {"market_id": MARKET, "delivery_date": day, "readings": estimate},
    )
    assert play.do(OPERATOR, "energy.settle_day", {"market_id": MARKET, "delivery_date": day}, 2)
    owed = _outstanding(play, day, buyer)
    assert owed > 0 and _statement(play, day, buyer)["paid_kopecks"] == 0
    measured = [{**estimate[0], "consumption_kwh": 2_000, "estimated": False}]
    assert play.do(
        METER,
        "energy.submit_readings",
        {"market_id": MARKET, "delivery_date": day, "readings": measured},
    )
    assert play.do(OPERATOR, "energy.settle_day", {"market_id": MARKET, "delivery_date": day}, 2)
    revised = _statement(play, day, buyer)
    assert revised["revision"] == 2 and revised["outstanding_kopecks"] == owed
    _check_balances(play)
    assert not play.do(OPERATOR, "energy.collect_outstanding", {"market_id": MARKET})
    play.fund(buyer, owed)
    assert play.do(OPERATOR, "energy.collect_outstanding", {"market_id": MARKET})
    assert _statement(play, day, buyer)["outstanding_kopecks"] == 0
    assert _statement(play, day, buyer)["paid_kopecks"] == owed
    assert queries.grid_statement(play.view, MARKET, day)["outstanding_kopecks"] == 0  # type: ignore[index]
    _check_balances(play)


def test_a_write_off_names_the_exact_outstanding_and_is_kept_with_its_reason() -> None:
    play = Play(cleared_market())
    day, buyer = DAYS[1], "Ферма"
    assert play.do(OPERATOR, "energy.settle_day", {"market_id": MARKET, "delivery_date": day}, 2)
    owed = _outstanding(play, day, buyer)
    body = {
        "market_id": MARKET,
        "delivery_date": day,
        "party": play.inn(buyer),
        "amount_kopecks": owed - 1,
        "reason": "Ликвидация",
        "legal_basis": "ст. 419 ГК РФ",
    }
    assert not play.do(OPERATOR, "energy.write_off", body)
    assert play.do(OPERATOR, "energy.write_off", body | {"amount_kopecks": owed})
    written = _statement(play, day, buyer)
    assert written["outstanding_kopecks"] == 0 and written["written_off_kopecks"] == owed
    assert written["write_offs"][0]["legal_basis"] == "ст. 419 ГК РФ"
    _check_balances(play)


def _statement(play: Play, day: str, party: str) -> dict[str, Any]:
    found = queries.statement(play.view, MARKET, day, play.inn(party))
    assert found is not None
    return found


def test_each_settle_day_version_settles_only_its_own_markets() -> None:
    """Version 1 (old logs) refuses a market with a grid account; version 2 one without."""
    play = Play(cleared_market())
    refused = play.refused(
        OPERATOR, "energy.settle_day", {"market_id": MARKET, "delivery_date": DAYS[0]}, 1
    )
    assert "settle it with energy.settle_day version 2" in refused.message
    old = {
        "market_id": "old",
        "park_id": "krasnoyarsk-digital",
        "title": "Старая биржа",
        "utc_offset_minutes": 420,
        "period_minutes": 60,
        "gate_closure": "12:00",
        "reveal_minutes": 60,
        "price_floor_kopecks_per_mwh": 0,
        "price_cap_kopecks_per_mwh": 1_000_000,
        "grid_fee_kopecks_per_mwh": 0,
        "settlement_account": "market:settlement",
    }
    assert play.do(OPERATOR, "energy.open_market", old, version=1)
    refused = play.refused(
        OPERATOR, "energy.settle_day", {"market_id": "old", "delivery_date": DAYS[0]}, 2
    )
    assert refused.code is Code.RULE_VIOLATION and "names no grid account" in refused.message


def test_a_market_is_opened_only_for_a_registered_park() -> None:
    play = Play(cleared_market())
    body = {**_market_document()["steps"][5]["with"], "market_id": "other", "park_id": "nowhere"}
    refused = play.refused(OPERATOR, "energy.open_market", body, 2)
    assert refused.code is Code.NOT_FOUND and refused.message == "park nowhere is not registered"
    old = {key: value for key, value in body.items() if key != "grid_account"}
    refused = play.refused(OPERATOR, "energy.open_market", old, 1)
    assert refused.code is Code.NOT_FOUND, "version 1 names a registered park too"
    assert play.do(OPERATOR, "energy.open_market", body | {"park_id": "krasnoyarsk-digital"}, 2)
