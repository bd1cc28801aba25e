"""What a follower records about itself and what ``/v1/status`` and the dashboard show.

The follower writes ``follow/status.json`` after every poll (``PollRecord``); an alarm's
evidence lies in ``alarms/<time>-<kind>/`` with its ``summary.json``. ``ledger_status`` is
the one document built from them (ADR 0036): the API's ``/v1/status``, the dashboard's
banner and ``krai follow --json`` all show it.
"""

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from krai.app.ports import FollowerFiles, Storage

STATUS_FILE = "status.json"


class AlarmError(Exception):
    """The log contradicts what it signed: ``kind`` names how, ``evidence`` proves it."""

    def __init__(
        self, kind: str, message: str, evidence: Mapping[str, bytes], index: int | None = None
    ) -> None:
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.evidence = dict(evidence)
        self.index = index


class CannotAdvanceError(Exception):
    """This poll cannot advance, through no proven fault of the log: unreachable, a tile
    missing, or too few witness cosignatures yet."""


PENDING_FILE = "pending-checkpoint"


@dataclass(frozen=True)
class PollRecord:
    """The follower's last look at the primary."""

    following: str
    primary_size: int
    checked_at_ms: int
    in_step_at_ms: int | None
    """When a poll last found every entry the primary published stored here."""
    last_error: str | None = None
    """Why the last poll could not advance (the log unreachable, a quorum not met)."""

    def encode(self) -> bytes:
        """The record as ``status.json`` holds it."""
        return json.dumps(asdict(self), sort_keys=True).encode()


def read_poll(files: FollowerFiles) -> PollRecord | None:
    """The follower's last poll record, if it polled yet."""
    data = files.read(STATUS_FILE)
    if data is None:
        return None
    return PollRecord(**json.loads(data))


def latest_alarm(files: FollowerFiles) -> dict[str, Any] | None:
    """The summary of the newest alarm kept in the home (with ``evidence``: where), or None."""
    alarms = files.alarms()
    if not alarms:
        return None
    where, summary = alarms[-1]
    document: dict[str, Any] = json.loads(summary)
    return {**document, "evidence": where, "alarms": len(alarms)}


def ledger_status(
    storage: Storage, files: FollowerFiles, following: str | None, now_ms: int
) -> dict[str, Any]:
    """The ledger's status: its size and newest checkpoint, and for a follower how far
    behind the primary it is (entries and seconds) and its alarm, if one was raised."""
    checkpoint = storage.latest_checkpoint()
    status: dict[str, Any] = {
        "role": "primary" if following is None else "follower",
        "size": storage.log_size(),
        "checkpoint_size": checkpoint.size if checkpoint else 0,
    }
    if following is None:
        return status
    poll = read_poll(files)
    primary_size = poll.primary_size if poll else None
    behind_ms = None
    if poll is not None and poll.in_step_at_ms is not None:
        behind_ms = max(0, now_ms - poll.in_step_at_ms)
    return {
        **status,
        "following": following,
        "primary_size": primary_size,
        "behind_entries": None if primary_size is None else max(0, primary_size - status["size"]),
        "behind_ms": behind_ms,
        "behind_seconds": None if behind_ms is None else behind_ms // 1000,
        "checked_at_ms": poll.checked_at_ms if poll else None,
        "last_error": poll.last_error if poll else None,
        "alarm": latest_alarm(files),
    }
