"""Every way a transaction is refused, each with its own stable code.

A refused transaction leaves no trace in the log or the state. The code is what clients
match on (it becomes the problem type of the HTTP API and the CLI's error line); the message
says what was wrong, with the figures where there are some.
"""

from enum import StrEnum


class Code(StrEnum):
    """Stable codes of refusal."""

    MALFORMED = "malformed"
    FLOAT_NOT_ALLOWED = "float_not_allowed"
    OVERSIZE = "oversize"
    UNKNOWN_TYPE = "unknown_type"
    UNKNOWN_VERSION = "unknown_version"
    WRONG_NETWORK = "wrong_network"
    BAD_SIGNATURE = "bad_signature"
    UNKNOWN_SIGNER = "unknown_signer"
    UNKNOWN_KEY = "unknown_key"
    REVOKED_KEY = "revoked_key"
    ROLE_NOT_ALLOWED = "role_not_allowed"
    REPLAY = "replay"
    INVALID_BODY = "invalid_body"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    RULE_VIOLATION = "rule_violation"


class RejectedError(Exception):
    """A transaction was refused; nothing was written."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(f"{code.value}: {message}")
        self.code = code
        self.message = message


def invalid_body(message: str) -> RejectedError:
    """A body field is missing, of the wrong type or out of range."""
    return RejectedError(Code.INVALID_BODY, message)


def rule_violation(message: str) -> RejectedError:
    """The transaction is well formed but breaks a rule of the current state."""
    return RejectedError(Code.RULE_VIOLATION, message)


def not_found(message: str) -> RejectedError:
    """The transaction refers to something the ledger does not hold."""
    return RejectedError(Code.NOT_FOUND, message)


def conflict(message: str) -> RejectedError:
    """The transaction would create something that already exists."""
    return RejectedError(Code.CONFLICT, message)
