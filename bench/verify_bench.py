"""Verification benchmark: prints one JSON document; compares within one run, never a timed test.

Measured side by side in the same run (ADR 0029):
- the in-process ingest rate: a notary log of ``--entries`` ``notary.anchor`` entries is
  built through the sequencer in batches of 1,000 on SQLite (signatures checked, state
  applied, fsync'd), exactly as ``bench/ledger_bench.py`` measures the end-to-end rate;
- ``krai verify --home`` of that log in a child process, entries per second over the
  child's whole life (start-up included) and the child's peak RSS (``ru_maxrss`` from
  ``wait4`` in a small launcher, the largest of the process and its signature workers): with
  the state in
  memory (the default), with the state moved to disk past ``--disk-memory-mb`` megabytes,
  and, given ``--baseline-src`` (the ``src`` of an older tree), the older ``krai verify``;
  their order alternates between runs; besides the rate, the CPU microseconds per entry of
  the process and its signature workers together (both source trees compiled to bytecode
  first, as an installed package has them);
- the same for the demo's ledger (``krai demo --no-serve`` built once, not timed), unless
  ``--no-demo``.

Run: ``.venv/bin/python bench/verify_bench.py [--entries N] [--runs N] [--baseline-src DIR]``.
"""

import argparse
import compileall
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ledger_bench import anchors, founded_ledger

BATCH = 1_000
KRAI = [sys.executable, "-m", "krai"]
SOURCE = Path(__file__).resolve().parent.parent / "src"


def compiled(*trees: Path | None) -> None:
    """Compile each source tree to bytecode first, as ``pip install`` does: with
    ``PYTHONDONTWRITEBYTECODE`` set (as on the benchmark machine) an editable checkout would
    compile every module again in every child, and both trees' start-up would show it."""
    for tree in trees:
        if tree is not None:
            compileall.compile_dir(tree, quiet=1)


def build_notary_log(home: Path, entries: int) -> dict[str, Any]:
    """A log of ``entries`` notary anchors (and its founding entries) in ``home``; the
    sequencer's durable rate while it was built."""
    services, key = founded_ledger(home)
    transactions = anchors(services.origin, key, entries, "verify")
    gc.collect()
    gc.freeze()  # the client's backlog is no cost of the ledger's (as in ledger_bench)
    started = time.perf_counter()
    for start in range(0, entries, BATCH):
        outcomes = services.sequencer.submit(transactions[start : start + BATCH])
        assert not any(isinstance(o, Exception) for o in outcomes), outcomes[:3]
    elapsed = time.perf_counter() - started
    size = services.storage.log_size()
    services.close()
    del transactions
    gc.unfreeze()
    return {"transactions": entries, "log_size": size, "per_s": round(entries / elapsed)}


LAUNCHER = """
import json, os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
seconds = time.perf_counter() - started
cpu = usage.ru_utime + usage.ru_stime
print(json.dumps({"seconds": seconds, "cpu_s": cpu, "maxrss_kb": usage.ru_maxrss}), file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""
"""Runs the command and reports its time, CPU seconds (user and system, of the process and
the worker processes it waited for) and peak RSS. A child's ``ru_maxrss`` starts from
its parent's RSS when it was forked, so the verification is forked from this small process,
not from the bench, which holds the log's transactions."""


def timed_verify(home: Path, extra: list[str], pythonpath: str | None = None) -> dict[str, Any]:
    """``krai verify --home home --json`` in a child: its report, seconds and peak RSS (of
    the process and its signature workers, the largest)."""
    environment = dict(os.environ)
    if pythonpath:
        environment["PYTHONPATH"] = pythonpath
    command = [*KRAI, "verify", "--home", str(home), "--json", *extra]
    finished = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        capture_output=True,
        env=environment,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    report = json.loads(finished.stdout)
    measured = json.loads(finished.stderr.decode().strip().splitlines()[-1])
    return {
        "entries": report["entries"],
        "seconds": round(measured["seconds"], 3),
        "per_s": round(report["entries"] / measured["seconds"]),
        "cpu_us_per_entry": round(measured["cpu_s"] / report["entries"] * 1e6, 1),
        "peak_rss_mb": round(measured["maxrss_kb"] / 1024, 1),
        "state_digest": report["state_digest"],
    }


def at_schema_of(baseline_src: Path, home: Path) -> Path:
    """``home``, or when the baseline's newest schema revision is older than this tree's, a
    copy of it (in ``home/baseline``) taken down to that revision by this tree's migrations:
    an older krai refuses a database a newer one wrote."""
    from krai.adapters.sql.storage import MIGRATIONS, SCHEMA_HEAD, open_storage  # noqa: PLC0415

    source = (baseline_src / "krai" / "adapters" / "sql" / "storage.py").read_text("utf-8")
    older = source.split('SCHEMA_HEAD = "', 1)[1][:4]
    if older == SCHEMA_HEAD:
        return home
    copy = home / "baseline"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(home, copy, ignore=shutil.ignore_patterns("baseline"))
    from alembic import command  # noqa: PLC0415
    from alembic.config import Config  # noqa: PLC0415

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    storage = open_storage(f"sqlite:///{copy / 'krai.db'}")
    with storage.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, older)
    storage.close()
    return copy


def verify_variants(home: Path, arguments: argparse.Namespace, run: int) -> dict[str, Any]:
    """Each way of verifying ``home`` once, in an order that alternates with ``run``."""
    variants: dict[str, tuple[list[str], str | None]] = {
        "memory": ([], None),
        "disk": (["--memory-mb", str(arguments.disk_memory_mb)], None),
    }
    homes = dict.fromkeys(variants, home)
    if arguments.baseline_src:
        variants["baseline"] = ([], str(arguments.baseline_src))
        homes["baseline"] = at_schema_of(arguments.baseline_src, home)
    names = list(variants)
    if run % 2:
        names.reverse()
    results = {name: timed_verify(homes[name], *variants[name]) for name in names}
    digests = {result.pop("state_digest") for result in results.values()}
    assert len(digests) == 1, f"the state digests differ: {digests}"
    return {name: results[name] for name in variants}


def summary(runs: list[dict[str, Any]], ingest: list[int]) -> dict[str, Any]:
    """Medians and ranges of each variant, and their ratio to the ingest rate of each run."""
    result: dict[str, Any] = {}
    for name in runs[0]:
        rates = [run[name]["per_s"] for run in runs]
        ratios = [run[name]["per_s"] / rate for run, rate in zip(runs, ingest, strict=True)]
        result[name] = {
            "per_s": round(statistics.median(rates)),
            "per_s_range": [min(rates), max(rates)],
            "ratio_to_ingest": round(statistics.median(ratios), 2),
            "ratio_range": [round(min(ratios), 2), round(max(ratios), 2)],
            "cpu_us_per_entry": statistics.median(run[name]["cpu_us_per_entry"] for run in runs),
            "peak_rss_mb": max(run[name]["peak_rss_mb"] for run in runs),
        }
    return result


def notary(arguments: argparse.Namespace) -> dict[str, Any]:
    """A new notary log each run: its ingest rate, then every variant's verification."""
    runs, builds = [], []
    for run in range(arguments.runs):
        with tempfile.TemporaryDirectory() as directory:
            home = Path(directory)
            built = build_notary_log(home, arguments.entries)
            verified = verify_variants(home, arguments, run)
        builds.append(built)
        runs.append({"ingest": built, **verified})
    ingest = [built["per_s"] for built in builds]
    return {
        "entries": builds[0]["log_size"],
        "ingest_per_s": round(statistics.median(ingest)),
        "ingest_per_s_range": [min(ingest), max(ingest)],
        "verify": summary(
            [{k: v for k, v in run.items() if k != "ingest"} for run in runs], ingest
        ),
        "runs": runs,
    }


def demo(arguments: argparse.Namespace) -> dict[str, Any]:
    """The demo's ledger, built once, verified each run."""
    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory) / "demo"
        subprocess.run(
            [*KRAI, "demo", "--home", str(home), "--no-serve"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        runs = [verify_variants(home, arguments, run) for run in range(arguments.runs)]
    first = runs[0]["memory"]
    return {"entries": first["entries"], "runs": runs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=60_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--disk-memory-mb",
        type=int,
        default=8,
        help="--memory-mb of the disk variant: small, so the state moves to disk early",
    )
    parser.add_argument(
        "--baseline-src", type=Path, help="an older tree's src, to run its krai verify too"
    )
    parser.add_argument("--no-demo", action="store_true", help="skip the demo's ledger")
    arguments = parser.parse_args()
    compiled(SOURCE, arguments.baseline_src)
    load = os.getloadavg()
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in load],
        },
        "notary": notary(arguments),
    }
    if not arguments.no_demo:
        result["demo"] = demo(arguments)
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
