"""Energy clearing benchmark: prints one JSON document; compares within one run, never a test.

For random books of 10^4, 10^5 and 10^6 orders (seeded; prices in kopecks/MWh around
2,000–6,000 RUB/MWh, 1–2,000 kWh per order, half buys, grid import and export limits), side
by side on the same machine in the same run:

- decoding the JSON book into columns (``decode_book_columns``, JSON parsing included), reported
  apart from the clearing;
- krai's clearing from the built columns (``clear_columns``) and its certificate check
  (``check_cleared_columns``), median of at least 3 runs; and the typed API ``clear(book)``
  from a decoded ``Book`` (columns built from frozen dataclasses, one ``Acceptance`` per order);
- the first pure-Python clearing (``tests/reference``) at 10^4 and 10^5;
- the same LP solved by HiGHS through ``scipy.optimize.linprog(method="highs")``, matrix build
  included, and the relative welfare gap. HiGHS runs with presolve off: its presolve grows
  superlinearly on this LP's single dense balance row (2 s at 10^4, about 165 s at 10^5 on the
  development machine; without it 0.1 s and 7.6 s); at 10^4 the time with presolve is
  reported too. Above 10^5 HiGHS is skipped when its expected time exceeds a minute.

Run: ``.venv/bin/python bench/energy_bench.py`` with the test extra installed
(``pip install -e '.[test]'``: scipy). About a minute on the 2-core development machine;
``--sizes 10000,100000`` for fewer.
"""

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import scipy
from scipy import sparse
from scipy.optimize import linprog

from krai.modules.energy.book import Book, decode_book, decode_book_columns
from krai.modules.energy.clearing import check_cleared_columns, clear, clear_columns
from krai.tx.codec import parse_strict_json

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.reference import energy_clearing as reference

HIGHS_BUDGET_S = 60.0
"""HiGHS at 10^6 is skipped when the 10^5 solve suggests it would take longer than this."""


def book_document(orders: int, seed: int) -> dict[str, Any]:
    """A realistic book: buys around 4,500 RUB/MWh, sells around 3,500 (σ 800), clipped to
    2,000–6,000 RUB/MWh, in kopecks/MWh; 1–2,000 kWh; the grid sells at 5,500 and buys at
    2,500 RUB/MWh, up to 2 % of the offered energy each way."""
    rng = random.Random(seed)
    rows = []
    for i in rng.sample(range(10 * orders), orders):
        buy = rng.random() < 0.5
        rub = min(6_000.0, max(2_000.0, rng.gauss(4_500 if buy else 3_500, 800)))
        rows.append(
            {
                "id": f"o{i:08d}",
                "side": "buy" if buy else "sell",
                "price_kopecks_per_mwh": round(rub * 100),
                "energy_kwh": rng.randint(1, 2_000),
            }
        )
    limit = sum(row["energy_kwh"] for row in rows) // 50
    return {
        "import_limit_kwh": limit,
        "export_limit_kwh": limit,
        "grid_sell_price_kopecks_per_mwh": 550_000,
        "grid_buy_price_kopecks_per_mwh": 250_000,
        "orders": rows,
    }


def timed(action: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds over ``runs`` calls, and the last call's value."""
    times, value = [], None
    for _ in range(runs):
        started = time.perf_counter()
        value = action()
        times.append(time.perf_counter() - started)
    return statistics.median(times), value


def highs_welfare(book: dict[str, Any], *, presolve: bool = False) -> float:
    """max Σ b·q − Σ a·s, Σ q − Σ s = 0, grid legs as a sell and a buy; sparse matrix built."""
    orders = book["orders"]
    sign = np.array([1.0 if o["side"] == "buy" else -1.0 for o in orders] + [-1.0, 1.0])
    price = np.array(
        [float(o["price_kopecks_per_mwh"]) for o in orders]
        + [book["grid_sell_price_kopecks_per_mwh"], book["grid_buy_price_kopecks_per_mwh"]]
    )
    upper = np.array(
        [float(o["energy_kwh"]) for o in orders]
        + [book["import_limit_kwh"], book["export_limit_kwh"]]
    )
    balance = sparse.csr_matrix(sign[np.newaxis, :])
    bounds = np.column_stack([np.zeros(len(upper)), upper])
    solved = linprog(
        -sign * price,
        A_eq=balance,
        b_eq=[0.0],
        bounds=bounds,
        method="highs",
        options={"presolve": presolve},
    )
    assert solved.status == 0, solved.message
    return float(-solved.fun)


def measure(orders: int, seed: int, highs_expected_s: float | None) -> dict[str, Any]:
    document = book_document(orders, seed)
    text = json.dumps(document).encode()
    runs = 3 if orders >= 1_000_000 else 5
    decode_s, columns = timed(lambda: decode_book_columns(parse_strict_json(text)), 3)
    book_decode_s, book = timed(lambda: decode_book(parse_strict_json(text)), 1)
    clear_s, cleared = timed(lambda: clear_columns(columns), runs)
    check_s, problems = timed(lambda: check_cleared_columns(columns, cleared), runs)
    assert problems == []
    typed_s, result = timed(lambda: clear(book), 1)
    assert result == cleared.result()
    welfare = cleared.welfare_millikopecks
    row: dict[str, Any] = {
        "orders": orders,
        "json_mb": round(len(text) / 1e6, 1),
        "decode_json_to_columns_s": round(decode_s, 4),
        "decode_json_to_book_s": round(book_decode_s, 4),
        "clear_columns_s": round(clear_s, 5),
        "check_certificate_columns_s": round(check_s, 5),
        "clear_typed_book_s": round(typed_s, 4),
        "price_kopecks_per_mwh": cleared.price_kopecks_per_mwh,
        "traded_kwh": cleared.certificate.traded_kwh,
        "import_kwh": cleared.import_kwh,
        "export_kwh": cleared.export_kwh,
        "welfare_millikopecks": welfare,
    }
    row |= reference_timing(book, result, orders)
    row |= highs_timing(document, welfare, orders, highs_expected_s)
    return row


def reference_timing(book: Book, result: Any, orders: int) -> dict[str, Any]:
    if orders > 100_000:
        return {"reference_python_clear_s": None, "reference_skipped": "too slow above 10^5"}
    reference_s, expected = timed(lambda: reference.clear(book), 1)
    assert expected == result, "the numpy clearing differs from the reference"
    return {"reference_python_clear_s": round(reference_s, 3), "identical_to_reference": True}


def highs_timing(
    document: dict[str, Any], welfare: int, orders: int, expected_s: float | None
) -> dict[str, Any]:
    if expected_s is not None and expected_s > HIGHS_BUDGET_S:
        return {"highs_s": None, "highs_skipped": f"expected {expected_s:.0f} s > budget"}
    runs = 1 if orders >= 1_000_000 else 3
    highs_s, optimum = timed(lambda: highs_welfare(document), runs)
    gap = abs(welfare - optimum) / max(1.0, abs(optimum))
    row = {"highs_s": round(highs_s, 4), "highs_runs": runs, "relative_welfare_gap": gap}
    if orders <= 10_000:  # HiGHS's presolve is superlinear on this one dense row
        row["highs_with_presolve_s"] = round(
            timed(lambda: highs_welfare(document, presolve=True), 1)[0], 4
        )
    return row


def conditions() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "machine": platform.machine(),
        "cpu": cpu,
        "cores": len(__import__("os").sched_getaffinity(0)),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "single_threaded": "krai's clearing is numpy on one thread",
        "highs": "linprog(method='highs', options={'presolve': False}), sparse 1-row A_eq",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=2026)
    sizes = [int(size) for size in parser.parse_args().sizes.split(",")]
    rows, highs_expected_s = [], None
    started = time.perf_counter()
    for orders in sizes:
        row = measure(orders, parser.parse_args().seed, highs_expected_s)
        if row.get("highs_s"):
            highs_expected_s = row["highs_s"] * 10 * 1.5  # roughly linear, with a margin
        rows.append(row)
    targets = {
        "clear_100k_s": 0.05,
        "clear_1m_s": 0.5,
        "met_100k": all(r["clear_columns_s"] <= 0.05 for r in rows if r["orders"] == 100_000),
        "met_1m": all(r["clear_columns_s"] <= 0.5 for r in rows if r["orders"] == 1_000_000),
    }
    print(
        json.dumps(
            {
                "benchmark": "energy clearing of one delivery period",
                "conditions": conditions(),
                "results": rows,
                "targets": targets,
                "total_s": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
