"""Notary transactions: anchor a document's hash; countersign an anchored one."""

from dataclasses import dataclass
from typing import Annotated, ClassVar

from krai.modules.notary.model import DocumentKind
from krai.state.messages import Hex256, Length, Name


@dataclass(frozen=True)
class Anchor:
    """A member anchors a document by its SHA-256 (lower-case hex), with a title and kind."""

    TYPE: ClassVar[str] = "notary.anchor"
    VERSION: ClassVar[int] = 1
    sha256: Hex256
    title: Name
    kind: DocumentKind
    reference: Annotated[str, Length(1, 200)] | None = None


@dataclass(frozen=True)
class Countersign:
    """Another member adds its signature to an anchored document."""

    TYPE: ClassVar[str] = "notary.countersign"
    VERSION: ClassVar[int] = 1
    sha256: Hex256
