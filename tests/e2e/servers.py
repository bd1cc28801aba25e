"""Servers the end-to-end tests start: a free loopback port, and a bounded wait until a
started `krai` process answers."""

import socket
import subprocess
import time

import httpx


def free_port() -> int:
    """A port nobody listens on now, on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def wait_until_answering(url: str, process: "subprocess.Popen[bytes]", seconds: float) -> None:
    """Poll ``url`` until it answers 200, for at most ``seconds``; fail if ``process`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, f"the server for {url} exited"
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer within {seconds} s")
