"""One payments audit of a SQLite state file, in the fresh process it runs in: prints JSON.

Run by ``bench/payments_bench.py`` as an auditor runs ``krai payments audit --home``: a new
process that opens the closed database file. It imports only what every version of the audit
has (``open_storage``, ``run_audit``, and the ``audit_part`` and ``read_sheets`` it calls), so
the bench can run it against an older source tree (``PYTHONPATH=OLD/src``) beside this one. It
reports the time of each audit, the number of findings, the processor time it and its parts
spent on each (user and system: on a machine other work shares, a steadier measure of the
audit's own cost than the time it took), memory, and which ``krai`` it ran.

Memory: ``peak_rss_mb`` and ``part_peak_rss_mb`` are the peak resident sizes of this process
and of the largest of its children (``getrusage``); both count the pages of the database file
a process mapped (SQLite reads it mapped), which are the kernel's page cache, shared, not
memory of the process's own. Each process's own memory is therefore read from
``/proc/self/smaps_rollup`` at the end of its work, where it holds the most (nothing it read
is freed before; the collector is off): ``part_own_mb`` (each part, its share checked, before
it sends its findings) and ``sheet_reader_own_mb`` (the fact sheets read) are the private
dirty pages (``Private_Dirty``): what the process allocated or copied on writing, neither the
file's pages it mapped nor the pages it still shares with the process it was forked from;
``own_mb`` (this process, as it joins the findings) its anonymous pages (``Anonymous``: all it
allocated, including the pages its parts still share with it), without the file's.

Run: ``python bench/payments_audit_child.py STATE.db AS_OF --runs N --parts P``.
"""

import argparse
import json
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import krai
import krai.app.payments_audit as audited
from krai.adapters.sql.storage import open_storage
from krai.app.payments_audit import run_audit


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("path")
    parser.add_argument("as_of")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--parts", type=int, default=1)
    arguments = parser.parse_args()
    storage = open_storage(f"sqlite:///{arguments.path}")
    times, cpu, found = [], [], 0
    with tempfile.NamedTemporaryFile("r", suffix=".own") as owned:
        _measure_own_memory(Path(owned.name))
        for _ in range(arguments.runs):
            started, spent = time.perf_counter(), _processor_s()
            findings = run_audit(
                storage,
                arguments.as_of,
                parts=arguments.parts,
                reopen=lambda _: storage.after_fork(),
            )
            times.append(time.perf_counter() - started)
            cpu.append(_processor_s() - spent)
            found = len(findings)
        steps = [line.split() for line in Path(owned.name).read_text().splitlines()]
    storage.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parts = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {
        "times_s": times,
        "cpu_s": cpu,
        "findings": found,
        "peak_rss_mb": round(own / 1024),
        "part_peak_rss_mb": round(parts / 1024),
        "own_mb": max(
            (float(anonymous) for step, _, anonymous in steps if step == "conclude"), default=None
        ),
        "part_own_mb": [float(dirty) for step, dirty, _ in steps if step == "audit_part"],
        "sheet_reader_own_mb": [float(dirty) for step, dirty, _ in steps if step == "read_sheets"],
        "krai": krai.__file__,
    }
    print(json.dumps(result))


def _measure_own_memory(path: Path) -> None:
    """Make each part, the sheets' reader and this process (joining the findings) append the
    step's name and their own memory to ``path`` when the step is done (in the process that
    does it)."""
    for name in ("audit_part", "read_sheets", "conclude"):
        setattr(audited, name, _measured(name, getattr(audited, name), path))


def _measured(name: str, step: Callable[..., Any], path: Path) -> Callable[..., Any]:
    def run(*arguments: Any) -> Any:
        result = step(*arguments)
        with path.open("a") as log:
            log.write(f"{name} {_own_mb('Private_Dirty')} {_own_mb('Anonymous')}\n")
        return result

    return run


def _own_mb(field: str) -> float:
    """A field of this process's ``smaps_rollup`` (``Private_Dirty``, ``Anonymous``), in MB."""
    for line in Path("/proc/self/smaps_rollup").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def _processor_s() -> float:
    """User and system time of this process and of its children waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    parts = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + parts.ru_utime + parts.ru_stime


if __name__ == "__main__":
    main()
