"""One payments audit of a SQLite state file, in the fresh process it runs in: prints JSON.

Run by ``bench/payments_bench.py`` as an auditor runs ``krai payments audit --home``: a new
process that opens the closed database file. It imports only what every version of the audit
has (``open_storage``, ``run_audit``), so the bench can run it against an older source tree
(``PYTHONPATH=OLD/src``) beside this one. It reports the time of each audit, the number of
findings, the processor time it and its parts spent on each (user and system: on a machine
other work shares, a steadier measure of the audit's own cost than the time it took), its own
peak resident memory and the largest of its parts', and which ``krai`` it ran.

Run: ``python bench/payments_audit_child.py STATE.db AS_OF --runs N --parts P``.
"""

import argparse
import json
import resource
import time

import krai
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
    for _ in range(arguments.runs):
        started, spent = time.perf_counter(), _processor_s()
        findings = run_audit(
            storage, arguments.as_of, parts=arguments.parts, reopen=lambda _: storage.after_fork()
        )
        times.append(time.perf_counter() - started)
        cpu.append(_processor_s() - spent)
        found = len(findings)
    storage.close()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    parts = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = {
        "times_s": times,
        "cpu_s": cpu,
        "findings": found,
        "peak_rss_mb": round(own / 1024),
        "part_peak_rss_mb": round(parts / 1024),
        "krai": krai.__file__,
    }
    print(json.dumps(result))


def _processor_s() -> float:
    """User and system time of this process and of its children waited for."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    parts = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + parts.ru_utime + parts.ru_stime


if __name__ == "__main__":
    main()
