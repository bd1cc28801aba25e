"""The demo's two witnesses: `krai witness serve` processes the demo starts on 127.0.0.1, each
with its own key and database under ``<home>/witnesses/``, listed in the home with a 2-of-2
policy, so the demo publishes cosigned checkpoints as a real deployment does.

They are the demo operator's own processes and so prove nothing a third party would rely on;
they show the mechanism. The processes stop with the demo; a home served later without them
keeps publishing the last checkpoint both cosigned.
"""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx

from krai.app.publication import collect_once
from krai.bootstrap import create_witness, open_witness
from krai.config.settings import WitnessSettings, write_witnesses
from krai.entrypoints.cli.common import console, fail, services_for
from krai.log.note import format_vkey

NAMES = ("w1", "w2")
START_SECONDS = 30.0


@contextmanager
def demo_witnesses(home: Path, origin: str, log_vkey: str) -> Iterator[tuple[WitnessSettings, ...]]:
    """Two witnesses following the log of ``home``, serving while the block runs."""
    witnesses: list[WitnessSettings] = []
    with ExitStack() as running:
        for name in NAMES:
            directory = home / "witnesses" / name
            signer = create_witness(directory, f"witness.{origin.split('/', maxsplit=1)[0]}/{name}")
            with open_witness(directory) as witness:
                witness.store.add_log(origin, log_vkey)
            port = _free_port()
            running.enter_context(_serving(directory, port))
            witnesses.append(
                WitnessSettings(name, f"http://127.0.0.1:{port}", format_vkey(signer.verifier))
            )
        write_witnesses(home, tuple(witnesses), len(witnesses))
        yield tuple(witnesses)


def cosign_latest(home: Path) -> None:
    """Have both witnesses cosign the newest checkpoint, and say so."""
    with services_for(home) as services:
        outcomes = collect_once(services.publication, services.witness_client, services.clock)
    refused = [o for o in outcomes if not o.cosigned]
    if refused:
        fail("; ".join(f"{o.witness}: {o.detail}" for o in refused))
    sizes = ", ".join(f"{o.witness} size {o.size:,}" for o in outcomes)
    console.print(f"Cosigned by both witnesses: {sizes}", highlight=False)


@contextmanager
def krai_process(arguments: list[str], log_file: Path) -> Iterator["subprocess.Popen[bytes]"]:
    """``krai ARGUMENTS`` in a process of its own, its output in ``log_file``, while the block
    runs; then stopped (terminated, killed if it lingers)."""
    log = log_file.open("ab")
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "krai", *arguments], stdout=log, stderr=log
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)
        log.close()


@contextmanager
def _serving(directory: Path, port: int) -> Iterator[None]:
    arguments = ["witness", "serve", "--dir", str(directory), "--port", str(port)]
    with krai_process(arguments, directory / "serve.log") as process:
        _wait_until_up(process, f"http://127.0.0.1:{port}/", directory)
        yield


def _wait_until_up(process: subprocess.Popen[bytes], url: str, directory: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            fail(f"the witness in {directory} stopped; see {directory / 'serve.log'}")
        try:
            httpx.get(url, timeout=1.0)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    fail(f"the witness in {directory} did not start in {START_SECONDS:.0f} s")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
