"""The sequencer's clocks: the system's, and the stopped clock of a home built on simulated
time."""

import time


class SystemClock:
    """Unix time in milliseconds from the operating system."""

    def now_ms(self) -> int:
        """Current Unix time in milliseconds."""
        return time.time_ns() // 1_000_000


class StoppedClock:
    """The clock of a home built on simulated time (the demo's): it never runs ahead of the
    log, so the sequencer, which never goes back, stamps a new entry with the last entry's
    time and the world's calendar stays where its builder left it."""

    def now_ms(self) -> int:
        """Always the beginning of Unix time; the sequencer keeps the log's last time."""
        return 0
