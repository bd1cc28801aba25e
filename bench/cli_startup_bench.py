"""CLI start-up: how long a read command takes from process start to exit, paired with
``python -c pass`` in the same run; prints one JSON document, never a timed test.

A home is founded once (``krai init``); then, ``--runs`` times in alternation, each command
is run as a user runs it (``python -m krai …`` in a fresh process) and its wall time taken.
``--help`` (the whole listing, a group's and a nested group's) is a read too. Reports per
command the median and range in seconds, the median minus the interpreter's own
start-up, and the modules it imported (``-X importtime``) that take the most time
cumulatively, so what to defer is named beside the figure.

``krai parks show`` reads the first park of ``--home`` (a demo's home, say); without one the
bench founds an empty home, where that command is left out.

Both source trees are compiled to bytecode first, as ``pip install`` does for an installed
package: an editable checkout run with ``PYTHONDONTWRITEBYTECODE`` set would otherwise compile
every krai module on every start (about 60 ms of the figure).

Run: ``.venv/bin/python bench/cli_startup_bench.py [--runs N] [--home DIR]`` (under a minute).
"""

import argparse
import compileall
import json
import os
import platform
import re
import resource
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
    "krai parks --help": ["-m", "krai", "parks", "--help"],
    "krai log witnesses --help": ["-m", "krai", "log", "witnesses", "--help"],
    "krai log checkpoint --json": ["-m", "krai", "log", "checkpoint", "--json", "--home", "{home}"],
    "krai parks list --json": ["-m", "krai", "parks", "list", "--json", "--home", "{home}"],
    "krai parks show PARK": ["-m", "krai", "parks", "show", "{park}", "--home", "{home}"],
}
SOURCE = Path(__file__).resolve().parents[1] / "src"
IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+(\d+) \|\s*(\S+)")


def timed(arguments: list[str], source: Path | None = None) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one fresh process running ``arguments``; the CPU
    time is what a loaded machine changes least."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    environment = {**os.environ, "PYTHONPATH": str(source)} if source else None
    subprocess.run(
        [sys.executable, *arguments], check=True, capture_output=True, timeout=120, env=environment
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


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


def first_park(home: str) -> str | None:
    """The id of the home's first park, if it has one."""
    listed = subprocess.run(
        [sys.executable, "-m", "krai", "parks", "list", "--json", "--home", home],
        check=True,
        capture_output=True,
        timeout=120,
    )
    parks: list[dict[str, Any]] = json.loads(listed.stdout)
    return str(parks[0]["park_id"]) if parks else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--home", type=Path, help="an existing home (default: a new empty one)")
    parser.add_argument(
        "--against",
        type=Path,
        help="another checkout's src/ directory, run alternately with this one (a baseline)",
    )
    options = parser.parse_args()
    runs = options.runs
    for tree in (SOURCE, options.against):
        if tree is not None:
            compileall.compile_dir(tree, quiet=1)
    with tempfile.TemporaryDirectory() as scratch:
        home = str(options.home or Path(scratch) / "home")
        if options.home is None:
            subprocess.run(
                [sys.executable, "-m", "krai", "init", "--home", home],
                check=True,
                capture_output=True,
            )
        park = first_park(home)
        commands = {
            name: [part.format(home=home, park=park) for part in arguments]
            for name, arguments in COMMANDS.items()
            if park or "{park}" not in arguments
        }
        sources = {"": None, " (baseline)": options.against} if options.against else {"": None}
        seconds: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}
        for _ in range(runs):
            for name, arguments in commands.items():
                for suffix, source in sources.items():
                    if suffix and name == "python -c pass":
                        continue
                    wall, used = timed(arguments, source)
                    seconds.setdefault(name + suffix, []).append(wall)
                    cpu.setdefault(name + suffix, []).append(used)
        interpreter = statistics.median(seconds["python -c pass"])
        report = {
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_average_1min": round(os.getloadavg()[0], 2),
            },
            "runs": runs,
            "home": "given" if options.home else "new, empty",
            "baseline": str(options.against) if options.against else None,
            "bytecode": "compiled before the runs, as an installed package has it",
            "commands": {
                name: {
                    "median_s": round(statistics.median(times), 3),
                    "min_s": round(min(times), 3),
                    "max_s": round(max(times), 3),
                    "over_interpreter_s": round(statistics.median(times) - interpreter, 3),
                    "cpu_median_s": round(statistics.median(cpu[name]), 3),
                    "heaviest_imports": []
                    if name == "python -c pass" or name not in commands
                    else heaviest_imports(commands[name]),
                }
                for name, times in seconds.items()
            },
        }
    print(json.dumps(report, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
