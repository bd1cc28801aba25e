"""The system clock, read only by the sequencer."""

import time


class SystemClock:
    """Unix time in milliseconds from the operating system."""

    def now_ms(self) -> int:
        """Current Unix time in milliseconds."""
        return time.time_ns() // 1_000_000
