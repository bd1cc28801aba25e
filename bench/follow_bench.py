"""Follower benchmark: prints one JSON document; compares within one run, never a timed test.

Measured side by side in the same run (ADR 0036):
- the in-process ingest rate of a notary log of ``--entries`` ``notary.anchor`` entries built
  through the sequencer in batches of 1,000 on SQLite (as ``bench/verify_bench.py`` does);
- that log exported as static tlog-tiles (``krai log export-tiles``, not timed), then
  ``krai follow DIR --once`` from an empty home in a child process: entries verified and
  stored per second over the child's whole life (start-up included) and its peak RSS;
- beside it, ``krai verify --url DIR`` of the same tiles (the one-shot check, which keeps
  nothing), and, given ``--baseline-src`` (the ``src`` of an older tree, run through
  ``PYTHONPATH``), the older tree's ``krai follow`` of the same tiles into its own empty
  home; the order alternates between runs; besides each rate, the CPU microseconds per
  entry of the process and the signature workers it waited for (both source trees compiled
  to bytecode first, as an installed package has them);
- the demo's ledger (``krai demo --no-serve``, built once, exported, not timed) followed from
  empty, unless ``--no-demo``: the issue's "catch up with the demo in ≤ 30 s".

Run: ``.venv/bin/python bench/follow_bench.py [--entries N] [--runs N] [--baseline-src DIR]
[--no-demo]``.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from verify_bench import KRAI, LAUNCHER, SOURCE, build_notary_log, compiled


class Launched(NamedTuple):
    """What a child printed and what it took."""

    output: str
    seconds: float
    cpu_s: float
    rss_mb: float


def launched(command: list[str], pythonpath: Path | None = None) -> Launched:
    """Run ``command`` in a child (with ``pythonpath`` first on its path, if given)."""
    environment = dict(os.environ)
    if pythonpath is not None:
        environment["PYTHONPATH"] = str(pythonpath)
    finished = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
        capture_output=True,
        check=False,
        env=environment,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    measured = json.loads(finished.stderr.decode().strip().splitlines()[-1])
    return Launched(
        finished.stdout.decode(),
        measured["seconds"],
        measured["cpu_s"],
        measured["maxrss_kb"] / 1024,
    )


def exported(home: Path, tiles: Path) -> str:
    """Export ``home``'s tiles into ``tiles``; the log's vkey."""
    subprocess.run(
        [*KRAI, "log", "export-tiles", str(tiles), "--home", str(home)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    vkey = subprocess.run(
        [*KRAI, "log", "vkey", "--home", str(home)], check=True, capture_output=True, text=True
    )
    return vkey.stdout.strip()


def follow_once(
    tiles: Path, vkey: str, home: Path, pythonpath: Path | None = None
) -> dict[str, Any]:
    child = launched(
        [*KRAI, "follow", str(tiles), "--vkey", vkey, "--home", str(home), "--once", "--json"],
        pythonpath,
    )
    report = json.loads(child.output)
    assert report["alarm"] is None and report["error"] is None, report
    return _rates(report["size"], child)


def verify_url(tiles: Path, vkey: str) -> dict[str, Any]:
    child = launched([*KRAI, "verify", "--url", str(tiles), "--vkey", vkey, "--json"])
    return _rates(json.loads(child.output)["entries"], child)


def _rates(entries: int, child: Launched) -> dict[str, Any]:
    return {
        "entries": entries,
        "seconds": round(child.seconds, 3),
        "per_s": round(entries / child.seconds),
        "cpu_us_per_entry": round(child.cpu_s / entries * 1e6, 1),
        "peak_rss_mb": round(child.rss_mb, 1),
    }


def measure(name: str, root: Path, vkey: str, baseline: Path | None) -> dict[str, Any]:
    """``follow`` (from an empty home), the baseline's follow, or ``verify_url`` of the tiles
    under ``root``."""
    if name == "follow":
        return follow_once(root / "tiles", vkey, root / "follower")
    if name == "baseline_follow":
        return follow_once(root / "tiles", vkey, root / "baseline-follower", baseline)
    return verify_url(root / "tiles", vkey)


def notary(arguments: argparse.Namespace) -> dict[str, Any]:
    variants = ["follow", "verify_url"]
    if arguments.baseline_src:
        variants.insert(1, "baseline_follow")
    runs = []
    for run in range(arguments.runs):
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            built = build_notary_log(root / "primary", arguments.entries)
            vkey = exported(root / "primary", root / "tiles")
            names = variants[:: -1 if run % 2 else 1]
            measured = {name: measure(name, root, vkey, arguments.baseline_src) for name in names}
        runs.append({"ingest": built, **measured})
    ingest = [run["ingest"]["per_s"] for run in runs]
    result: dict[str, Any] = {"entries": runs[0]["ingest"]["log_size"]}
    result["ingest_per_s"] = round(statistics.median(ingest))
    result["ingest_per_s_range"] = [min(ingest), max(ingest)]
    for name in variants:
        result[name] = summary(runs, name)
    if arguments.baseline_src:
        ratios = [run["follow"]["per_s"] / run["baseline_follow"]["per_s"] for run in runs]
        result["follow_over_baseline"] = _median_and_range(ratios)
    result["runs"] = runs
    return result


def summary(runs: list[dict[str, Any]], name: str) -> dict[str, Any]:
    """The median and range of variant ``name``'s rate and CPU per entry over ``runs``, and
    its rate as a share of the ingest rate of the same run."""
    rates = [run[name]["per_s"] for run in runs]
    cpu = [run[name]["cpu_us_per_entry"] for run in runs]
    return {
        "per_s": round(statistics.median(rates)),
        "per_s_range": [min(rates), max(rates)],
        "ratio_to_ingest": _median_and_range(
            [run[name]["per_s"] / run["ingest"]["per_s"] for run in runs]
        ),
        "cpu_us_per_entry": round(statistics.median(cpu), 1),
        "cpu_us_per_entry_range": [min(cpu), max(cpu)],
        "peak_rss_mb": max(run[name]["peak_rss_mb"] for run in runs),
    }


def _median_and_range(values: list[float]) -> dict[str, Any]:
    return {
        "median": round(statistics.median(values), 2),
        "range": [round(min(values), 2), round(max(values), 2)],
    }


def demo() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        subprocess.run(
            [*KRAI, "demo", "--home", str(root / "demo"), "--no-serve"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        vkey = exported(root / "demo", root / "tiles")
        return follow_once(root / "tiles", vkey, root / "follower")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--baseline-src", type=Path, help="an older tree's src, to run its krai follow too"
    )
    parser.add_argument("--no-demo", action="store_true", help="skip the demo's ledger")
    arguments = parser.parse_args()
    compiled(SOURCE, arguments.baseline_src)
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "notary": notary(arguments),
    }
    if not arguments.no_demo:
        result["demo_follow"] = demo()
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
