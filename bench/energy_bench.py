"""Energy clearing benchmark: prints one JSON document; compares within one run, never a test.

For random books of 10^4, 10^5 and 10^6 orders (seeded; prices in kopecks/MWh around
2,000–6,000 RUB/MWh, 1–2,000 kWh per order, half buys, grid import and export limits), side
by side on the same machine in the same run:

- decoding the JSON book's bytes into columns, old and new alternated (ADR 0030): the strict
  decoder as ``krai energy clear`` ran it before (``parse_strict_json``, ``decode_book`` into
  frozen dataclasses, ``book_columns``), the strict decoder straight into columns
  (``decode_book_columns``), and the compiled one (``compiled_book_columns``, msgspec); and
  for reference, parsing alone into dicts and lists: the strict parser, orjson, msgspec
  untyped (neither of the last two refuses repeated members);
- writing the result as JSON, old and new alternated: ``result_json(cleared.result())`` and
  ``json.dumps`` as ``print_json`` does, and ``encoded_result_json`` (msgspec);
- ``krai energy clear --orders BOOK --json`` end to end in a fresh process (``--cli``, default
  at 10^5 and 10^6): wall time and peak RSS (``wait4``), alternated with the command's
  start-up (a one-order book) and with the old way: the command run from another source tree
  given by ``--baseline-src DIR`` (e.g. an archive of the previous commit) with this
  interpreter, or else the old steps in a fresh process of the same imports (``OLD_CLEAR``);
- krai's clearing from the built columns (``clear_columns``) and its certificate check
  (``check_cleared_columns``), median of at least 3 runs; and the typed API ``clear(book)``
  from a decoded ``Book`` (columns built from frozen dataclasses, one ``Acceptance`` per order);
- the first pure-Python clearing (``tests/reference``) at 10^4 and 10^5;
- the same LP solved by HiGHS through ``scipy.optimize.linprog(method="highs")``, matrix build
  included, and the relative welfare gap. HiGHS runs with presolve off: its presolve grows
  superlinearly on this LP's single dense balance row (2 s at 10^4, about 165 s at 10^5 on the
  development machine; without it 0.1 s and 7.6 s); at 10^4 the time with presolve is
  reported too. Above 10^5 HiGHS is skipped when its expected time exceeds a minute.

``--end-to-end-only`` skips everything but the command end to end, each size's clearing from
columns printed beside it (``clear_columns_s``), so the command's figure reads against what
the clearing itself takes in the same run. Both source trees are compiled to bytecode first,
as ``pip install`` does (this machine runs with ``PYTHONDONTWRITEBYTECODE``).

Run: ``.venv/bin/python bench/energy_bench.py`` with the test extra installed
(``pip install -e '.[test]'``: scipy). A few minutes on the 2-core development machine (the
old decoder takes 10–25 s a run at 10^6); ``--sizes 10000,100000`` for fewer.
"""

import argparse
import compileall
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec
import numpy as np
import orjson
import scipy
from scipy import sparse
from scipy.optimize import linprog

from krai.modules.energy.book import (
    Book,
    book_columns,
    compiled_book_columns,
    decode_book,
    decode_book_columns,
)
from krai.modules.energy.clearing import check_cleared_columns, clear, clear_columns
from krai.modules.energy.result import ClearedColumns, encoded_result_json, result_json
from krai.tx.strict_json import parse_strict_json

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.reference import energy_clearing as reference

HIGHS_BUDGET_S = 60.0
"""HiGHS at 10^6 is skipped when the 10^5 solve suggests it would take longer than this."""
KRAI = Path(sys.executable).with_name("krai")
OLD_CLEAR = """
import json, sys
from pathlib import Path
import krai.entrypoints.cli.main  # the same imports as the command
from krai.modules.energy.book import decode_book
from krai.modules.energy.clearing import clear
from krai.modules.energy.result import result_json
from krai.tx.strict_json import parse_strict_json
document = parse_strict_json(Path(sys.argv[1]).read_bytes())
result = result_json(clear(decode_book(document)))
sys.stdout.write(json.dumps(result, ensure_ascii=False, separators=(",", ":")) + "\\n")
"""
"""``krai energy clear --json`` as it was before ADR 0030, step by step, for the paired run."""


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
    decoding = decoding_timing(text, orders)
    columns = compiled_book_columns(text)
    assert columns is not None
    clear_s, cleared = timed(lambda: clear_columns(columns), runs)
    check_s, problems = timed(lambda: check_cleared_columns(columns, cleared), runs)
    assert problems == []
    book = decode_book(document)
    typed_s, result = timed(lambda: clear(book), 1)
    assert result == cleared.result()
    welfare = cleared.welfare_millikopecks
    row: dict[str, Any] = {
        "orders": orders,
        "json_mb": round(len(text) / 1e6, 1),
        **decoding,
        **encoding_timing(cleared, orders),
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


def alternated(actions: dict[str, Callable[[], Any]], runs: int) -> dict[str, list[float]]:
    """Seconds of each action over ``runs`` rounds, the actions taking turns in each round."""
    times: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            times[name].append(timed(action, 1)[0])
    return times


def summary(times: dict[str, list[float]], new: str, old: str) -> dict[str, Any]:
    """Median and range of each, and how many times faster ``new`` is than ``old``."""
    row: dict[str, Any] = {
        f"{name}_s": {
            "median": round(statistics.median(values), 4),
            "range": [round(min(values), 4), round(max(values), 4)],
        }
        for name, values in times.items()
    }
    ratio = statistics.median(times[old]) / statistics.median(times[new])
    row[f"{new}_speed-up_over_{old}"] = round(ratio, 1)
    return row


def decoding_timing(text: bytes, orders: int) -> dict[str, Any]:
    """JSON bytes → columns, the old decoders and the compiled one taking turns."""
    compiled = compiled_book_columns(text)
    strict = book_columns(decode_book(parse_strict_json(text)))
    assert compiled is not None and compiled.ids == strict.ids
    assert bool((compiled.listed_at == strict.listed_at).all())
    actions = {
        "decode_compiled": lambda: compiled_book_columns(text),
        "decode_strict_book_then_columns": lambda: book_columns(
            decode_book(parse_strict_json(text))
        ),
        "decode_strict_to_columns": lambda: decode_book_columns(parse_strict_json(text)),
        "parse_only_strict_json": lambda: parse_strict_json(text),
        "parse_only_orjson": lambda: orjson.loads(text),
        "parse_only_msgspec_untyped": lambda: msgspec.json.decode(text),
    }
    runs = 2 if orders >= 1_000_000 else 3
    return {
        "decoding": summary(
            alternated(actions, runs), "decode_compiled", "decode_strict_book_then_columns"
        )
    }


def encoding_timing(cleared: ClearedColumns, orders: int) -> dict[str, Any]:
    """The result as the JSON ``--json`` prints: as before (objects, ``json.dumps``) and now."""

    def printed() -> bytes:
        document = result_json(cleared.result())
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()

    assert printed() == encoded_result_json(cleared)
    actions = {
        "encode_compiled": lambda: encoded_result_json(cleared),
        "encode_objects_and_json_dumps": printed,
    }
    times = alternated(actions, 2 if orders >= 1_000_000 else 3)
    return {"encoding": summary(times, "encode_compiled", "encode_objects_and_json_dumps")}


MEASURED = """
import json, os, subprocess, sys, time
started = time.perf_counter()
process = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(process.pid, 0)
elapsed = time.perf_counter() - started
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps([elapsed, os.waitstatus_to_exitcode(status), usage.ru_maxrss, cpu]))
"""
"""Runs a command and prints its wall time, exit code, peak RSS (KiB) and CPU time (user and
system: on a machine other work shares, the figure the load disturbs least). A child's peak RSS
counts the memory of the process it was forked from, so the command is started from this
small interpreter rather than from the bench, which holds the books."""


def in_fresh_process(
    command: list[str], env: dict[str, str] | None = None
) -> tuple[float, int, float]:
    """Wall seconds, peak RSS in MB and CPU seconds of one command, its output thrown away."""
    measured = subprocess.run(
        [sys.executable, "-c", MEASURED, *command],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed, code, peak_kib, cpu = json.loads(measured.stdout)
    assert code == 0, command
    return elapsed, peak_kib // 1024, cpu


def cli_timing(text: bytes, orders: int, baseline_src: Path | None, runs: int) -> dict[str, Any]:
    """``krai energy clear --json`` end to end, alternated with the old steps and start-up,
    beside the clearing of the same book from columns in this process."""
    tiny = json.dumps(book_document(1, 0)).encode()
    with tempfile.TemporaryDirectory() as directory:
        book, one = Path(directory, "book.json"), Path(directory, "one.json")
        book.write_bytes(text)
        one.write_bytes(tiny)
        commands = {
            "cli": ([str(KRAI), "energy", "clear", "--orders", str(book), "--json"], None),
            "cli_start_up": ([str(KRAI), "energy", "clear", "--orders", str(one), "--json"], None),
        }
        if baseline_src is None:
            commands["old_steps"] = ([sys.executable, "-c", OLD_CLEAR, str(book)], None)
        else:
            env = {**os.environ, "PYTHONPATH": str(baseline_src / "src")}
            clear_args = ["energy", "clear", "--orders", str(book), "--json"]
            commands["baseline_cli"] = ([sys.executable, "-m", "krai", *clear_args], env)
        same_output = same_printed(commands["cli"], commands.get("baseline_cli"))
        walls: dict[str, list[float]] = {name: [] for name in commands}
        peaks: dict[str, list[int]] = {name: [] for name in commands}
        cpus: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, (command, env) in commands.items():
                wall, peak, cpu = in_fresh_process(command, env)
                walls[name].append(wall)
                peaks[name].append(peak)
                cpus[name].append(cpu)
    old = "baseline_cli" if baseline_src is not None else "old_steps"
    row = summary(walls, "cli", old)
    row["peak_rss_mb"] = {name: max(values) for name, values in peaks.items()}
    row["cpu"] = summary(cpus, "cli", old)
    columns = compiled_book_columns(text)
    assert columns is not None
    clear_s, _ = timed(lambda: clear_columns(columns), 3)
    row["clear_columns_s"] = round(clear_s, 4)
    row["output_identical_to_baseline"] = same_output
    return {"orders": orders, "runs": runs, "baseline_src": str(baseline_src), **row}


def same_printed(
    command: tuple[list[str], dict[str, str] | None],
    baseline: tuple[list[str], dict[str, str] | None] | None,
) -> bool | None:
    """Whether the command prints, byte for byte, what the baseline's prints (None without
    a baseline); the bench stops if not."""
    if baseline is None:
        return None
    printed = [
        subprocess.run(argv, env=env, capture_output=True, check=True).stdout
        for argv, env in (command, baseline)
    ]
    assert printed[0] == printed[1], "the output differs from the baseline's"
    return True


def compiled_to_bytecode(*trees: Path) -> None:
    """Compile each source tree as ``pip install`` does, so neither side compiles on start."""
    for tree in trees:
        compileall.compile_dir(tree, quiet=1, force=False)


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
        "msgspec": msgspec.__version__,
        "load_average_at_start": [round(load, 2) for load in os.getloadavg()],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cli", default="100000,1000000", help="sizes run end to end")
    parser.add_argument("--cli-runs", type=int, default=3)
    parser.add_argument("--baseline-src", type=Path, help="a source tree to run the CLI from")
    parser.add_argument("--end-to-end-only", action="store_true", help="only the command")
    arguments = parser.parse_args()
    sizes = [] if arguments.end_to_end_only else [int(size) for size in arguments.sizes.split(",")]
    here = Path(__file__).resolve().parents[1] / "src"
    compiled_to_bytecode(
        here, *([arguments.baseline_src / "src"] if arguments.baseline_src else [])
    )
    cli_sizes = [int(size) for size in arguments.cli.split(",") if size]
    rows, highs_expected_s = [], None
    started = time.perf_counter()
    machine = conditions()
    for orders in sizes:
        row = measure(orders, arguments.seed, highs_expected_s)
        if row.get("highs_s"):
            highs_expected_s = row["highs_s"] * 10 * 1.5  # roughly linear, with a margin
        rows.append(row)
    end_to_end = [
        cli_timing(
            json.dumps(book_document(orders, arguments.seed)).encode(),
            orders,
            arguments.baseline_src,
            arguments.cli_runs,
        )
        for orders in cli_sizes
    ]
    targets: dict[str, Any] = {
        "cli_end_to_end_s": {"100000": 0.1, "1000000": 1.0},
        "met_cli": {
            str(run["orders"]): run["cli_s"]["median"] <= (0.1 if run["orders"] <= 100_000 else 1.0)
            for run in end_to_end
        },
    }
    if rows:
        targets |= {
            "clear_100k_s": 0.05,
            "clear_1m_s": 0.5,
            "met_100k": all(r["clear_columns_s"] <= 0.05 for r in rows if r["orders"] == 100_000),
            "met_1m": all(r["clear_columns_s"] <= 0.5 for r in rows if r["orders"] == 1_000_000),
        }
    print(
        json.dumps(
            {
                "benchmark": "energy clearing of one delivery period",
                "conditions": machine
                | {"load_average_at_end": [round(load, 2) for load in os.getloadavg()]},
                "results": rows,
                "end_to_end": end_to_end,
                "targets": targets,
                "total_s": round(time.perf_counter() - started, 1),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
