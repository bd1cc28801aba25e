"""Follower lag under HTTP load: prints one JSON document; never a timed test.

Each of ``--runs`` runs founds a new SQLite home, starts ``krai serve`` on 127.0.0.1 with
``--workers`` processes and, beside it, ``krai follow URL --vkey … --serve`` from an empty
home, polling every ``--interval`` seconds (issue 20, ADR 0036). Then the clients of
``bench/load_bench.py`` submit signed ``notary.anchor`` transactions over HTTP (``--clients``
threads, ``--per-request`` a request, as fast as the server answers or paced at ``--rate``
transactions per second) for at most ``--seconds``. A sampler reads the primary's and the
follower's ``/checkpoint`` every ``--sample`` seconds, from the load's start until the
follower holds the primary's last size. On one machine the follower competes with the primary
and its clients for the same cores; ``--split-cores`` gives the primary with its clients core 0
and the follower core 1, as when each organisation runs its own machine. Given
``--baseline-src`` (the ``src`` of an older tree, put first on ``PYTHONPATH``), each run is a
pair: the same load once with this tree's follower and once with the older tree's (the primary
is this tree's both times), in alternating order, and the summary gives both and their ratio.

The lag of a primary checkpoint is the time from the sample that first saw it to the first
sample in which the follower's accepted size reaches it (both ends carry the sampling step,
so the figure is good to about one step). Reported: its p50 / p99 / max over every size the
primary showed while under load, the entries behind at the same samples, the primary's
accepted rate over the load and the follower's verified rate from the load's start until it
held the last entry, the seconds the follower took to reach the final size after the load
stopped, and the load average.

Run: ``.venv/bin/python bench/follow_lag_bench.py [--runs R] [--workers W] [--rate TX_PER_S]
[--seconds S] [--split-cores] [--baseline-src DIR]``. Loopback only; every wait is bounded.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.load_bench import READY_SECONDS, Load, found, load_parser, serve
from tests.e2e.ledger_checks import signed_lines
from tests.e2e.servers import free_port, wait_until_answering

CATCH_UP_SECONDS = 300.0

Samples = list[tuple[float, int]]


def vkey(home: Path) -> str:
    """The log's verifier key, as ``krai log vkey`` prints it."""
    command = [sys.executable, "-m", "krai", "log", "vkey", "--home", str(home)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()


def follow(
    url: str,
    key: str,
    home: Path,
    port: int,
    *,
    interval: float,
    cores: set[int] | None,
    source: Path | None = None,
) -> "subprocess.Popen[bytes]":
    """``krai follow URL --serve`` into ``home`` (on ``cores`` if given; from the tree
    ``source`` if given), once its copy answers."""
    command = ["krai", "follow", url, "--vkey", key, "--home", str(home)]
    command += ["--interval", str(interval), "--serve", "--port", str(port)]
    environment = {**os.environ, "PYTHONPATH": str(source)} if source is not None else None
    process = subprocess.Popen(
        [sys.executable, "-m", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment,
    )
    if cores is not None:
        os.sched_setaffinity(process.pid, cores)  # before it starts its signature workers
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/checkpoint", process, READY_SECONDS)
    except AssertionError:
        process.kill()
        raise
    return process


def size_at(client: httpx.Client, url: str) -> int:
    """The tree size of the checkpoint ``url`` serves (0 while it has none)."""
    response = client.get(url)
    if response.status_code != 200:
        return 0
    return int(response.text.split("\n")[1])


class Sampler:
    """Reads both checkpoints every ``step`` seconds on a thread of its own."""

    def __init__(self, primary: str, follower: str, step: float) -> None:
        self._urls = (f"{primary}/checkpoint", f"{follower}/checkpoint")
        self._step = step
        self.primary: Samples = []
        self.follower: Samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(30)

    def _sample(self) -> None:
        with httpx.Client(timeout=10.0) as client:
            while not self._stop.wait(self._step):
                primary = size_at(client, self._urls[0])
                self.primary.append((time.perf_counter(), primary))
                self.follower.append((time.perf_counter(), size_at(client, self._urls[1])))


def lags(primary: Samples, follower: Samples, until: float) -> list[float]:
    """For each size the primary first showed before ``until``, the seconds until the
    follower's sampled size reached it (sizes it never reached are left out)."""
    measured: list[float] = []
    seen = 0
    position = 0
    for at, size in primary:
        if at > until:
            break
        if size <= seen:
            continue
        seen = size
        while position < len(follower) and (
            follower[position][0] < at or follower[position][1] < size
        ):
            position += 1
        if position == len(follower):
            break
        measured.append(follower[position][0] - at)
    return measured


def behind(primary: Samples, follower: Samples, until: float) -> list[int]:
    """Entries the follower lagged behind at each sample before ``until``."""
    return [p - f for (at, p), (_, f) in zip(primary, follower, strict=False) if at <= until]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[int(share * (len(ordered) - 1))]


def summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median and range of the lag's p99 and the follower's rate, per follower; with a
    baseline, their ratios run by run (this tree over the baseline)."""
    found: dict[str, Any] = {}
    for follower in ("this tree", "baseline"):
        mine = [run for run in runs if run["follower"] == follower]
        if mine:
            found[follower] = {
                "lag_p99_s": _spread([run["lag_s"]["p99"] for run in mine]),
                "lag_p50_s": _spread([run["lag_s"]["p50"] for run in mine]),
                "follower_over_primary_rate": _spread(
                    [
                        round(run["follower_verified_per_s"] / run["primary_accepted_per_s"], 3)
                        for run in mine
                    ]
                ),
            }
    if "baseline" in found:
        pairs = list(zip(runs[::2], runs[1::2], strict=True))
        ours = [pair if pair[0]["follower"] == "this tree" else pair[::-1] for pair in pairs]
        found["p99_over_baseline"] = _spread(
            [round(new["lag_s"]["p99"] / max(old["lag_s"]["p99"], 0.01), 3) for new, old in ours]
        )
    return found


def _spread(values: list[float]) -> dict[str, Any]:
    return {"median": round(statistics.median(values), 3), "range": [min(values), max(values)]}


def one_run(arguments: argparse.Namespace, source: Path | None = None) -> dict[str, Any]:
    """A primary under HTTP load and a follower beside it (from ``source`` if given); the
    follower's lag."""
    with tempfile.TemporaryDirectory() as directory:
        home, copy = Path(directory) / "home", Path(directory) / "follower"
        found(home, None)
        anchors = [
            json.loads(line) for line in signed_lines(home, arguments.transactions).splitlines()
        ]
        port, copy_port = free_port(), free_port()
        primary_url, copy_url = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{copy_port}"
        everywhere = os.sched_getaffinity(0)
        primary_cores, follower_cores = ({0}, {1}) if arguments.split_cores else (None, None)
        if primary_cores is not None:
            os.sched_setaffinity(0, primary_cores)  # the server and the clients
        server = serve(home, port, arguments.workers)
        follower = None
        try:
            key = vkey(home)
            follower = follow(
                primary_url,
                key,
                copy,
                copy_port,
                interval=arguments.interval,
                cores=follower_cores,
                source=source,
            )
            sampler = Sampler(primary_url, copy_url, arguments.sample)
            load = Load(primary_url, anchors, arguments.per_request, arguments.rate)
            load_before = os.getloadavg()
            sampler.start()
            started = time.perf_counter()
            elapsed = load.run(arguments.clients, arguments.seconds)
            loaded_until = started + elapsed
            final = max(load.receipts.values(), default=0) + 1
            deadline = time.monotonic() + CATCH_UP_SECONDS
            while time.monotonic() < deadline and (
                not sampler.follower or sampler.follower[-1][1] < final
            ):
                time.sleep(arguments.sample)
            caught_up = time.perf_counter()
            sampler.stop()
            load_after = os.getloadavg()
        finally:
            for process in (follower, server):
                if process is not None:
                    process.terminate()
                    process.wait(30)
            os.sched_setaffinity(0, everywhere)
    seconds = lags(sampler.primary, sampler.follower, loaded_until)
    entries = behind(sampler.primary, sampler.follower, loaded_until)
    return {
        "follower": "baseline" if source is not None else "this tree",
        "accepted": len(load.receipts),
        "failed_requests": load.failed_requests,
        "load_seconds": round(elapsed, 2),
        "primary_accepted_per_s": round(len(load.receipts) / elapsed),
        "follower_verified_per_s": round((final - 1) / (caught_up - started)),
        "lag_s": {
            "checkpoints": len(seconds),
            "p50": round(percentile(seconds, 0.5), 2),
            "p99": round(percentile(seconds, 0.99), 2),
            "max": round(max(seconds, default=0.0), 2),
        },
        "behind_entries": {
            "p50": percentile([float(e) for e in entries], 0.5),
            "p99": percentile([float(e) for e in entries], 0.99),
            "max": max(entries, default=0),
        },
        "caught_up_after_load_s": round(caught_up - loaded_until, 2),
        "final_size": final,
        "follower_final_size": sampler.follower[-1][1] if sampler.follower else 0,
        "load_average_before": load_before,
        "load_average_after": load_after,
    }


def main() -> None:
    parser = load_parser(__doc__)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--rate", type=float, default=0.0, help="Paced load, tx/s (0: unpaced).")
    parser.add_argument("--interval", type=float, default=0.5, help="The follower's poll, s.")
    parser.add_argument("--sample", type=float, default=0.05, help="The sampler's step, s.")
    parser.add_argument(
        "--baseline-src", type=Path, help="An older tree's src: its follower too, paired."
    )
    parser.add_argument(
        "--split-cores",
        action="store_true",
        help="The primary and its clients on core 0, the follower on core 1 (two machines).",
    )
    arguments = parser.parse_args()
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="krai-lag-"))  # 0700
    runs = []
    for number in range(arguments.runs):
        sources: list[Path | None] = [None]
        if arguments.baseline_src is not None:
            sources = [None, arguments.baseline_src][:: 1 if number % 2 == 0 else -1]
        runs += [one_run(arguments, source) for source in sources]
    print(
        json.dumps(
            {
                "benchmark": "a follower's lag behind krai serve under HTTP load",
                "conditions": {
                    "cores": len(os.sched_getaffinity(0)),
                    "python": platform.python_version(),
                    **{
                        name: str(value) if isinstance(value, Path) else value
                        for name, value in vars(arguments).items()
                    },
                },
                "summary": summary(runs),
                "runs": runs,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
