"""Notary transactions."""

from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from krai.state.messages import Hex256, Length, Name


@dataclass(frozen=True)
class Anchor:
    """A member anchors a document by its SHA-256, with a title and a kind."""

    TYPE: ClassVar[str] = "notary.anchor"
    VERSION: ClassVar[int] = 1
    sha256: Hex256
    title: Name
    kind: Literal[
        "agreement", "rosreestr_filing", "rospatent_filing", "report", "decision", "other"
    ]
    reference: Annotated[str, Length(1, 200)] | None = None


@dataclass(frozen=True)
class Countersign:
    """Another member adds its signature to an anchored document."""

    TYPE: ClassVar[str] = "notary.countersign"
    VERSION: ClassVar[int] = 1
    sha256: Hex256
