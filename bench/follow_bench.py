"""Follower benchmark: prints one JSON document; compares within one run, never a timed test.

Measured side by side in the same run (ADR 0036):
- the in-process ingest rate of a notary log of ``--entries`` ``notary.anchor`` entries built
  through the sequencer in batches of 1,000 on SQLite (as ``bench/verify_bench.py`` does);
- that log exported as static tlog-tiles (``krai log export-tiles``, not timed), then
  ``krai follow DIR --once`` from an empty home in a child process: entries verified and
  stored per second over the child's whole life (start-up included) and its peak RSS;
- beside it, ``krai verify --url DIR`` of the same tiles (the one-shot check, which keeps
  nothing), alternating order between runs;
- the demo's ledger (``krai demo --no-serve``, built once, exported, not timed) followed from
  empty, unless ``--no-demo``: the issue's "catch up with the demo in ≤ 30 s".

Run: ``.venv/bin/python bench/follow_bench.py [--entries N] [--runs N] [--no-demo]``.
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
from typing import Any

from verify_bench import KRAI, LAUNCHER, build_notary_log


def launched(command: list[str]) -> tuple[str, float, float]:
    """Run ``command`` in a child: its stdout, seconds and peak RSS in MB."""
    finished = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command], capture_output=True, check=False
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    measured = json.loads(finished.stderr.decode().strip().splitlines()[-1])
    return finished.stdout.decode(), measured["seconds"], measured["maxrss_kb"] / 1024


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


def follow_once(tiles: Path, vkey: str, home: Path) -> dict[str, Any]:
    output, seconds, rss = launched(
        [*KRAI, "follow", str(tiles), "--vkey", vkey, "--home", str(home), "--once", "--json"]
    )
    report = json.loads(output)
    assert report["alarm"] is None and report["error"] is None, report
    return _rates(report["size"], seconds, rss)


def verify_url(tiles: Path, vkey: str) -> dict[str, Any]:
    output, seconds, rss = launched(
        [*KRAI, "verify", "--url", str(tiles), "--vkey", vkey, "--json"]
    )
    return _rates(json.loads(output)["entries"], seconds, rss)


def _rates(entries: int, seconds: float, rss_mb: float) -> dict[str, Any]:
    return {
        "entries": entries,
        "seconds": round(seconds, 3),
        "per_s": round(entries / seconds),
        "peak_rss_mb": round(rss_mb, 1),
    }


def measure(name: str, root: Path, vkey: str) -> dict[str, Any]:
    """``follow`` (from an empty home) or ``verify_url`` of the tiles under ``root``."""
    if name == "follow":
        return follow_once(root / "tiles", vkey, root / "follower")
    return verify_url(root / "tiles", vkey)


def notary(arguments: argparse.Namespace) -> dict[str, Any]:
    runs = []
    for run in range(arguments.runs):
        with tempfile.TemporaryDirectory() as directory:
            root = Path(directory)
            built = build_notary_log(root / "primary", arguments.entries)
            vkey = exported(root / "primary", root / "tiles")
            names = ["follow", "verify_url"][:: -1 if run % 2 else 1]
            measured = {name: measure(name, root, vkey) for name in names}
        runs.append({"ingest": built, **measured})
    ingest = [run["ingest"]["per_s"] for run in runs]
    result: dict[str, Any] = {"entries": runs[0]["ingest"]["log_size"]}
    result["ingest_per_s"] = round(statistics.median(ingest))
    for name in ("follow", "verify_url"):
        rates = [run[name]["per_s"] for run in runs]
        ratios = [run[name]["per_s"] / run["ingest"]["per_s"] for run in runs]
        result[name] = {
            "per_s": round(statistics.median(rates)),
            "per_s_range": [min(rates), max(rates)],
            "ratio_to_ingest": round(statistics.median(ratios), 2),
            "peak_rss_mb": max(run[name]["peak_rss_mb"] for run in runs),
        }
    result["runs"] = runs
    return result


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
    parser.add_argument("--no-demo", action="store_true", help="skip the demo's ledger")
    arguments = parser.parse_args()
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
