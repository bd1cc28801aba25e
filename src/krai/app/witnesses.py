"""What the log's publication knows of its witnesses: each witness, its answers, the cosigned
notes and where they are kept (``CosignedStore``, a port).

Apart from the cosigning itself (``cosigning``: the collector, its thread, the quorum's
check), so that reading the published checkpoint without witnesses loads neither (ADR 0045).
"""

from dataclasses import dataclass
from typing import Protocol

from krai.log.note import CosignatureVerifier


@dataclass(frozen=True)
class Witness:
    """A witness the log asks: its name in the settings, URL prefix and cosignature key."""

    name: str
    url: str
    verifier: CosignatureVerifier


@dataclass(frozen=True)
class WitnessReply:
    """A witness's HTTP answer."""

    status: int
    body: str


class WitnessUnreachableError(Exception):
    """The witness could not be reached or did not answer in time."""


class WitnessClient(Protocol):
    """Sends add-checkpoint requests."""

    def add_checkpoint(self, url: str, body: bytes) -> WitnessReply:
        """POST ``body`` to ``<url>/add-checkpoint``; raise ``WitnessUnreachableError``."""
        ...


@dataclass(frozen=True)
class CosignedNote:
    """A signed checkpoint with the witness cosignatures gathered for it."""

    size: int
    note: str
    cosignatures: int
    time_ms: int


class CosignedStore(Protocol):
    """Where cosigned notes and each witness's last cosigned size are kept."""

    def witness_sizes(self) -> dict[str, int]:
        """The size each witness (by name) last cosigned."""
        ...

    def set_witness_size(self, name: str, size: int, time_ms: int) -> None:
        """Record the size witness ``name`` last cosigned (or says it did)."""
        ...

    def cosigned_at(self, size: int) -> CosignedNote | None:
        """The cosigned note of the checkpoint of ``size``, if any."""
        ...

    def store_cosigned(self, cosigned: CosignedNote) -> None:
        """Store (or replace) the cosigned note of its size."""
        ...

    def newest_cosigned(self, min_cosignatures: int, limit: int) -> list[CosignedNote]:
        """The newest notes with at least ``min_cosignatures``, newest first."""
        ...


@dataclass(frozen=True)
class WitnessOutcome:
    """What one witness answered for one checkpoint."""

    witness: str
    size: int
    cosigned: bool
    detail: str
