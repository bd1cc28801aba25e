"""Memory of `krai verify --bundle` and `krai rebuild-state`: prints one JSON document.

A notary log of ``--entries`` anchors is built once through the sequencer (as
``bench/verify_bench.py`` builds it) and exported once as a bundle. Then, in each run, each
command runs in a child process, this tree's and (given ``--baseline-src``, the ``src`` of an
older tree) the older one's, in an order that alternates between runs; the figures are the
child's wall time and peak RSS (``ru_maxrss`` of the process and its signature workers, the
largest), from the small launcher of ``verify_bench``:
- ``krai verify --bundle FILE --json``;
- ``krai rebuild-state --json`` after the home's state table was emptied, so the rebuild
  writes every record of the state in its one transaction (the heaviest rebuild there is).
Both trees must give the same state digest. Compared within one run, never a timed test.

Run: ``.venv/bin/python bench/bundle_rebuild_bench.py [--entries N] [--runs N]
[--baseline-src DIR]``.
"""

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from verify_bench import KRAI, LAUNCHER, build_notary_log


def measured(command: list[str], pythonpath: str | None) -> dict[str, Any]:
    """``command`` (a krai command printing JSON) in a child: its report, seconds, peak RSS."""
    environment = dict(os.environ)
    if pythonpath:
        environment["PYTHONPATH"] = pythonpath
    finished = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *KRAI, *command],
        capture_output=True,
        env=environment,
        check=False,
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
    report = json.loads(finished.stdout)
    usage = json.loads(finished.stderr.decode().strip().splitlines()[-1])
    return {
        "seconds": round(usage["seconds"], 2),
        "peak_rss_mb": round(usage["maxrss_kb"] / 1024, 1),
        "state_digest": report["state_digest"],
        "load_average": round(os.getloadavg()[0], 2),
    }


def emptied_state(home: Path) -> None:
    """Remove every stored state record, so that a rebuild must write all of them."""
    with sqlite3.connect(home / "krai.db") as database:
        database.execute("DELETE FROM state")


def one_run(home: Path, bundle: Path, trees: dict[str, str | None], run: int) -> dict[str, Any]:
    """Each tree's bundle verification and rebuild, in an order that alternates with ``run``."""
    names = list(trees) if run % 2 == 0 else list(reversed(trees))
    result: dict[str, Any] = {"bundle": {}, "rebuild": {}}
    for name in names:
        result["bundle"][name] = measured(
            ["verify", "--bundle", str(bundle), "--json"], trees[name]
        )
    for name in names:
        emptied_state(home)
        result["rebuild"][name] = measured(
            ["rebuild-state", "--home", str(home), "--json"], trees[name]
        )
    for kind in result.values():
        digests = {figures.pop("state_digest") for figures in kind.values()}
        assert len(digests) == 1, f"the state digests differ: {digests}"
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument(
        "--baseline-src", type=Path, help="an older tree's src, to run its commands too"
    )
    arguments = parser.parse_args()
    trees: dict[str, str | None] = {"this": None}
    if arguments.baseline_src:
        trees["baseline"] = str(arguments.baseline_src)
    result: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        }
    }
    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory) / "home"
        home.mkdir()
        built = build_notary_log(home, arguments.entries)
        bundle = Path(directory) / "ledger.jsonl"
        started = time.perf_counter()
        subprocess.run(
            [*KRAI, "export", "--home", str(home), "--bundle", str(bundle)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        result["log"] = {
            **built,
            "bundle_mb": round(bundle.stat().st_size / 2**20, 1),
            "export_seconds": round(time.perf_counter() - started, 2),
        }
        result["runs"] = [one_run(home, bundle, trees, run) for run in range(arguments.runs)]
    result["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
