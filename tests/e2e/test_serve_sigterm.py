"""`krai serve` stopped with SIGTERM (as a service manager stops it) unwinds instead of dying
where it stands: its `finally` blocks run, so services close and what a demo started beside
it (witnesses, a follower) is stopped too."""

import signal
import subprocess
import sys
from pathlib import Path

from tests.e2e.servers import free_port, wait_until_answering
from typer.testing import CliRunner

from krai.entrypoints.cli.main import app

KRAI = [sys.executable, "-m", "krai"]


def test_sigterm_unwinds_the_server_and_exits_143(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert CliRunner().invoke(app, ["init", "--home", str(home)]).exit_code == 0
    port = free_port()
    command = [*KRAI, "serve", "--home", str(home), "--port", str(port)]
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as server:
        try:
            wait_until_answering(f"http://127.0.0.1:{port}/v1/status", server, 60)
            server.send_signal(signal.SIGTERM)
            assert server.wait(timeout=30) == 128 + signal.SIGTERM
        finally:
            if server.poll() is None:
                server.kill()
