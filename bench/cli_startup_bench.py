"""CLI start-up: how long a read command takes from process start to exit, paired with
``python -c pass`` in the same run; prints one JSON document, never a timed test.

A home is founded once (``krai init``); then, ``--runs`` times in alternation, each command
is run as a user runs it (``python -m krai …`` in a fresh process) and its wall time taken.
Reports per command the median and range in seconds, the median minus the interpreter's own
start-up, and the modules it imported (``-X importtime``) that take the most time
cumulatively, so what to defer is named beside the figure.

Run: ``.venv/bin/python bench/cli_startup_bench.py [--runs N]`` (under a minute by default).
"""

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "krai --help": ["-m", "krai", "--help"],
    "krai log checkpoint --json": ["-m", "krai", "log", "checkpoint", "--json", "--home", "{home}"],
    "krai parks list --json": ["-m", "krai", "parks", "list", "--json", "--home", "{home}"],
}
IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)")


def timed(arguments: list[str]) -> float:
    """Wall seconds of one fresh process running ``arguments``."""
    started = time.perf_counter()
    subprocess.run([sys.executable, *arguments], check=True, capture_output=True, timeout=120)
    return time.perf_counter() - started


def heaviest_imports(arguments: list[str], count: int = 8) -> list[dict[str, Any]]:
    """The third-party and krai packages a command imports, by cumulative import time."""
    result = subprocess.run(
        [sys.executable, "-X", "importtime", *arguments],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    tops: dict[str, int] = {}
    for line in result.stderr.splitlines():
        found = IMPORT_LINE.match(line)
        if found and "." not in found.group(2).replace("krai.", "", 1):
            name, micros = found.group(2), int(found.group(1))
            tops[name] = max(tops.get(name, 0), micros)
    ranked = sorted(tops.items(), key=lambda item: -item[1])[:count]
    return [{"module": name, "cumulative_ms": round(micros / 1000, 1)} for name, micros in ranked]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory() as scratch:
        home = str(Path(scratch) / "home")
        subprocess.run(
            [sys.executable, "-m", "krai", "init", "--home", home], check=True, capture_output=True
        )
        commands = {
            name: [part.format(home=home) for part in arguments]
            for name, arguments in COMMANDS.items()
        }
        seconds: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):
            for name, arguments in commands.items():
                seconds[name].append(timed(arguments))
        interpreter = statistics.median(seconds["python -c pass"])
        report = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
            "runs": runs,
            "commands": {
                name: {
                    "median_s": round(statistics.median(times), 3),
                    "min_s": round(min(times), 3),
                    "max_s": round(max(times), 3),
                    "over_interpreter_s": round(statistics.median(times) - interpreter, 3),
                    "heaviest_imports": []
                    if name == "python -c pass"
                    else heaviest_imports(commands[name]),
                }
                for name, times in seconds.items()
            },
        }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
