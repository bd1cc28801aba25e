"""Every energy record is stored as the very bytes the module wrote as a plain JSON object
before it was typed (so replays and state digests are unchanged), reads back as the same
record, and is refused, naming the field, when a field is missing or unknown."""

from typing import Any

import pytest
from tests.unit.modules.record_checks import (
    assert_missing_and_unknown_fields_refused,
    assert_stored_as_its_plain_bytes,
)

from krai.modules.energy.records import (
    BlockChoice,
    Clearing,
    GridPrices,
    HeatContract,
    HeatReadings,
    HeatSettlement,
    HeatTariff,
    Invoice,
    LimitStep,
    Market,
    MeterReading,
    Participant,
    Sealed,
    Settlement,
    decode_readings,
    encode_readings,
)
from krai.state.records import Record, RecordFormError, decode_record, encode_record
from krai.state.store import encode_value

STAMP = {"by": "2460000000", "index": 41, "time_ms": 1_527_649_200_000, "tx_id": "ab" * 32}
LIMIT = {
    "from": "2018-06-01",
    "import_limit_kw": 120_000,
    "export_limit_kw": 30_000,
    "source": "Договор техприсоединения: 120 МВт",
    **STAMP,
}
MARKET = {
    "park_id": "krasnoyarsk",
    "title": "Биржа «Красноярская ГЭС»",
    "utc_offset_minutes": 420,
    "period_minutes": 60,
    "gate_closure": "12:00",
    "reveal_minutes": 60,
    "price_floor_kopecks_per_mwh": 0,
    "price_cap_kopecks_per_mwh": 1_000_000,
    "grid_fee_kopecks_per_mwh": 20_000,
    "settlement_account": "market:settlement",
    "operator": "2460000000",
    "limits": [],
    **STAMP,
}
ORDER = {
    "order_id": "o-1",
    "period": 14,
    "side": "buy",
    "price_kopecks_per_mwh": 280_000,
    "energy_kwh": 5_000,
}
BLOCK = {
    "block_id": "night",
    "side": "sell",
    "first_period": 1,
    "last_period": 6,
    "price_kopecks_per_mwh": 150_000,
    "energy_kwh": 2_000,
    "min_acceptance_basis_points": 5_000,
}
SEALED = {"commitment_sha256": "cd" * 32, "committed": STAMP}
CLEARING = {
    "price_kopecks_per_mwh": 280_000,
    "accepted": [{"id": "2460000000:o-1", "energy_kwh": 5_000}],
    "import_kwh": 0,
    "export_kwh": 30_000,
    "welfare_millikopecks": -9_007_199_254_740_991,
    "certificate": {
        "price_low_kopecks_per_mwh": None,
        "price_high_kopecks_per_mwh": 280_000,
        "traded_kwh": 5_000,
    },
    **STAMP,
}
READING = {"consumption_kwh": 900, "generation_kwh": 0, "estimated": True, **STAMP}
INVOICE = {
    "energy_kopecks": 1_400,
    "imbalance_kopecks": -3,
    "grid_fee_kopecks": 100,
    "total_kopecks": 1_497,
    "periods_missing": [],
    "periods_estimated": [3, 14],
}
TARIFF_STEP = {
    "from": "2018-06",
    "energy_kopecks_per_gcal": 120_000,
    "capacity_kopecks_per_gcal_per_hour_month": 5_000_000,
    "avoided_fuel_kopecks_per_gcal": 90_000,
    "source": "Приказ РЭК № 17",
    **STAMP,
}
HEAT_LINE = {
    "resident_inn": "7707083893",
    "micro_district": "Покровский",
    "heat_mcal": 1_500,
    "capacity_mcal_per_hour": 400,
    "energy_kopecks": 180,
    "capacity_kopecks": 2_000,
    "total_kopecks": 2_180,
}
PRICES = {"grid_sell_price_kopecks_per_mwh": 350_000, "grid_buy_price_kopecks_per_mwh": 90_000}

STORED: list[tuple[type[Record], dict[str, Any]]] = [
    (LimitStep, LIMIT),
    (Market, MARKET),
    (Market, {**MARKET, "period_minutes": 15, "limits": [LIMIT, {**LIMIT, "from": "2018-07-01"}]}),
    (Participant, {"account_id": "resident:1", **STAMP}),
    (GridPrices, {"periods": {"1": PRICES, "10": PRICES, "2": PRICES}, "source": "АТС", **STAMP}),
    (Sealed, SEALED),
    (Sealed, {**SEALED, "orders": [ORDER], "revealed": STAMP}),
    (Sealed, {**SEALED, "orders": [], "blocks": [BLOCK], "revealed": STAMP}),
    (Clearing, CLEARING),
    (BlockChoice, {"accepted": {"1:a": 10_000}, "dropped": {"2:b": "below minimum"}, **STAMP}),
    (MeterReading, READING),
    (MeterReading, {**READING, "estimated": False, "replaces": READING}),
    (Invoice, INVOICE),
    (Invoice, {**INVOICE, "paid_kopecks": 0, "unpaid_kopecks": 1_497}),
    (Settlement, {"revision": 1, "invoices": {"7707083893": INVOICE}, **STAMP}),
    (
        Settlement,
        {
            "revision": 2,
            "invoices": {"7707083893": {**INVOICE, "paid_kopecks": 1_497}},
            "previous": {"revision": 1, "totals": {"7707083893": 1_500}},
            **STAMP,
        },
    ),
    (HeatTariff, {"utility": "2460000001", "account_id": "utility:1", "steps": [TARIFF_STEP]}),
    (HeatContract, {"capacity_mcal_per_hour": 400, "micro_district": "Покровский", **STAMP}),
    (HeatReadings, {"heat_mcal": {"7707083893": 1_500, "2460000000": 0}, **STAMP}),
    (HeatSettlement, {"lines": [HEAT_LINE], "avoided_fuel_kopecks": 135, **STAMP}),
]
REQUIRED = {
    LimitStep: "from",
    Market: "limits",
    Participant: "account_id",
    GridPrices: "periods",
    Sealed: "commitment_sha256",
    Clearing: "certificate",
    BlockChoice: "dropped",
    MeterReading: "estimated",
    Invoice: "periods_missing",
    Settlement: "revision",
    HeatTariff: "utility",
    HeatContract: "micro_district",
    HeatReadings: "heat_mcal",
    HeatSettlement: "avoided_fuel_kopecks",
}


@pytest.mark.parametrize(("cls", "stored"), STORED, ids=lambda v: getattr(v, "__name__", ""))
def test_a_record_is_stored_as_the_bytes_of_its_plain_object(
    cls: type[Record], stored: dict[str, Any]
) -> None:
    assert_stored_as_its_plain_bytes(cls, stored)


@pytest.mark.parametrize(("cls", "stored"), STORED, ids=lambda v: getattr(v, "__name__", ""))
def test_a_missing_or_unknown_field_is_refused(cls: type[Record], stored: dict[str, Any]) -> None:
    assert_missing_and_unknown_fields_refused(cls, stored, REQUIRED[cls], "energy/some/key")


def test_a_day_of_readings_keeps_its_bytes_and_refuses_a_bad_reading_by_name() -> None:
    stored = {"1": READING, "10": {**READING, "replaces": READING}, "2": READING}
    raw = encode_value(stored)
    assert encode_readings(decode_readings(raw)) == raw
    key = "energy/reading/m/2018-06-01/7707083893"
    unestimated = {name: value for name, value in READING.items() if name != "estimated"}
    with pytest.raises(
        RecordFormError, match=rf"{key} is not .*missing required field `estimated`"
    ):
        decode_readings(encode_value({"1": unestimated}), key)
    with pytest.raises(RecordFormError, match="unknown field `extra`"):
        decode_readings(encode_value({"1": {**READING, "extra": 1}}), key)


def test_changes_return_new_records_in_date_order() -> None:
    market = decode_record(encode_value({**MARKET, "limits": [LIMIT]}), Market)
    later = decode_record(encode_value({**LIMIT, "from": "2018-07-01"}), LimitStep)
    earlier = decode_record(encode_value({**LIMIT, "from": "2018-05-01"}), LimitStep)
    replaced = decode_record(encode_value({**LIMIT, "import_limit_kw": 1}), LimitStep)
    changed = market.with_limits(later).with_limits(earlier).with_limits(replaced)
    assert [step.from_ for step in changed.limits] == ["2018-05-01", "2018-06-01", "2018-07-01"]
    assert changed.limits[1].import_limit_kw == 1
    assert market.limits == (decode_record(encode_value(LIMIT), LimitStep),)
    tariff = decode_record(
        encode_value({"utility": "1", "account_id": "a", "steps": [TARIFF_STEP]}), HeatTariff
    )
    assert tariff.step_in("2018-05") is None
    assert tariff.step_in("2019-01") == tariff.steps[0]


def test_an_invoice_records_what_was_paid_and_leaves_out_nothing_unpaid() -> None:
    invoice = decode_record(encode_value(INVOICE), Invoice)
    paid = invoice.with_payment(1_497, None)
    assert encode_record(paid) == encode_value({**INVOICE, "paid_kopecks": 1_497})
    assert invoice.paid_kopecks is None
