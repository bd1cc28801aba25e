"""Payments benchmark: prints one JSON document; compares within one run, never a timed test.

Measured on the same machine in the same run:

- **the audit over many accruals** (``--audit-accruals``, default 10^6, the issue's figure):
  people of the child benefit, five months each, every accrual paid and matched on a bank
  statement, so the audit walks every path and finds nothing. The state is built directly,
  not through the engine: one small region is first run through the real engine
  (tests/scenarios/payments_region.py) and its records — programme, both rule versions,
  facts, assignment, accrual, payment, statement, the assignment's card and the indexes — are
  copied with new ids, amounts from the rule's own formula, so every record has the shape the
  rules write. The accounts' postings of each payment are left out (the audit never reads
  them). Timed on a
  ``MemoryState`` and on a SQLite storage (src/krai/adapters/sql) holding the same keys and
  bytes, each in one process and in one process per core (src/krai/app/payments_audit.py).
  The SQLite audits run in a new process on the closed database file, as an auditor runs
  ``krai payments audit``; the ``MemoryState`` ones in this process, beside the state.
- **ingest of a region's monthly accruals** (``--accruals``, default 5,000 for a routine run;
  the issue's figure is 300,000, run with ``--accruals 300000``; the extrapolation from a
  smaller run is printed beside the measurement):
  signed ``payments.accrue`` transactions sequenced into a SQLite home through the real
  sequencer in batches of 1,000 (signatures checked, the rule re-evaluated for each person,
  fsync'd with a signed checkpoint per batch). The people's facts and assignments are
  sequenced first the same way and timed apart. Transactions are signed before timing, as a
  client would sign them.
- **decoding bank statement bodies** (``--statement-lines``, default 100,000): a statement of
  that many lines split into ``payments.reconcile_statement`` version 2 parts as
  ``krai payments import-statement`` splits it, every part's body decoded by the strict
  ``decode_message`` and by the compiled decoder the handler uses (ADR 0030), taking turns;
  the messages are checked equal.

  With ``--distinct-incomes`` every person has an income of their own, so no two people
  are alike (by default four incomes are drawn and a fifth of the people have a disability
  group: many people share every fact).
- **the audit beside an older one** (``--audit-baseline SRC``, with ``--only audit``): the
  SQLite state built once, then the audit of this checkout and the audit of the source tree
  ``SRC`` (a checkout or ``git archive`` of an older commit; ``SRC/src`` is put first on
  ``PYTHONPATH``), each in a fresh process (bench/payments_audit_child.py) that reports its
  own peak memory and the processor time of it and its parts, taking turns ``--audit-runs``
  times, older first in odd rounds. The in-memory and one-process audits are not run then.
  ``--state-file PATH`` keeps the SQLite state there and reuses it when it exists.

Run: ``.venv/bin/python bench/payments_bench.py [--audit-accruals N] [--accruals N]
[--only statements] [--only audit --audit-baseline SRC [--distinct-incomes]]``.
"""

import argparse
import json
import os
import platform
import random
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.scenarios.harness import Organisation, private_key, synthetic_inn, synthetic_ogrn
from tests.scenarios.payments_people import AS_OF, AUTHORITY, BENEFIT, ROLES, rule
from tests.scenarios.payments_region import Region, populate
from tests.scenarios.sql_ledger import SqlLedger

from krai.adapters.sql.storage import open_storage
from krai.app.payments_audit import run_audit
from krai.app.ports import Batch
from krai.crypto.keys import key_id
from krai.modules.payments.formulas import compile_formula
from krai.modules.payments.messages import ReconcileStatementPart
from krai.modules.payments.model import (
    LATEST_KEY,
    accrual_key,
    assignment_key,
    attestation_key,
    card_key,
    fact_sheet_key,
    payment_key,
    person_assignment_key,
    programme_key,
    rule_key,
    statement_key,
)
from krai.modules.payments.records import SHEET_FIELDS
from krai.modules.payments.statement_bodies import decode_part
from krai.modules.payments.statements import split_statement
from krai.state.messages import decode_message
from krai.state.store import MemoryState, encode_value, scan
from krai.tx.envelope import Transaction, sign

MONTHS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-05")
LINES_PER_STATEMENT = 5_000
BATCH = 1_000
DAY_MS = 86_400_000


def templates() -> dict[str, dict[str, Any]]:
    """One record of each kind, as the real rules wrote them for a small region."""
    view = populate(Region, seed=1, size=30).ledger.view
    first = {}
    for kind in ("programme", "assignment", "accrual", "payment", "statement", "fact", "card"):
        first[kind] = next(value for _, value in scan(view, f"payments/{kind}/"))
    rules = [value for _, value in scan(view, f"payments/rule/{BENEFIT}/")]
    first["rule1"], first["rule2"] = rules
    first["programme"] = next(v for k, v in scan(view, programme_key(BENEFIT)))
    return first


def people_state(
    people: int, seed: int, *, distinct_incomes: bool = False
) -> tuple[dict[str, bytes], int]:
    """Keys and canonical bytes of ``people`` people accrued, paid and matched for 5 months:
    with ``distinct_incomes``, no two of them with the same income."""
    shapes, rng, writes = templates(), random.Random(seed), {}
    writes[programme_key(BENEFIT)] = encode_value(shapes["programme"])
    card_shape = _card_shape(shapes["card"])
    for version in (1, 2):
        writes[rule_key(BENEFIT, version)] = encode_value(shapes[f"rule{version}"])
    amount = {v: _amount_formula(shapes[f"rule{v}"]) for v in (1, 2)}
    counter = iter(range(1, 10**9))
    lines: dict[str, list[dict[str, Any]]] = {month: [] for month in MONTHS}
    for number in range(people):
        person = _person(number, rng, distinct_income=distinct_incomes)
        writes.update(_facts(person, shapes["fact"], counter))
        assignment_id = f"a-{number:08d}"
        writes.update(_assignment(assignment_id, person, shapes["assignment"], counter))
        card: dict[str, Any] = {"accruals": {}, "payments": {}}
        for month in MONTHS:
            due = int(amount[1 if month < "2026-04" else 2](person["facts"]))
            writes.update(
                _accrual(
                    assignment_id,
                    person,
                    (month, due),
                    shapes=shapes,
                    counter=counter,
                    lines=lines,
                    card=card,
                )
            )
        assert _card_shape(card) == card_shape, (card, shapes["card"])
        writes[card_key(assignment_id, "2026")] = encode_value(card)
    for month, month_lines in lines.items():
        for start in range(0, len(month_lines), LINES_PER_STATEMENT):
            statement = {**shapes["statement"], **_stamp(next(counter), f"{month}-28")}
            statement["lines"] = month_lines[start : start + LINES_PER_STATEMENT]
            writes[statement_key(f"veb-{month}-{start // LINES_PER_STATEMENT}")] = encode_value(
                statement
            )
            latest = {"index": statement["index"], "time_ms": statement["time_ms"]}
    writes[LATEST_KEY] = encode_value(latest)
    return writes, people * len(MONTHS)


def _card_shape(card: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The fields of a card's accrual and payment entries: the bench writes what the rules do."""
    accrual = next(iter(card["accruals"].values()))
    payment = next(iter(card["payments"].values()))
    return set(accrual), set(payment)


def _amount_formula(template: dict[str, Any]) -> Callable[[Any], Any]:
    return compile_formula(template["amount_kopecks"], template["parameters"])


def _person(number: int, rng: random.Random, *, distinct_income: bool = False) -> dict[str, Any]:
    income = rng.choice([300_000, 500_000, 900_000, 1_200_000])
    if distinct_income:  # from 3,000 ₽ a kopeck apart: each person's own
        income = 300_000 + number
    facts: dict[str, Any] = {"residence": "kaliningrad", "income_per_capita_kopecks": income}
    if rng.random() < 0.2:
        facts["disability_group"] = rng.randint(1, 3)
    return {
        "ps": f"ps:{number:032x}",
        "dd": f"dd:{number + 10**9:032x}",
        "facts": facts,
    }


def _stamp(index: int, day: str) -> dict[str, Any]:
    day_ms = (date.fromisoformat(day) - date(1970, 1, 1)).days * DAY_MS + 8 * 3_600_000
    return {"by": "7701234567", "index": index, "time_ms": day_ms, "tx_id": f"{index:064x}"}


def _facts(person: dict[str, Any], template: dict[str, Any], counter: Iterator[int]) -> Any:
    """The person's attested facts and their sheet, as the rules write them."""
    sheet: list[dict[str, Any]] = []
    for kind, value in person["facts"].items():
        index = next(counter)
        record = {**template, "kind": kind, "value": value, "valid_from": "2025-12-01"}
        record.update(_stamp(index, "2026-01-10"))
        yield attestation_key(person["dd"], kind, index), encode_value(record)
        sheet.append({name: record[name] for name in SHEET_FIELDS if name in record})
    yield fact_sheet_key(person["dd"]), encode_value({"facts": sheet})


def _assignment(
    assignment_id: str, person: dict[str, Any], template: dict[str, Any], counter: Iterator[int]
) -> Any:
    index = next(counter)
    record = {**template, "pseudonym": person["ps"], "dedup_key": person["dd"]}
    record.update(
        decision_date="2026-01-10", start_date="2026-01-01", **_stamp(index, "2026-01-10")
    )
    record.pop("end_date", None)
    yield assignment_key(assignment_id), encode_value(record)
    yield person_assignment_key(person["ps"], assignment_id), encode_value({"index": index})


def _accrual(
    assignment_id: str,
    person: dict[str, Any],
    accrued: tuple[str, int],
    *,
    shapes: dict[str, dict[str, Any]],
    counter: Iterator[int],
    lines: dict[str, list[dict[str, Any]]],
    card: dict[str, Any],
) -> Any:
    """The accrual and payment of a month, the bank line that matches it, and both on the
    assignment's card."""
    month, due = accrued
    index = next(counter)
    accrual_id, payment_id = f"acc-{assignment_id}-{month}", f"pay-{assignment_id}-{month}"
    accrual = {**shapes["accrual"], "assignment_id": assignment_id, "pseudonym": person["ps"]}
    accrual.update(period=month, amount_kopecks=due, rule_amount_kopecks=due, paid_kopecks=due)
    accrual.update(rule_version=1 if month < "2026-04" else 2, payments=[payment_id])
    accrual.update(status="accrued", **_stamp(index, f"{month}-25"))
    yield accrual_key(accrual_id), encode_value(accrual)
    card["accruals"][month] = {
        "accrual_id": accrual_id,
        "amount_kopecks": due,
        "time_ms": accrual["time_ms"],
    }
    statement_id = f"veb-{month}-{len(lines[month]) // LINES_PER_STATEMENT}"
    line_id = str(len(lines[month]) % LINES_PER_STATEMENT + 1)
    payment = {**shapes["payment"], "accrual_id": accrual_id, "pseudonym": person["ps"]}
    payment.update(amount_kopecks=due, paid_on=f"{month}-26", bank="matched")
    payment.update(bank_lines=[{"statement_id": statement_id, "line_id": line_id}])
    payment.update(_stamp(next(counter), f"{month}-26"))
    yield payment_key(payment_id), encode_value(payment)
    card["payments"][payment_id] = {"paid_on": payment["paid_on"], "time_ms": payment["time_ms"]}
    line = {"line_id": line_id, "booked_on": f"{month}-26", "direction": "debit"}
    lines[month].append(
        {**line, "amount_kopecks": due, "reference": payment_id, "matched": "matched"}
    )


def timed_audit(view: Any, runs: int, parts: int, reopen: Any = None) -> tuple[list[float], int]:
    times, found = [], 0
    for _ in range(runs):
        started = time.perf_counter()
        found = len(run_audit(view, AS_OF, parts=parts, reopen=reopen))
        times.append(time.perf_counter() - started)
    return times, found


CHILD = Path(__file__).with_name("payments_audit_child.py")
HERE = Path(__file__).resolve().parents[1]


def audit_in_fresh_process(
    path: Path, runs: int, parts: int, source: Path = HERE
) -> dict[str, Any]:
    """The audit of a SQLite state file timed in a new process, as an auditor would run it
    (``krai payments audit --home``), not in this one with the whole state built in memory;
    ``source``'s ``src`` is the ``krai`` it imports."""
    command = [sys.executable, str(CHILD), str(path), AS_OF, "--runs", str(runs)]
    command += ["--parts", str(parts)]
    env = {**os.environ, "PYTHONPATH": str(source / "src")}
    done = subprocess.run(command, capture_output=True, text=True, check=True, env=env)
    measured: dict[str, Any] = json.loads(done.stdout)
    assert Path(measured["krai"]).is_relative_to(source.resolve() / "src"), measured["krai"]
    return measured


def write_state(path: Path, writes: dict[str, bytes]) -> None:
    """Store ``writes`` in a new SQLite state file at ``path``, closed as a ledger at rest
    (its write-ahead log checkpointed into the file)."""
    storage = open_storage(f"sqlite:///{path}")
    items = list(writes.items())
    for start in range(0, len(items), 100_000):
        storage.append_batch(Batch([], [], dict(items[start : start + 100_000]), [], None))
    storage.close()


def audit_beside_baseline(
    accruals: int, runs: int, baseline: Path, *, distinct_incomes: bool, state_file: str | None
) -> dict[str, Any]:
    """The audit of this checkout and of ``baseline`` on one SQLite state, each in a fresh
    process on one part per core, taking turns ``runs`` times (the older first in odd
    rounds)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(state_file or Path(directory) / "state.db")
        started, built = time.perf_counter(), not path.exists()
        if built:
            writes, _ = people_state(
                accruals // len(MONTHS), seed=2026, distinct_incomes=distinct_incomes
            )
            write_state(path, writes)
            del writes
        build_s = time.perf_counter() - started
        cores = len(os.sched_getaffinity(0))
        sides = {"this": HERE, "baseline": baseline.resolve()}
        measured: dict[str, list[dict[str, Any]]] = {name: [] for name in sides}
        loads = [_load()]
        for round_number in range(runs):
            order = ["baseline", "this"] if round_number % 2 == 0 else ["this", "baseline"]
            for name in order:
                measured[name].append(audit_in_fresh_process(path, 1, cores, sides[name]))
                loads.append(_load())
    return {
        "accruals": accruals,
        "distinct_incomes": distinct_incomes,
        "state": "built" if built else f"reused {path}",
        "build_and_write_state_s": round(build_s, 1),
        "parts": cores,
        "runs": runs,
        "baseline_source": str(baseline),
        "load_average_after_each_audit": loads,
        **{name: _side(results) for name, results in measured.items()},
        **{
            f"this_over_baseline_median_{measure}": round(
                statistics.median(r[measure][0] for r in measured["this"])
                / statistics.median(r[measure][0] for r in measured["baseline"]),
                3,
            )
            for measure in ("times_s", "cpu_s")
        },
    }


def _side(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One side's audits: times, median and range, peak memory, findings."""
    times, cpu = [r["times_s"][0] for r in results], [r["cpu_s"][0] for r in results]
    findings = {r["findings"] for r in results}
    assert len(findings) == 1, findings
    return {
        "times_s": [round(t, 2) for t in times],
        "median_s": round(statistics.median(times), 2),
        "range_s": [round(min(times), 2), round(max(times), 2)],
        "cpu_s": [round(t, 2) for t in cpu],
        "cpu_median_s": round(statistics.median(cpu), 2),
        "peak_rss_mb": [r["peak_rss_mb"] for r in results],
        "part_peak_rss_mb": [r["part_peak_rss_mb"] for r in results],
        **{
            name: [r.get(name) for r in results]
            for name in ("own_mb", "part_own_mb", "sheet_reader_own_mb")
        },
        "findings": findings.pop(),
    }


def audit_at_scale(accruals: int, runs: int, distinct_incomes: bool = False) -> dict[str, Any]:
    """The audit over ``accruals`` accruals in memory and on SQLite, in one process and in one
    process per core."""
    started = time.perf_counter()
    writes, made = people_state(
        accruals // len(MONTHS), seed=2026, distinct_incomes=distinct_incomes
    )
    build_s = time.perf_counter() - started
    memory = MemoryState()
    memory.apply_writes(writes)
    cores = len(os.sched_getaffinity(0))
    timings: dict[str, list[float]] = {}
    found: set[int] = set()
    for parts in sorted({1, cores}):
        timings[f"memory_state_{parts}_process_s"], count = timed_audit(memory, runs, parts)
        found.add(count)
    state_keys, state_mb = len(writes), sum(len(k) + len(v) for k, v in writes.items()) / 1e6
    del memory
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "state.db"
        write_state(path, writes)
        del writes
        for parts in sorted({1, cores}):
            measured = audit_in_fresh_process(path, runs, parts)
            timings[f"sqlite_state_{parts}_process_s"] = measured["times_s"]
            found.add(measured["findings"])
    assert len(found) == 1, found
    return {
        "accruals": made,
        "people": made // len(MONTHS),
        "months": len(MONTHS),
        "state_keys": state_keys,
        "state_mb": round(state_mb, 1),
        "findings": found.pop(),
        "build_state_s": round(build_s, 1),
        "state_built": "directly, records copied from what the real rules wrote for a small "
        "region (payments_region.py); accounts postings left out",
        **{name: [round(t, 2) for t in times] for name, times in timings.items()},
        "best_median_s": round(min(statistics.median(t) for t in timings.values()), 2),
        "sqlite_median_s": round(
            min(statistics.median(t) for n, t in timings.items() if n.startswith("sqlite")), 2
        ),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 1),
    }


def _signed(origin: str, signer: str, type_name: str, body: dict[str, Any], nonce: str) -> Any:
    key = private_key(signer)
    unsigned = Transaction(
        origin, type_name, 1, synthetic_inn(signer), key_id(key.public_key), nonce, body
    )
    return sign(unsigned, key)


def ingest(accruals: int) -> dict[str, Any]:
    """Set up ``accruals`` people, then sequence one January accrual for each."""
    organisations = [
        Organisation(name, synthetic_inn(name), synthetic_ogrn(name), roles)
        for name, roles in ROLES.items()
    ]
    with tempfile.TemporaryDirectory() as directory:
        ledger = SqlLedger.found(
            organisations, start="2026-01-09T10:00:00+02:00", home=Path(directory) / "home"
        )
        assert isinstance(ledger, SqlLedger)
        region = Region(random.Random(1), ledger, [])
        region.set_up()
        ledger.set_time("2026-01-20T10:00:00+02:00")
        assert ledger.services is not None
        sequencer, origin = ledger.services.sequencer, ledger.origin
        setup, accrue = _transactions(origin, accruals)
        setup_s = _sequence(sequencer, setup)
        ledger.set_time("2026-01-25T10:00:00+02:00")
        accrue_s = _sequence(sequencer, accrue)
        size = ledger.services.storage.log_size()
        database = Path(directory) / "home"
        database_mb = sum(f.stat().st_size for f in database.rglob("*") if f.is_file()) / 1e6
        ledger.close()
    return {
        "accruals": accruals,
        "accrue_s": round(accrue_s, 1),
        "accrue_per_s": round(accruals / accrue_s),
        "accrue_minutes": round(accrue_s / 60, 2),
        "setup_transactions": len(setup),
        "setup_s": round(setup_s, 1),
        "setup_per_s": round(len(setup) / setup_s),
        "log_size": size,
        "home_mb": round(database_mb, 1),
        "extrapolated_300k_accrue_minutes": round(300_000 / (accruals / accrue_s) / 60, 1),
    }


def _transactions(origin: str, people: int) -> tuple[list[Any], list[Any]]:
    rng, setup, accrue = random.Random(7), [], []
    amount = _amount_formula(rule(1, "2026-01-01", 800_000))
    for number in range(people):
        person = _person(number, rng)
        for kind, value in person["facts"].items():
            field = "text" if kind == "residence" else "amount"
            body = {"subject": person["dd"], "kind": kind, "valid_from": "2025-12-01", field: value}
            setup.append(_signed(origin, AUTHORITY, "payments.attest", body, f"f{kind}{number}"))
        assignment = {
            "assignment_id": f"a-{number:08d}",
            "programme_id": BENEFIT,
            "pseudonym": person["ps"],
            "dedup_key": person["dd"],
            "decision_date": "2026-01-20",
            "start_date": "2026-01-01",
            "decision_sha256": f"{number:064x}",
        }
        setup.append(_signed(origin, AUTHORITY, "payments.assign", assignment, f"a{number}"))
        body = {
            "accrual_id": f"acc-{number:08d}-2026-01",
            "assignment_id": f"a-{number:08d}",
            "period": "2026-01",
            "amount_kopecks": int(amount(person["facts"])),
        }
        accrue.append(_signed(origin, AUTHORITY, "payments.accrue", body, f"c{number}"))
    return setup, accrue


def _sequence(sequencer: Any, transactions: list[Any]) -> float:
    started = time.perf_counter()
    for start in range(0, len(transactions), BATCH):
        outcomes = sequencer.submit(transactions[start : start + BATCH])
        refused = [o for o in outcomes if isinstance(o, Exception)]
        assert not refused, refused[:3]
    return time.perf_counter() - started


def statement_decoding(lines: int, runs: int = 3) -> dict[str, Any]:
    """Every part's body of a ``lines``-line statement decoded strictly and compiled, in turns."""
    rng = random.Random(2026)
    statement = [
        {
            "line_id": f"L{number:08d}",
            "booked_on": f"2026-03-{1 + number % 28:02d}",
            "direction": "debit" if number % 10 else "credit",
            "amount_kopecks": rng.randint(100, 10_000_000),
            "reference": f"PAY-2026-03-{number:08d} child benefit, March",
        }
        for number in range(lines)
    ]
    bodies = split_statement("veb-2026-03", statement)
    strict = [decode_message(ReconcileStatementPart, body) for body in bodies]
    assert [decode_part(body) for body in bodies] == strict
    times: dict[str, list[float]] = {"strict": [], "compiled": []}
    for _ in range(runs):
        for name, decode in (("strict", _strict_part), ("compiled", decode_part)):
            started = time.perf_counter()
            for body in bodies:
                decode(body)
            times[name].append(time.perf_counter() - started)
    medians = {name: statistics.median(values) for name, values in times.items()}
    return {
        "lines": lines,
        "parts": len(bodies),
        "runs": runs,
        **{
            f"{name}_s": {"median": round(medians[name], 4), "range": _range(values)}
            for name, values in times.items()
        },
        **{f"{name}_us_per_line": round(medians[name] / lines * 1e6, 2) for name in times},
        "compiled_speed-up": round(medians["strict"] / medians["compiled"], 1),
    }


def _strict_part(body: dict[str, Any]) -> Any:
    return decode_message(ReconcileStatementPart, body)


def _load() -> list[float]:
    return [round(load, 2) for load in os.getloadavg()]


def _range(values: list[float]) -> list[float]:
    return [round(min(values), 4), round(max(values), 4)]


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
        "cores": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "storage": "SQLite file in a temporary directory, WAL, the project's pragmas",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--audit-accruals", type=int, default=1_000_000)
    parser.add_argument("--audit-runs", type=int, default=1)
    parser.add_argument("--accruals", type=int, default=5_000)
    parser.add_argument("--statement-lines", type=int, default=100_000)
    parser.add_argument(
        "--only", choices=["audit", "ingest", "statements"], help="run one part only"
    )
    parser.add_argument("--audit-baseline", type=Path, help="an older source tree to compare")
    parser.add_argument("--distinct-incomes", action="store_true", help="no two people alike")
    parser.add_argument("--state-file", help="keep the SQLite state there; reuse it if present")
    arguments = parser.parse_args()
    started = time.perf_counter()
    result: dict[str, Any] = {
        "benchmark": "payments audit at scale and ingest of monthly accruals",
        "conditions": conditions() | {"load_average_at_start": _load()},
    }
    targets: dict[str, Any] = {"audit_1m_s": 10, "ingest_300k": "minutes, not hours"}
    if arguments.only in (None, "statements"):
        result["statement_decoding"] = statement_decoding(arguments.statement_lines)
    if arguments.only == "audit" and arguments.audit_baseline:
        beside = result["audit_beside_baseline"] = audit_beside_baseline(
            arguments.audit_accruals,
            arguments.audit_runs,
            arguments.audit_baseline,
            distinct_incomes=arguments.distinct_incomes,
            state_file=arguments.state_file,
        )
        targets["met_audit_5s"] = beside["this"]["median_s"] <= 5
    elif arguments.only in (None, "audit"):
        audited = result["audit"] = audit_at_scale(
            arguments.audit_accruals, arguments.audit_runs, arguments.distinct_incomes
        )
        targets["met_audit_sqlite"] = audited["sqlite_median_s"] <= 10
    if arguments.only in (None, "ingest"):
        result["ingest_sqlite"] = ingested = ingest(arguments.accruals)
        targets["met_ingest_minutes"] = ingested["extrapolated_300k_accrue_minutes"] < 60
    result["targets"] = targets
    result["load_average_at_end"] = _load()
    result["total_s"] = round(time.perf_counter() - started, 1)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
