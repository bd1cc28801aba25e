"""``krai energy clear`` end to end: the real executable on a book file, and its refusals."""

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

KRAI = Path(sys.executable).with_name("krai")

BOOK: dict[str, Any] = {
    "import_limit_kwh": 10,
    "export_limit_kwh": 5,
    "grid_sell_price_kopecks_per_mwh": 5000,
    "grid_buy_price_kopecks_per_mwh": 2000,
    "orders": [
        {"id": "e", "side": "sell", "price_kopecks_per_mwh": 4000, "energy_kwh": 6},
        {"id": "a", "side": "buy", "price_kopecks_per_mwh": 6000, "energy_kwh": 8},
        {"id": "c", "side": "sell", "price_kopecks_per_mwh": 1000, "energy_kwh": 5},
        {"id": "b", "side": "buy", "price_kopecks_per_mwh": 4000, "energy_kwh": 6},
        {"id": "d", "side": "sell", "price_kopecks_per_mwh": 3000, "energy_kwh": 4},
    ],
}
# Worked out in tests/unit/modules/test_energy_clearing.py: a–c 5, a–d 3, b–d 1, b–e 5;
# e is short by 1 kWh at 4000, every buy is filled at 4000 or more: price 4000.
CLEARED = {
    "price_kopecks_per_mwh": 4000,
    "accepted": [
        {"id": "a", "energy_kwh": 8},
        {"id": "b", "energy_kwh": 6},
        {"id": "c", "energy_kwh": 5},
        {"id": "d", "energy_kwh": 4},
        {"id": "e", "energy_kwh": 5},
    ],
    "import_kwh": 0,
    "export_kwh": 0,
    "welfare_millikopecks": 35_000,
}


def clear(path: Path, *flags: str) -> "subprocess.CompletedProcess[str]":
    """Run the installed ``krai`` executable; never raises on a non-zero exit."""
    return subprocess.run(
        [str(KRAI), "energy", "clear", "--orders", str(path), *flags],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def written(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "book.json"
    path.write_text(text, encoding="utf-8")
    return path


def test_json_output_has_exactly_the_required_keys(tmp_path: Path) -> None:
    result = clear(written(tmp_path, json.dumps(BOOK)), "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == CLEARED
    assert result.stderr == ""


def test_the_certificate_flag_adds_the_certificate(tmp_path: Path) -> None:
    result = clear(written(tmp_path, json.dumps(BOOK)), "--json", "--certificate")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document.pop("certificate") == {
        "price_low_kopecks_per_mwh": 4000,
        "price_high_kopecks_per_mwh": 4000,
        "traded_kwh": 14,
    }
    assert document == CLEARED


def test_without_json_a_table_is_printed(tmp_path: Path) -> None:
    result = clear(written(tmp_path, json.dumps(BOOK)))
    assert result.returncode == 0, result.stderr
    assert "grid import" in result.stdout
    assert "price 4000 kop/MWh, welfare 35000 millikopecks" in result.stdout


def _with_order(**changes: Any) -> str:
    order = {"id": "x", "side": "buy", "price_kopecks_per_mwh": 1000, "energy_kwh": 1}
    order.update(changes)
    return json.dumps({**BOOK, "orders": [order]})


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("{not json", "not valid UTF-8 JSON"),
        (json.dumps({**BOOK, "import_limit_kwh": 1.5}), "float"),
        (_with_order(energy_kwh=-3), "energy_kwh is -3, it must be at least 1"),
        (_with_order(side="hold"), "side must be one of buy, sell"),
        (json.dumps({**BOOK, "orders": [BOOK["orders"][0]] * 2}), "order id e appears more"),
        (
            json.dumps({key: value for key, value in BOOK.items() if key != "orders"}),
            "book.orders is required",
        ),
        ("[]", "the book must be a JSON object"),
    ],
)
def test_bad_books_are_refused_without_a_traceback(tmp_path: Path, text: str, says: str) -> None:
    result = clear(written(tmp_path, text), "--json")
    assert result.returncode == 1
    assert result.stdout == ""
    assert says in " ".join(result.stderr.split())
    assert "Traceback" not in result.stderr


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = clear(tmp_path / "absent.json", "--json")
    assert result.returncode == 2
    assert "cannot read" in result.stderr
    assert "Traceback" not in result.stderr
