"""Facts established by notary transactions."""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class DocumentAnchored:
    NAME: ClassVar[str] = "notary.DocumentAnchored"
    sha256: str
    title: str
    kind: str
    by: str


@dataclass(frozen=True)
class DocumentCountersigned:
    NAME: ClassVar[str] = "notary.DocumentCountersigned"
    sha256: str
    by: str
    signatories: int
