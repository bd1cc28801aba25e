"""Files an organisation uploads to be recorded (ADR 0035): each kind of file is read into the
unsigned transactions that record it and a preview of what they say, and each transaction
comes with the exact bytes its signer signs. The server signs nothing: the signer's browser
(or ``krai``) signs those bytes with a key the server never sees.

A kind of file is an ``UploadKind``: the role that signs it, the reader of its files and what
its form shows of where the file goes. A new kind (meter files, park reports) is one
``UploadKind`` beside its reader and one line registering its page with its preview template
(``krai.entrypoints.web.uploads``).
"""

import base64
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

from krai.app.ports import Storage
from krai.modules.identity import queries as identity
from krai.tx.envelope import Transaction


class UploadError(ValueError):
    """A file refused as a whole; ``problems`` name each line or key at fault, ``code`` is
    the problem type the API answers (a malformed file, or one the ledger's rules refuse)."""

    def __init__(self, problems: Sequence[str], code: str = "malformed_file") -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)
        self.code = code


class Signing(NamedTuple):
    """Who will sign: the organisation's identifier and its key's id."""

    signer: str
    key_id: str


class Unsigned(Protocol):
    """A transaction to sign, without its envelope: type, version, nonce and body."""

    @property
    def type(self) -> str: ...

    @property
    def version(self) -> int: ...

    @property
    def nonce(self) -> str: ...

    @property
    def body(self) -> dict[str, Any]: ...


Reader = Callable[
    [Storage, str, Mapping[str, bytes], Mapping[str, str], Signing | None], dict[str, Any]
]
"""``(storage, origin, files by field, form fields, signing)`` → the preview document, whose
``parts`` each carry ``to_sign`` when ``signing`` is given; raises ``UploadError``."""

About = Callable[[Storage, Mapping[str, str]], dict[str, Any] | None]
"""``(storage, the page's path parameters)`` → what the form shows of where the file goes;
None when it goes nowhere (no such market)."""


def _nothing_to_show(storage: Storage, where: Mapping[str, str]) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class UploadKind:
    """A kind of file: the role of the organisation that signs it, how it is read, the file
    fields of its form (``file`` first, the others optional) and what its form shows."""

    role: str | tuple[str, ...]
    read: Reader
    files: tuple[str, ...] = ("file",)
    about: About = _nothing_to_show


def to_sign(origin: str, signing: Signing, unsigned: Unsigned) -> dict[str, Any]:
    """The whole envelope ``signing`` will sign and the exact bytes it signs (base64)."""
    envelope = Transaction(
        origin,
        unsigned.type,
        unsigned.version,
        signing.signer,
        signing.key_id,
        unsigned.nonce,
        unsigned.body,
    )
    message = base64.b64encode(envelope.signing_message()).decode()
    return {"transaction": envelope.unsigned_fields(), "signing_bytes": message}


def signing_keys(storage: Storage, role: str | tuple[str, ...]) -> list[dict[str, str]]:
    """The active keys of every member holding ``role`` (any of several): who may sign such
    a file."""
    roles = {role} if isinstance(role, str) else set(role)
    return [
        {"signer": org.inn, "name": org.name, "key_id": key_id}
        for org in identity.organisations(storage)
        if roles & set(org.roles)
        for key_id in identity.active_key_ids(storage, org.inn)
    ]


def chosen_signing(
    storage: Storage, role: str | tuple[str, ...], signer: str, key_id: str
) -> Signing | None:
    """The signing named by the form, if it is an active key of a member holding ``role``;
    None when the form names none; ``UploadError`` when it names another."""
    if not signer and not key_id:
        return None
    if (signer, key_id) not in {(k["signer"], k["key_id"]) for k in signing_keys(storage, role)}:
        roles = role if isinstance(role, str) else " or ".join(role)
        raise UploadError([f"key {key_id} of {signer} is no active key of a {roles}"])
    return Signing(signer, key_id)
