"""C2SP tlog-policy: the logs and witnesses a verifier trusts, and the quorum it needs.

A policy file is lines of items separated by spaces or tabs; empty lines and ``#`` comments
are ignored::

    log <vkey> [<url>]                      a log's key (type 0x01); its name is the origin
    witness <name> <vkey> [<url>]           a witness's cosignature key (type 0x04)
    group <name> all|any|<k> <name>...      witnessed if at least k of its members are
    quorum <name>|none                      exactly one: what a checkpoint needs

Names are defined before they are used, once each; a name is a group member at most once
(in one group); ``none`` is predefined and never a member. Two logs, or two witnesses, may
not share a public key. Only tab and newline are allowed among the control characters.
"""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from krai.log.note import (
    CosignatureVerifier,
    NoteError,
    NoteVerifier,
    parse_cosignature_vkey,
    parse_vkey,
)

NO_QUORUM = "none"
_SEPARATORS = re.compile(r"[ \t]+")
_FORBIDDEN = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_THRESHOLD = re.compile(r"[1-9][0-9]*")


class PolicyError(ValueError):
    """A policy file is malformed."""


@dataclass(frozen=True)
class Group:
    """Witnessed when at least ``threshold`` of its ``members`` are."""

    threshold: int
    members: tuple[str, ...]


@dataclass(frozen=True)
class Policy:
    """Trusted logs, witnesses by policy name, groups, and the quorum (a name, or none)."""

    logs: tuple[NoteVerifier, ...]
    witnesses: Mapping[str, CosignatureVerifier]
    groups: Mapping[str, Group] = field(default_factory=dict)
    quorum: str = NO_QUORUM
    urls: Mapping[str, str] = field(default_factory=dict)
    """The optional URL of each log (by key name) and witness (by policy name)."""

    def logs_for(self, origin: str) -> list[NoteVerifier]:
        """The log keys named after ``origin`` (tlog-policy: a log key's name is its origin)."""
        return [log for log in self.logs if log.name == origin]

    def quorum_met(self, cosigned: set[str]) -> bool:
        """Whether witnesses of these policy names meet the quorum."""
        return self._witnessed(self.quorum, cosigned)

    def _witnessed(self, name: str, cosigned: set[str]) -> bool:
        if name == NO_QUORUM:
            return True
        group = self.groups.get(name)
        if group is None:
            return name in cosigned
        return sum(self._witnessed(m, cosigned) for m in group.members) >= group.threshold

    def describe(self, name: str | None = None) -> str:
        """The quorum (or group ``name``) in words: ``2 of (witness a, witness b)``."""
        name = self.quorum if name is None else name
        if name == NO_QUORUM:
            return "no cosignature"
        group = self.groups.get(name)
        if group is None:
            return f"witness {name}"
        members = ", ".join(self.describe(member) for member in group.members)
        return f"{group.threshold} of ({members})"


def parse_policy(text: str | bytes) -> Policy:
    """Parse a tlog-policy file strictly; raise ``PolicyError`` naming the line at fault.

    Bytes with the high bit set are opaque (tlog-policy): a file given as bytes is read as
    UTF-8 where it is, and byte for byte (surrogate escapes) where it is not.
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "surrogateescape")
    builder = _Builder()
    for number, raw in enumerate(text.split("\n"), start=1):
        if _FORBIDDEN.search(raw):
            raise PolicyError(f"line {number}: a control character other than tab")
        items = _SEPARATORS.split(raw.strip(" \t"))
        if items == [""] or items[0].startswith("#"):
            continue
        try:
            builder.line(items)
        except (PolicyError, NoteError) as error:
            raise PolicyError(f"line {number}: {error}") from error
    return builder.policy()


class _Builder:
    def __init__(self) -> None:
        self.logs: list[NoteVerifier] = []
        self.witnesses: dict[str, CosignatureVerifier] = {}
        self.groups: dict[str, Group] = {}
        self.urls: dict[str, str] = {}
        self.members: set[str] = set()
        self.quorum: str | None = None

    def line(self, items: Sequence[str]) -> None:
        keyword, arguments = items[0], list(items[1:])
        if keyword == "log":
            self.log(arguments)
        elif keyword == "witness":
            self.witness(arguments)
        elif keyword == "group":
            self.group(arguments)
        elif keyword == "quorum":
            self.set_quorum(arguments)
        else:
            raise PolicyError(f"unknown keyword {keyword!r}")

    def log(self, arguments: list[str]) -> None:
        if len(arguments) not in (1, 2):
            raise PolicyError("expected 'log <vkey> [<url>]'")
        verifier = parse_vkey(arguments[0])
        if any(log.public_key == verifier.public_key for log in self.logs):
            raise PolicyError("this log key is already listed")
        self.logs.append(verifier)
        if len(arguments) == 2:
            self.urls[verifier.name] = arguments[1]

    def witness(self, arguments: list[str]) -> None:
        if len(arguments) not in (2, 3):
            raise PolicyError("expected 'witness <name> <vkey> [<url>]'")
        name = self.new_name(arguments[0])
        verifier = parse_cosignature_vkey(arguments[1])
        if any(w.public_key == verifier.public_key for w in self.witnesses.values()):
            raise PolicyError("this witness key is already listed")
        self.witnesses[name] = verifier
        if len(arguments) == 3:
            self.urls[name] = arguments[2]

    def group(self, arguments: list[str]) -> None:
        if len(arguments) < 3:
            raise PolicyError("expected 'group <name> all|any|<k> <name>...'")
        name, threshold, members = self.new_name(arguments[0]), arguments[1], arguments[2:]
        for member in members:
            if member not in self.witnesses and member not in self.groups:
                raise PolicyError(
                    f"group member {member!r} is not a witness or group defined above"
                )
            if member in self.members:
                raise PolicyError(f"{member!r} is already a group member")
            self.members.add(member)
        self.groups[name] = Group(_threshold(threshold, len(members)), tuple(members))

    def set_quorum(self, arguments: list[str]) -> None:
        if len(arguments) != 1:
            raise PolicyError("expected 'quorum <name>'")
        if self.quorum is not None:
            raise PolicyError("a policy has exactly one quorum line")
        name = arguments[0]
        if name != NO_QUORUM and name not in self.witnesses and name not in self.groups:
            raise PolicyError(f"the quorum {name!r} is not a witness or group defined above")
        self.quorum = name

    def new_name(self, name: str) -> str:
        if name == NO_QUORUM or name in self.witnesses or name in self.groups:
            raise PolicyError(f"the name {name!r} is already defined")
        return name

    def policy(self) -> Policy:
        if self.quorum is None:
            raise PolicyError("a policy has exactly one quorum line; this one has none")
        return Policy(tuple(self.logs), self.witnesses, self.groups, self.quorum, self.urls)


def _threshold(text: str, members: int) -> int:
    if text == "all":
        return members
    if text == "any":
        return 1
    if not _THRESHOLD.fullmatch(text):
        raise PolicyError(f"a group's threshold is all, any or a number from 1, not {text!r}")
    if int(text) > members:
        raise PolicyError(f"a threshold of {text} with only {members} member(s)")
    return int(text)
